// The chunk feeds every process's vector and BM25 indexes catch up from (ChunkVectorsAfter, ChunkTextsAfter,
// DeletedChunksAfter) and the reads of chunks by id, on every backend; and what several workers sharing the store
// must get right: a document taken by one of them only, and a reader polling the feeds while writers commit in any
// order never missing a chunk or a deletion.

#include "knowledge_store_test.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

namespace parley::store::testing {
namespace {

// Chunks in three knowledge bases, two of them Acme's, for the reads of chunks by id.
class ChunkReadTest : public KnowledgeStoreTest {
 protected:
  ChunkReadTest() {
    std::vector<NewChunk> filler;
    for (int i = 0; i < 12; ++i) filler.push_back(Chunk(i, "filler text number " + std::to_string(i)));
    Ingest(acme_, kb_, "filler", filler);
    Document doc = Ingest(acme_, kb_, "refunds",
                          {Chunk(0, "refund refund refund policy"),
                           Chunk(1, "our refund policy covers shoes bags hats and every other item in the shop")});
    auto ids = ks().GetChunks(acme_, ChunksOf(kb_)).value();
    for (const auto& record : ids) {
      if (record.document_id == doc.id) (record.position == 0 ? dense_ : sparse_) = record.id;
    }
    second_kb_ = ks().EnsureKnowledgeBase(acme_, "second").value().id;
    Ingest(acme_, second_kb_, "better", {Chunk(0, "refund refund refund refund")});
    second_chunk_ = ChunksOf(second_kb_).at(0);
    globex_kb_ = ks().EnsureKnowledgeBase(globex_, "main").value().id;
    Ingest(globex_, globex_kb_, "theirs", {Chunk(0, "refund refund refund refund")});
    globex_chunk_ = ChunksOf(globex_kb_).at(0);
  }

  int64_t dense_ = 0;
  int64_t sparse_ = 0;
  int64_t second_kb_ = 0;
  int64_t second_chunk_ = 0;
  int64_t globex_kb_ = 0;
  int64_t globex_chunk_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, ChunkReadTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(KnowledgeStoreTest, ChunkVectorsAfterFiltersByKnowledgeBaseEmbedderAndId) {
  int64_t other_kb = ks().EnsureKnowledgeBase(acme_, "other").value().id;
  Ingest(acme_, kb_, "a", {Chunk(0, "a0"), Chunk(1, "a1"), Chunk(2, "a2")}, {}, "embedder-a");
  Ingest(acme_, kb_, "b", {Chunk(0, "b0")}, {}, "embedder-b");
  Ingest(acme_, other_kb, "c", {Chunk(0, "c0")}, {}, "embedder-a");

  std::vector<int64_t> a = ChunksOf(kb_, "embedder-a");
  ASSERT_EQ(a.size(), 3u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(ChunksOf(kb_, "embedder-b").size(), 1u);
  EXPECT_EQ(ChunksOf(other_kb, "embedder-a").size(), 1u);
  EXPECT_TRUE(ChunksOf(kb_, "embedder-c").empty());

  EXPECT_EQ(ChunkIds(ks().ChunkVectorsAfter(kb_, "embedder-a", a[0], 100).value()), (std::vector<int64_t>{a[1], a[2]}));
  EXPECT_EQ(ChunkIds(ks().ChunkVectorsAfter(kb_, "embedder-a", 0, 2).value()), (std::vector<int64_t>{a[0], a[1]}));
  EXPECT_TRUE(ks().ChunkVectorsAfter(kb_, "embedder-a", a[2], 100).value().empty());
}

TEST_P(ChunkReadTest, ChunkTextsAfterReadsOneKnowledgeBaseInIdOrder) {
  auto texts = ks().ChunkTextsAfter(kb_, 0, 100).value();
  ASSERT_EQ(texts.size(), 14u);
  EXPECT_TRUE(std::is_sorted(texts.begin(), texts.end(),
                             [](const ChunkText& a, const ChunkText& b) { return a.chunk_id < b.chunk_id; }));
  EXPECT_EQ(texts[12].chunk_id, dense_);
  EXPECT_EQ(texts[12].lexical_text, "refund refund refund policy");
  EXPECT_EQ(TextIds(ks().ChunkTextsAfter(kb_, dense_, 100).value()), std::vector<int64_t>{sparse_});
  EXPECT_EQ(ks().ChunkTextsAfter(kb_, 0, 3).value().size(), 3u);
  EXPECT_EQ(TextIds(ks().ChunkTextsAfter(second_kb_, 0, 100).value()), std::vector<int64_t>{second_chunk_});
  EXPECT_TRUE(ks().ChunkTextsAfter(kb_, sparse_, 100).value().empty());
}

TEST_P(ChunkReadTest, GetChunksKeepsTheOrderGivenAndDropsOtherTenantsChunks) {
  auto records = ks().GetChunks(acme_, {sparse_, globex_chunk_, 987654, dense_, second_chunk_}).value();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].id, sparse_);
  EXPECT_EQ(records[1].id, dense_);
  EXPECT_EQ(records[2].id, second_chunk_);
  EXPECT_EQ(records[2].knowledge_base_id, second_kb_);
  EXPECT_EQ(ks().GetChunks(globex_, {dense_, globex_chunk_}).value().at(0).id, globex_chunk_);
  EXPECT_EQ(ks().GetChunks(globex_, {dense_, globex_chunk_}).value().size(), 1u);
}

TEST_P(KnowledgeStoreTest, ChunksKeepEveryCharacterAndEveryBitOfTheirEmbedding) {
  const std::string text = "a \"quoted\", {braced} \\back\\slash\\ NULL\ttab, é 東京 — 🙂";
  NewChunk chunk = Chunk(0, text, {-0.25f, 1e-30f, 3.0e38f, 0.0f, -0.0f});
  chunk.heading_path = "Prices › \"Menu\" {2024}";
  chunk.lexical_text = "null \\ {} \"\"";
  Document document = Ingest(acme_, kb_, "odd.txt", {chunk, Chunk(1, "NULL")});

  auto vectors = ks().ChunkVectorsAfter(kb_, kEmbedder, 0, 10).value();
  ASSERT_EQ(vectors.size(), 2u);
  EXPECT_EQ(vectors[0].embedding, chunk.embedding);
  EXPECT_TRUE(std::signbit(vectors[0].embedding[4]));
  auto records = ks().GetChunks(acme_, ChunkIds(vectors)).value();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].text, text);
  EXPECT_EQ(records[0].heading_path, chunk.heading_path);
  EXPECT_EQ(records[0].lexical_text, chunk.lexical_text);
  EXPECT_EQ(records[0].document_name, "odd.txt");
  EXPECT_EQ(records[1].text, "NULL");
  EXPECT_EQ(ks().ChunkTextsAfter(kb_, 0, 10).value().at(0).lexical_text, chunk.lexical_text);
  EXPECT_EQ(ks().GetDocument(acme_, document.id).value().chunks, 2);
}

