#include "knowledge/vector_index.h"

#include "core/crypto.h"
#include "core/log.h"
#include "knowledge/dot.h"

#include <hnswlib/hnswlib.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace parley::knowledge {
namespace {

// hnswlib's inner-product space, with the distance computed by Dot() where the CPU has AVX2 and FMA: hnswlib 0.6
// picks its SIMD kernels at compile time, and Debian builds it for the x86-64 baseline (SSE), where the distance
// was 60 % of the index build's time. Elsewhere hnswlib's own kernels serve.
class InnerProductSpace final : public hnswlib::SpaceInterface<float> {
 public:
  explicit InnerProductSpace(size_t dimensions) : fallback_(dimensions), dimensions_(dimensions) {}

  size_t get_data_size() override { return fallback_.get_data_size(); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return DotUsesAvx2() ? &Distance : fallback_.get_dist_func(); }
  void* get_dist_func_param() override { return &dimensions_; }

 private:
  static float Distance(const void* a, const void* b, const void* dimensions) {
    return 1.0f - BestDot()(static_cast<const float*>(a), static_cast<const float*>(b),
                            *static_cast<const size_t*>(dimensions));
  }

  hnswlib::InnerProductSpace fallback_;
  size_t dimensions_;
};

}  // namespace

struct VectorIndex::Impl {
  Impl(int dimensions, const HnswOptions& options, size_t capacity)
      : space(static_cast<size_t>(dimensions)),
        graph(std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, std::max<size_t>(capacity, 16),
                                                                static_cast<size_t>(options.m),
                                                                static_cast<size_t>(options.ef_construction))),
        ef_search(options.ef_search) {
    graph->setEf(static_cast<size_t>(ef_search));
  }
  explicit Impl(int dimensions, int ef) : space(static_cast<size_t>(dimensions)), ef_search(ef) {}

  InnerProductSpace space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  size_t live = 0;
  int ef_search;
};

VectorIndex::VectorIndex(int dimensions, const HnswOptions& options, size_t capacity)
    : dimensions_(dimensions), impl_(std::make_unique<Impl>(dimensions, options, capacity)) {}

VectorIndex::VectorIndex(int dimensions, std::unique_ptr<Impl> impl)
    : dimensions_(dimensions), impl_(std::move(impl)) {}

VectorIndex::~VectorIndex() = default;

void VectorIndex::Add(int64_t id, const float* vector) {
  auto& graph = *impl_->graph;
  auto label = static_cast<hnswlib::labeltype>(id);
  bool known = graph.label_lookup_.count(label) > 0;
  bool was_deleted = known && graph.isMarkedDeleted(graph.label_lookup_.at(label));
  if (!known && graph.cur_element_count >= graph.max_elements_) graph.resizeIndex(graph.max_elements_ * 2);
  // hnswlib replaces the vector of a known label and revives it if it was marked deleted.
  graph.addPoint(vector, label);
  if (!known || was_deleted) ++impl_->live;
}

