// What an offline answer costs (issue 16: "offline triage plus retrieval p50 < 20 ms with 10,000 chunks per
// tenant"): tenants of N chunks each, and customer messages answered through AgentService with no model, as the
// server answers them (triage, Q&A pairs, hybrid retrieval over the tenant's indexes, the extractive answer).
//
//   bench_agent_answer [--chunks 10000] [--tenants 2] [--messages 1000]
//
// Each tenant's knowledge is the development set's corpus (tests/eval/corpus) plus generated help-centre documents
// up to N chunks: sections whose sentences are the corpus's own, drawn with a fixed seed, with their numbers and a
// made-up product name changed, so the chunks read like a business's pages and none is a copy of another. The
// documents go through the real Ingestor into a SQLite store (synchronous=off: ingestion is not what is measured).
// The messages are the development set's questions and triage cases (tests/eval/dev), in a fixed shuffled order,
// sent to the tenants in turn, one at a time, after a warm-up of 100.

#include "agent/agent.h"
#include "agent/service.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "eval/agent_eval.h"
#include "knowledge/extract_process.h"
#include "store/knowledge_store.h"
#include "store/store.h"
#include "support/temp_dir.h"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace store = parley::store;
using Clock = std::chrono::steady_clock;

namespace {

// splitmix64: the same corpus on every run and every standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t x = (state_ += 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The English sentences of the corpus, markup removed.
std::vector<std::string> CorpusSentences(const std::filesystem::path& corpus) {
  std::vector<std::string> sentences;
  const std::regex tags("<[^>]+>|[#|*]|&amp;");
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("fromagerie") || name.starts_with("gite")) continue;  // French.
    std::string text = std::regex_replace(ReadFile(entry.path()), tags, " ");
    std::replace(text.begin(), text.end(), '\n', ' ');
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '.' && (i + 1 == text.size() || text[i + 1] == ' ')) {
        std::string sentence = text.substr(start, i + 1 - start);
        size_t first = sentence.find_first_not_of(' ');
        if (first != std::string::npos && sentence.size() - first > 40) sentences.push_back(sentence.substr(first));
        start = i + 1;
      }
    }
  }
  std::sort(sentences.begin(), sentences.end());  // Directory order is not fixed; the corpus must be.
  return sentences;
}

// A sentence with its numbers redrawn and a product name woven in.
std::string Vary(const std::string& sentence, Rng& rng) {
  static const char* kSyllables[] = {"tor", "vel", "ami", "ko", "ra", "zen", "lio", "mar", "quin", "pe", "sto", "ul"};
  std::string out;
  for (size_t i = 0; i < sentence.size(); ++i) {
    if (sentence[i] >= '0' && sentence[i] <= '9') {
      while (i + 1 < sentence.size() && sentence[i + 1] >= '0' && sentence[i + 1] <= '9') ++i;
      out += std::to_string(1 + rng.Below(400));
    } else {
      out += sentence[i];
    }
  }
  std::string product;
  for (int s = 0; s < 3; ++s) product += kSyllables[rng.Below(std::size(kSyllables))];
  product[0] = static_cast<char>(product[0] - 'a' + 'A');
  return "For the " + product + " range: " + out;
}

// Markdown documents of about `chunks` chunks in all (~650 characters each, as the chunker cuts them).
std::vector<std::string> GenerateDocuments(const std::vector<std::string>& sentences, int64_t chunks, uint64_t seed) {
  Rng rng(seed);
  std::vector<std::string> documents;
  const int64_t kChunksPerDocument = 100;
  for (int64_t made = 0; made < chunks; made += kChunksPerDocument) {
    std::string document = "# Help centre, part " + std::to_string(documents.size() + 1) + "\n\n";
    int64_t size = std::min(kChunksPerDocument, chunks - made);
    for (int64_t section = 0; section < size; ++section) {
      document += "## Topic " + std::to_string(section + 1) + "\n\n";
      std::string paragraph;
      while (paragraph.size() < 600) paragraph += Vary(sentences[rng.Below(sentences.size())], rng) + " ";
      document += paragraph + "\n\n";
    }
    documents.push_back(std::move(document));
  }
  return documents;
}

// Processor time of the whole process (the io thread and the blocking pool's threads) in ms: on a shared machine
// it moves much less than wall-clock time with other people's builds.
double ProcessCpuMs() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
}

}  // namespace