TEST_P(KnowledgeStoreTest, WorkersInSeveralProcessesTakeEachDocumentOnce) {
  const int64_t globex_kb = ks().EnsureKnowledgeBase(globex_, "main").value().id;
  std::set<int64_t> queued;
  for (int i = 0; i < 12; ++i) {
    queued.insert(Create(acme_, kb_, Id("a", i)).id);
    queued.insert(Create(globex_, globex_kb, Id("g", i)).id);
  }
  std::vector<std::unique_ptr<Store>> others;
  for (int i = 0; i < 2; ++i) others.push_back(backend_->OpenAnother());

  std::mutex mutex;
  std::multiset<int64_t> taken;     // GUARDED_BY(mutex)
  std::vector<std::string> errors;  // GUARDED_BY(mutex)
  auto work = [&](Store* store) {
    while (true) {
      auto job = store->knowledge().ClaimDocumentJob(kT0, kLease, {}, 0);
      if (job && !job->has_value()) return;
      Result<void> done = job ? store->knowledge().CompleteDocumentJob(**job, kEmbedder, {Chunk(0, "text")}, {}, "", "")
                              : Result<void>(job.error());
      std::lock_guard lock(mutex);
      if (!done) {
        errors.push_back(done.error().message + " " + done.error().detail);
        return;
      }
      taken.insert((*job)->document.id);
    }
  };
  std::vector<std::thread> workers;
  for (Store* store : {store_, store_, others[0].get(), others[0].get(), others[1].get(), others[1].get()}) {
    workers.emplace_back(work, store);
  }
  for (auto& worker : workers) worker.join();

  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(std::set<int64_t>(taken.begin(), taken.end()), queued);
  EXPECT_EQ(taken.size(), queued.size());  // None twice.
  for (int64_t id : queued) {
    const int64_t tenant = ks().GetDocument(acme_, id) ? acme_ : globex_;
    EXPECT_EQ(ks().GetDocument(tenant, id).value().status, DocumentStatus::kReady);
  }
  EXPECT_EQ(ChunksOf(kb_).size(), 12u);
  EXPECT_EQ(ChunksOf(globex_kb).size(), 12u);
}

