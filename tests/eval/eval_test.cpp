// Retrieval quality on a corpus of our own (tests/eval/corpus) and questions written like customers write them
// (tests/eval/questions.json): short, misspelt, paraphrased, inflected, some in French, and some that nothing
// in the corpus answers. The corpus goes through the production path (the real Ingestor with the built-in
// embedder into a SQLite store), then each question is ranked three ways: BM25 alone, the vector index alone and
// the hybrid the agent uses. A ranking "finds" a question when one of its passages comes from the expected
// document and contains the expected phrase, so the verdict does not depend on chunk ids or chunk boundaries.
//
// The floors below come from a measured run minus a small margin: they catch a regression, they are not a goal.
// Set PARLEY_EVAL_VERBOSE=1 to print every question's ranks.

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

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace parley::knowledge {
namespace {

// Hybrid floors over the answerable questions: the values measured minus 0.05, rounded down. Last measured (hit@1
// 0.625, hit@3 0.842, MRR 0.739): built-in embedder v1 with 384 dimensions, stems in the BM25 index, RRF k = 60 with
// BM25 weighted 0.5, misspelt words corrected against the index's vocabulary, each table row a chunk of its own.
// When this test was first written, before stems and weighting, the hybrid measured 0.492 / 0.792 / 0.652.
// Raise them when retrieval improves; lowering them needs a reason.
constexpr double kFloorHit1 = 0.58;
constexpr double kFloorHit3 = 0.79;
constexpr double kFloorMrr = 0.69;
// Typo'd questions, hit@1: 0.58 before spelling correction, 0.708 with it.
constexpr double kFloorTypoHit1 = 0.66;

constexpr int kTopK = 10;  // Depth at which MRR is measured.
constexpr int kCandidates = RetrievalOptions{}.candidates;
constexpr int kAgentTopK = 5;  // The agent's default top_k: its best relevance is over these passages.
constexpr char kUnanswerable[] = "unanswerable";
constexpr std::array<const char*, 5> kKinds = {"exact", "paraphrase", "typo", "inflection", "french"};

enum Ranker { kBm25, kVector, kHybrid, kRankers };
constexpr std::array<const char*, kRankers> kRankerNames = {"BM25", "vector", "hybrid"};

struct Question {
  std::string text;
  std::string kind;
  std::string document;  // Empty for an unanswerable question.
  std::string contains;  // Folded.
};

struct Outcome {
  std::array<int, kRankers> rank{};  // 1-based rank of the first expected passage in the top kTopK; 0: missed.
  std::vector<int64_t> vector_ids;   // The two rankings the hybrid fuses, kCandidates deep.
  std::vector<int64_t> lexical_ids;
  double best_relevance = 0;  // Over the hybrid top kAgentTopK, as the agent computes it.
  double best_similarity = 0;
  double best_coverage = 0;
};

struct Metrics {
  int n = 0;
  int hit1 = 0;
  int hit3 = 0;
  double reciprocal_ranks = 0;

  void Add(int rank) {
    ++n;
    hit1 += rank == 1;
    hit3 += rank >= 1 && rank <= 3;
    if (rank > 0) reciprocal_ranks += 1.0 / rank;
  }
  double Hit1() const { return n == 0 ? 0 : static_cast<double>(hit1) / n; }
  double Hit3() const { return n == 0 ? 0 : static_cast<double>(hit3) / n; }
  double Mrr() const { return n == 0 ? 0 : reciprocal_ranks / n; }
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Everything the tests look at, computed once per process: ingestion and the three rankings of every question.
struct Evaluation {
  std::string error;  // Why the evaluation could not run at all; empty when it ran.
  std::vector<std::string> files;
  std::vector<store::Document> documents;
  std::vector<Question> questions;
  std::vector<Outcome> outcomes;
  std::vector<std::string> missing_phrases;  // Expected (document, phrase) pairs no chunk holds.
  size_t chunks = 0;
  double seconds = 0;
  std::map<int64_t, store::ChunkRecord> chunk_by_id;
};

bool Expected(const Question& question, const store::ChunkRecord& chunk) {
  return chunk.document_name == question.document && Fold(chunk.text).find(question.contains) != std::string::npos;
}

int FirstExpected(const Question& question, const std::vector<store::ChunkRecord>& ranked) {
  if (question.document.empty()) return 0;
  for (size_t i = 0; i < ranked.size() && i < static_cast<size_t>(kTopK); ++i) {
    if (Expected(question, ranked[i])) return static_cast<int>(i + 1);
  }
  return 0;
}

std::vector<store::ChunkRecord> Chunks(std::vector<Passage> passages) {
  std::vector<store::ChunkRecord> chunks;
  for (auto& passage : passages) chunks.push_back(std::move(passage.chunk));
  return chunks;
}

std::vector<Question> LoadQuestions(const std::filesystem::path& path) {
  std::vector<Question> questions;
  boost::json::value parsed = boost::json::parse(ReadFile(path));
  for (const auto& value : parsed.as_array()) {
    const auto& object = value.as_object();
    Question question;
    question.text = std::string(object.at("question").as_string());
    question.kind = std::string(object.at("kind").as_string());
    if (const auto& expected = object.at("expected"); expected.is_object()) {
      question.document = std::string(expected.as_object().at("document").as_string());
      question.contains = Fold(std::string(expected.as_object().at("contains").as_string()));
    }
    questions.push_back(std::move(question));
  }
  return questions;
}

// Fills `eval`; returns why the evaluation could not run, or an empty string.
std::string Evaluate(Evaluation& eval) {
  const std::filesystem::path data_dir = PARLEY_TEST_DATA_DIR;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir / "corpus")) {
    eval.files.push_back(entry.path().filename().string());
  }
  std::sort(eval.files.begin(), eval.files.end());
  eval.questions = LoadQuestions(data_dir / "questions.json");

  testing::TempDir dir{"parley-eval"};
  auto box = crypto::SecretBox::Create(std::string(32, 'k'));
  store::StoreOptions store_options;
  store_options.database_url = "sqlite://" + (dir.path() / "eval.db").string();
  store_options.sqlite_synchronous = "off";  // A throw-away database: durability buys nothing here.
  auto opened = store::OpenStore(store_options, *box);
  if (!opened) return "open store: " + opened.error().message;
  std::unique_ptr<store::Store> db = std::move(*opened);
  if (auto migrated = db->Migrate(); !migrated) return "migrate: " + migrated.error().message;
  store::KnowledgeStore& knowledge = db->knowledge();
  auto tenant = db->CreateTenant("eval", crypto::Sha256Hex("eval-key"));
  if (!tenant) return "tenant: " + tenant.error().message;
  auto base = knowledge.EnsureKnowledgeBase(tenant->id, "eval");
  if (!base) return "knowledge base: " + base.error().message;
  for (const auto& file : eval.files) {
    store::NewDocument document{tenant->id, base->id, file, "", "", ReadFile(data_dir / "corpus" / file)};
    if (auto created = knowledge.CreateDocument(document); !created) {
      return "create " + file + ": " + created.error().message;
    }
  }

  // The production ingestion path: the Ingestor's jobs on an io_context with a blocking pool, the built-in
  // embedder with the server's default options, and the indexes it refreshes (in memory only here).
  auto started = std::chrono::steady_clock::now();
  auto embedder = std::make_shared<BuiltinEmbedder>();
  KnowledgeIndexes indexes(knowledge, "");
  {
    boost::asio::io_context io;
    BlockingPool pool(2);
    ProfileForTenant profile_for = [embedder](int64_t) -> Result<IndexingProfile> {
      return IndexingProfile{embedder, "english"};
    };
    Ingestor ingestor(io.get_executor(), knowledge, indexes, profile_for, pool, nullptr, IngestorOptions{});
    boost::asio::co_spawn(io, ingestor.RunDue(), [](std::exception_ptr e, int) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
    pool.Stop();
  }
  auto listed = knowledge.ListDocuments(tenant->id, std::nullopt, 100);
  if (!listed) return "list documents: " + listed.error().message;
  eval.documents = listed->data;
  // Every figure below assumes the whole corpus: once, in one CI run, three documents of twelve were searchable and
  // nothing said why. A document the ingestion left behind is named, with its state, instead of lowering the scores.
  for (const auto& document : eval.documents) {
    if (document.status != store::DocumentStatus::kReady) {
      return "ingestion left " + document.name + " " + std::string(store::ToString(document.status)) + " (attempts " +
             std::to_string(document.attempts) + "): " + document.error;
    }
  }

  // Every chunk, to check that each expected phrase exists somewhere: a question whose phrase no chunk holds
  // (a typo in questions.json, or the chunker cutting through it) would count as a miss for all three rankers.
  const std::string embedder_id = embedder->id();
  auto all = knowledge.ChunkVectorsAfter(base->id, embedder_id, 0, 100000);
  if (!all) return "chunks: " + all.error().message;
  std::vector<int64_t> ids;
  for (const auto& chunk : *all) ids.push_back(chunk.chunk_id);
  auto records = knowledge.GetChunks(tenant->id, ids);
  if (!records) return "get chunks: " + records.error().message;
  eval.chunks = records->size();
  for (const auto& record : *records) eval.chunk_by_id[record.id] = record;
  for (const auto& question : eval.questions) {
    if (question.document.empty()) continue;
    bool found = std::any_of(records->begin(), records->end(),
                             [&](const store::ChunkRecord& chunk) { return Expected(question, chunk); });
    if (!found) eval.missing_phrases.push_back(question.document + ": " + question.contains);
  }

  Retriever retriever(knowledge, indexes);
  RetrievalOptions options;
  options.top_k = kTopK;
  RetrievalOptions deep = options;  // The BM25 ranking as deep as the hybrid sees it.
  deep.top_k = kCandidates;
  const std::vector<int64_t> scope{base->id};
  for (const auto& question : eval.questions) {
    Outcome outcome;
    Vector query = embedder->EmbedOne(question.text);

    auto lexical = retriever.Retrieve(tenant->id, scope, question.text, {}, embedder_id, deep);
    if (!lexical) return "bm25: " + lexical.error().message;
    for (const auto& passage : *lexical) outcome.lexical_ids.push_back(passage.chunk.id);
    outcome.rank[kBm25] = FirstExpected(question, Chunks(std::move(*lexical)));

    auto nearest = indexes.vectors.Search(base->id, embedder_id, query, kCandidates);
    if (!nearest) return "vector search: " + nearest.error().message;
    for (const auto& hit : *nearest) outcome.vector_ids.push_back(hit.chunk_id);
    std::vector<int64_t> top = outcome.vector_ids;
    if (top.size() > static_cast<size_t>(kTopK)) top.resize(kTopK);
    auto nearest_chunks = knowledge.GetChunks(tenant->id, top);
    if (!nearest_chunks) return "get chunks: " + nearest_chunks.error().message;
    outcome.rank[kVector] = FirstExpected(question, *nearest_chunks);

    auto hybrid = retriever.Retrieve(tenant->id, scope, question.text, query, embedder_id, options);
    if (!hybrid) return "hybrid: " + hybrid.error().message;
    for (size_t i = 0; i < hybrid->size() && i < static_cast<size_t>(kAgentTopK); ++i) {
      outcome.best_relevance = std::max(outcome.best_relevance, (*hybrid)[i].relevance);
      outcome.best_similarity = std::max(outcome.best_similarity, (*hybrid)[i].similarity);
      outcome.best_coverage = std::max(outcome.best_coverage, (*hybrid)[i].coverage);
    }
    outcome.rank[kHybrid] = FirstExpected(question, Chunks(std::move(*hybrid)));
    eval.outcomes.push_back(outcome);
  }
  eval.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  db->Close();
  return {};
}

const Evaluation& TheEvaluation() {
  static const Evaluation* eval = [] {
    log::Init("warn");  // The ingestor's per-document info lines would drown the tables.
    auto* result = new Evaluation;
    try {
      result->error = Evaluate(*result);
    } catch (const std::exception& e) {
      result->error = e.what();  // A malformed questions.json, say: every test reports it instead of crashing.
    }
    return result;
  }();
  return *eval;
}

// Metrics per kind of question ("all" for every answerable one), per ranker.
std::map<std::string, std::array<Metrics, kRankers>> Tally(const Evaluation& eval) {
  std::map<std::string, std::array<Metrics, kRankers>> tally;
  for (size_t i = 0; i < eval.questions.size(); ++i) {
    if (eval.questions[i].document.empty()) continue;
    for (int r = 0; r < kRankers; ++r) {
      tally[eval.questions[i].kind][r].Add(eval.outcomes[i].rank[r]);
      tally["all"][r].Add(eval.outcomes[i].rank[r]);
    }
  }
  return tally;
}

// Reciprocal rank fusion of the vector and BM25 rankings with a weight on the BM25 side, computed here from the
// stored rankings: with the Retriever's default weight, k = 60 and full depth it is exactly what the Retriever does
// (checked below).
std::vector<store::ChunkRecord> Fuse(const Evaluation& eval, const Outcome& outcome, double k, double lexical_weight,
                                     size_t depth) {
  std::map<int64_t, double> scores;
  for (size_t i = 0; i < outcome.vector_ids.size() && i < depth; ++i) {
    scores[outcome.vector_ids[i]] += 1.0 / (k + static_cast<double>(i + 1));
  }
  for (size_t i = 0; i < outcome.lexical_ids.size() && i < depth; ++i) {
    scores[outcome.lexical_ids[i]] += lexical_weight / (k + static_cast<double>(i + 1));
  }
  std::vector<std::pair<int64_t, double>> ordered(scores.begin(), scores.end());
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<store::ChunkRecord> fused;
  for (size_t i = 0; i < ordered.size() && i < static_cast<size_t>(kTopK); ++i) {
    fused.push_back(eval.chunk_by_id.at(ordered[i].first));
  }
  return fused;
}

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
}

class EvalTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(eval_.error, "") << "the evaluation could not run"; }
  const Evaluation& eval_ = TheEvaluation();
};

