// Knowledge benchmark: ingestion throughput, and retrieval latency and recall over a synthetic corpus.
//
// The corpus is generated deterministically (fixed seed): Markdown documents of business-like prose from a
// vocabulary of 4,000 words drawn with Zipf frequencies (real words for the frequent ranks, made-up product and
// jargon words for the tail), so that BM25 and the built-in embedder see natural distributions (a few very common
// terms, a long tail of rare ones). By default documents share subjects (a few of 300 topics each, as a help
// centre's articles do); `--corpus independent` gives each document only a few dozen words of its own, every
// other word drawn from the whole vocabulary (the corpus of the first measurements). Documents of ~50–200
// chunks go through the real pipeline pieces: Extract (Markdown) and ChunkDocument, BuiltinEmbedder::EmbedOne on
// a pool of worker threads, then CreateDocument → ClaimDocumentJob → CompleteDocumentJob on the real SQLite
// store, committed in document order so chunk ids are the same from run to run.
//
// Retrieval then builds the HNSW and BM25 indexes through KnowledgeIndexes, and runs synthetic questions (words
// taken from random chunks, a fifth of them with a typo) through VectorCatalog::Search, LexicalCatalog::Search and
// Retriever::Retrieve. Recall@10 of the vector search is measured against an exact inner-product scan over every
// stored vector.
//
// --reuse keeps an existing data directory's database (and index files), so retrieval can be measured again, or
// with other HNSW settings, without re-ingesting a million chunks.

#include "core/blocking_pool.h"
#include "core/crypto.h"
#include "core/log.h"
#include "knowledge/chunker.h"
#include "knowledge/component_columns.h"
#include "knowledge/dot.h"
#include "knowledge/embedder.h"
#include "knowledge/extract.h"
#include "knowledge/indexes.h"
#include "knowledge/ingestor.h"
#include "knowledge/retriever.h"
#include "knowledge/text.h"
#include "knowledge/vector_index.h"
#include "store/access_store.h"
#include "store/knowledge_store.h"
#include "store/store.h"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace knowledge = parley::knowledge;
namespace store = parley::store;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int64_t chunks = 100000;
  int queries = 1000;
  std::string data_dir = "/tmp/parley-knowledge-bench";
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int sample_chunks = 20000;  // For the embedding-alone and store-alone rates.
  bool reuse = false;
  bool rebuild_index = false;
  bool ingest_only = false;
  bool lexical_only = false;
  std::string synchronous = "full";
  uint64_t seed = 20261122;
  std::string corpus = "topical";
  double typo_share = 0.2;
  int m = knowledge::HnswOptions{}.m;
  int ef_construction = knowledge::HnswOptions{}.ef_construction;
  int ef_search = knowledge::HnswOptions{}.ef_search;
  int scan_components = knowledge::HnswOptions{}.scan_components;
  int scan_rerank = knowledge::HnswOptions{}.scan_rerank;
  std::vector<int> ef_sweep;          // ef_search values to measure the graph alone at, on the same graph.
  std::vector<int> dimension_scan;    // Re-ranked candidates of the scan of the question's components, per run.
  int dimension_scan_components = 0;  // The question's largest components that scan reads; 0: all.
  int lexical_queries = -1;           // BM25 and hybrid questions (slower at scale); -1: same as --queries.
  int64_t ingestor_chunks = 0;        // Chunks to load through knowledge::Ingestor, as the server does; 0 skips it.
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// ---------------------------------------------------------------------------------------------------------------
// Deterministic randomness: splitmix64, so the corpus does not depend on the standard library's distributions.

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix(state_++); }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  uint64_t Below(uint64_t n) { return Next() % n; }
  bool Chance(double p) { return Uniform() < p; }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------------------------------------------
// The synthetic corpus.

// Frequent ranks: words a shop's or a service's help centre is made of.
constexpr const char* kBusinessWords =
    "order orders account payment delivery shipping refund return returns customer customers product products "
    "service services price prices pricing invoice invoices subscription plan plans support team store online "
    "card credit billing address email phone number password login app website cart checkout discount code "
    "coupon warranty repair exchange item items package parcel tracking courier carrier stock available size "
    "color model quantity business hours opening location branch appointment booking reservation cancel "
    "cancellation change update request form contact message chat agent manager policy terms conditions privacy "
    "data security verification identity document receipt purchase buy sell offer promotion sale loyalty points "
    "reward member membership fee fees charge charges tax taxes currency transfer bank transaction balance limit "
    "upgrade downgrade renewal trial period month monthly annual yearly week weekly day daily business weekend "
    "holiday time date schedule pickup collection express standard international domestic region country city "
    "postcode europe france shipping_fee free fast quick easy secure safe reliable new used original genuine "
    "damaged broken missing wrong late delayed lost faulty defective replacement voucher gift wrapping note "
    "instructions installation setup configuration settings profile notifications language version device "
    "laptop phone tablet printer router battery charger cable screen keyboard camera speaker headphones "
    "software license download install activate activation key serial registration register sign signup "
    "verify confirm confirmation reset recover unlock block blocked suspend suspended close closed open reopen "
    "manage management dashboard report reports export import integration api partner supplier vendor "
    "wholesale retail invoice_number vat company organisation employee staff user users admin administrator "
    "permission role access team_member seat seats storage backup restore sync cloud server network connection "
    "error issue problem question answer help guide tutorial faq article knowledge base training course lesson "
    "certificate exam result results quality inspection standard compliance regulation safety health insurance "
    "claim coverage premium policyholder contract agreement signature deposit advance balance_due instalment "
    "financing loan interest rate rates quote estimate budget cost costs saving savings value premium_plan "
    "basic pro enterprise starter family student senior discount_code bundle kit accessory accessories spare "
    "part parts material materials cotton leather wood steel plastic glass organic natural fresh frozen food "
    "drink menu table room rooms hotel flight ticket tickets seat_selection baggage luggage check arrival "
    "departure transfer_service rental car vehicle driver fuel mileage parking station platform route map";

// Function words between the content words: they make sentences look like prose and are dropped as stop words.
constexpr const char* kFunctionWords[] = {"the", "your", "to",   "and",  "of",   "for", "is",   "we",
                                          "you", "a",    "in",   "on",   "with", "can", "will", "our",
                                          "be",  "by",   "this", "that", "are",  "it",  "if",   "within"};

constexpr const char* kSyllables[] = {"ka",  "lo",  "mer", "tin", "dra", "vel", "son", "pri", "qua", "zen", "bor",
                                      "lix", "fen", "tor", "sal", "mun", "dex", "ral", "pon", "gri", "vis", "tel",
                                      "nor", "bri", "cam", "dor", "fla", "gen", "hul", "jor", "kel", "mar", "nex",
                                      "ost", "pel", "rin", "sta", "tru", "ulm", "vor", "wex", "yar", "zol", "ben"};

class Corpus {
 public:
  static constexpr int kVocabulary = 4000;
  static constexpr double kZipfExponent = 1.0;

  // How a document picks its words. kIndependent draws each one from the whole vocabulary's Zipf law (or the
  // document's own few dozen words): no two documents share a subject, so chunk embeddings are near-random
  // points, the hardest case for a proximity graph. kTopical draws most of them from the subjects the document is
  // about, shared with other documents (the generative model of latent Dirichlet allocation, with a few topics per
  // document), as a help centre's articles about billing, delivery or one product line share their vocabulary.
  enum class Kind { kIndependent, kTopical };
  static constexpr int kTopics = 300;
  static constexpr int kTopicWords = 60;

