#pragma once
// Approximate nearest-neighbour search over one knowledge base's chunk embeddings (hnswlib's HNSW graph, inner
// product on L2-normalized vectors, i.e. cosine similarity), and the catalog that keeps one index per
// (knowledge base, embedder) in memory and on disk. The graph navigates on int8 copies of the vectors (a quarter
// of the memory traffic); what a search returns is ranked and scored on the floats, kept beside it.
//
// The graph fails short questions: a question of a few words lies far from every chunk, and the graph's search
// does not reach its nearest ones (recall@10 0.40 at a million chunks, docs/benchmarks.md). Such questions have
// few non-zero components with the built-in embedder, so the linked vectors are also kept, 4 bits per component,
// in columns (component_columns.h), and those questions read their largest components' columns instead: recall@10
// 0.97 in a few milliseconds at a million chunks.
//
// Linking a vector into the graph costs milliseconds of CPU once it holds 100,000 (an insertion searches it with
// ef_construction), far more than storing and embedding its chunk. So new vectors first go into the index's
// unindexed tail, which searches scan exactly, and the catalog's indexer thread links them into the graph in
// short slices: a document is searchable as soon as it is stored, ingestion is not held to the graph's build
// rate, and a search never waits for more than one slice of insertions (as Qdrant searches its segments that
// are not indexed yet by a full scan).
//
// The store is the source of truth: each index remembers the last chunk id and the last deletion it applied and
// catches up from the store before answering, so chunks written by another process (`parley kb add` beside a
// running server) are found too. The files under <data dir>/indexes are a cache that spares a rebuild at
// start-up; a missing, stale or corrupt file is rebuilt from the store.

#include "core/error.h"
#include "knowledge/index_catalog.h"
#include "knowledge/search_threads.h"
#include "store/knowledge_store.h"

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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
  // A question with few non-zero components (at most a quarter of the dimensions, as the built-in embedder's
  // short questions have) is answered from the index's component columns instead of the graph: it reads its
  // `scan_components` largest components of every linked vector and re-ranks the best `scan_rerank` on the floats
  // (component_columns.h). 0 sends every question to the graph.
  int scan_components = 32;
  int scan_rerank = 1000;
};

// One HNSW graph, the same vectors in component columns, and the unindexed tail. Not thread-safe by itself: the
// catalog guards it with a shared mutex.
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
  // Holds the vector for `id` in the unindexed tail, where searches find it at once (exactly), until IndexStaged
  // links it into the graph; replaces the vector the index held for `id`.
  void Stage(int64_t id, const float* vector);
  // Links up to `limit` of the oldest staged vectors into the graph, on up to `threads` threads; returns how many.
  size_t IndexStaged(size_t limit, int threads);
  size_t staged() const;  //!< Vectors in the unindexed tail.
  // The lowest id in the tail (ids are staged in increasing order), or none.
  std::optional<int64_t> first_staged() const;
  // Removes `id` from results; unknown ids are ignored.
  void Remove(int64_t id);
  // The `k` nearest live vectors, most similar first (the graph's or the component columns' approximate ones, and
  // the tail's exact ones); k is capped at HnswOptions::ef_search. A scan of the columns is split with `threads`'
  // helpers when given.
  std::vector<VectorHit> Search(const float* query, int k, SearchThreads* threads = nullptr) const;
  // The exact similarity of `query` to each live vector among `ids`, in the order given; others are left out.
  std::vector<VectorHit> Similarities(const float* query, const std::vector<int64_t>& ids) const;

  size_t size() const;  //!< Live vectors, tail included.
  int dimensions() const { return dimensions_; }

  // Writes the graph to `path` and its floats to `path`.f32 (each through a temporary file and a rename, so
  // readers never see half a file); the tail is not saved (the catalog reads it from the store again).
  Result<void> Save(const std::string& path) const;
  // Reads a graph written by Save; kUnavailable when missing or unreadable.
  static Result<std::unique_ptr<VectorIndex>> Load(const std::string& path, int dimensions, const HnswOptions& options);

 private:
  struct Impl;
  VectorIndex(int dimensions, std::unique_ptr<Impl> impl);
  void RemoveFromGraph(int64_t id);
  void RemoveFromTail(int64_t id);
  int dimensions_;
  std::unique_ptr<Impl> impl_;
};

