#pragma once
// The two-tenant store (support/two_tenant_store.h) and a way to write a document's chunks
// through the store API (claim, complete) as the ingestor would, for tests of what reads the knowledge; and a
// store that records where the indexes' catch-up reads start.

#include "core/crypto.h"
#include "knowledge/embedder.h"
#include "knowledge/text.h"
#include "store/knowledge_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/two_tenant_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace parley::knowledge::fixture {

// A random unit vector (unit length, as embedders give).
inline std::vector<float> RandomUnit(std::mt19937& random, size_t dimensions) {
  std::normal_distribution<float> normal;
  std::vector<float> vector(dimensions);
  double norm = 0;
  for (float& x : vector) {
    x = normal(random);
    norm += x * x;
  }
  for (float& x : vector) x = static_cast<float>(x / std::sqrt(norm));
  return vector;
}

// A vector with only `nonzero` random components set (or fewer, when they repeat), as the built-in embedder's short
// questions have: the component columns' case rather than the graph's.
inline std::vector<float> SparseUnit(std::mt19937& random, size_t dimensions, size_t nonzero) {
  std::vector<float> dense = RandomUnit(random, dimensions);
  std::vector<float> sparse(dimensions, 0.0f);
  for (size_t i = 0; i < nonzero; ++i) {
    size_t d = random() % dimensions;
    sparse[d] = dense[d];
  }
  return sparse;
}

// `count` chunks with random unit `dimensions`-dimensional embeddings: the hard case for an HNSW graph, whose linking
// then takes seconds for ten thousand of them (a big import, or a rebuild, in progress).
inline std::vector<store::NewChunk> RandomChunks(size_t count, int dimensions, unsigned seed = 7) {
  std::mt19937 random(seed);
  std::vector<store::NewChunk> chunks(count);
  for (size_t i = 0; i < count; ++i) {
    chunks[i].position = static_cast<int>(i);
    chunks[i].text = chunks[i].lexical_text = "archived page " + std::to_string(i);
    chunks[i].embedding = RandomUnit(random, static_cast<size_t>(dimensions));
  }
  return chunks;
}

// The chunk ids of search hits (vector or BM25), in order.
template <typename Hit>
std::vector<int64_t> Ids(const std::vector<Hit>& hits) {
  std::vector<int64_t> ids;
  for (const auto& hit : hits) ids.push_back(hit.chunk_id);
  return ids;
}

// A chunk at `position` whose BM25 text is its text (tests write it folded already).
inline store::NewChunk PlainChunk(const std::string& text, std::vector<float> embedding = {1, 0, 0}, int position = 0) {
  store::NewChunk chunk;
  chunk.position = position;
  chunk.text = text;
  chunk.lexical_text = text;
  chunk.embedding = std::move(embedding);
  return chunk;
}

// A chunk at `position` under `heading`, as the ingestor writes it: its BM25 text folded, embedded by `embedder`.
inline store::NewChunk EmbeddedChunk(const BuiltinEmbedder& embedder, int position, const std::string& heading,
                                     const std::string& text) {
  store::NewChunk chunk;
  chunk.position = position;
  chunk.heading_path = heading;
  chunk.text = text;
  chunk.lexical_text = Fold(heading + "\n" + text);
  chunk.embedding = embedder.EmbedOne(heading + "\n" + text);
  return chunk;
}

class KnowledgeStoreFixture : public testing::TwoTenantStore {
 protected:
  store::KnowledgeStore& ks() { return store_->knowledge(); }

  int64_t KnowledgeBase(int64_t tenant, const std::string& name) {
    return ks().EnsureKnowledgeBase(tenant, name).value().id;
  }