  Corpus(uint64_t seed, Kind kind) : seed_(seed), kind_(kind) {
    std::unordered_set<std::string> seen;
    std::istringstream business(kBusinessWords);
    for (std::string word; business >> word;) {
      std::replace(word.begin(), word.end(), '_', ' ');  // A few two-word terms ("shipping fee").
      if (seen.insert(word).second) words_.push_back(word);
    }
    Rng rng(seed ^ 0x766f636162ULL);
    constexpr size_t kSyllableCount = std::size(kSyllables);
    while (words_.size() < static_cast<size_t>(kVocabulary)) {
      std::string word;
      int syllables = 2 + static_cast<int>(rng.Below(2));
      for (int i = 0; i < syllables; ++i) word += kSyllables[rng.Below(kSyllableCount)];
      if (seen.insert(word).second) words_.push_back(word);
    }
    double total = 0;
    for (int rank = 1; rank <= kVocabulary; ++rank) {
      total += 1.0 / std::pow(rank, kZipfExponent);
      cdf_.push_back(total);
    }
    for (double& c : cdf_) c /= total;
    // Each topic: words of the middle and the tail of the vocabulary, with Zipf frequencies of their own.
    Rng topic_rng(seed ^ 0x746f70696373ULL);
    topics_.resize(kTopics);
    for (auto& topic : topics_) {
      for (int i = 0; i < kTopicWords; ++i) topic.push_back(30 + static_cast<int>(topic_rng.Below(kVocabulary - 30)));
    }
    total = 0;
    for (int rank = 1; rank <= kTopicWords; ++rank) {
      total += 1.0 / rank;
      topic_cdf_.push_back(total);
    }
    for (double& c : topic_cdf_) c /= total;
  }

  // Markdown for document `index`; `target_chunks` receives the size it was written for (50–200 chunks).
  std::string Document(uint64_t index, int* target_chunks) const {
    Rng rng(Mix(seed_ ^ Mix(index)));
    *target_chunks = 50 + static_cast<int>(rng.Below(151));
    // Chunks overlap by about 120 characters, so each one adds about 700 new characters.
    size_t target_chars = static_cast<size_t>(*target_chunks) * 700;
    Words words;
    for (int i = 0; i < 40; ++i) words.own.push_back(30 + static_cast<int>(rng.Below(kVocabulary - 30)));
    std::vector<const std::vector<int>*> subjects;  // The main topic first.
    if (kind_ == Kind::kTopical) {
      for (int i = 0; i < 3; ++i) subjects.push_back(&topics_[rng.Below(kTopics)]);
      words.topic = subjects[0];
    }

    std::string text = "# " + Title(rng, words, 3 + static_cast<int>(rng.Below(3))) + "\n\n";
    size_t prose = 0;
    while (prose < target_chars) {
      // Each section is about one of the document's topics, most often its main one.
      if (!subjects.empty()) words.topic = subjects[rng.Chance(0.6) ? 0 : 1 + rng.Below(subjects.size() - 1)];
      text += "## " + Title(rng, words, 2 + static_cast<int>(rng.Below(3))) + "\n\n";
      // Short paragraphs, as in help-centre articles; the chunker packs them up to its target size.
      int paragraphs = 8 + static_cast<int>(rng.Below(8));
      for (int p = 0; p < paragraphs; ++p) {
        if (rng.Chance(0.1)) {
          int items = 3 + static_cast<int>(rng.Below(3));
          for (int i = 0; i < items; ++i) {
            std::string item = Sentence(rng, words);
            prose += item.size();
            text += "- " + item + "\n";
          }
          text += "\n";
          continue;
        }
        int sentences = 1 + static_cast<int>(rng.Below(2));
        std::string paragraph = Sentence(rng, words);
        for (int s = 1; s < sentences; ++s) paragraph.append(" ").append(Sentence(rng, words));
        prose += paragraph.size();
        text += paragraph + "\n\n";
      }
    }
    return text;
  }

 private:
  // Where a document's words come from: its own few dozen (names of its products, places, people), and in a
  // topical corpus the topic of the section being written.
  struct Words {
    std::vector<int> own;
    const std::vector<int>* topic = nullptr;
  };

  const std::string& Word(Rng& rng, const Words& words) const {
    // Independent: a quarter of a document's words are its own, the rest from the whole vocabulary's Zipf law.
    // Topical: half from the section's topic, a sixth its own, a third from the whole vocabulary.
    if (words.topic) {
      double u = rng.Uniform();
      if (u < 0.5) {
        auto rank = std::lower_bound(topic_cdf_.begin(), topic_cdf_.end(), rng.Uniform()) - topic_cdf_.begin();
        return words_[static_cast<size_t>((*words.topic)[static_cast<size_t>(std::min<long>(rank, kTopicWords - 1))])];
      }
      if (u < 0.67) return words_[static_cast<size_t>(words.own[rng.Below(words.own.size())])];
    } else if (rng.Chance(0.25)) {
      return words_[static_cast<size_t>(words.own[rng.Below(words.own.size())])];
    }
    auto rank = std::lower_bound(cdf_.begin(), cdf_.end(), rng.Uniform()) - cdf_.begin();
    return words_[static_cast<size_t>(std::min<long>(rank, kVocabulary - 1))];
  }

  std::string Title(Rng& rng, const Words& words, int count) const {
    std::string title;
    for (int i = 0; i < count; ++i) title += (i ? " " : "") + Word(rng, words);
    title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    return title;
  }

  std::string Sentence(Rng& rng, const Words& words) const {
    std::string sentence;
    int count = 5 + static_cast<int>(rng.Below(10));
    for (int i = 0; i < count; ++i) {
      if (i > 0 && rng.Chance(0.55))
        sentence += std::string(" ") + kFunctionWords[rng.Below(std::size(kFunctionWords))];
      if (rng.Chance(0.05)) sentence += " " + std::to_string(1 + rng.Below(rng.Chance(0.5) ? 31 : 500));
      sentence += (sentence.empty() ? "" : " ") + Word(rng, words);
      if (i > 2 && i + 2 < count && rng.Chance(0.08)) sentence += ",";
    }
    sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
    return sentence + ".";
  }

  uint64_t seed_;
  Kind kind_;
  std::vector<std::string> words_;  // By Zipf rank, most frequent first.
  std::vector<double> cdf_;
  std::vector<std::vector<int>> topics_;  // Ranks in words_, each topic's most frequent first.
  std::vector<double> topic_cdf_;
};

// ---------------------------------------------------------------------------------------------------------------
// Ingestion.

std::string JoinPath(const std::vector<std::string>& path) {
  std::string joined;
  for (const auto& heading : path) joined += (joined.empty() ? "" : " › ") + heading;
  return joined;
}

struct PreparedDocument {
  uint64_t index = 0;
  std::string markdown;
  std::vector<store::NewChunk> chunks;
  std::vector<std::string> texts;  // What is embedded: IndexedText of each chunk.
};

