#include "knowledge/vector_index.h"

#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "knowledge/component_columns.h"
#include "knowledge/dot.h"

#include <hnswlib/hnswlib.h>

#include <boost/json/parse.hpp>

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <new>
#include <sstream>
#include <thread>
#include <unordered_map>

namespace parley::knowledge {
namespace {

// The graph's elements: each embedding quantized to int8 with a scale of its own (4 + dimensions bytes, a quarter
// of its floats), the distance 1 - the inner product computed from them. Linking a vector computes about 18,000
// distances, each reading another element from memory, so the build moves a quarter of the bytes it did on floats.
// The floats stay beside the graph: they re-rank the search's beam and answer Similarities exactly.
class QuantizedSpace final : public hnswlib::SpaceInterface<float> {
 public:
  explicit QuantizedSpace(size_t dimensions) : dimensions_(dimensions) {}

  size_t get_data_size() override { return sizeof(float) + dimensions_; }
  hnswlib::DISTFUNC<float> get_dist_func() override { return &Distance; }
  void* get_dist_func_param() override { return &dimensions_; }

  // `vector` in the element layout, into `out` (get_data_size() bytes): the scale, then the components / scale.
  void Quantize(const float* vector, char* out) const {
    float largest = 0;
    for (size_t i = 0; i < dimensions_; ++i) largest = std::max(largest, std::fabs(vector[i]));
    float scale = largest / 127.0f;
    std::memcpy(out, &scale, sizeof scale);
    auto* components = reinterpret_cast<int8_t*>(out + sizeof scale);
    for (size_t i = 0; i < dimensions_; ++i) {
      components[i] = scale == 0 ? int8_t{0} : static_cast<int8_t>(std::lrint(vector[i] / scale));
    }
  }

 private:
  static float Distance(const void* a, const void* b, const void* dimensions) {
    float scale_a = 0;
    float scale_b = 0;
    std::memcpy(&scale_a, a, sizeof scale_a);
    std::memcpy(&scale_b, b, sizeof scale_b);
    int32_t dot = BestDotI8()(static_cast<const int8_t*>(a) + sizeof(float),
                              static_cast<const int8_t*>(b) + sizeof(float), *static_cast<const size_t*>(dimensions));
    return 1.0f - scale_a * scale_b * static_cast<float>(dot);
  }

  size_t dimensions_;
};

}  // namespace

// Floats in memory mapped for them alone, so that freeing them gives the memory back to the system at once. The
// allocator keeps pages of a megabyte or two in its arenas once it has freed one such, and the tail's pages,
// freed by one thread, would not be reused by the graph's, allocated by another: a rebuild would hold its
// vectors twice after all.
struct Unmap {
  size_t bytes;
  void operator()(float* floats) const { ::munmap(floats, bytes); }
};
using MappedFloats = std::unique_ptr<float[], Unmap>;

// `count` floats, left as the system gives them (zero pages that cost no memory until written).
MappedFloats MapFloats(size_t count) {
  size_t bytes = count * sizeof(float);
  void* mapped = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  return MappedFloats(static_cast<float*>(mapped), Unmap{bytes});
}

// Vectors of `dimensions` floats by index, in pages of 1,024 mapped as they are needed: growing copies nothing, so
// there is never a second copy of them, room that is not written yet costs no memory, and the pages before an
// index can be given back.
class FloatPages {
 public:
  static constexpr size_t kPageVectors = 1024;

  explicit FloatPages(size_t dimensions) : dimensions_(dimensions) {}

  size_t dimensions() const { return dimensions_; }
  // Room for the vectors up to index `count` - 1. Not thread-safe; At is, on vectors that have room.
  void Fit(size_t count) {
    while (first_ + pages_.size() * kPageVectors < count) pages_.push_back(MapFloats(kPageVectors * dimensions_));
  }
  float* At(size_t index) const {
    index -= first_;
    return pages_[index / kPageVectors].get() + index % kPageVectors * dimensions_;
  }
  // Unmaps the pages that hold only vectors before `index`: those are gone.
  void DropBefore(size_t index) {
    while (first_ + kPageVectors <= index) {
      pages_.pop_front();
      first_ += kPageVectors;
    }
  }
  // Calls `io(floats, count)` on the first `count` vectors' floats (none dropped), a page's worth at a time; stops
  // when it returns false.
  template <typename Io>
  bool Spans(size_t count, Io io) const {
    for (size_t first = 0; first < count; first += kPageVectors) {
      if (!io(At(first), std::min(kPageVectors, count - first) * dimensions_)) return false;
    }
    return true;
  }