// Claims counting a tenant's documents in processing at the same moment would each see room for one more.
TEST_P(KnowledgeStoreTest, ATenantsLimitHoldsAgainstWorkersClaimingAtOnce) {
  for (int i = 0; i < 8; ++i) Create(acme_, kb_, Id("a", i));
  std::vector<std::unique_ptr<Store>> others;
  for (int i = 0; i < 2; ++i) others.push_back(backend_->OpenAnother());
  std::atomic<int> taken{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> workers;
  for (Store* store : {store_, store_, others[0].get(), others[0].get(), others[1].get(), others[1].get()}) {
    workers.emplace_back([&, store] {
      for (int i = 0; i < 3; ++i) {
        auto job = store->knowledge().ClaimDocumentJob(kT0, kLease, {}, /*max_per_tenant=*/2);
        if (!job) ++failed;
        if (job && job->has_value()) ++taken;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(taken, 2);
}

// What an index holds after catching up from the feeds, as the knowledge module's indexes do (index_catalog.h):
// deletions read first, then the chunks after the last one read, a page at a time.
class FeedReader {
 public:
  FeedReader(KnowledgeStore& store, int64_t knowledge_base_id) : store_(store), kb_(knowledge_base_id) {}

  void CatchUp() {
    auto deleted = store_.DeletedChunksAfter(kb_, after_seq_, &after_seq_);
    ASSERT_TRUE(deleted) << deleted.error().detail;
    while (true) {
      auto vectors = store_.ChunkVectorsAfter(kb_, kEmbedder, after_vector_, kPage);
      ASSERT_TRUE(vectors) << vectors.error().detail;
      for (const auto& v : *vectors) vectors_.insert(v.chunk_id);
      if (!vectors->empty()) after_vector_ = vectors->back().chunk_id;
      if (static_cast<int>(vectors->size()) < kPage) break;
    }
    while (true) {
      auto texts = store_.ChunkTextsAfter(kb_, after_text_, kPage);
      ASSERT_TRUE(texts) << texts.error().detail;
      for (const auto& t : *texts) texts_.insert(t.chunk_id);
      if (!texts->empty()) after_text_ = texts->back().chunk_id;
      if (static_cast<int>(texts->size()) < kPage) break;
    }
    for (int64_t id : *deleted) {
      vectors_.erase(id);
      texts_.erase(id);
    }
  }

  const std::set<int64_t>& vectors() const { return vectors_; }
  const std::set<int64_t>& texts() const { return texts_; }

 private:
  static constexpr int kPage = 16;
  KnowledgeStore& store_;
  const int64_t kb_;
  int64_t after_seq_ = 0;
  int64_t after_vector_ = 0;
  int64_t after_text_ = 0;
  std::set<int64_t> vectors_;
  std::set<int64_t> texts_;
};

// Issue 18 §2: with several writers, a chunk may commit after one with a higher id has been read. A reader that polls
// the feeds while workers in two processes complete, replace and delete documents of one knowledge base at once ends
// up holding exactly the chunks the store holds: none skipped for committing late, none kept after its deletion.
TEST_P(KnowledgeStoreTest, APollingReaderMissesNoChunkWhateverOrderWritersCommitIn) {
  constexpr int kDocuments = 24;
  constexpr int kChunksEach = 40;
  std::vector<DocumentJob> jobs;
  for (int i = 0; i < kDocuments; ++i) {
    Document document = Create(acme_, kb_, Id("doc", i));
    jobs.push_back(MustClaim(document.id));
  }
  auto other = backend_->OpenAnother();

  std::atomic<bool> writing{true};
  FeedReader reader(ks(), kb_);
  int rounds = 0;
  std::thread polling([&] {
    while (writing) {
      reader.CatchUp();
      ++rounds;
    }
  });
  std::mutex mutex;
  std::vector<std::string> errors;  // GUARDED_BY(mutex)
  auto write = [&](Store* store, int first) {
    KnowledgeStore& knowledge = store->knowledge();
    for (int i = first; i < kDocuments; i += 4) {
      std::vector<NewChunk> chunks;
      for (int c = 0; c < kChunksEach; ++c) chunks.push_back(Chunk(c, Id("chunk ", c)));
      Result<void> done = knowledge.CompleteDocumentJob(jobs[i], kEmbedder, chunks, {}, "", "");
      // Every third document is deleted again; now and then the knowledge base is requeued, so that its ready
      // documents are processed again below, their previous chunks retired through the deletion log.
      if (done && i % 3 == 0) done = knowledge.DeleteDocument(acme_, jobs[i].document.id);
      if (done && i % 4 == 1) {
        auto requeued = knowledge.RequeueDocuments(kb_);
        done = requeued ? Ok() : Result<void>(requeued.error());
      }
      if (!done) {
        std::lock_guard lock(mutex);
        errors.push_back(done.error().message + " " + done.error().detail);
      }
    }
  };
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) writers.emplace_back(write, w < 2 ? store_ : other.get(), w);
  for (auto& writer : writers) writer.join();
  writing = false;
  polling.join();
  ASSERT_TRUE(errors.empty()) << errors.front();
  // Requeued documents are processed again (new chunk ids, the old ones retired through the deletion log).
  while (true) {
    auto job = ks().ClaimDocumentJob(kT0, kLease, {}, 0).value();
    if (!job) break;
    ASSERT_TRUE(ks().CompleteDocumentJob(*job, kEmbedder, {Chunk(0, "again")}, {}, "", ""));
  }
  reader.CatchUp();

  const std::vector<int64_t> stored = ChunksOf(kb_);
  const std::set<int64_t> expected(stored.begin(), stored.end());
  EXPECT_EQ(reader.vectors(), expected);
  EXPECT_EQ(reader.texts(), expected);
  EXPECT_GT(rounds, 1);
}

}  // namespace
}  // namespace parley::store::testing