// Extract and chunk, as the ingestor's Prepare does for an uploaded Markdown file.
PreparedDocument Prepare(const Corpus& corpus, uint64_t index) {
  PreparedDocument doc;
  doc.index = index;
  int target = 0;
  doc.markdown = corpus.Document(index, &target);
  auto extracted = knowledge::Extract(knowledge::Format::kMarkdown, doc.markdown);
  if (!extracted) throw std::runtime_error("synthetic document does not extract: " + extracted.error().message);
  for (const knowledge::Chunk& chunk : knowledge::ChunkDocument(*extracted, knowledge::ChunkOptions{})) {
    std::string indexed = knowledge::IndexedText(chunk);
    store::NewChunk row;
    row.position = chunk.position;
    row.heading_path = JoinPath(chunk.heading_path);
    row.page = chunk.page;
    row.text = chunk.text;
    row.lexical_text = knowledge::Fold(indexed);
    doc.texts.push_back(std::move(indexed));
    doc.chunks.push_back(std::move(row));
  }
  return doc;
}

void Embed(const knowledge::BuiltinEmbedder& embedder, PreparedDocument& doc) {
  for (size_t i = 0; i < doc.texts.size(); ++i) doc.chunks[i].embedding = embedder.EmbedOne(doc.texts[i]);
}

template <class T>
T Check(parley::Result<T> result, const char* what) {
  if (!result) {
    std::fprintf(stderr, "%s failed: %s %s\n", what, result.error().message.c_str(), result.error().detail.c_str());
    std::exit(1);
  }
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

struct Bench {
  Options options;
  std::unique_ptr<store::Store> db;
  store::KnowledgeStore* knowledge = nullptr;
  int64_t tenant_id = 0;
  int64_t knowledge_base_id = 0;
  knowledge::BuiltinEmbedder embedder;
};

std::unique_ptr<store::Store> OpenDatabase(const std::string& path, const std::string& synchronous) {
  static const auto box = parley::crypto::SecretBox::Create(std::string(32, 'b')).value();
  auto opened = Check(store::OpenStore({"sqlite://" + path, synchronous, {}}, box), "OpenStore");
  Check(opened->Migrate(), "Migrate");
  return opened;
}

// The tenant and knowledge base of a database, created on first use.
void EnsureTenant(store::Store& db, int64_t* tenant_id, int64_t* knowledge_base_id) {
  constexpr char kKeyHash[] = "knowledge-bench-api-key-hash";
  auto found = db.access().FindApiKey(kKeyHash);
  *tenant_id = found ? found->tenant_id : Check(db.CreateTenant("Knowledge bench", kKeyHash), "CreateTenant").id;
  *knowledge_base_id = Check(db.knowledge().EnsureKnowledgeBase(*tenant_id, "bench"), "EnsureKnowledgeBase").id;
}

// Stores one prepared document as the ingestor does: a pending document, leased, then completed with its chunks.
void Commit(store::KnowledgeStore& knowledge, int64_t tenant_id, int64_t knowledge_base_id,
            const std::string& embedder_id, const PreparedDocument& doc) {
  store::NewDocument row;
  row.tenant_id = tenant_id;
  row.knowledge_base_id = knowledge_base_id;
  row.name = "doc-" + std::to_string(doc.index) + ".md";
  row.content_type = "text/markdown";
  row.content = doc.markdown;
  Check(knowledge.CreateDocument(row), "CreateDocument");
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  auto job = Check(knowledge.ClaimDocumentJob(now.count(), 300000, {}, 0), "ClaimDocumentJob");
  if (!job) throw std::runtime_error("no document to claim");
  Check(knowledge.CompleteDocumentJob(*job, embedder_id, doc.chunks, {}, "", ""), "CompleteDocumentJob");
}

// Runs `fn(worker)` on `threads` threads and waits for them.
template <class Fn>
void Parallel(int threads, Fn fn) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(fn, t);
  for (auto& thread : pool) thread.join();
}

// Embedding alone and store alone, each on the first `sample_chunks` chunks of the corpus, so the end-to-end rate
// can be read against its stages. The store-alone run uses a scratch database, not the measured one.
void MeasureStages(Bench& bench, const Corpus& corpus) {
  std::vector<PreparedDocument> docs;
  int64_t chunks = 0;
  auto prepare_start = Clock::now();
  for (uint64_t i = 0; chunks < bench.options.sample_chunks; ++i) {
    docs.push_back(Prepare(corpus, i));
    chunks += static_cast<int64_t>(docs.back().chunks.size());
  }
  double prepare_s = Seconds(Clock::now() - prepare_start);
  std::vector<size_t> sizes;
  for (const auto& doc : docs) {
    for (const auto& chunk : doc.chunks) sizes.push_back(chunk.text.size());
  }
  std::sort(sizes.begin(), sizes.end());
  std::printf("sample: %zu documents, %lld chunks of %.0f characters on average (p10 %zu, p90 %zu)\n", docs.size(),
              static_cast<long long>(chunks),
              static_cast<double>(std::accumulate(sizes.begin(), sizes.end(), size_t{0})) / static_cast<double>(chunks),
              sizes[sizes.size() / 10], sizes[sizes.size() * 9 / 10]);
  std::printf("  generate + extract + chunk + fold, 1 thread:   %8.0f chunks/s\n",
              static_cast<double>(chunks) / prepare_s);

  for (int threads : {1, bench.options.threads}) {
    std::atomic<size_t> next{0};
    auto start = Clock::now();
    Parallel(threads, [&](int) {
      for (size_t i; (i = next++) < docs.size();) Embed(bench.embedder, docs[i]);
    });
    double elapsed = Seconds(Clock::now() - start);
    std::printf("  embedding alone (EmbedOne), %d thread(s):      %8.0f chunks/s\n", threads,
                static_cast<double>(chunks) / elapsed);
    if (threads == bench.options.threads) break;
  }

  std::string scratch = bench.options.data_dir + "/scratch";
  std::filesystem::remove_all(scratch);
  std::filesystem::create_directories(scratch);
  {
    auto db = OpenDatabase(scratch + "/knowledge.db", bench.options.synchronous);
    int64_t tenant_id = 0;
    int64_t knowledge_base_id = 0;
    EnsureTenant(*db, &tenant_id, &knowledge_base_id);
    std::string embedder_id = bench.embedder.id();
    auto start = Clock::now();
    for (const auto& doc : docs) Commit(db->knowledge(), tenant_id, knowledge_base_id, embedder_id, doc);
    double elapsed = Seconds(Clock::now() - start);
    std::printf("  store alone (create, claim, complete), 1 thread: %6.0f chunks/s (%.1f ms per document)\n",
                static_cast<double>(chunks) / elapsed, 1000 * elapsed / static_cast<double>(docs.size()));
    db->Close();
  }
  std::filesystem::remove_all(scratch);
}