TEST_F(EvalTest, CorpusIsIngestedAndEveryExpectedPassageExists) {
  ASSERT_GE(eval_.files.size(), 8u);
  ASSERT_LE(eval_.files.size(), 12u);
  ASSERT_EQ(eval_.documents.size(), eval_.files.size());
  for (const auto& document : eval_.documents) {
    EXPECT_EQ(document.status, store::DocumentStatus::kReady) << document.name << ": " << document.error;
    EXPECT_GT(document.chunks, 0) << document.name;
  }
  std::printf("corpus: %zu documents, %zu chunks; ingestion and %zu questions x 3 rankings in %.2f s\n",
              eval_.documents.size(), eval_.chunks, eval_.questions.size(), eval_.seconds);
  size_t answerable = 0;
  for (const auto& question : eval_.questions) answerable += !question.document.empty();
  EXPECT_GE(answerable, 80u);
  EXPECT_LE(answerable, 120u);
  EXPECT_GE(eval_.questions.size() - answerable, 10u);
  for (const auto& missing : eval_.missing_phrases) ADD_FAILURE() << "no chunk holds " << missing;
  for (const auto& question : eval_.questions) {
    if (question.document.empty()) {
      EXPECT_EQ(question.kind, kUnanswerable) << question.text;
    } else {
      EXPECT_TRUE(std::count(eval_.files.begin(), eval_.files.end(), question.document)) << question.document;
      EXPECT_TRUE(std::count(kKinds.begin(), kKinds.end(), question.kind)) << question.kind << ": " << question.text;
    }
  }
}