void VectorIndex::AddBatch(const std::vector<std::pair<int64_t, const float*>>& items, int threads) {
  auto& graph = *impl_->graph;
  size_t unknown = 0;
  size_t revived = 0;
  for (const auto& [id, vector] : items) {
    auto found = graph.label_lookup_.find(static_cast<hnswlib::labeltype>(id));
    if (found == graph.label_lookup_.end()) {
      ++unknown;
    } else if (graph.isMarkedDeleted(found->second)) {
      ++revived;
    }
  }
  if (graph.cur_element_count + unknown > graph.max_elements_) {
    graph.resizeIndex(std::max(graph.max_elements_ * 2, graph.cur_element_count + unknown));
  }
  // An insertion searches the graph (tens of microseconds in a small one, milliseconds at 100,000 vectors), and a
  // thread costs about as much as one: a document's hundred-odd chunks are worth both cores (the ingestor
  // refreshes after each document, and the second core otherwise sat idle then).
  constexpr size_t kPerThread = 16;
  threads =
      static_cast<int>(std::clamp<size_t>(items.size() / kPerThread, 1, static_cast<size_t>(std::max(threads, 1))));
  std::atomic<size_t> next{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto insert = [&] {
    try {
      for (size_t i; (i = next++) < items.size();) {
        graph.addPoint(items[i].second, static_cast<hnswlib::labeltype>(items[i].first));
      }
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = items.size();
    }
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < threads; ++t) helpers.emplace_back(insert);
  insert();
  for (auto& helper : helpers) helper.join();
  impl_->live += unknown + revived;
  if (failure) std::rethrow_exception(failure);
}

void VectorIndex::Remove(int64_t id) {
  auto& graph = *impl_->graph;
  auto found = graph.label_lookup_.find(static_cast<hnswlib::labeltype>(id));
  if (found == graph.label_lookup_.end() || graph.isMarkedDeleted(found->second)) return;
  graph.markDelete(found->first);
  --impl_->live;
}

std::vector<VectorHit> VectorIndex::Search(const float* query, int k) const {
  std::vector<VectorHit> hits;
  if (k <= 0 || impl_->live == 0) return hits;
  // ef belongs to the graph, shared by concurrent searches, so it is set once and k is held under it.
  k = std::min(k, impl_->ef_search);
  auto results = impl_->graph->searchKnn(query, static_cast<size_t>(k));
  hits.resize(results.size());
  // The queue pops the farthest first; inner-product distance is 1 - similarity.
  for (size_t i = results.size(); i-- > 0;) {
    hits[i] = {static_cast<int64_t>(results.top().second), 1.0f - results.top().first};
    results.pop();
  }
  return hits;
}

std::vector<VectorHit> VectorIndex::Similarities(const float* query, const std::vector<int64_t>& ids) const {
  const auto& graph = *impl_->graph;
  std::vector<VectorHit> hits;
  for (int64_t id : ids) {
    auto found = graph.label_lookup_.find(static_cast<hnswlib::labeltype>(id));
    if (found == graph.label_lookup_.end() || graph.isMarkedDeleted(found->second)) continue;
    const auto* vector = reinterpret_cast<const float*>(graph.getDataByInternalId(found->second));
    hits.push_back({id, BestDot()(query, vector, static_cast<size_t>(dimensions_))});
  }
  return hits;
}

size_t VectorIndex::size() const { return impl_->live; }

Result<void> VectorIndex::Save(const std::string& path) const {
  std::string temporary = TemporaryPathFor(path);
  try {
    impl_->graph->saveIndex(temporary);
  } catch (const std::exception& e) {
    return Error::Unavailable("cannot write the vector index", e.what());
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) return Error::Unavailable("cannot write the vector index", error.message());
  return Ok();
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::Load(const std::string& path, int dimensions,
                                                       const HnswOptions& options) {
  auto impl = std::make_unique<Impl>(dimensions, options.ef_search);
  try {
    impl->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(&impl->space, path);
    impl->graph->setEf(static_cast<size_t>(options.ef_search));
  } catch (const std::exception& e) {
    return Error::Unavailable("cannot read the vector index", e.what());
  }
  // loadIndex takes data_size_ from the space it is given, not from the file: the file's vector size is the gap
  // between the vector and the label in each element.
  if (impl->graph->label_offset_ - impl->graph->offsetData_ != impl->space.get_data_size()) {
    return Error::Unavailable("the vector index has other dimensions");
  }
  size_t live = 0;
  for (const auto& [label, internal] : impl->graph->label_lookup_) {
    if (!impl->graph->isMarkedDeleted(internal)) ++live;
  }
  impl->live = live;
  // hnswlib 0.6.2's loading constructor adds the deleted elements to an uninitialized num_deleted_, on which every
  // search branches (were it to come out 0, deleted elements would be returned): set it from the marks just read.
  impl->graph->num_deleted_ = impl->graph->cur_element_count - live;
  return std::unique_ptr<VectorIndex>(new VectorIndex(dimensions, std::move(impl)));
}

namespace {

constexpr int kCatchUpPage = 4096;

// A file name for an embedder id that may hold any character ("openai:text-embedding-3-small").
std::string FileSafe(const std::string& text) {
  std::string safe;
  for (char c : text) safe += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  return safe + "-" + crypto::Sha256Hex(text).substr(0, 8);
}

}  // namespace

VectorCatalog::VectorCatalog(store::KnowledgeStore& store, std::string directory, HnswOptions options)
    : store_(store), directory_(std::move(directory)), options_(options) {
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::create_directories(directory_, ignored);
  }
}

std::string VectorCatalog::PathFor(const Key& key) const {
  return directory_ + "/kb" + std::to_string(key.first) + "-" + FileSafe(key.second) + ".hnsw";
}

void VectorCatalog::LoadFromDisk(const Key& key, Entries::Entry& entry, int dimensions) {
  entry.index = std::make_unique<VectorIndex>(dimensions, options_);
  if (directory_.empty()) return;
  std::string path = PathFor(key);
  std::ifstream meta_file(path + ".meta");
  if (!meta_file) return;
  std::stringstream meta_text;
  meta_text << meta_file.rdbuf();
  boost::system::error_code parse_error;
  auto meta = boost::json::parse(meta_text.str(), parse_error);
  if (parse_error || !meta.is_object()) return;
  const auto& fields = meta.as_object();
  auto* dims = fields.if_contains("dimensions");
  auto* after = fields.if_contains("after_chunk_id");
  auto* seq = fields.if_contains("after_deletion_seq");
  if (!dims || !after || !seq || !dims->is_int64() || !after->is_int64() || !seq->is_int64() ||
      dims->as_int64() != dimensions) {
    return;
  }
  auto loaded = VectorIndex::Load(path, dimensions, options_);
  if (!loaded) {
    log::Warn("vector_index_rebuild", {{"knowledge_base_id", key.first}, {"reason", loaded.error().detail}});
    return;
  }
  entry.index = std::move(*loaded);
  entry.position = {after->as_int64(), seq->as_int64()};
}

Result<void> VectorCatalog::CatchUp(const Key& key, Entries::Entry& entry, int dimensions) {
  {
    std::unique_lock lock(entry.mutex);
    if (!entry.index) LoadFromDisk(key, entry, dimensions);
    if (entry.index->dimensions() != dimensions) {
      return Error::InvalidArgument("query dimensions differ from the index's");
    }
  }
  auto read = [&](int64_t after, int limit) { return store_.ChunkVectorsAfter(key.first, key.second, after, limit); };
  auto add = [dimensions](VectorIndex& index, std::span<const store::ChunkVector> chunks) -> Result<void> {
    std::vector<std::pair<int64_t, const float*>> batch;
    for (const auto& chunk : chunks) {
      if (static_cast<int>(chunk.embedding.size()) != dimensions) {
        return Error::Internal("stored embedding of chunk " + std::to_string(chunk.chunk_id) + " has " +
                               std::to_string(chunk.embedding.size()) + " dimensions");
      }
      batch.emplace_back(chunk.chunk_id, chunk.embedding.data());
    }
    // Every core: a rebuild after start-up (no index file) or a re-embedding inserts every chunk again, which
    // took 55 minutes for a million chunks on both cores of a shared 2-vCPU machine (docs/benchmarks.md).
    index.AddBatch(batch, static_cast<int>(std::thread::hardware_concurrency()));
    return Ok();
  };
  return CatchUpWithStore(store_, key.first, entry, kCatchUpPage, read, add);
}

Result<std::vector<VectorHit>> VectorCatalog::Search(int64_t knowledge_base_id, const std::string& embedder_id,
                                                     const std::vector<float>& query, int k) {
  Key key{knowledge_base_id, embedder_id};
  auto& entry = entries_.For(key);
  auto caught_up = CatchUp(key, entry, static_cast<int>(query.size()));
  if (!caught_up) return caught_up.error();
  std::shared_lock lock(entry.mutex);
  return entry.index->Search(query.data(), k);
}

Result<std::vector<VectorHit>> VectorCatalog::Similarities(int64_t knowledge_base_id, const std::string& embedder_id,
                                                           const std::vector<float>& query,
                                                           const std::vector<int64_t>& chunk_ids) {
  auto& entry = entries_.For({knowledge_base_id, embedder_id});
  std::shared_lock lock(entry.mutex);
  if (!entry.index) return std::vector<VectorHit>{};
  if (entry.index->dimensions() != static_cast<int>(query.size())) {
    return Error::InvalidArgument("query dimensions differ from the index's");
  }
  return entry.index->Similarities(query.data(), chunk_ids);
}

Result<void> VectorCatalog::Refresh(int64_t knowledge_base_id, const std::string& embedder_id, int dimensions) {
  Key key{knowledge_base_id, embedder_id};
  return CatchUp(key, entries_.For(key), dimensions);
}

Result<void> VectorCatalog::SaveLocked(const Key& key, Entries::Entry& entry) {
  std::string path = PathFor(key);
  auto saved = entry.index->Save(path);
  if (!saved) return saved;
  boost::json::object meta{{"dimensions", entry.index->dimensions()},
                           {"after_chunk_id", entry.position.after_chunk_id},
                           {"after_deletion_seq", entry.position.after_deletion_seq}};
  std::string temporary = TemporaryPathFor(path + ".meta");
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << boost::json::serialize(meta);
    if (!out) return Error::Unavailable("cannot write the vector index");
  }
  std::error_code error;
  std::filesystem::rename(temporary, path + ".meta", error);
  if (error) return Error::Unavailable("cannot write the vector index", error.message());
  return Ok();
}

Result<void> VectorCatalog::Flush() {
  if (directory_.empty()) return Ok();
  return entries_.SaveChanged([this](const Key& key, Entries::Entry& entry) { return SaveLocked(key, entry); });
}

}  // namespace parley::knowledge
