// Fits the offline answerability model (agent/answerability.h) on the development set and prints the trade-off
// between abstaining on unanswerable questions and answering answerable ones.
//
//   cmake --build build --target fit_answerability && build/tests/tools/fit_answerability [--write] [dev_dir]
//
// dev_dir holds questions.json and corpus/ (default tests/eval). Every corpus file goes through the production
// ingestion (built-in embedder) into a throw-away store; every question is retrieved as the agent does (hybrid,
// top 5). A question is a positive example when the set says a passage answers it and the best passage is that one:
// answering then quotes the right passage. --write rewrites src/agent/answerability_model.inc with the fit, so
// refitting after the set grows is this one command.

#include "agent/answerability.h"
#include "core/blocking_pool.h"
#include "core/crypto.h"
#include "core/log.h"
#include "knowledge/embedder.h"
#include "knowledge/indexes.h"
#include "knowledge/ingestor.h"
#include "knowledge/retriever.h"
#include "knowledge/text.h"
#include "store/knowledge_store.h"
#include "store/store.h"
#include "support/temp_dir.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace parley;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "fit_answerability: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool write = false;
  std::filesystem::path dev_dir = std::filesystem::path(PARLEY_SOURCE_DIR) / "tests" / "eval";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--write") {
      write = true;
    } else {
      dev_dir = arg;
    }
  }
  log::Init("warn");

  testing::TempDir dir{"parley-fit"};
  auto box = crypto::SecretBox::Create(std::string(32, 'k'));
  store::StoreOptions store_options;
  store_options.database_url = "sqlite://" + (dir.path() / "fit.db").string();
  store_options.sqlite_synchronous = "off";
  auto opened = store::OpenStore(store_options, *box);
  if (!opened) return Fail("open store: " + opened.error().message);
  std::unique_ptr<store::Store> db = std::move(*opened);
  if (!db->Migrate()) return Fail("migrate");
  store::KnowledgeStore& knowledge = db->knowledge();
  auto tenant = db->CreateTenant("fit", crypto::Sha256Hex("fit-key"));
  auto base = knowledge.EnsureKnowledgeBase(tenant.value().id, "fit");
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dev_dir / "corpus")) {
    if (entry.is_regular_file()) files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    store::NewDocument document{tenant->id, base->id, file, "", "", ReadFile(dev_dir / "corpus" / file)};
    if (auto created = knowledge.CreateDocument(document); !created) return Fail("create " + file);
  }
  auto embedder = std::make_shared<knowledge::BuiltinEmbedder>();
  knowledge::KnowledgeIndexes indexes(knowledge, "");
  {
    boost::asio::io_context io;
    BlockingPool pool(2);
    knowledge::ProfileForTenant profile_for = [embedder](int64_t) -> Result<knowledge::IndexingProfile> {
      return knowledge::IndexingProfile{embedder, "english"};
    };
    knowledge::Ingestor ingestor(io.get_executor(), knowledge, indexes, profile_for, pool, nullptr,
                                 knowledge::IngestorOptions{});
    boost::asio::co_spawn(io, ingestor.RunDue(), [](std::exception_ptr e, int) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
    pool.Stop();
  }

  knowledge::Retriever retriever(knowledge, indexes);
  knowledge::RetrievalOptions options;  // The agent's defaults: hybrid, top 5.
  const std::vector<int64_t> scope{base->id};
  std::vector<agent::AnswerabilityExample> examples;
  const boost::json::value questions = boost::json::parse(ReadFile(dev_dir / "questions.json"));
  for (const auto& value : questions.as_array()) {
    const auto& object = value.as_object();
    const std::string text(object.at("question").as_string());
    std::string document, contains;
    if (const auto* expected = object.if_contains("expected"); expected && expected->is_object()) {
      document = std::string(expected->as_object().at("document").as_string());
      contains = knowledge::Fold(std::string(expected->as_object().at("contains").as_string()));
    }
    auto passages = retriever.Retrieve(tenant->id, scope, text, embedder->EmbedOne(text), embedder->id(), options);
    if (!passages) return Fail("retrieve: " + passages.error().message);
    agent::AnswerabilityExample example;
    example.features = agent::ExtractAnswerabilityFeatures(text, *passages, options.language);
    example.answerable = !document.empty();
    example.best_is_right = example.answerable && !passages->empty() &&
                            passages->front().chunk.document_name == document &&
                            knowledge::Fold(passages->front().chunk.text).find(contains) != std::string::npos;
    examples.push_back(example);
  }
  db->Close();

  size_t answerable = 0, right = 0;
  for (const auto& example : examples) {
    answerable += example.answerable;
    right += example.best_is_right;
  }
  const agent::AnswerabilityModel model = agent::FitAnswerability(examples, 0.9);
  std::printf("development set %s: %zu questions, %zu answerable (best passage right for %zu), %zu unanswerable\n",
              dev_dir.string().c_str(), examples.size(), answerable, right, examples.size() - answerable);
  std::printf("\nweights:\n");
  for (size_t i = 0; i < agent::kAnswerabilityFeatures; ++i) {
    std::printf("  %-16s %+.3f\n", agent::AnswerabilityFeatureNames()[i], model.weights[i]);
  }
  std::printf("  %-16s %+.3f\nthreshold (abstain on >= 90%% of unanswerable): %.3f\n", "bias", model.bias,
              model.threshold);
  std::vector<double> thresholds{model.threshold};
  for (int step = 1; step <= 19; ++step) thresholds.push_back(step * 0.05);
  std::printf("\n threshold  abstains(unanswerable)  answers(answerable)  answers from the right passage\n");
  for (const auto& point : agent::AnswerabilityTradeoff(examples, model, thresholds)) {
    std::printf("   %.3f            %.2f                   %.2f                  %.2f\n", point.threshold,
                point.abstained_unanswerable, point.answered_answerable, point.answered_right);
  }
  if (write) {
    char provenance[256];
    std::snprintf(provenance, sizeof provenance,
                  "Fitted on %zu questions (%zu answerable, %zu unanswerable) of %s.\n"
                  "Features: coverage, similarity, agreement, margin, lexical_top, wh, yes/no, price, length.",
                  examples.size(), answerable, examples.size() - answerable,
                  std::filesystem::relative(dev_dir, PARLEY_SOURCE_DIR).string().c_str());
    const auto path = std::filesystem::path(PARLEY_SOURCE_DIR) / "src" / "agent" / "answerability_model.inc";
    std::ofstream(path) << agent::AnswerabilityModelSource(model, provenance);
    std::printf("\nwrote %s\n", path.string().c_str());
  }
  return 0;
}