TEST_F(EvalTest, HybridBeatsBm25AndMeetsTheFloors) {
  auto tally = Tally(eval_);
  std::printf("\n%-11s %4s |", "kind", "n");
  for (const char* name : kRankerNames) std::printf(" %-6s h@1  h@3  MRR  |", name);
  std::printf("\n");
  auto row = [&](const std::string& kind) {
    const auto& metrics = tally[kind];
    std::printf("%-11s %4d |", kind.c_str(), metrics[0].n);
    for (const auto& m : metrics) std::printf("        %.2f %.2f %.2f |", m.Hit1(), m.Hit3(), m.Mrr());
    std::printf("\n");
  };
  for (const char* kind : kKinds) row(kind);
  row("all");

  bool verbose = std::getenv("PARLEY_EVAL_VERBOSE") != nullptr;
  std::printf("\n%s (ranks BM25/vector/hybrid, 0 = not in the top %d):\n",
              verbose ? "every question" : "questions the hybrid does not rank in its top 3", kTopK);
  for (size_t i = 0; i < eval_.questions.size(); ++i) {
    const auto& q = eval_.questions[i];
    const auto& o = eval_.outcomes[i];
    if (q.document.empty() || (!verbose && o.rank[kHybrid] >= 1 && o.rank[kHybrid] <= 3)) continue;
    std::printf("  %2d/%2d/%2d  %-10s %s\n", o.rank[kBm25], o.rank[kVector], o.rank[kHybrid], q.kind.c_str(),
                q.text.c_str());
  }

  const auto& all = tally["all"];
  std::printf("\nhybrid overall: h@1 %.3f (floor %.2f), h@3 %.3f (floor %.2f), MRR %.3f (floor %.2f)\n",
              all[kHybrid].Hit1(), kFloorHit1, all[kHybrid].Hit3(), kFloorHit3, all[kHybrid].Mrr(), kFloorMrr);
  EXPECT_GE(all[kHybrid].Mrr(), all[kBm25].Mrr()) << "the hybrid ranks worse than BM25 alone";
  // BM25 corrects spelling itself now; the embedder's n-grams must not make the hybrid worse at it.
  EXPECT_GE(tally["typo"][kHybrid].Hit3(), tally["typo"][kBm25].Hit3()) << "the hybrid loses typo'd questions";
  EXPECT_GE(tally["typo"][kHybrid].Hit1(), kFloorTypoHit1);
  EXPECT_GE(all[kHybrid].Hit1(), kFloorHit1);
  EXPECT_GE(all[kHybrid].Hit3(), kFloorHit3);
  EXPECT_GE(all[kHybrid].Mrr(), kFloorMrr);
}