// The server's own path (knowledge::Ingestor, as for an upload): documents are stored pending, then the ingestor
// extracts, chunks, embeds (built-in embedder on a blocking pool of --threads), stores and indexes each one in
// the vector and BM25 indexes, in a database of its own. Measures what a tenant uploading a large knowledge base
// sees: chunks per second until every document is ready and searchable; then how long the HNSW graph takes to
// link every vector behind it.
void IngestorLoad(Bench& bench, const Corpus& corpus) {
  const Options& o = bench.options;
  std::string dir = o.data_dir + "/ingestor";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto db = OpenDatabase(dir + "/knowledge.db", o.synchronous);
  int64_t tenant_id = 0;
  int64_t knowledge_base_id = 0;
  EnsureTenant(*db, &tenant_id, &knowledge_base_id);
  int64_t planned = 0;
  uint64_t documents = 0;
  for (; planned < o.ingestor_chunks; ++documents) {
    int target = 0;
    store::NewDocument row{tenant_id,
                           knowledge_base_id,
                           "doc-" + std::to_string(documents) + ".md",
                           "text/markdown",
                           "",
                           corpus.Document(documents, &target)};
    Check(db->knowledge().CreateDocument(row), "CreateDocument");
    planned += target;
  }
  knowledge::KnowledgeIndexes indexes(db->knowledge(), dir + "/indexes",
                                      {o.m, o.ef_construction, o.ef_search, o.scan_components, o.scan_rerank});
  auto embedder = std::make_shared<knowledge::BuiltinEmbedder>();
  knowledge::ProfileForTenant profile_for = [embedder](int64_t) -> parley::Result<knowledge::IndexingProfile> {
    return knowledge::IndexingProfile{embedder, "english"};
  };
  auto start = Clock::now();
  int finished = 0;
  {
    boost::asio::io_context io;
    parley::BlockingPool pool(o.threads);
    knowledge::Ingestor ingestor(io.get_executor(), db->knowledge(), indexes, profile_for, pool, nullptr,
                                 knowledge::IngestorOptions{});
    boost::asio::co_spawn(io, ingestor.RunDue(), [&finished](std::exception_ptr e, int done) {
      if (e) std::rethrow_exception(e);
      finished = done;
    });
    io.run();
    pool.Stop();
  }
  double elapsed = Seconds(Clock::now() - start);
  int64_t chunks = 0;
  for (int64_t after = 0;;) {
    auto page = Check(db->knowledge().ChunkTextsAfter(knowledge_base_id, after, 8192), "ChunkTextsAfter");
    if (page.empty()) break;
    chunks += static_cast<int64_t>(page.size());
    after = page.back().chunk_id;
  }
  std::printf(
      "through the ingestor: %d of %llu documents ready, %lld chunks in %.1f s = %.0f chunks/s "
      "(stored and searchable in both indexes)\n",
      finished, static_cast<unsigned long long>(documents), static_cast<long long>(chunks), elapsed,
      static_cast<double>(chunks) / elapsed);
  std::fflush(stdout);
  // The vector catalog links the new vectors into its HNSW graph behind the ingestor; searches scan the rest.
  Check(indexes.vectors.WaitIndexed(), "WaitIndexed");
  double linked = Seconds(Clock::now() - start);
  Check(indexes.Flush(), "Flush");
  std::printf(
      "  every vector linked into the HNSW graph %.1f s after the start (%.0f chunks/s), files saved %.1f s after\n",
      linked, static_cast<double>(chunks) / linked, Seconds(Clock::now() - start));
  db->Close();
}

// The end-to-end load: workers prepare and embed documents, this thread commits them in document order (so chunk
// ids are deterministic) until `chunks` chunks are stored; the last document is cut to fit.
void Load(Bench& bench, const Corpus& corpus) {
  const int64_t target = bench.options.chunks;
  const int workers = bench.options.threads;
  const std::string embedder_id = bench.embedder.id();
  std::mutex mutex;
  std::condition_variable changed;
  std::map<uint64_t, PreparedDocument> ready;  // GUARDED_BY(mutex)
  uint64_t committed = 0;                      // GUARDED_BY(mutex): documents committed so far.
  bool done = false;                           // GUARDED_BY(mutex)
  std::atomic<uint64_t> next{0};
  std::atomic<int64_t> prepare_ns{0};
  std::atomic<int64_t> embed_ns{0};
  // Bounded look-ahead: memory stays small whatever the corpus size.
  const uint64_t window = static_cast<uint64_t>(workers) * 3;

  auto work = [&](int) {
    while (true) {
      uint64_t index = next++;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return done || index < committed + window; });
        if (done) return;
      }
      auto t0 = Clock::now();
      PreparedDocument doc = Prepare(corpus, index);
      auto t1 = Clock::now();
      Embed(bench.embedder, doc);
      auto t2 = Clock::now();
      prepare_ns += std::chrono::nanoseconds(t1 - t0).count();
      embed_ns += std::chrono::nanoseconds(t2 - t1).count();
      std::lock_guard lock(mutex);
      ready.emplace(index, std::move(doc));
      changed.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < workers; ++t) pool.emplace_back(work, t);

  int64_t stored = 0;
  double store_s = 0;
  auto start = Clock::now();
  auto segment_start = start;
  int64_t segment_chunks = 0;
  constexpr int64_t kSegment = 100000;
  std::printf("end-to-end load of %lld chunks, %d worker threads (prepare + embed) and this one committing\n",
              static_cast<long long>(target), workers);
  for (uint64_t index = 0; stored < target; ++index) {
    PreparedDocument doc;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return ready.count(index) > 0; });
      doc = std::move(ready.at(index));
      ready.erase(index);
    }
    if (stored + static_cast<int64_t>(doc.chunks.size()) > target) {
      doc.chunks.resize(static_cast<size_t>(target - stored));
    }
    auto t0 = Clock::now();
    Commit(*bench.knowledge, bench.tenant_id, bench.knowledge_base_id, embedder_id, doc);
    store_s += Seconds(Clock::now() - t0);
    stored += static_cast<int64_t>(doc.chunks.size());
    segment_chunks += static_cast<int64_t>(doc.chunks.size());
    {
      std::lock_guard lock(mutex);
      committed = index + 1;
      done = stored >= target;
      changed.notify_all();
    }
    if (segment_chunks >= kSegment || stored >= target) {
      auto now = Clock::now();
      std::printf("  %9lld chunks stored: %6.0f chunks/s over the last %lld\n", static_cast<long long>(stored),
                  static_cast<double>(segment_chunks) / Seconds(now - segment_start),
                  static_cast<long long>(segment_chunks));
      std::fflush(stdout);
      segment_start = now;
      segment_chunks = 0;
    }
  }
  double elapsed = Seconds(Clock::now() - start);
  for (auto& thread : pool) thread.join();
  std::printf("  end to end: %lld chunks in %.1f s = %.0f chunks/s\n", static_cast<long long>(stored), elapsed,
              static_cast<double>(stored) / elapsed);
  std::printf(
      "  thread time per chunk: prepare %.0f us, embed %.0f us (both on the workers), store %.0f us "
      "(committing thread, waiting on the writer)\n",
      static_cast<double>(prepare_ns) / 1e3 / static_cast<double>(stored),
      static_cast<double>(embed_ns) / 1e3 / static_cast<double>(stored), store_s * 1e6 / static_cast<double>(stored));
}

// ---------------------------------------------------------------------------------------------------------------
// Exact search: every stored vector scanned for every query, multithreaded, for recall.

struct Scored {
  float score;
  uint32_t row;
  bool operator>(const Scored& other) const { return score > other.score; }
};