 private:
  size_t dimensions_;
  std::deque<MappedFloats> pages_;
  size_t first_ = 0;  // The index of the first vector of pages_.front().
};

struct VectorIndex::Impl {
  Impl(int dimensions, const HnswOptions& options, size_t capacity)
      : space(static_cast<size_t>(dimensions)),
        dimensions(static_cast<size_t>(dimensions)),
        graph(std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, std::max<size_t>(capacity, 16),
                                                                static_cast<size_t>(options.m),
                                                                static_cast<size_t>(options.ef_construction))),
        exact(static_cast<size_t>(dimensions)),
        columns(static_cast<size_t>(dimensions)),
        tail(static_cast<size_t>(dimensions)),
        options(options) {
    graph->setEf(static_cast<size_t>(options.ef_search));
    FitExact();
  }
  explicit Impl(int dimensions, const HnswOptions& options)
      : space(static_cast<size_t>(dimensions)),
        dimensions(static_cast<size_t>(dimensions)),
        exact(static_cast<size_t>(dimensions)),
        columns(static_cast<size_t>(dimensions)),
        tail(static_cast<size_t>(dimensions)),
        options(options) {}

  // The vectors not linked into the graph yet, in slots numbered as they are staged, from front() to end(). The
  // floats' pages are given back once front() has passed them, so the tail's memory follows its size while the
  // graph's floats fill: a rebuild holds each vector once, not twice. A removed vector keeps its slot, with the id
  // kRemoved, until front() passes it.
  class Tail {
   public:
    static constexpr int64_t kRemoved = -1;

    explicit Tail(size_t dimensions) : vectors_(dimensions) {}

    size_t front() const { return front_; }
    size_t end() const { return front_ + ids_.size(); }
    size_t live() const { return slots_.size(); }
    int64_t IdAt(size_t slot) const { return ids_[slot - front_]; }
    const float* At(size_t slot) const { return vectors_.At(slot); }
    const float* Find(int64_t id) const {
      auto found = slots_.find(id);
      return found == slots_.end() ? nullptr : At(found->second);
    }

    // Holds `vector` for `id`, in its slot if it has one; false when it had none (a new slot at the end).
    bool Put(int64_t id, const float* vector) {
      auto [slot, added] = slots_.try_emplace(id, end());
      if (added) {
        vectors_.Fit(slot->second + 1);
        ids_.push_back(id);
      }
      std::copy(vector, vector + vectors_.dimensions(), vectors_.At(slot->second));
      return !added;
    }

    void Remove(int64_t id) {
      auto found = slots_.find(id);
      if (found == slots_.end()) return;
      ids_[found->second - front_] = kRemoved;
      slots_.erase(found);
    }

    // The slots before `slot` were linked (their ids given) or removed: forgets them and gives back their pages.
    void Consume(size_t slot, const std::vector<std::pair<int64_t, const float*>>& linked) {
      for (const auto& item : linked) slots_.erase(item.first);
      if (slots_.empty()) {
        *this = Tail(vectors_.dimensions());
        return;
      }
      ids_.erase(ids_.begin(), ids_.begin() + static_cast<long>(slot - front_));
      front_ = slot;
      vectors_.DropBefore(front_);
    }

   private:
    FloatPages vectors_;       // By slot.
    std::deque<int64_t> ids_;  // Of the slots from front_ on.
    size_t front_ = 0;
    std::unordered_map<int64_t, size_t> slots_;  // Live ids only.
  };