int main(int argc, char** argv) {
  // AgentService's ingestor reads HTML in a child process started as `/proc/self/exe extract`, the server's own
  // subcommand: this program answers it the same way.
  if (argc > 1 && std::string_view(argv[1]) == "extract")
    return parley::knowledge::ExtractChildMain(argc - 2, argv + 2);
  CLI::App app{"Offline answer latency (triage + retrieval + extractive answer) over tenants of N chunks"};
  int64_t chunks = 10000;
  int tenant_count = 2;
  int messages = 1000;
  app.add_option("--chunks", chunks, "chunks per tenant (generated ones; the corpus adds ~60)");
  app.add_option("--tenants", tenant_count, "tenants");
  app.add_option("--messages", messages, "messages measured, after 100 of warm-up");
  CLI11_PARSE(app, argc, argv);
  parley::log::Init("error");

  try {
    const std::filesystem::path eval_dir = PARLEY_EVAL_DIR;
    parley::testing::TempDir dir{"parley-agent-bench"};
    auto box = parley::crypto::SecretBox::Create(std::string(32, 'k'));
    store::StoreOptions store_options;
    store_options.database_url = "sqlite://" + (dir.path() / "bench.db").string();
    store_options.sqlite_synchronous = "off";
    auto opened = store::OpenStore(store_options, *box);
    if (!opened) throw std::runtime_error("open store: " + opened.error().message);
    std::unique_ptr<store::Store> db = std::move(*opened);
    if (auto migrated = db->Migrate(); !migrated) throw std::runtime_error(migrated.error().message);
    store::KnowledgeStore& knowledge = db->knowledge();

    parley::Config config;                  // Offline: no model, the built-in embedder.
    config.data_dir = dir.path().string();  // Index files: a stale one from another run would answer for this one.
    asio::io_context io;
    parley::BlockingPool pool(2);
    parley::agent::AgentService service(io.get_executor(), config, *db, *box, pool, nullptr);

    const auto sentences = CorpusSentences(eval_dir / "corpus");
    std::vector<int64_t> tenants;
    for (int t = 0; t < tenant_count; ++t) {
      auto tenant = db->CreateTenant("bench-" + std::to_string(t), parley::crypto::Sha256Hex("k" + std::to_string(t)));
      if (!tenant) throw std::runtime_error(tenant.error().message);
      auto base = knowledge.EnsureKnowledgeBase(tenant->id, "main");
      if (!base) throw std::runtime_error(base.error().message);
      tenants.push_back(tenant->id);
      for (const auto& entry : std::filesystem::directory_iterator(eval_dir / "corpus")) {
        store::NewDocument document{tenant->id, base->id, entry.path().filename().string(),
                                    "",         "",       ReadFile(entry.path())};
        if (auto created = knowledge.CreateDocument(document); !created) throw std::runtime_error("create");
      }
      int n = 0;
      for (auto& text : GenerateDocuments(sentences, chunks, 20261206 + static_cast<uint64_t>(t))) {
        store::NewDocument document{tenant->id, base->id, "help-" + std::to_string(++n) + ".md",
                                    "",         "",       std::move(text)};
        if (auto created = knowledge.CreateDocument(document); !created) throw std::runtime_error("create");
      }
    }
    auto ingest_started = Clock::now();
    asio::co_spawn(io, service.ingestor().RunDue(), [](std::exception_ptr e, int) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
    double ingest_seconds = std::chrono::duration<double>(Clock::now() - ingest_started).count();
    int64_t total_chunks = 0;
    for (int64_t tenant : tenants) {
      auto bases = knowledge.ListKnowledgeBases(tenant);
      if (!bases) throw std::runtime_error(bases.error().message);
      for (const auto& base : *bases) {
        auto texts = knowledge.ChunkTextsAfter(base.id, 0, 10000000);
        if (!texts) throw std::runtime_error(texts.error().message);
        total_chunks += static_cast<int64_t>(texts->size());
      }
    }
    std::printf("%d tenants, %lld chunks in all (%.0f per tenant), ingested in %.1f s\n", tenant_count,
                static_cast<long long>(total_chunks), static_cast<double>(total_chunks) / tenant_count, ingest_seconds);

    // The messages: the development set's questions and triage cases, shuffled with a fixed seed.
    parley::eval::DevSet set = parley::eval::LoadDevSet(eval_dir / "dev");
    std::vector<std::string> texts;
    for (const auto& question : set.questions) texts.push_back(question.text);
    for (const auto& triage : set.triage) texts.push_back(triage.text);
    Rng rng(7);
    for (size_t i = texts.size(); i > 1; --i) std::swap(texts[i - 1], texts[rng.Below(i)]);

    std::vector<double> all_ms, answered_ms, settled_by_triage_ms, cpu_per_message_ms;
    std::map<std::string, int> decisions;
    const int warmup = 100;
    for (int i = 0; i < warmup + messages; ++i) {
      parley::agent::AgentRequest request;
      request.tenant_id = tenants[static_cast<size_t>(i) % tenants.size()];
      request.question = texts[static_cast<size_t>(i) % texts.size()];
      std::optional<boost::json::object> answer;
      auto started = Clock::now();
      double cpu_started = ProcessCpuMs();
      asio::co_spawn(
          io,
          [&]() -> asio::awaitable<void> {
            auto answered = co_await service.Ask(request);
            if (answered) answer = parley::agent::ToJson(*answered);
          },
          [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
          });
      io.restart();
      io.run();
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      double cpu_ms = ProcessCpuMs() - cpu_started;
      if (!answer) throw std::runtime_error("the agent failed on: " + request.question);
      if (i < warmup) continue;
      all_ms.push_back(ms);
      cpu_per_message_ms.push_back(cpu_ms);
      // Messages that went past triage searched the knowledge; the others stopped at triage.
      bool searched = answer->at("trace").as_array().size() > 1;
      (searched ? answered_ms : settled_by_triage_ms).push_back(ms);
      ++decisions[std::string(answer->at("decision").as_string())];
    }
    auto line = [](const char* name, const std::vector<double>& values) {
      std::printf("%-34s n=%4zu  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", name, values.size(),
                  Percentile(values, 0.5), Percentile(values, 0.9), Percentile(values, 0.99), Percentile(values, 1.0));
    };
    line("every message", all_ms);
    line("past triage (retrieval + answer)", answered_ms);
    line("settled by triage", settled_by_triage_ms);
    line("every message: CPU of the process", cpu_per_message_ms);
    std::printf("decisions:");
    for (const auto& [decision, count] : decisions) std::printf(" %s %d", decision.c_str(), count);
    std::printf("\ntarget: p50 < 20 ms for every message: %s\n", Percentile(all_ms, 0.5) < 20 ? "yes" : "no");
    pool.Stop();
    db->Close();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_agent_answer: %s\n", e.what());
    return 1;
  }
  return 0;
}