// The `k` largest inner products with each query, best first.
std::vector<std::vector<Scored>> ExactTopK(const std::vector<float>& base, size_t dims,
                                           const std::vector<std::vector<float>>& queries, int k, int threads) {
  const size_t rows = base.size() / dims;
  const knowledge::DotFunction dot = knowledge::BestDot();
  // Per thread and query, a min-heap of the best k so far.
  std::vector<std::vector<std::vector<Scored>>> heaps(static_cast<size_t>(threads),
                                                      std::vector<std::vector<Scored>>(queries.size()));
  Parallel(threads, [&](int t) {
    size_t begin = rows * static_cast<size_t>(t) / static_cast<size_t>(threads);
    size_t end = rows * static_cast<size_t>(t + 1) / static_cast<size_t>(threads);
    auto& mine = heaps[static_cast<size_t>(t)];
    // Blocks of rows that stay in cache while every query passes over them.
    constexpr size_t kBlock = 512;
    for (size_t block = begin; block < end; block += kBlock) {
      size_t block_end = std::min(end, block + kBlock);
      for (size_t q = 0; q < queries.size(); ++q) {
        auto& heap = mine[q];
        const float* query = queries[q].data();
        for (size_t row = block; row < block_end; ++row) {
          float score = dot(query, &base[row * dims], dims);
          if (heap.size() < static_cast<size_t>(k)) {
            heap.push_back({score, static_cast<uint32_t>(row)});
            std::push_heap(heap.begin(), heap.end(), std::greater<>());
          } else if (score > heap.front().score) {
            std::pop_heap(heap.begin(), heap.end(), std::greater<>());
            heap.back() = {score, static_cast<uint32_t>(row)};
            std::push_heap(heap.begin(), heap.end(), std::greater<>());
          }
        }
      }
    }
  });
  std::vector<std::vector<Scored>> top(queries.size());
  for (size_t q = 0; q < queries.size(); ++q) {
    std::vector<Scored> all;
    for (auto& per_thread : heaps) all.insert(all.end(), per_thread[q].begin(), per_thread[q].end());
    std::sort(all.begin(), all.end(), std::greater<>());
    all.resize(std::min(all.size(), static_cast<size_t>(k)));
    top[q] = std::move(all);
  }
  return top;
}

// ---------------------------------------------------------------------------------------------------------------
// Questions and measurements.

struct Query {
  std::string question;
  std::vector<float> vector;
  bool typo = false;
};

std::string Typo(std::string word, Rng& rng) {
  size_t i = 1 + rng.Below(word.size() - 2);
  switch (rng.Below(3)) {
    case 0:
      std::swap(word[i], word[i + 1]);
      break;
    case 1:
      word.erase(i, 1);
      break;
    default:
      word[i] = static_cast<char>('a' + rng.Below(26));
  }
  return word;
}

// A question made of 3–6 consecutive content words of the chunk, in a question-like frame; with probability
// `typo_share` its longest word gets one edit (swap, deletion or substitution).
Query MakeQuery(const std::string& chunk_text, Rng& rng, double typo_share) {
  std::vector<std::string> content;
  for (auto& word : knowledge::Words(knowledge::Fold(chunk_text))) {
    if (!knowledge::IsStopWord(word)) content.push_back(std::move(word));
  }
  size_t length = std::min<size_t>(content.size(), 3 + rng.Below(4));
  size_t start = content.size() > length ? rng.Below(content.size() - length + 1) : 0;
  std::vector<std::string> words(content.begin() + static_cast<long>(start),
                                 content.begin() + static_cast<long>(start + length));
  Query query;
  if (rng.Chance(typo_share)) {
    auto longest = std::max_element(words.begin(), words.end(),
                                    [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
    if (longest != words.end() && longest->size() >= 5) {
      *longest = Typo(*longest, rng);
      query.typo = true;
    }
  }
  std::string phrase;
  for (const auto& word : words) phrase += (phrase.empty() ? "" : " ") + word;
  static constexpr const char* kFrames[] = {
      "How do I %s?",     "%s?", "What is the %s", "Can you tell me about %s?", "Where can I find the %s?",
      "Question about %s"};
  const char* frame = kFrames[rng.Below(std::size(kFrames))];
  std::vector<char> buffer(phrase.size() + 64);
  std::snprintf(buffer.data(), buffer.size(), frame, phrase.c_str());
  query.question = buffer.data();
  return query;
}

double ThreadCpuMs() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// Wall-clock and CPU time of one call on this thread. Every measured call runs on the calling thread (the store
// reads on a pooled connection, HNSW in place), so its CPU time is its work without the waits that CPU steal and
// the other builds on this shared machine add to wall-clock time.
struct Stopwatch {
  Clock::time_point wall = Clock::now();
  double cpu_ms = ThreadCpuMs();
};

struct Latencies {
  std::vector<double> ms;
  std::vector<double> cpu_ms;
  void Add(const Stopwatch& watch) {
    ms.push_back(Seconds(Clock::now() - watch.wall) * 1000);
    cpu_ms.push_back(ThreadCpuMs() - watch.cpu_ms);
  }
  static double Percentile(std::vector<double>& values, double p) {
    std::sort(values.begin(), values.end());
    size_t rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(values.size())));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
  }
  double Percentile(double p) { return Percentile(ms, p); }
  double Mean() const { return std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size()); }
  std::string Summary() {
    char line[200];
    std::snprintf(line, sizeof line,
                  "p50 %7.3f ms  p99 %7.3f ms  mean %7.3f ms  max %8.3f ms | CPU p50 %6.3f p99 %6.3f ms (%zu queries)",
                  Percentile(50), Percentile(99), Mean(), Percentile(100), Percentile(cpu_ms, 50),
                  Percentile(cpu_ms, 99), ms.size());
    return line;
  }
};

// A field of /proc/self/status in KiB: "VmRSS:" (resident now) or "VmHWM:" (peak resident since the last
// ResetPeakResident).
long StatusKiB(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  }
  return 0;
}
long ResidentKiB() { return StatusKiB("VmRSS:"); }
long PeakResidentKiB() { return StatusKiB("VmHWM:"); }
// Linux resets VmHWM to the current resident size on "5" written to /proc/self/clear_refs.
void ResetPeakResident() { std::ofstream("/proc/self/clear_refs") << "5"; }

struct Exact {
  std::vector<int64_t> ids;  // The true top 10, best first.
  double similarity_sum = 0;
};

// A vector ranking's latency and recall@10 against the exact top 10, and how close the similarities found come
// to the true ones (a miss among near-ties costs little). `search(q)` ranks question q.
template <class Search>
void MeasureVectorRanking(const std::vector<Query>& queries, const std::vector<Exact>& exact, const char* label,
                          Search search) {
  Latencies latencies;
  double recall = 0;
  double similarity_ratio = 0;
  double typo_recall = 0;
  int typos = 0;
  for (size_t q = 0; q < queries.size(); ++q) {
    Stopwatch watch;
    std::vector<knowledge::VectorHit> hits = search(q);
    latencies.Add(watch);
    std::unordered_set<int64_t> truth(exact[q].ids.begin(), exact[q].ids.end());
    int found = 0;
    double similarity_sum = 0;
    for (const auto& hit : hits) {
      found += truth.count(hit.chunk_id) ? 1 : 0;
      similarity_sum += hit.similarity;
    }
    if (exact[q].similarity_sum > 0) similarity_ratio += similarity_sum / exact[q].similarity_sum;
    double r = static_cast<double>(found) / static_cast<double>(exact[q].ids.size());
    recall += r;
    if (queries[q].typo) {
      typo_recall += r;
      ++typos;
    }
  }
  std::printf("  %-28s %s  recall@10 %.4f (typo'd questions %.4f), similarity found/true %.4f\n", label,
              latencies.Summary().c_str(), recall / static_cast<double>(queries.size()),
              typos ? typo_recall / typos : 0.0, similarity_ratio / static_cast<double>(queries.size()));
  std::fflush(stdout);
}