// The in-memory indexes of every knowledge base, kept in step with the store, and the indexer thread that links
// their tails into their graphs. Thread-safe.
class VectorCatalog {
 public:
  // `directory` is where index files live (created if missing); empty keeps indexes in memory only. Scans of
  // component columns are split with `threads`' helpers when given, else run on the searching thread alone.
  VectorCatalog(store::KnowledgeStore& store, std::string directory, HnswOptions options = {},
                SearchThreads* threads = nullptr);
  ~VectorCatalog();  //!< Stops the indexer between two slices; what it had not linked is read again next time.
  VectorCatalog(const VectorCatalog&) = delete;
  VectorCatalog& operator=(const VectorCatalog&) = delete;

  // The `k` chunks of knowledge base `knowledge_base_id` nearest to `query` among those embedded by
  // `embedder_id`, after catching up with the store. Blocks (store reads): call from the blocking pool.
  Result<std::vector<VectorHit>> Search(int64_t knowledge_base_id, const std::string& embedder_id,
                                        const std::vector<float>& query, int k);
  // The exact similarity of `query` to each of `chunk_ids` in that index as of its last catch-up (call after
  // Search), in the order given; chunks it does not hold (another knowledge base's, removed ones) are left out.
  Result<std::vector<VectorHit>> Similarities(int64_t knowledge_base_id, const std::string& embedder_id,
                                              const std::vector<float>& query, const std::vector<int64_t>& chunk_ids);
  // Catches the index up with the store without searching (after an ingestion, so that the next question does
  // not read the new chunks itself). New vectors are searchable at once; the indexer links them into the graph.
  Result<void> Refresh(int64_t knowledge_base_id, const std::string& embedder_id, int dimensions);
  // Vectors read from the store but not linked into their graph yet, in every index: each search of an index scans
  // its own exactly. Waits for the slice being linked: call from the blocking pool.
  size_t Unlinked();
  // The same, per knowledge base (all its embedders together), for those with any.
  std::map<int64_t, size_t> UnlinkedByKnowledgeBase();
  // Blocks until every vector read so far is linked into its graph (before a CLI process exits, so that its saved
  // files are complete, and in benchmarks timing a build); kUnavailable if the indexer fails meanwhile (out of
  // memory), the unlinked vectors still searchable.
  Result<void> WaitIndexed();
  // Writes every index changed since its last save: the graph, and the store position up to which it is complete
  // (the tail is read from the store again when the file is loaded). Searches go on meanwhile. Blocks.
  Result<void> Flush();

 private:
  using Key = std::pair<int64_t, std::string>;
  using Entries = IndexEntries<Key, VectorIndex>;

  Result<void> CatchUp(const Key& key, Entries::Entry& entry, int dimensions);
  std::string PathFor(const Key& key) const;
  void LoadFromDisk(const Key& key, Entries::Entry& entry, int dimensions);
  Result<void> SaveLocked(const Key& key, const Entries::Entry& entry);
  void IndexerLoop();
  // Links one slice of `entry`'s tail into its graph; false when the tail was empty or linking failed.
  bool IndexSlice(Entries::Entry& entry);

  store::KnowledgeStore& store_;
  std::string directory_;
  HnswOptions options_;
  Entries entries_;

  std::mutex indexer_mutex_;
  std::condition_variable indexer_wake_;  // Vectors were staged, or stopping_.
  std::condition_variable indexed_;       // A tail was emptied.
  uint64_t staged_signals_ = 0;           // GUARDED_BY(indexer_mutex_)
  bool stopping_ = false;                 // GUARDED_BY(indexer_mutex_)
  std::string linking_failure_;           // GUARDED_BY(indexer_mutex_): the indexer's last failure.
  // Wall time per vector linked in each index (it grows with the graph), which sizes its slices. Indexer thread only.
  std::map<const Entries::Entry*, double> seconds_per_link_;
  SearchThreads* threads_;
  std::thread indexer_;
};

}  // namespace parley::knowledge
