#pragma once
// A second way to search an index's vectors, for questions with few non-zero components. The built-in embedder's
// short questions have 35–70 of 384 (a few words' hashed features), and their inner product with a chunk reads
// only those. A proximity graph finds their nearest chunks poorly, as they lie far from every chunk (recall@10
// 0.40 at 1M chunks in docs/benchmarks.md); reading the few columns they need from every vector finds them.
//
// Each vector is kept with 4 bits per component (a scale of its own) in segments of 65,536 rows laid out component
// by component (192 bytes per vector of 384), so a question reads the columns of its largest components and
// nothing else: 16 MB at a million vectors for 32 components. Rows are scored in integers, 64 at a time with AVX2's
// byte multiply-add when the CPU has it (the portable loop computes the same integers), and the best ones are kept for
// the caller to re-rank on the floats: the scores only approximate the inner product.

#include "knowledge/search_threads.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace parley::knowledge {

class ComponentColumns {
 public:
  explicit ComponentColumns(size_t dimensions);
  ~ComponentColumns();
  ComponentColumns(const ComponentColumns&) = delete;
  ComponentColumns& operator=(const ComponentColumns&) = delete;

  // Keeps `vector` (dimensions() floats) as row `row`, growing as needed. Not thread-safe, nor is Clear: a row
  // shares its bytes with another.
  void Set(size_t row, const float* vector);
  // Leaves row `row` out of every search until it is Set again.
  void Clear(size_t row);

  // A question prepared for Best: its `components` largest non-zero components (all when 0), quantized.
  class Question {
   public:
    Question(const float* query, size_t dimensions, size_t components);
    size_t components() const { return columns_.size(); }

   private:
    friend class ComponentColumns;
    std::vector<uint32_t> columns_;  // Increasing.
    std::vector<int8_t> values_;     // Beside columns_.
    int32_t bias_ = 0;               // What the stored offset of 8 adds to every row's integer score.
  };

  // At most `count` rows with the best approximate inner product with `question`, best first, among the rows Set
  // and not cleared; the blocks of rows are split with `threads`' helpers when given. Thread-safe against other
  // calls of Best.
  std::vector<size_t> Best(const Question& question, size_t count, SearchThreads* threads = nullptr) const;

  size_t dimensions() const { return dimensions_; }
  // Whether Best uses AVX2 (else the portable loop; both give the same rows).
  static bool UsesAvx2();
  // For tests: Best with the portable loop whatever the CPU.
  std::vector<size_t> BestPortable(const Question& question, size_t count) const;

 private:
  struct Segment;
  struct Prepared;
  std::vector<size_t> Scan(const Prepared& prepared, size_t count, SearchThreads* threads) const;
  // The best `count` rows, unordered, of blocks [first, last) of `blocks` (segment, block in it), leaving out rows
  // under `floor`, which it raises to its own count-th best.
  std::vector<std::pair<float, size_t>> ScanBlocks(const Prepared& prepared, size_t count,
                                                   const std::vector<std::pair<size_t, size_t>>& blocks, size_t first,
                                                   size_t last, std::atomic<float>& floor) const;

  size_t dimensions_;
  std::vector<std::unique_ptr<Segment>> segments_;  // Null until a row of theirs is Set.
};

}  // namespace parley::knowledge