// The component columns' search (knowledge/component_columns.h) on its own: the `rerank` best rows by the 4-bit
// scores of the question's `components_read` largest components (all when 0), re-ranked on the floats, against the
// exact top 10.
void MeasureDimensionScan(const std::vector<float>& base, size_t dims, const std::vector<int64_t>& ids,
                          const std::vector<Query>& queries, const std::vector<Exact>& exact, size_t rerank,
                          size_t components_read) {
  knowledge::ComponentColumns columns(dims);
  const size_t rows = base.size() / dims;
  for (size_t row = 0; row < rows; ++row) columns.Set(row, &base[row * dims]);
  const knowledge::DotFunction dot = knowledge::BestDot();
  Latencies latencies;
  double recall = 0;
  double components = 0;
  for (size_t q = 0; q < queries.size(); ++q) {
    Stopwatch watch;
    const std::vector<float>& query = queries[q].vector;
    knowledge::ComponentColumns::Question question(query.data(), dims, components_read);
    components += static_cast<double>(question.components());
    std::vector<std::pair<float, size_t>> best;
    for (size_t row : columns.Best(question, rerank))
      best.emplace_back(dot(query.data(), &base[row * dims], dims), row);
    std::sort(best.begin(), best.end(), std::greater<>());
    best.resize(std::min<size_t>(best.size(), 10));
    latencies.Add(watch);
    std::unordered_set<int64_t> truth(exact[q].ids.begin(), exact[q].ids.end());
    int found = 0;
    for (const auto& hit : best) found += truth.count(ids[hit.second]) ? 1 : 0;
    recall += static_cast<double>(found) / static_cast<double>(exact[q].ids.size());
  }
  char label[64];
  std::snprintf(label, sizeof label, "question's components (%zu)", rerank);
  std::printf("  %-28s %s  recall@10 %.4f, %.0f components read per question%s\n", label, latencies.Summary().c_str(),
              recall / static_cast<double>(queries.size()), components / static_cast<double>(queries.size()),
              knowledge::ComponentColumns::UsesAvx2() ? "" : " (portable loop: no AVX2)");
  std::fflush(stdout);
}

// Index files of one kind in `dir`: whether there are any, and their size.
bool HasIndexFile(const std::string& dir, const char* extension) {
  if (!std::filesystem::exists(dir)) return false;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == extension) return true;
  }
  return false;
}

double IndexFileMiB(const std::string& dir, const char* extension) {
  uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == extension) bytes += entry.file_size();
  }
  return static_cast<double>(bytes) / (1 << 20);
}

// Builds (or loads) the BM25 index and saves it, reporting time, memory and file size.
void BuildLexicalIndex(Bench& bench, knowledge::LexicalCatalog& lexical, const std::string& index_dir, size_t chunks) {
  bool cached = HasIndexFile(index_dir, ".bm25");
  long rss_before = ResidentKiB();
  auto build_start = Clock::now();
  Check(lexical.Refresh(bench.knowledge_base_id), "Refresh");
  double build_s = Seconds(Clock::now() - build_start);
  long rss_after = ResidentKiB();
  std::printf("  BM25 index: %s in %.1f s (%.0f chunks/s), resident memory +%.0f MiB\n",
              cached ? "loaded from its file and caught up" : "built from the store", build_s,
              cached ? 0.0 : static_cast<double>(chunks) / build_s, static_cast<double>(rss_after - rss_before) / 1024);
  auto flush_start = Clock::now();
  Check(lexical.Flush(), "Flush");
  std::printf("  BM25 file %.0f MiB, written in %.1f s\n", IndexFileMiB(index_dir, ".bm25"),
              Seconds(Clock::now() - flush_start));
}

// Questions made from the chunks `sources` (chosen by the caller), embedded.
std::vector<Query> MakeQueries(Bench& bench, const std::vector<int64_t>& sources, Rng& rng) {
  std::vector<Query> queries;
  for (size_t begin = 0; begin < sources.size(); begin += 200) {
    std::vector<int64_t> batch(sources.begin() + static_cast<long>(begin),
                               sources.begin() + static_cast<long>(std::min(sources.size(), begin + 200)));
    auto records = Check(bench.knowledge->GetChunks(bench.tenant_id, batch), "GetChunks");
    std::map<int64_t, const store::ChunkRecord*> by_id;
    for (const auto& record : records) by_id[record.id] = &record;
    for (int64_t id : batch) queries.push_back(MakeQuery(by_id.at(id)->text, rng, bench.options.typo_share));
  }
  Latencies embed_latency;
  for (auto& query : queries) {
    Stopwatch watch;
    query.vector = bench.embedder.EmbedOne(query.question);
    embed_latency.Add(watch);
  }
  int typos = static_cast<int>(std::count_if(queries.begin(), queries.end(), [](const Query& q) { return q.typo; }));
  std::printf("  %zu questions (%d with a typo), e.g. \"%s\", \"%s\"\n", queries.size(), typos,
              queries[0].question.c_str(), queries[1].question.c_str());
  std::printf("  %-28s %s\n", "embedding the question", embed_latency.Summary().c_str());
  return queries;
}

// BM25 alone, top `candidates`, over the first `count` questions: latency, and how often the source chunk is found.
void MeasureLexical(Bench& bench, knowledge::LexicalCatalog& lexical, const std::vector<Query>& queries,
                    const std::vector<int64_t>& sources, size_t count, int candidates) {
  Latencies latencies;
  size_t hits_total = 0;
  int source_found = 0;
  for (size_t q = 0; q < count; ++q) {
    Stopwatch watch;
    auto hits = Check(lexical.Search({bench.knowledge_base_id}, knowledge::LexicalTerms(queries[q].question, "english"),
                                     static_cast<size_t>(candidates)),
                      "LexicalCatalog::Search");
    latencies.Add(watch);
    hits_total += hits.size();
    for (const auto& hit : hits) source_found += hit.chunk_id == sources[q] ? 1 : 0;
  }
  std::printf("  %-28s %s\n", "BM25 (top 40)", latencies.Summary().c_str());
  std::printf("  BM25: %.1f candidates per question; the source chunk among them for %.1f%% of questions\n",
              static_cast<double>(hits_total) / static_cast<double>(count),
              100.0 * source_found / static_cast<double>(count));
  std::fflush(stdout);
}

// The questions' sources: random chunks among `ids`, the same for every mode of the benchmark.
std::vector<int64_t> PickSources(const Options& o, const std::vector<int64_t>& ids, Rng& rng) {
  std::vector<int64_t> sources;
  for (int q = 0; q < o.queries; ++q) sources.push_back(ids[rng.Below(ids.size())]);
  return sources;
}

std::string IndexDirectory(const Options& o) {
  return o.data_dir + "/indexes-m" + std::to_string(o.m) + "-efc" + std::to_string(o.ef_construction);
}