  // The element for `vector`, in the graph's layout.
  std::vector<char> Element(const float* vector) {
    std::vector<char> element(space.get_data_size());
    space.Quantize(vector, element.data());
    return element;
  }
  // Room in `exact` for every element the graph can hold (call after growing it, before inserting).
  void FitExact() { exact.Fit(graph->max_elements_); }
  const float* ExactOf(hnswlib::tableint internal) const { return exact.At(internal); }
  // Links `vector` as `label` and keeps its floats; safe on several threads once FitExact made room. The columns
  // are not (two rows share a byte): call Column on the element afterwards.
  hnswlib::tableint Link(int64_t label, const float* vector) {
    std::vector<char> element = Element(vector);
    hnswlib::tableint internal = graph->addPoint(element.data(), static_cast<hnswlib::labeltype>(label), -1);
    std::copy(vector, vector + dimensions, exact.At(internal));
    return internal;
  }
  void Column(hnswlib::tableint internal) { columns.Set(internal, exact.At(internal)); }

  // The question prepared for the component columns when it has few enough non-zero components, else none.
  std::optional<ComponentColumns::Question> SparseQuestion(const float* query) const {
    if (options.scan_components <= 0) return std::nullopt;
    size_t nonzero = 0;
    for (size_t d = 0; d < dimensions; ++d) nonzero += query[d] != 0 ? 1 : 0;
    if (nonzero == 0 || nonzero * 4 > dimensions) return std::nullopt;
    return ComponentColumns::Question(query, dimensions, static_cast<size_t>(options.scan_components));
  }

  QuantizedSpace space;
  size_t dimensions;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  FloatPages exact;          // Each element's floats, by hnswlib's internal id.
  ComponentColumns columns;  // Each live element's, by hnswlib's internal id.
  size_t live = 0;           // In the graph.
  Tail tail;
  HnswOptions options;
};

VectorIndex::VectorIndex(int dimensions, const HnswOptions& options, size_t capacity)
    : dimensions_(dimensions), impl_(std::make_unique<Impl>(dimensions, options, capacity)) {}

VectorIndex::VectorIndex(int dimensions, std::unique_ptr<Impl> impl)
    : dimensions_(dimensions), impl_(std::move(impl)) {}

VectorIndex::~VectorIndex() = default;

