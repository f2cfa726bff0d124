// Fits the offline reranker (agent/rerank.h) and answerability model (agent/answerability.h) on the development set
// and prints the trade-off between abstaining on unanswerable questions and answering answerable ones.
//
//   cmake --build build --target fit_answerability && build/tests/tools/fit_answerability [--write]
//
// It reads both sets: tests/eval (questions.json over one knowledge base of corpus/) and the agent's development set
// tests/eval/dev (one tenant per business). Every document goes through the production ingestion (built-in
// embedder) into a throw-away store; every question is retrieved as the agent does (hybrid, the reranker's
// candidates). The reranker is fitted first, on every candidate of the answerable questions, labelled by whether it
// is the passage the set expects; then each question's candidates are reranked with it, and the question is a
// positive example of answerability when the set says a passage answers it and the best reranked passage is that
// one: answering then quotes the right passage. --write rewrites src/agent/rerank_model.inc and
// src/agent/answerability_model.inc with the fits, so refitting after the sets grow is this one command.
// tests/eval/heldout is never read here: it measures what these fits do on questions they never saw.

#include "agent/answerability.h"
#include "agent/rerank.h"
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
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace parley;

// A question of a set, its retrieval's candidates in fused order, and the passage that answers it (empty: none).
struct Asked {
  std::string question;
  std::vector<knowledge::Passage> passages;
  std::string document;
  std::string contains;  //!< Folded.
  std::string language;  //!< The knowledge's, as the tenant set it.

  bool Answerable() const { return !document.empty(); }
  bool Expected(const knowledge::Passage& passage) const {
    return Answerable() && passage.chunk.document_name == document &&
           knowledge::Fold(passage.chunk.text).find(contains) != std::string::npos;
  }
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// One throw-away store that sets are ingested into (built-in embedder) and asked from as the agent asks (hybrid,
// top 5).
class Workbench {
 public:
  Workbench() = default;
  ~Workbench() { db_->Close(); }

  // A knowledge base of its own tenant holding `files` of `corpus` in `language`, ingested; returns {tenant,
  // knowledge base}.
  std::pair<int64_t, int64_t> Base(const std::string& name, const std::filesystem::path& corpus,
                                   const std::vector<std::string>& files, const std::string& language) {
    store::KnowledgeStore& knowledge = db_->knowledge();
    auto tenant = db_->CreateTenant(name, crypto::Sha256Hex(name + "-key"));
    auto base = knowledge.EnsureKnowledgeBase(tenant.value().id, name);
    for (const auto& file : files) {
      store::NewDocument document{tenant->id, base->id, file, "", "", ReadFile(corpus / file)};
      if (!knowledge.CreateDocument(document)) throw std::runtime_error("cannot store " + file);
    }
    boost::asio::io_context io;
    BlockingPool pool(2);
    auto embedder = embedder_;
    knowledge::ProfileForTenant profile_for = [embedder, language](int64_t) -> Result<knowledge::IndexingProfile> {
      return knowledge::IndexingProfile{embedder, language};
    };
    knowledge::Ingestor ingestor(io.get_executor(), knowledge, indexes_, profile_for, pool, nullptr,
                                 knowledge::IngestorOptions{});
    boost::asio::co_spawn(io, ingestor.RunDue(), [](std::exception_ptr e, int) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
    pool.Stop();
    return {tenant->id, base->id};
  }

  // `question` asked of `base`: `document` and `contains` (folded) say which passage answers it, both empty when none
  // does.
  Asked Ask(std::pair<int64_t, int64_t> base, const std::string& question, const std::string& document,
            const std::string& contains, const std::string& language) {
    knowledge::RetrievalOptions options;  // The agent's defaults, with the reranker's depth.
    options.top_k = agent::kRerankCandidates;
    options.language = language;
    auto passages = retriever_.Retrieve(base.first, {base.second}, question, embedder_->EmbedOne(question),
                                        embedder_->id(), options);
    if (!passages) throw std::runtime_error("retrieve: " + passages.error().message);
    return {question, std::move(*passages), document, contains, language};
  }

 private:
  static std::unique_ptr<store::Store> Open(const std::filesystem::path& dir) {
    auto box = crypto::SecretBox::Create(std::string(32, 'k'));
    store::StoreOptions options;
    options.database_url = "sqlite://" + (dir / "fit.db").string();
    options.sqlite_synchronous = "off";
    auto opened = store::OpenStore(options, *box);
    if (!opened || !(*opened)->Migrate()) throw std::runtime_error("cannot open the store");
    return std::move(*opened);
  }

  testing::TempDir dir_{"parley-fit"};
  std::unique_ptr<store::Store> db_ = Open(dir_.path());
  std::shared_ptr<knowledge::BuiltinEmbedder> embedder_ = std::make_shared<knowledge::BuiltinEmbedder>();
  knowledge::KnowledgeIndexes indexes_{db_->knowledge(), ""};
  knowledge::Retriever retriever_{db_->knowledge(), indexes_};
};

std::pair<std::string, std::string> Expected(const boost::json::object& question) {
  const auto* expected = question.if_contains("expected");
  if (expected == nullptr || !expected->is_object()) return {};
  return {std::string(expected->at("document").as_string()),
          knowledge::Fold(std::string(expected->at("contains").as_string()))};
}

// tests/eval: questions.json and one knowledge base of every corpus file.
void AddRetrievalSet(Workbench& bench, const std::filesystem::path& dir, std::vector<Asked>& examples) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "corpus")) {
    if (entry.is_regular_file()) files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  const auto base = bench.Base("eval", dir / "corpus", files, "en");
  const boost::json::value questions = boost::json::parse(ReadFile(dir / "questions.json"));
  for (const auto& value : questions.as_array()) {
    const auto [document, contains] = Expected(value.as_object());
    examples.push_back(bench.Ask(base, std::string(value.at("question").as_string()), document, contains, "en"));
  }
}