// Reported, not asserted: the hybrid under other fusion settings, to show where its rank comes from. The first
// row must reproduce the Retriever's own hybrid, which checks that the comparison is like for like.
TEST_F(EvalTest, ReportsTheHybridUnderOtherFusionSettings) {
  for (size_t i = 0; i < eval_.questions.size(); ++i) {
    EXPECT_EQ(FirstExpected(eval_.questions[i],
                            Fuse(eval_, eval_.outcomes[i], 60, RetrievalOptions{}.lexical_weight, kCandidates)),
              eval_.outcomes[i].rank[kHybrid])
        << eval_.questions[i].text;
  }
  std::printf("\nhybrid over the answerable questions by fusion setting (depth %d per ranking):\n", kCandidates);
  std::printf("  rrf_k  BM25 weight   h@1  h@3  MRR   typo h@3  inflection h@3  exact h@1\n");
  for (double k : {60.0, 10.0, 1.0}) {
    for (double weight : {1.0, 0.5, 0.25, 0.0}) {
      std::map<std::string, Metrics> by_kind;
      for (size_t i = 0; i < eval_.questions.size(); ++i) {
        const auto& question = eval_.questions[i];
        if (question.document.empty()) continue;
        int rank = FirstExpected(question, Fuse(eval_, eval_.outcomes[i], k, weight, kCandidates));
        by_kind["all"].Add(rank);
        by_kind[question.kind].Add(rank);
      }
      std::printf("  %5.0f  %11.2f   %.2f %.2f %.2f   %.2f      %.2f            %.2f\n", k, weight,
                  by_kind["all"].Hit1(), by_kind["all"].Hit3(), by_kind["all"].Mrr(), by_kind["typo"].Hit3(),
                  by_kind["inflection"].Hit3(), by_kind["exact"].Hit1());
    }
  }
}