  // Writes a ready document with `chunks` (embedded by `embedder_id`) and returns its id.
  int64_t AddDocument(int64_t tenant, int64_t kb, const std::string& name, const std::vector<store::NewChunk>& chunks,
                      const std::string& embedder_id) {
    store::NewDocument document;
    document.tenant_id = tenant;
    document.knowledge_base_id = kb;
    document.name = name;
    document.content = "bytes";
    int64_t id = ks().CreateDocument(document).value().id;
    // Documents are written one at a time, so the only due one is this.
    auto job = ks().ClaimDocumentJob(/*now_ms=*/1, /*lease_ms=*/60'000, {}, 0).value();
    EXPECT_TRUE(job.has_value());
    EXPECT_EQ(job->document.id, id);
    auto completed = ks().CompleteDocumentJob(*job, embedder_id, chunks, {}, "", "");
    EXPECT_TRUE(completed) << completed.error().detail;
    return id;
  }

  // The ids of a knowledge base's chunks, oldest first.
  std::vector<int64_t> ChunkIds(int64_t kb, const std::string& embedder_id) {
    std::vector<int64_t> ids;
    for (const auto& v : ks().ChunkVectorsAfter(kb, embedder_id, 0, 10'000).value()) ids.push_back(v.chunk_id);
    return ids;
  }
};

// Forwards to a real store and records where each catch-up read started, to tell a loaded index (which starts
// after its last chunk) from a rebuilt one (which starts from 0).
class RecordingStore final : public store::KnowledgeStore {
 public:
  explicit RecordingStore(store::KnowledgeStore& inner) : inner_(inner) {}

  std::vector<int64_t> vectors_after;    //!< after_chunk_id of each ChunkVectorsAfter call.
  std::vector<int64_t> texts_after;      //!< after_chunk_id of each ChunkTextsAfter call.
  std::vector<int64_t> deletions_after;  //!< after_seq of each DeletedChunksAfter call.
  // Each SetDocumentProgress call's new lease end, and the claims that took a document; called from the pool, so
  // read them under `mutex`, or through WaitFor.
  std::vector<int64_t> renewals;
  int claimed = 0;
  std::mutex mutex;

  // Waits until `done()`, read under `mutex`, holds after a call, or `timeout` passes; whether it holds.
  bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex);
    return changed_.wait_for(lock, timeout, done);
  }

  Result<std::vector<store::ChunkVector>> ChunkVectorsAfter(int64_t kb, const std::string& embedder, int64_t after,
                                                            int limit) override {
    vectors_after.push_back(after);
    return inner_.ChunkVectorsAfter(kb, embedder, after, limit);
  }
  Result<std::vector<store::ChunkText>> ChunkTextsAfter(int64_t kb, int64_t after, int limit) override {
    texts_after.push_back(after);
    return inner_.ChunkTextsAfter(kb, after, limit);
  }
  Result<std::vector<int64_t>> DeletedChunksAfter(int64_t kb, int64_t after_seq, int64_t* last_seq) override {
    deletions_after.push_back(after_seq);
    return inner_.DeletedChunksAfter(kb, after_seq, last_seq);
  }

  Result<store::KnowledgeBase> EnsureKnowledgeBase(int64_t t, const std::string& n) override {
    return inner_.EnsureKnowledgeBase(t, n);
  }
  Result<std::vector<store::KnowledgeBase>> ListKnowledgeBases(int64_t t) override {
    return inner_.ListKnowledgeBases(t);
  }
  Result<store::Document> CreateDocument(const store::NewDocument& d) override { return inner_.CreateDocument(d); }
  Result<std::optional<store::Document>> FindDocument(int64_t t, int64_t kb, const std::string& name) override {
    return inner_.FindDocument(t, kb, name);
  }
  Result<store::KnowledgeTotals> Totals(int64_t t) override { return inner_.Totals(t); }
  Result<store::Document> GetDocument(int64_t t, int64_t d) override { return inner_.GetDocument(t, d); }
  Result<store::Page<store::Document>> ListDocuments(int64_t t, const std::optional<std::string>& c, int l) override {
    return inner_.ListDocuments(t, c, l);
  }
  Result<void> DeleteDocument(int64_t t, int64_t d) override { return inner_.DeleteDocument(t, d); }
  Result<int> RequeueDocuments(int64_t kb) override { return inner_.RequeueDocuments(kb); }
  Result<std::optional<store::DocumentJob>> ClaimDocumentJob(int64_t now, int64_t lease,
                                                             const std::vector<int64_t>& skipped,
                                                             int max_per_tenant) override {
    auto job = inner_.ClaimDocumentJob(now, lease, skipped, max_per_tenant);
    std::lock_guard lock(mutex);
    if (job && job->has_value()) ++claimed;
    changed_.notify_all();
    return job;
  }
  Result<std::optional<int64_t>> NextDocumentJobAt() override { return inner_.NextDocumentJobAt(); }
  Result<void> SetDocumentProgress(const store::DocumentJob& j, double p, int64_t until) override {
    auto result = inner_.SetDocumentProgress(j, p, until);
    std::lock_guard lock(mutex);
    renewals.push_back(until);
    changed_.notify_all();
    return result;
  }
  Result<void> CompleteDocumentJob(const store::DocumentJob& j, const std::string& e,
                                   const std::vector<store::NewChunk>& c, const std::vector<store::NewFaq>& f,
                                   const std::string& content, const std::string& note) override {
    return inner_.CompleteDocumentJob(j, e, c, f, content, note);
  }
  Result<void> FailDocumentJob(const store::DocumentJob& j, const std::string& e, std::optional<int64_t> r) override {
    return inner_.FailDocumentJob(j, e, r);
  }
  Result<std::vector<store::ChunkRecord>> GetChunks(int64_t t, const std::vector<int64_t>& ids) override {
    return inner_.GetChunks(t, ids);
  }
  Result<store::FaqEntry> CreateFaq(int64_t t, const store::NewFaq& f) override { return inner_.CreateFaq(t, f); }
  Result<store::FaqEntry> UpdateFaq(int64_t t, int64_t id, const store::NewFaq& f) override {
    return inner_.UpdateFaq(t, id, f);
  }
  Result<void> DeleteFaq(int64_t t, int64_t id) override { return inner_.DeleteFaq(t, id); }
  Result<store::FaqEntry> GetFaq(int64_t t, int64_t id) override { return inner_.GetFaq(t, id); }
  Result<store::Page<store::FaqEntry>> ListFaqs(int64_t t, const std::optional<std::string>& c, int l) override {
    return inner_.ListFaqs(t, c, l);
  }
  Result<std::optional<store::FaqEntry>> FindFaqByKey(int64_t t, const std::string& k) override {
    return inner_.FindFaqByKey(t, k);
  }
  Result<int64_t> FaqRevision(int64_t t) override { return inner_.FaqRevision(t); }
  Result<store::FaqSnapshot> LoadFaqs(int64_t t) override { return inner_.LoadFaqs(t); }
  Result<std::optional<std::string>> GetAiSettings(int64_t t) override { return inner_.GetAiSettings(t); }
  Result<void> PutAiSettings(int64_t t, const std::string& s) override { return inner_.PutAiSettings(t, s); }

 private:
  store::KnowledgeStore& inner_;
  std::condition_variable changed_;
};

}  // namespace parley::knowledge::fixture