// tests/eval/dev: one tenant per business (tenants.json), questions asked of their tenant. A burst of several
// questions is left out: each of its parts is judged on its own passages, which this one-question fit cannot say.
void AddAgentSet(Workbench& bench, const std::filesystem::path& dir, std::vector<Asked>& examples) {
  std::map<std::string, std::pair<int64_t, int64_t>> bases;
  std::map<std::string, std::string> languages;
  const boost::json::value tenants = boost::json::parse(ReadFile(dir / "tenants.json"));
  for (const auto& [name, tenant] : tenants.at("tenants").as_object()) {
    std::vector<std::string> names;
    for (const auto& file : tenant.at("documents").as_array()) names.emplace_back(file.as_string());
    const auto* language = tenant.as_object().if_contains("language");
    languages[std::string(name)] = language != nullptr ? std::string(language->as_string()) : "en";
    bases[std::string(name)] =
        bench.Base(std::string(name), dir.parent_path() / "corpus", names, languages[std::string(name)]);
  }
  const boost::json::value questions = boost::json::parse(ReadFile(dir / "questions.json"));
  for (const auto& value : questions.as_array()) {
    const auto& question = value.as_object();
    if (question.contains("parts")) continue;
    const auto [document, contains] = Expected(question);
    const std::string tenant(question.at("tenant").as_string());
    examples.push_back(bench.Ask(bases.at(tenant), std::string(question.at("question").as_string()), document, contains,
                                 languages.at(tenant)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool write = false;
  const std::filesystem::path eval_dir = std::filesystem::path(PARLEY_SOURCE_DIR) / "tests" / "eval";
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--write") write = true;
  }
  log::Init("warn");

  std::vector<Asked> asked;
  {
    Workbench bench;
    AddRetrievalSet(bench, eval_dir, asked);
    AddAgentSet(bench, eval_dir / "dev", asked);
  }

  // The reranker: every candidate of the answerable questions, labelled by whether it is the expected passage.
  std::vector<agent::RerankFeatures> candidates;
  std::vector<bool> labels;
  size_t fused_right = 0;
  for (const Asked& question : asked) {
    if (!question.Answerable()) continue;
    const auto features = agent::ExtractRerankFeatures(question.question, question.passages, question.language);
    for (size_t i = 0; i < features.size(); ++i) {
      candidates.push_back(features[i]);
      labels.push_back(question.Expected(question.passages[i]));
    }
    fused_right += !question.passages.empty() && question.Expected(question.passages.front());
  }
  const agent::RerankModel reranker = agent::FitLogistic(candidates, labels);

  // Answerability on the reranked candidates, as the agent judges them (its top 5 kept).
  std::vector<agent::AnswerabilityExample> examples;
  for (Asked& question : asked) {
    agent::Rerank(question.question, question.passages, question.language, reranker);
    constexpr size_t kTopK = 5;
    if (question.passages.size() > kTopK) question.passages.resize(kTopK);
    agent::AnswerabilityExample example;
    example.features = agent::ExtractAnswerabilityFeatures(question.question, question.passages, question.language);
    example.answerable = question.Answerable();
    example.best_is_right = !question.passages.empty() && question.Expected(question.passages.front());
    examples.push_back(example);
  }
  size_t answerable = 0, right = 0;
  for (const auto& example : examples) {
    answerable += example.answerable;
    right += example.best_is_right;
  }
  std::printf("reranker (%zu candidates of %zu answerable questions): best passage right %zu → %zu\n",
              candidates.size(), answerable, fused_right, right);
  for (size_t i = 0; i < agent::kRerankFeatures; ++i) {
    std::printf("  %-18s %+.3f\n", agent::RerankFeatureNames()[i], reranker.weights[i]);
  }
  std::printf("  %-18s %+.3f\n\n", "bias", reranker.bias);
  const agent::AnswerabilityModel model = agent::FitAnswerability(examples, 0.9);
  std::printf(
      "tests/eval and tests/eval/dev: %zu questions, %zu answerable (best passage right for %zu), %zu unanswerable\n",
      examples.size(), answerable, right, examples.size() - answerable);
  std::printf("\nweights:\n");
  for (size_t i = 0; i < agent::kAnswerabilityFeatures; ++i) {
    std::printf("  %-16s %+.3f\n", agent::AnswerabilityFeatureNames()[i], model.weights[i]);
  }
  std::printf("  %-16s %+.3f\nthreshold (abstain on >= 90%% of unanswerable): %.3f\n", "bias", model.bias,
              model.threshold);
  // A threshold fitted where its weights were fitted flatters them: the one that abstains as often on questions the
  // weights never saw says how far the in-sample one can be trusted.
  std::printf("threshold out of fold (5 folds): %.3f\n",
              agent::FitAnswerabilityCrossValidated(examples, 0.9, 5).threshold);
  std::vector<double> thresholds{model.threshold};
  for (int step = 1; step <= 19; ++step) thresholds.push_back(step * 0.05);
  std::printf("\n threshold  abstains(unanswerable)  answers(answerable)  answers from the right passage\n");
  for (const auto& point : agent::AnswerabilityTradeoff(examples, model, thresholds)) {
    std::printf("   %.3f            %.2f                   %.2f                  %.2f\n", point.threshold,
                point.abstained_unanswerable, point.answered_answerable, point.answered_right);
  }
  if (write) {
    char provenance[256];
    std::snprintf(
        provenance, sizeof provenance,
        "Fitted on %zu questions (%zu answerable, %zu unanswerable) of tests/eval and tests/eval/dev.\n"
        "Features: coverage, similarity, agreement, margin, lexical_top, wh, yes/no, price, length, weighted coverage\n"
        "(of the best passage after the reranker).",
        examples.size(), answerable, examples.size() - answerable);
    const auto path = std::filesystem::path(PARLEY_SOURCE_DIR) / "src" / "agent" / "answerability_model.inc";
    std::ofstream(path) << agent::AnswerabilityModelSource(model, provenance);
    std::printf("\nwrote %s\n", path.string().c_str());
    std::snprintf(
        provenance, sizeof provenance,
        "Fitted on the %zu retrieval candidates of the %zu answerable questions of tests/eval and tests/eval/dev.",
        candidates.size(), answerable);
    const auto rerank_path = std::filesystem::path(PARLEY_SOURCE_DIR) / "src" / "agent" / "rerank_model.inc";
    std::ofstream(rerank_path) << agent::RerankModelSource(reranker, provenance);
    std::printf("wrote %s\n", rerank_path.string().c_str());
  }
  return 0;
}