// Reported, not asserted: how well the best `relevance` of the hybrid's top passages separates the questions the
// corpus answers from those it does not, which is what the agent's min_relevance threshold relies on.
TEST_F(EvalTest, ReportsHowRelevanceSeparatesAnswerableFromUnanswerable) {
  std::vector<double> answerable, found, unanswerable;
  std::vector<double> answerable_similarity, unanswerable_similarity, answerable_coverage, unanswerable_coverage;
  for (size_t i = 0; i < eval_.questions.size(); ++i) {
    const auto& o = eval_.outcomes[i];
    if (eval_.questions[i].document.empty()) {
      unanswerable.push_back(o.best_relevance);
      unanswerable_similarity.push_back(o.best_similarity);
      unanswerable_coverage.push_back(o.best_coverage);
    } else {
      answerable.push_back(o.best_relevance);
      answerable_similarity.push_back(o.best_similarity);
      answerable_coverage.push_back(o.best_coverage);
      // The questions whose expected passage is among the passages the agent reads.
      if (o.rank[kHybrid] >= 1 && o.rank[kHybrid] <= kAgentTopK) found.push_back(o.best_relevance);
    }
  }
  std::printf("\nbest relevance in the hybrid top %d:      n    min   p10   p25   p50   p75   p90   max\n", kAgentTopK);
  auto distribution = [](const char* name, const std::vector<double>& values) {
    std::printf("  %-38s %3zu", name, values.size());
    for (double q : {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0}) std::printf("  %.2f", Quantile(values, q));
    std::printf("\n");
  };
  distribution("answerable: relevance", answerable);
  distribution("answerable, expected in top 5", found);
  distribution("unanswerable: relevance", unanswerable);
  distribution("answerable: cosine similarity", answerable_similarity);
  distribution("unanswerable: cosine similarity", unanswerable_similarity);
  distribution("answerable: stem coverage", answerable_coverage);
  distribution("unanswerable: stem coverage", unanswerable_coverage);
  for (size_t i = 0; i < eval_.questions.size(); ++i) {
    if (!eval_.questions[i].document.empty()) continue;
    const auto& o = eval_.outcomes[i];
    std::printf("  unanswerable %.2f (cos %.2f, cov %.2f)  %s\n", o.best_relevance, o.best_similarity, o.best_coverage,
                eval_.questions[i].text.c_str());
  }

  // Balanced accuracy: the mean of the share of answerable questions answered and of unanswerable ones declined.
  std::printf("\nthreshold  answers(answerable)  abstains(unanswerable)  balanced\n");
  double best_threshold = 0, best_score = -1;
  for (int step = 1; step <= 19; ++step) {
    double threshold = step * 0.05;
    auto share = [threshold](const std::vector<double>& values, bool above) {
      if (values.empty()) return 0.0;
      auto count = std::count_if(values.begin(), values.end(), [&](double v) { return (v >= threshold) == above; });
      return static_cast<double>(count) / static_cast<double>(values.size());
    };
    double answers = share(answerable, true);
    double abstains = share(unanswerable, false);
    double balanced = (answers + abstains) / 2;
    std::printf("  %.2f          %.2f                  %.2f               %.2f\n", threshold, answers, abstains,
                balanced);
    if (balanced > best_score + 1e-9) {
      best_score = balanced;
      best_threshold = threshold;
    }
  }
  std::printf("best separating min_relevance: %.2f (balanced accuracy %.2f); the agent's default is 0.30\n",
              best_threshold, best_score);
}

}  // namespace
}  // namespace parley::knowledge
