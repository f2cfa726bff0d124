#pragma once
// Approximate nearest-neighbour search over one knowledge base's chunk embeddings (hnswlib's HNSW graph, inner
// product on L2-normalized vectors, i.e. cosine similarity), and the catalog that keeps one index per
// (knowledge base, embedder) in memory and on disk.
//
// The store is the source of truth: each index remembers the last chunk id and the last deletion it applied and
// catches up from the store before answering, so chunks written by another process (`parley kb add` beside a
// running server) are found too. The files under <data dir>/indexes are a cache that spares a rebuild at
// start-up; a missing, stale or corrupt file is rebuilt from the store.

#include "core/error.h"
#include "knowledge/index_catalog.h"
#include "store/knowledge_store.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace parley::knowledge {

struct VectorHit {
  int64_t chunk_id = 0;
  float similarity = 0;  //!< Cosine similarity, -1..1.
};

struct HnswOptions {
  int m = 16;                 //!< Graph degree: recall and memory grow with it.
  int ef_construction = 200;  //!< Build-time beam width.
  int ef_search = 96;         //!< Query-time beam width (raised to k when smaller).
};

// One HNSW graph. Not thread-safe by itself: the catalog guards it with a shared mutex.
class VectorIndex {
 public:
  VectorIndex(int dimensions, const HnswOptions& options, size_t capacity = 1024);
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  // Adds or replaces the vector for `id`, growing the graph as needed. `vector` has `dimensions()` floats.
  void Add(int64_t id, const float* vector);
  // Adds or replaces many vectors (distinct ids), on up to `threads` threads: hnswlib locks the nodes it links,
  // so insertions run in parallel once the graph has room for all of them (growing it is not thread-safe). The
  // graph then depends on thread timing, its quality does not.
  void AddBatch(const std::vector<std::pair<int64_t, const float*>>& items, int threads);
  // Removes `id` from results; unknown ids are ignored.
  void Remove(int64_t id);
  // The `k` nearest live vectors, most similar first; k is capped at HnswOptions::ef_search.
  std::vector<VectorHit> Search(const float* query, int k) const;
  // The exact similarity of `query` to each live vector among `ids`, in the order given; others are left out.
  std::vector<VectorHit> Similarities(const float* query, const std::vector<int64_t>& ids) const;

  size_t size() const;  //!< Live vectors.
  int dimensions() const { return dimensions_; }

  // Writes the graph to `path` (through a temporary file and a rename, so readers never see half a file).
  Result<void> Save(const std::string& path) const;
  // Reads a graph written by Save; kUnavailable when missing or unreadable.
  static Result<std::unique_ptr<VectorIndex>> Load(const std::string& path, int dimensions, const HnswOptions& options);

 private:
  struct Impl;
  VectorIndex(int dimensions, std::unique_ptr<Impl> impl);
  int dimensions_;
  std::unique_ptr<Impl> impl_;
};

// The in-memory indexes of every knowledge base, kept in step with the store. Thread-safe.
class VectorCatalog {
 public:
  // `directory` is where index files live (created if missing); empty keeps indexes in memory only.
  VectorCatalog(store::KnowledgeStore& store, std::string directory, HnswOptions options = {});

  // The `k` chunks of knowledge base `knowledge_base_id` nearest to `query` among those embedded by
  // `embedder_id`, after catching up with the store. Blocks (store reads): call from the blocking pool.
  Result<std::vector<VectorHit>> Search(int64_t knowledge_base_id, const std::string& embedder_id,
                                        const std::vector<float>& query, int k);
  // The exact similarity of `query` to each of `chunk_ids` in that index as of its last catch-up (call after
  // Search), in the order given; chunks it does not hold (another knowledge base's, removed ones) are left out.
  Result<std::vector<VectorHit>> Similarities(int64_t knowledge_base_id, const std::string& embedder_id,
                                              const std::vector<float>& query, const std::vector<int64_t>& chunk_ids);
  // Catches the index up with the store without searching (after an ingestion, to keep queries fast).
  Result<void> Refresh(int64_t knowledge_base_id, const std::string& embedder_id, int dimensions);
  // Writes every index changed since its last save. Blocks.
  Result<void> Flush();

 private:
  using Key = std::pair<int64_t, std::string>;
  using Entries = IndexEntries<Key, VectorIndex>;

  Result<void> CatchUp(const Key& key, Entries::Entry& entry, int dimensions);
  std::string PathFor(const Key& key) const;
  void LoadFromDisk(const Key& key, Entries::Entry& entry, int dimensions);
  Result<void> SaveLocked(const Key& key, Entries::Entry& entry);

  store::KnowledgeStore& store_;
  std::string directory_;
  HnswOptions options_;
  Entries entries_;
};

}  // namespace parley::knowledge