// BM25 without vectors, to measure it at a size whose HNSW build takes a quarter of an hour or more.
void LexicalRetrieval(Bench& bench) {
  const Options& o = bench.options;
  std::string index_dir = IndexDirectory(o);
  std::filesystem::create_directories(index_dir);
  std::vector<int64_t> ids;
  for (int64_t after = 0;;) {
    auto page = Check(bench.knowledge->ChunkTextsAfter(bench.knowledge_base_id, after, 8192), "ChunkTextsAfter");
    if (page.empty()) break;
    for (const auto& chunk : page) ids.push_back(chunk.chunk_id);
    after = page.back().chunk_id;
  }
  std::printf("BM25 retrieval over %zu chunks\n", ids.size());
  knowledge::LexicalCatalog lexical(*bench.knowledge, index_dir);
  BuildLexicalIndex(bench, lexical, index_dir, ids.size());
  Rng rng(o.seed ^ 0x7175657279ULL);
  std::vector<int64_t> sources = PickSources(o, ids, rng);
  std::vector<Query> queries = MakeQueries(bench, sources, rng);
  size_t count = o.lexical_queries < 0 ? queries.size() : std::min<size_t>(queries.size(), o.lexical_queries);
  size_t warmup = std::min<size_t>(queries.size(), 100);
  MeasureLexical(bench, lexical, queries, sources, warmup, knowledge::RetrievalOptions{}.candidates);
  MeasureLexical(bench, lexical, queries, sources, count, knowledge::RetrievalOptions{}.candidates);
}