void VectorIndex::Add(int64_t id, const float* vector) {
  RemoveFromTail(id);
  auto& graph = *impl_->graph;
  auto label = static_cast<hnswlib::labeltype>(id);
  bool known = graph.label_lookup_.count(label) > 0;
  bool was_deleted = known && graph.isMarkedDeleted(graph.label_lookup_.at(label));
  if (!known && graph.cur_element_count >= graph.max_elements_) {
    graph.resizeIndex(graph.max_elements_ * 2);
    impl_->FitExact();
  }
  // hnswlib replaces the vector of a known label and revives it if it was marked deleted.
  impl_->Column(impl_->Link(id, vector));
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
    impl_->FitExact();
  }
  // An insertion searches the graph: tens of microseconds in a small one, milliseconds at 100,000 vectors, where
  // the indexer's slices hold only a few (VectorCatalog::IndexSlice). A thread costs about one small insertion.
  constexpr size_t kPerThread = 2;
  threads =
      static_cast<int>(std::clamp<size_t>(items.size() / kPerThread, 1, static_cast<size_t>(std::max(threads, 1))));
  std::atomic<size_t> next{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto insert = [&] {
    try {
      for (size_t i; (i = next++) < items.size();) {
        impl_->Link(items[i].first, items[i].second);
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
  // What was linked, also after a failure: its floats are the graph's.
  for (const auto& item : items) {
    auto found = graph.label_lookup_.find(static_cast<hnswlib::labeltype>(item.first));
    if (found != graph.label_lookup_.end() && !graph.isMarkedDeleted(found->second)) impl_->Column(found->second);
  }
  if (failure) std::rethrow_exception(failure);
}

void VectorIndex::Stage(int64_t id, const float* vector) {
  // A new vector lives in the tail until linked: the graph's old one must not be found meanwhile.
  if (!impl_->tail.Put(id, vector)) RemoveFromGraph(id);
}

size_t VectorIndex::IndexStaged(size_t limit, int threads) {
  auto& tail = impl_->tail;
  std::vector<std::pair<int64_t, const float*>> items;
  size_t end = tail.front();
  for (; end < tail.end() && items.size() < limit; ++end) {
    if (int64_t id = tail.IdAt(end); id != Impl::Tail::kRemoved) items.emplace_back(id, tail.At(end));
  }
  // On failure the tail is left whole: linking a vector again only replaces it.
  AddBatch(items, threads);
  tail.Consume(end, items);
  return items.size();
}

size_t VectorIndex::staged() const { return impl_->tail.live(); }

std::optional<int64_t> VectorIndex::first_staged() const {
  const auto& tail = impl_->tail;
  for (size_t slot = tail.front(); slot < tail.end(); ++slot) {
    if (int64_t id = tail.IdAt(slot); id != Impl::Tail::kRemoved) return id;
  }
  return std::nullopt;
}

void VectorIndex::Remove(int64_t id) {
  RemoveFromTail(id);
  RemoveFromGraph(id);
}

void VectorIndex::RemoveFromTail(int64_t id) { impl_->tail.Remove(id); }

void VectorIndex::RemoveFromGraph(int64_t id) {
  auto& graph = *impl_->graph;
  auto found = graph.label_lookup_.find(static_cast<hnswlib::labeltype>(id));
  if (found == graph.label_lookup_.end() || graph.isMarkedDeleted(found->second)) return;
  graph.markDelete(found->first);
  impl_->columns.Clear(found->second);
  --impl_->live;
}

std::vector<VectorHit> VectorIndex::Search(const float* query, int k, SearchThreads* threads) const {
  std::vector<VectorHit> hits;
  if (k <= 0 || size() == 0) return hits;
  // ef belongs to the graph, shared by concurrent searches, so it is set once and k is held under it.
  k = std::min(k, impl_->options.ef_search);
  auto by_similarity = [](const VectorHit& a, const VectorHit& b) { return a.similarity > b.similarity; };
  std::optional<ComponentColumns::Question> sparse;
  if (impl_->live > 0) sparse = impl_->SparseQuestion(query);
  if (sparse) {
    // The rows lie scattered through the floats: each is fetched a few rows ahead of its use, the rows are shared
    // between the search threads like the scan, and only the k kept have their label read, another scattered read.
    std::vector<size_t> rows = impl_->columns.Best(*sparse, static_cast<size_t>(impl_->options.scan_rerank), threads);
    const size_t dimensions = impl_->dimensions;
    const size_t bytes = dimensions * sizeof(float);
    auto fetch = [&](size_t row) {
      const char* floats = reinterpret_cast<const char*>(impl_->ExactOf(static_cast<hnswlib::tableint>(row)));
      for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(floats + offset);
    };
    std::vector<std::pair<float, size_t>> scored(rows.size());
    size_t parts = PartsFor(threads, rows.size());
    auto rescore = [&](size_t part) {
      constexpr size_t kAhead = 4;
      size_t first = rows.size() * part / parts;
      size_t last = rows.size() * (part + 1) / parts;
      for (size_t i = first; i < std::min(first + kAhead, last); ++i) fetch(rows[i]);
      DotFunction dot = BestDot();
      for (size_t i = first; i < last; ++i) {
        if (i + kAhead < last) fetch(rows[i + kAhead]);
        scored[i] = {dot(query, impl_->ExactOf(static_cast<hnswlib::tableint>(rows[i])), dimensions), rows[i]};
      }
    };
    RunParts(threads, parts, rescore);
    auto kept = std::min(scored.size(), static_cast<size_t>(k));
    std::partial_sort(scored.begin(), scored.begin() + static_cast<long>(kept), scored.end(), std::greater<>());
    for (size_t i = 0; i < kept; ++i) {
      auto label = impl_->graph->getExternalLabel(static_cast<hnswlib::tableint>(scored[i].second));
      hits.push_back({static_cast<int64_t>(label), scored[i].first});
    }
  } else if (impl_->live > 0) {
    // The whole beam comes back (ef_search elements, at no extra search cost) and is re-ranked on the floats, which
    // the quantized distances only approximate.
    std::vector<char> element = impl_->Element(query);
    auto results = impl_->graph->searchKnn(element.data(), static_cast<size_t>(impl_->options.ef_search));
    size_t dimensions = impl_->dimensions;
    DotFunction dot = BestDot();
    for (; !results.empty(); results.pop()) {
      auto label = results.top().second;
      hnswlib::tableint internal = impl_->graph->label_lookup_.at(label);
      hits.push_back({static_cast<int64_t>(label), dot(query, impl_->ExactOf(internal), dimensions)});
    }
    auto kept = std::min(hits.size(), static_cast<size_t>(k));
    std::partial_sort(hits.begin(), hits.begin() + static_cast<long>(kept), hits.end(), by_similarity);
    hits.resize(kept);
  }
  const auto& tail = impl_->tail;
  if (tail.live() > 0) {
    // The k best of graph and tail together: a min-heap of the best so far, its worst on top.
    std::make_heap(hits.begin(), hits.end(), by_similarity);
    size_t dimensions = impl_->dimensions;
    DotFunction dot = BestDot();
    for (size_t slot = tail.front(); slot < tail.end(); ++slot) {
      int64_t id = tail.IdAt(slot);
      if (id == Impl::Tail::kRemoved) continue;
      float similarity = dot(query, tail.At(slot), dimensions);
      if (static_cast<int>(hits.size()) < k) {
        hits.push_back({id, similarity});
        std::push_heap(hits.begin(), hits.end(), by_similarity);
      } else if (similarity > hits.front().similarity) {
        std::pop_heap(hits.begin(), hits.end(), by_similarity);
        hits.back() = {id, similarity};
        std::push_heap(hits.begin(), hits.end(), by_similarity);
      }
    }
    std::sort_heap(hits.begin(), hits.end(), by_similarity);
  }
  return hits;
}

std::vector<VectorHit> VectorIndex::Similarities(const float* query, const std::vector<int64_t>& ids) const {
  const auto& graph = *impl_->graph;
  const auto& tail = impl_->tail;
  size_t dimensions = impl_->dimensions;
  std::vector<VectorHit> hits;
  for (int64_t id : ids) {
    if (const float* staged = tail.Find(id)) {
      hits.push_back({id, BestDot()(query, staged, dimensions)});
      continue;
    }
    auto found = graph.label_lookup_.find(static_cast<hnswlib::labeltype>(id));
    if (found == graph.label_lookup_.end() || graph.isMarkedDeleted(found->second)) continue;
    hits.push_back({id, BestDot()(query, impl_->ExactOf(found->second), dimensions)});
  }
  return hits;
}

size_t VectorIndex::size() const { return impl_->live + impl_->tail.live(); }

Result<void> VectorIndex::Save(const std::string& path) const {
  // The floats beside the graph, written first: files cut short between the two renames have floats for more
  // elements than the graph holds, which Load refuses.
  auto floats_saved = ReplaceFile(path + ".f32", "vector index", [this](const std::string& temporary) -> Result<void> {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    impl_->exact.Spans(impl_->graph->cur_element_count, [&out](const float* floats, size_t count) {
      out.write(reinterpret_cast<const char*>(floats), static_cast<std::streamsize>(count * sizeof(float)));
      return static_cast<bool>(out);
    });
    if (!out) return Error::Unavailable("cannot write the vector index", "cannot write " + temporary);
    return Ok();
  });
  if (!floats_saved) return floats_saved;
  return ReplaceFile(path, "vector index", [this](const std::string& temporary) -> Result<void> {
    try {
      impl_->graph->saveIndex(temporary);
    } catch (const std::exception& e) {
      return Error::Unavailable("cannot write the vector index", e.what());
    }
    return Ok();
  });
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::Load(const std::string& path, int dimensions,
                                                       const HnswOptions& options) {
  auto impl = std::make_unique<Impl>(dimensions, options);
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
  impl->FitExact();
  std::ifstream floats(path + ".f32", std::ios::binary | std::ios::ate);
  auto expected_bytes = impl->graph->cur_element_count * impl->dimensions * sizeof(float);
  if (!floats || static_cast<size_t>(floats.tellg()) != expected_bytes) {
    return Error::Unavailable("the vector index's floats are missing or do not match it");
  }
  floats.seekg(0);
  impl->exact.Spans(impl->graph->cur_element_count, [&floats](float* data, size_t count) {
    floats.read(reinterpret_cast<char*>(data), static_cast<std::streamsize>(count * sizeof(float)));
    return static_cast<bool>(floats);
  });
  if (!floats) return Error::Unavailable("cannot read the vector index's floats");
  size_t live = 0;
  for (hnswlib::tableint internal = 0; internal < impl->graph->cur_element_count; ++internal) {
    if (impl->graph->isMarkedDeleted(internal)) continue;
    ++live;
    impl->Column(internal);
  }
  impl->live = live;
  // hnswlib 0.6.2's loading constructor adds the deleted elements to an uninitialized num_deleted_, on which every
  // search branches (were it to come out 0, deleted elements would be returned): set it from the marks just read.
  impl->graph->num_deleted_ = impl->graph->cur_element_count - live;
  return std::unique_ptr<VectorIndex>(new VectorIndex(dimensions, std::move(impl)));
}

namespace {

constexpr int kCatchUpPage = 4096;
constexpr int kIndexerNice = 10;

// A file name for an embedder id that may hold any character ("openai:text-embedding-3-small").
std::string FileSafe(const std::string& text) {
  std::string safe;
  for (char c : text) safe += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  return safe + "-" + crypto::Sha256Hex(text).substr(0, 8);
}

}  // namespace

VectorCatalog::VectorCatalog(store::KnowledgeStore& store, std::string directory, HnswOptions options,
                             SearchThreads* threads)
    : store_(store), directory_(std::move(directory)), options_(options), threads_(threads) {
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::create_directories(directory_, ignored);
  }
  indexer_ = std::thread([this] { IndexerLoop(); });
}

VectorCatalog::~VectorCatalog() {
  {
    std::lock_guard lock(indexer_mutex_);
    stopping_ = true;
  }
  indexer_wake_.notify_all();
  indexer_.join();
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
  bool staged = false;
  auto add = [dimensions, &staged](VectorIndex& index, std::span<const store::ChunkVector> chunks) -> Result<void> {
    for (const auto& chunk : chunks) {
      if (static_cast<int>(chunk.embedding.size()) != dimensions) {
        return Error::Internal("stored embedding of chunk " + std::to_string(chunk.chunk_id) + " has " +
                               std::to_string(chunk.embedding.size()) + " dimensions");
      }
    }
    for (const auto& chunk : chunks) index.Stage(chunk.chunk_id, chunk.embedding.data());
    staged = staged || !chunks.empty();
    return Ok();
  };
  auto caught_up = CatchUpWithStore(store_, key.first, entry, kCatchUpPage, read, add);
  if (staged) {
    {
      std::lock_guard lock(indexer_mutex_);
      ++staged_signals_;
    }
    indexer_wake_.notify_one();
  }
  return caught_up;
}

void VectorCatalog::IndexerLoop() {
  // Linking is catch-up work: requests, ingestion and searches (which scan the tail meanwhile) come first. Linux
  // keeps a nice value per thread, and the threads AddBatch starts inherit it.
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kIndexerNice) != 0) {
    log::Warn("vector_indexer_priority", {{"detail", std::strerror(errno)}});
  }
  uint64_t seen_signals = 0;
  while (true) {
    {
      std::unique_lock lock(indexer_mutex_);
      indexer_wake_.wait(lock, [&] { return stopping_ || staged_signals_ != seen_signals; });
      if (stopping_) return;
      seen_signals = staged_signals_;
    }
    // A slice of each index's tail in turn, oldest vectors first, until every tail is empty: a knowledge base
    // being rebuilt does not hold back the linking of the others. Staging during a pass raises the signal again.
    bool linked = true;
    while (linked) {
      linked = false;
      for (auto& [key, entry] : entries_.All()) {
        linked = IndexSlice(*entry) || linked;
        std::lock_guard lock(indexer_mutex_);
        if (stopping_) return;
      }
    }
    indexed_.notify_all();
  }
}

bool VectorCatalog::IndexSlice(Entries::Entry& entry) {
  // A search waits for the slice being linked, so a slice is a few milliseconds of insertions; its size follows
  // their measured cost, which grows with the graph.
  constexpr double kSliceSeconds = 0.005;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  double& seconds_per_link = seconds_per_link_.try_emplace(&entry, 0.0005).first->second;
  // At least two insertions per thread, so that every core links even when one insertion takes milliseconds.
  auto slice = static_cast<size_t>(std::clamp(kSliceSeconds / seconds_per_link, 2.0 * threads, 4096.0));
  std::unique_lock lock(entry.mutex);
  if (!entry.index || entry.index->staged() == 0) return false;
  auto started = std::chrono::steady_clock::now();
  size_t linked = 0;
  try {
    linked = entry.index->IndexStaged(slice, threads);
  } catch (const std::exception& e) {
    // hnswlib throws only when memory runs out; the tail stays searchable and is tried again on the next signal.
    lock.unlock();  // WaitIndexed takes the two locks the other way round.
    log::Error("vector_index_insert_failed", {{"detail", e.what()}});
    std::lock_guard failed(indexer_mutex_);
    linking_failure_ = e.what();
    return false;
  }
  entry.dirty = true;
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  if (linked > 0) {
    double per_link = elapsed.count() / static_cast<double>(linked);
    seconds_per_link = std::clamp(0.7 * seconds_per_link + 0.3 * per_link, 1e-7, 0.1);
  }
  return true;
}

size_t VectorCatalog::Unlinked() {
  size_t unlinked = 0;
  for (const auto& [knowledge_base_id, count] : UnlinkedByKnowledgeBase()) unlinked += count;
  return unlinked;
}

std::map<int64_t, size_t> VectorCatalog::UnlinkedByKnowledgeBase() {
  std::map<int64_t, size_t> unlinked;
  for (auto& [key, entry] : entries_.All()) {
    std::shared_lock lock(entry->mutex);
    if (entry->index && entry->index->staged() > 0) unlinked[key.first] += entry->index->staged();
  }
  return unlinked;
}

Result<void> VectorCatalog::WaitIndexed() {
  std::unique_lock lock(indexer_mutex_);
  linking_failure_.clear();
  // The check reads the entries' own locks, so it is polled as well as woken: a pass may end between two checks.
  while (Unlinked() > 0) {
    if (!linking_failure_.empty()) {
      return Error::Unavailable("the vector index could not link every vector", linking_failure_);
    }
    indexed_.wait_for(lock, std::chrono::milliseconds(20));
  }
  return Ok();
}

Result<std::vector<VectorHit>> VectorCatalog::Search(int64_t knowledge_base_id, const std::string& embedder_id,
                                                     const std::vector<float>& query, int k) {
  Key key{knowledge_base_id, embedder_id};
  auto& entry = entries_.For(key);
  auto caught_up = CatchUp(key, entry, static_cast<int>(query.size()));
  if (!caught_up) return caught_up.error();
  std::shared_lock lock(entry.mutex);
  return entry.index->Search(query.data(), k, threads_);
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

Result<void> VectorCatalog::SaveLocked(const Key& key, const Entries::Entry& entry) {
  std::string path = PathFor(key);
  auto saved = entry.index->Save(path);
  if (!saved) return saved;
  // The graph holds every chunk before the tail's first: loading the file reads the tail from the store again.
  // Deletions of chunks in the tail need not be replayed, as deleted chunks are not read again.
  int64_t complete_through = entry.position.after_chunk_id;
  if (auto first = entry.index->first_staged()) complete_through = std::min(complete_through, *first - 1);
  boost::json::object meta{{"dimensions", entry.index->dimensions()},
                           {"after_chunk_id", complete_through},
                           {"after_deletion_seq", entry.position.after_deletion_seq}};
  return ReplaceFile(path + ".meta", "vector index", [&meta](const std::string& temporary) -> Result<void> {
    std::ofstream out(temporary, std::ios::trunc);
    out << SerializeJson(meta);
    if (!out) return Error::Unavailable("cannot write the vector index", "cannot write " + temporary);
    return Ok();
  });
}

Result<void> VectorCatalog::Flush() {
  if (directory_.empty()) return Ok();
  return entries_.SaveChanged([this](const Key& key, const Entries::Entry& entry) { return SaveLocked(key, entry); });
}

}  // namespace parley::knowledge