void Retrieval(Bench& bench) {
  const Options& o = bench.options;
  const std::string embedder_id = bench.embedder.id();
  const int dims = bench.embedder.dimensions();
  knowledge::HnswOptions hnsw{o.m, o.ef_construction, o.ef_search, o.scan_components, o.scan_rerank};
  std::string index_dir = IndexDirectory(o);
  if (o.rebuild_index) std::filesystem::remove_all(index_dir);

  // Every stored vector, for the exact scan (and to know the ids).
  auto read_start = Clock::now();
  std::vector<int64_t> ids;
  std::vector<float> base;
  for (int64_t after = 0;;) {
    auto page = Check(bench.knowledge->ChunkVectorsAfter(bench.knowledge_base_id, embedder_id, after, 8192),
                      "ChunkVectorsAfter");
    if (page.empty()) break;
    for (const auto& chunk : page) {
      ids.push_back(chunk.chunk_id);
      base.insert(base.end(), chunk.embedding.begin(), chunk.embedding.end());
    }
    after = page.back().chunk_id;
  }
  std::printf("retrieval over %zu chunks (vectors read back from the store in %.1f s)\n", ids.size(),
              Seconds(Clock::now() - read_start));

  knowledge::KnowledgeIndexes indexes(*bench.knowledge, index_dir, hnsw);
  knowledge::VectorCatalog& catalog = indexes.vectors;
  bool cached = HasIndexFile(index_dir, ".hnsw");
  long rss_before = ResidentKiB();
  ResetPeakResident();
  auto build_start = Clock::now();
  Check(catalog.Refresh(bench.knowledge_base_id, embedder_id, dims), "Refresh");
  Check(catalog.WaitIndexed(), "WaitIndexed");
  double build_s = Seconds(Clock::now() - build_start);
  long rss_after = ResidentKiB();
  std::printf(
      "  HNSW m=%d ef_construction=%d: %s in %.1f s (%.0f vectors/s), resident memory +%.0f MiB (peak +%.0f MiB)\n",
      o.m, o.ef_construction, cached ? "loaded from its file and caught up" : "built from the store", build_s,
      cached ? 0.0 : static_cast<double>(ids.size()) / build_s, static_cast<double>(rss_after - rss_before) / 1024,
      static_cast<double>(PeakResidentKiB() - rss_before) / 1024);
  auto flush_start = Clock::now();
  Check(catalog.Flush(), "Flush");
  std::printf("  index file %.0f MiB, written in %.1f s\n", IndexFileMiB(index_dir, ".hnsw"),
              Seconds(Clock::now() - flush_start));

  BuildLexicalIndex(bench, indexes.lexical, index_dir, ids.size());

  // Questions from random chunks.
  Rng rng(o.seed ^ 0x7175657279ULL);
  std::vector<int64_t> sources = PickSources(o, ids, rng);
  std::vector<Query> queries = MakeQueries(bench, sources, rng);

  auto exact_start = Clock::now();
  std::vector<std::vector<float>> vectors;
  for (const auto& query : queries) vectors.push_back(query.vector);
  // The top 100, for how steeply the similarities fall past the 10th (are the misses near-ties?).
  constexpr size_t kDepth = 100;
  auto exact_rows = ExactTopK(base, static_cast<size_t>(dims), vectors, static_cast<int>(kDepth), o.threads);
  std::vector<Exact> exact;
  double at_rank[4] = {};  // Mean similarity at ranks 1, 10, 20 and 100.
  double near_tenth = 0;   // Chunks within 5 % of the 10th's similarity, among the top 100.
  for (const auto& rows : exact_rows) {
    exact.emplace_back();
    for (size_t rank = 0; rank < std::min<size_t>(rows.size(), 10); ++rank) {
      exact.back().ids.push_back(ids[rows[rank].row]);
      exact.back().similarity_sum += rows[rank].score;
    }
    if (rows.size() < kDepth) continue;
    for (size_t i = 0; i < 4; ++i) at_rank[i] += rows[std::array<size_t, 4>{0, 9, 19, 99}[i]].score;
    near_tenth += static_cast<double>(std::count_if(
        rows.begin(), rows.end(), [&rows](const Scored& row) { return row.score >= 0.95f * rows[9].score; }));
  }
  double questions = static_cast<double>(queries.size());
  std::printf("  exact top 100 by brute force, %d threads: %.1f s (%.1f ms per question)\n", o.threads,
              Seconds(Clock::now() - exact_start), 1000 * Seconds(Clock::now() - exact_start) / questions);
  std::printf(
      "  exact similarity at rank 1 / 10 / 20 / 100: %.3f / %.3f / %.3f / %.3f; within 5 %% of the 10th: "
      "%.1f chunks\n",
      at_rank[0] / questions, at_rank[1] / questions, at_rank[2] / questions, at_rank[3] / questions,
      near_tenth / questions);
  for (int rerank : o.dimension_scan) {
    MeasureDimensionScan(base, static_cast<size_t>(dims), ids, queries, exact, static_cast<size_t>(rerank),
                         static_cast<size_t>(o.dimension_scan_components));
  }
  base = {};
  base.shrink_to_fit();

  // A warm-up pass over the first questions, so the first measured ones do not pay for cold pages.
  size_t warmup = std::min<size_t>(queries.size(), 100);
  knowledge::Retriever retriever(*bench.knowledge, indexes);
  knowledge::RetrievalOptions retrieval;
  for (size_t q = 0; q < warmup; ++q) {
    Check(catalog.Search(bench.knowledge_base_id, embedder_id, queries[q].vector, 10), "Search");
    Check(retriever.Retrieve(bench.tenant_id, {bench.knowledge_base_id}, queries[q].question, queries[q].vector,
                             embedder_id, retrieval),
          "Retrieve");
  }

  auto hnsw_search = [&](knowledge::VectorCatalog& vectors) {
    return [&](size_t q) {
      return Check(vectors.Search(bench.knowledge_base_id, embedder_id, queries[q].vector, 10), "Search");
    };
  };
  char label[64];
  // Short questions read the component columns (scan_components > 0), the others search the graph.
  std::snprintf(label, sizeof label, "vector (columns %d/%d)", o.scan_components, o.scan_rerank);
  MeasureVectorRanking(queries, exact, label, hnsw_search(catalog));
  // What the hybrid ranks by vector: HNSW plus the BM25 candidates scored exactly (the time includes BM25).
  MeasureVectorRanking(queries, exact, "vector ranking of the hybrid", [&](size_t q) {
    auto lexical =
        Check(indexes.lexical.Search({bench.knowledge_base_id}, knowledge::LexicalTerms(queries[q].question, "english"),
                                     static_cast<size_t>(retrieval.candidates)),
              "LexicalCatalog::Search");
    std::vector<int64_t> lexical_ids;
    for (const auto& hit : lexical) lexical_ids.push_back(hit.chunk_id);
    return Check(retriever.VectorRanking({bench.knowledge_base_id}, queries[q].vector, embedder_id, lexical_ids, 10),
                 "VectorRanking");
  });

  size_t lexical_count = o.lexical_queries < 0 ? queries.size() : std::min<size_t>(queries.size(), o.lexical_queries);
  MeasureLexical(bench, indexes.lexical, queries, sources, lexical_count, retrieval.candidates);

  Latencies hybrid;
  int source_found = 0;
  for (size_t q = 0; q < lexical_count; ++q) {
    Stopwatch watch;
    auto passages = Check(retriever.Retrieve(bench.tenant_id, {bench.knowledge_base_id}, queries[q].question,
                                             queries[q].vector, embedder_id, retrieval),
                          "Retrieve");
    hybrid.Add(watch);
    for (const auto& passage : passages) source_found += passage.chunk.id == sources[q] ? 1 : 0;
  }
  std::printf("  %-28s %s\n", "hybrid (Retriever::Retrieve)", hybrid.Summary().c_str());
  std::printf("  the chunk a question was made from is among the 5 passages for %.1f%% of questions\n",
              100.0 * source_found / static_cast<double>(lexical_count));
  std::fflush(stdout);

  // The graph alone (no component columns) at each ef_search: each catalog reads the saved index with its own
  // setting.
  for (int ef : o.ef_sweep) {
    knowledge::VectorCatalog other(*bench.knowledge, index_dir, {o.m, o.ef_construction, ef, 0});
    Check(other.Refresh(bench.knowledge_base_id, embedder_id, dims), "Refresh");
    Check(other.WaitIndexed(), "WaitIndexed");
    for (size_t q = 0; q < warmup; ++q) {
      Check(other.Search(bench.knowledge_base_id, embedder_id, queries[q].vector, 10), "Search");
    }
    std::snprintf(label, sizeof label, "graph alone (ef_search=%d)", ef);
    MeasureVectorRanking(queries, exact, label, hnsw_search(other));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Knowledge ingestion and retrieval benchmark on a synthetic corpus"};
  app.add_option("--chunks", o.chunks, "Chunks in the corpus");
  app.add_option("--queries", o.queries, "Questions");
  app.add_option("--lexical-queries", o.lexical_queries, "Questions for BM25 and hybrid (default: all)");
  app.add_option("--data-dir", o.data_dir, "Directory for the database and index files");
  app.add_option("--threads", o.threads, "Embedding and exact-search threads");
  app.add_option("--sample-chunks", o.sample_chunks, "Chunks for the stage-alone rates (0 skips them)");
  app.add_flag("--reuse", o.reuse, "Keep an existing database in --data-dir instead of re-ingesting");
  app.add_flag("--rebuild-index", o.rebuild_index, "Build the HNSW index even if its file exists");
  app.add_flag("--ingest-only", o.ingest_only, "Stop after the ingestion measurements");
  app.add_flag("--lexical-only", o.lexical_only, "Measure BM25 alone (no HNSW build, no exact scan)");
  app.add_option("--ingestor-chunks", o.ingestor_chunks,
                 "Also load this many chunks through the server's Ingestor (store and both indexes), then stop");
  app.add_option("--synchronous", o.synchronous, "SQLite synchronous setting of the store");
  app.add_option("--seed", o.seed, "Corpus seed");
  app.add_option("--corpus", o.corpus, "How documents pick their words: topical (shared subjects) or independent")
      ->check(CLI::IsMember({"topical", "independent"}));
  app.add_option("--m", o.m, "HNSW graph degree");
  app.add_option("--ef-construction", o.ef_construction, "HNSW build beam width");
  app.add_option("--ef-search", o.ef_search, "HNSW query beam width");
  app.add_option("--ef-sweep", o.ef_sweep, "ef_search values to measure the graph alone at")->delimiter(',');
  app.add_option("--scan-components", o.scan_components,
                 "Largest components a short question reads in the component columns (0: graph only)");
  app.add_option("--scan-rerank", o.scan_rerank, "Rows of the component columns re-ranked on the floats");
  app.add_option("--dimension-scan", o.dimension_scan,
                 "Also scan the question's components (4-bit columns), re-ranking this many candidates")
      ->delimiter(',');
  app.add_option("--dimension-scan-components", o.dimension_scan_components,
                 "Read only the question's largest components in that scan (0: all)");
  CLI11_PARSE(app, argc, argv);

  o.data_dir = std::filesystem::absolute(o.data_dir).string();
  std::filesystem::create_directories(o.data_dir);
  std::string db_path = o.data_dir + "/knowledge.db";
  bool existing = std::filesystem::exists(db_path);
  if (!o.reuse || !existing) {
    // Only what this program creates there.
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
    for (const auto& entry : std::filesystem::directory_iterator(o.data_dir)) {
      if (entry.path().filename().string().rfind("indexes-", 0) == 0) std::filesystem::remove_all(entry.path());
    }
    existing = false;
  }

  Bench bench{o, nullptr, nullptr, 0, 0, knowledge::BuiltinEmbedder{}};
  std::printf(
      "knowledge bench: %lld chunks (%s corpus), %d questions, %d threads, seed %llu, embedder %s, "
      "synchronous=%s\n",
      static_cast<long long>(o.chunks), o.corpus.c_str(), o.queries, o.threads, static_cast<unsigned long long>(o.seed),
      bench.embedder.id().c_str(), o.synchronous.c_str());
  Corpus corpus(o.seed, o.corpus == "independent" ? Corpus::Kind::kIndependent : Corpus::Kind::kTopical);
  if (o.ingestor_chunks > 0) {
    parley::log::Init("warn");  // The ingestor's line per document would drown the figures.
    IngestorLoad(bench, corpus);
    return 0;
  }
  if (!existing && o.sample_chunks > 0) MeasureStages(bench, corpus);

  bench.db = OpenDatabase(db_path, o.synchronous);
  bench.knowledge = &bench.db->knowledge();
  EnsureTenant(*bench.db, &bench.tenant_id, &bench.knowledge_base_id);
  if (existing) {
    std::printf("reusing the corpus in %s\n", db_path.c_str());
  } else {
    Load(bench, corpus);
  }
  std::fflush(stdout);
  if (o.lexical_only) {
    LexicalRetrieval(bench);
  } else if (!o.ingest_only) {
    Retrieval(bench);
  }
  bench.db->Close();
  return 0;
}
