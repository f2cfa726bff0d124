#include "knowledge/component_columns.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <new>
#include <utility>

namespace parley::knowledge {
namespace {

// Rows are stored in segments of 65,536, component by component: a column's 32 KB in a segment is one stream of
// reads. A segment is scored a block of 8,192 rows at a time (their integer scores fill 32 KB, L1's size), in
// groups of 64, each group's in 32 bytes: byte i holds row i in its low 4 bits and row 32 + i in its high ones, so
// that one 32-byte load serves 64 rows. A block's columns are read 8 at a time, their sums kept in registers: 8
// streams of reads at once ran faster than 16 or 32 (docs/benchmarks.md).
constexpr size_t kSegmentRows = 65536;
constexpr size_t kBlockRows = 8192;
constexpr size_t kGroupRows = 64;
constexpr size_t kGroupBytes = kGroupRows / 2;
constexpr size_t kColumnBytes = kBlockRows / 2;  // A column's bytes in a block.
constexpr size_t kSegmentColumnBytes = kSegmentRows / 2;
// A component is stored as round(value / scale) + 8 with scale = the vector's largest magnitude / 7: 1..15.
constexpr int kLevels = 7;
constexpr int kOffset = 8;
// Products of a stored component (≤ 15) and a question's (|q| ≤ 127) are summed in int16 lanes over a pass's 8
// columns (8 × 15 × 127 = 15,240 < 32,767) before they are widened to int32.
constexpr size_t kPassColumns = 8;

// Where a group's integer scores come out of the AVX2 kernel: the multiply-add pairs adjacent bytes, so even and
// odd rows fill separate accumulators, whose int16 lanes are then widened two ways. Score position p of a group
// (0..63) is the row's: p = 8 k + m, for the k-th of 8 int32 vectors and its lane m.
constexpr size_t PositionOf(size_t row) {
  size_t half = row / 32;  // Low or high 4 bits.
  size_t parity = row % 2;
  size_t lane16 = row % 32 / 2;
  size_t vector = half * 4 + parity * 2 + lane16 % 2;
  return vector * 8 + lane16 / 2;
}

// The row whose score lands at `position`: PositionOf's inverse.
constexpr size_t RowOf(size_t position) {
  size_t vector = position / 8;
  size_t lane = position % 8;
  return vector / 4 * 32 + 4 * lane + 2 * (vector % 2) + vector / 2 % 2;
}

constexpr bool RowOfInvertsPositionOf() {
  for (size_t row = 0; row < kGroupRows; ++row) {
    if (PositionOf(row) >= kGroupRows || RowOf(PositionOf(row)) != row) return false;
  }
  return true;
}
static_assert(RowOfInvertsPositionOf());

// The integer scores of a block's rows, by position: Σ values[u] × stored component columns[u]. `patterns` holds
// 64 bytes per component: its value and 0 alternating (even rows), then 0 and its value (odd rows).
__attribute__((target("avx2"))) void ScoreBlockAvx2(const uint8_t* nibbles, const std::vector<size_t>& offsets,
                                                    const int8_t* patterns, int32_t* totals) {
  const __m256i four_bits = _mm256_set1_epi8(0x0F);
  const size_t n = offsets.size();
  for (size_t first = 0; first < n; first += kPassColumns) {
    const size_t last = std::min(n, first + kPassColumns);
    for (size_t group = 0; group < kBlockRows / kGroupRows; ++group) {
      const uint8_t* rows = nibbles + group * kGroupBytes;
      __m256i low_even = _mm256_setzero_si256();
      __m256i low_odd = _mm256_setzero_si256();
      __m256i high_even = _mm256_setzero_si256();
      __m256i high_odd = _mm256_setzero_si256();
      for (size_t u = first; u < last; ++u) {
        __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows + offsets[u]));
        __m256i low = _mm256_and_si256(bytes, four_bits);
        __m256i high = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), four_bits);
        __m256i even = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(patterns + 64 * u));
        __m256i odd = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(patterns + 64 * u + 32));
        low_even = _mm256_add_epi16(low_even, _mm256_maddubs_epi16(low, even));
        low_odd = _mm256_add_epi16(low_odd, _mm256_maddubs_epi16(low, odd));
        high_even = _mm256_add_epi16(high_even, _mm256_maddubs_epi16(high, even));
        high_odd = _mm256_add_epi16(high_odd, _mm256_maddubs_epi16(high, odd));
      }
      const __m256i accumulators[4] = {low_even, low_odd, high_even, high_odd};
      auto* sums = reinterpret_cast<__m256i*>(totals + group * kGroupRows);
      for (size_t a = 0; a < 4; ++a) {
        // Each int32 lane holds two int16 lanes: the lower one sign-extended, then the upper one.
        __m256i lower = _mm256_srai_epi32(_mm256_slli_epi32(accumulators[a], 16), 16);
        __m256i upper = _mm256_srai_epi32(accumulators[a], 16);
        if (first > 0) {
          lower = _mm256_add_epi32(lower, _mm256_loadu_si256(sums + 2 * a));
          upper = _mm256_add_epi32(upper, _mm256_loadu_si256(sums + 2 * a + 1));
        }
        _mm256_storeu_si256(sums + 2 * a, lower);
        _mm256_storeu_si256(sums + 2 * a + 1, upper);
      }
    }
  }
}

void ScoreBlockPortable(const uint8_t* nibbles, const std::vector<size_t>& offsets, const std::vector<int8_t>& values,
                        int32_t* totals) {
  for (size_t row = 0; row < kBlockRows; ++row) {
    size_t byte = row / kGroupRows * kGroupBytes + row % kGroupBytes;
    int shift = row % kGroupRows < kGroupBytes ? 0 : 4;
    int32_t total = 0;
    for (size_t u = 0; u < offsets.size(); ++u) total += values[u] * ((nibbles[offsets[u] + byte] >> shift) & 0x0F);
    totals[row / kGroupRows * kGroupRows + PositionOf(row % kGroupRows)] = total;
  }
}

// The positions among `n` (a multiple of 8) whose (totals[i] - bias) * scales[i] exceeds `threshold`, into
// `positions`; returns how many. NaN scales never pass.
__attribute__((target("avx2"))) size_t PositionsAboveAvx2(const int32_t* totals, int32_t bias, const float* scales,
                                                          size_t n, float threshold, uint16_t* positions) {
  const __m256 bar = _mm256_set1_ps(threshold);
  const __m256i offset = _mm256_set1_epi32(bias);
  size_t count = 0;
  for (size_t i = 0; i < n; i += 8) {
    __m256i total = _mm256_sub_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(totals + i)), offset);
    __m256 scores = _mm256_mul_ps(_mm256_cvtepi32_ps(total), _mm256_loadu_ps(scales + i));
    auto mask = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(scores, bar, _CMP_GT_OQ)));
    for (; mask != 0; mask &= mask - 1) positions[count++] = static_cast<uint16_t>(i + __builtin_ctz(mask));
  }
  return count;
}

size_t PositionsAbovePortable(const int32_t* totals, int32_t bias, const float* scales, size_t n, float threshold,
                              uint16_t* positions) {
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<float>(totals[i] - bias) * scales[i] > threshold) positions[count++] = static_cast<uint16_t>(i);
  }
  return count;
}

// Cuts `best` (score, row) to its `count` best, in no particular order.
void KeepBest(std::vector<std::pair<float, size_t>>& best, size_t count) {
  if (best.size() <= count) return;
  std::nth_element(best.begin(), best.begin() + static_cast<long>(count - 1), best.end(), std::greater<>());
  best.resize(count);
}

}  // namespace

struct ComponentColumns::Segment {
  explicit Segment(size_t dimensions)
      : nibbles(static_cast<uint8_t*>(std::calloc(dimensions * kSegmentColumnBytes, 1))),
        scales(kSegmentRows, std::numeric_limits<float>::quiet_NaN()) {
    if (!nibbles) throw std::bad_alloc();
  }
  // calloc maps a segment's megabytes without writing them: the pages of columns no row has reached cost nothing.
  struct Free {
    void operator()(uint8_t* bytes) const { std::free(bytes); }
  };
  std::unique_ptr<uint8_t[], Free> nibbles;  // Column c from c * 32 KB.
  std::vector<float> scales;                 // By position; NaN for rows never Set or cleared.
  size_t blocks = 0;                         // Up to the last block with a row Set: the blocks a scan reads.
};

namespace {

// Where row `row` of a segment lies: its byte in column 0 and whether in the high 4 bits, and its scale's index.
struct Place {
  size_t byte;
  bool high;
  size_t scale;
};

Place PlaceOf(size_t row) {
  size_t in_block = row % kBlockRows;
  return {row / kBlockRows * kColumnBytes + in_block / kGroupRows * kGroupBytes + in_block % kGroupBytes,
          in_block % kGroupRows >= kGroupBytes, row / kGroupRows * kGroupRows + PositionOf(row % kGroupRows)};
}

}  // namespace

ComponentColumns::ComponentColumns(size_t dimensions) : dimensions_(dimensions) {}

ComponentColumns::~ComponentColumns() = default;

void ComponentColumns::Set(size_t row, const float* vector) {
  size_t index = row / kSegmentRows;
  if (index >= segments_.size()) segments_.resize(index + 1);
  if (!segments_[index]) segments_[index] = std::make_unique<Segment>(dimensions_);
  Segment& segment = *segments_[index];
  size_t in_segment = row % kSegmentRows;
  segment.blocks = std::max(segment.blocks, in_segment / kBlockRows + 1);
  float largest = 0;
  for (size_t c = 0; c < dimensions_; ++c) largest = std::max(largest, std::fabs(vector[c]));
  float scale = largest / kLevels;
  Place place = PlaceOf(in_segment);
  for (size_t c = 0; c < dimensions_; ++c) {
    long level = scale == 0 ? 0 : std::clamp(std::lrint(vector[c] / scale), -long{kLevels}, long{kLevels});
    auto stored = static_cast<uint8_t>(level + kOffset);
    uint8_t& target = segment.nibbles[c * kSegmentColumnBytes + place.byte];
    target = place.high ? static_cast<uint8_t>((target & 0x0F) | (stored << 4))
                        : static_cast<uint8_t>((target & 0xF0) | stored);
  }
  segment.scales[place.scale] = scale;
}

void ComponentColumns::Clear(size_t row) {
  size_t index = row / kSegmentRows;
  if (index >= segments_.size() || !segments_[index]) return;
  segments_[index]->scales[PlaceOf(row % kSegmentRows).scale] = std::numeric_limits<float>::quiet_NaN();
}

ComponentColumns::Question::Question(const float* query, size_t dimensions, size_t components) {
  std::vector<std::pair<uint32_t, float>> nonzero;
  for (size_t d = 0; d < dimensions; ++d) {
    if (query[d] != 0) nonzero.emplace_back(static_cast<uint32_t>(d), query[d]);
  }
  if (components > 0 && nonzero.size() > components) {
    // The largest components carry most of the inner product; the caller's re-ranking mends what the rest change.
    std::partial_sort(nonzero.begin(), nonzero.begin() + static_cast<long>(components), nonzero.end(),
                      [](const auto& a, const auto& b) { return std::fabs(a.second) > std::fabs(b.second); });
    nonzero.resize(components);
    std::sort(nonzero.begin(), nonzero.end());
  }
  float largest = 0;
  for (const auto& [column, value] : nonzero) largest = std::max(largest, std::fabs(value));
  for (const auto& [column, value] : nonzero) {
    auto quantized = static_cast<int32_t>(std::lrint(value * 127.0f / largest));
    if (quantized == 0) continue;
    columns_.push_back(column);
    values_.push_back(static_cast<int8_t>(quantized));
    bias_ += kOffset * quantized;
  }
}

// What a scan needs of a question: its columns' offsets in a segment, and its values laid out for the kernel.
struct ComponentColumns::Prepared {
  Prepared(const Question& question, bool avx2) : avx2(avx2), values(question.values_), bias(question.bias_) {
    patterns.assign(64 * question.columns_.size(), 0);
    for (size_t u = 0; u < question.columns_.size(); ++u) {
      offsets.push_back(question.columns_[u] * kSegmentColumnBytes);
      for (size_t i = 0; i < 32; i += 2) {
        patterns[64 * u + i] = question.values_[u];
        patterns[64 * u + 32 + i + 1] = question.values_[u];
      }
    }
  }
  bool avx2;
  std::vector<size_t> offsets;
  std::vector<int8_t> values;
  std::vector<int8_t> patterns;  // 64 bytes per column: (value, 0) 16 times, then (0, value) 16 times.
  int32_t bias;
};

bool ComponentColumns::UsesAvx2() { return __builtin_cpu_supports("avx2"); }

std::vector<size_t> ComponentColumns::Best(const Question& question, size_t count, SearchThreads* threads) const {
  return Scan(Prepared(question, UsesAvx2()), count, threads);
}

std::vector<size_t> ComponentColumns::BestPortable(const Question& question, size_t count) const {
  return Scan(Prepared(question, false), count, nullptr);
}

std::vector<size_t> ComponentColumns::Scan(const Prepared& prepared, size_t count, SearchThreads* threads) const {
  if (count == 0 || prepared.offsets.empty()) return {};
  std::vector<std::pair<size_t, size_t>> blocks;  // (segment, block) of every block with rows.
  for (size_t index = 0; index < segments_.size(); ++index) {
    if (!segments_[index]) continue;
    for (size_t block = 0; block < segments_[index]->blocks; ++block) blocks.emplace_back(index, block);
  }
  // Each part keeps its own best, merged below: a contiguous share of the blocks per thread. More, smaller parts
  // ran slower (each gathers its first rows unfiltered).
  size_t parts = PartsFor(threads, blocks.size());
  std::vector<std::vector<std::pair<float, size_t>>> found(parts);
  // The highest count-th best score any part has reached: no row under it is among the best `count` of all, so a
  // part that starts after another has warmed up keeps few rows.
  std::atomic<float> floor{-std::numeric_limits<float>::infinity()};
  auto scan_part = [&](size_t part) {
    found[part] =
        ScanBlocks(prepared, count, blocks, blocks.size() * part / parts, blocks.size() * (part + 1) / parts, floor);
  };
  RunParts(threads, parts, scan_part);
  std::vector<std::pair<float, size_t>> best;
  for (auto& part : found) best.insert(best.end(), part.begin(), part.end());
  KeepBest(best, count);
  std::sort(best.begin(), best.end(), std::greater<>());
  std::vector<size_t> rows;
  rows.reserve(best.size());
  for (const auto& [score, row] : best) rows.push_back(row);
  return rows;
}

std::vector<std::pair<float, size_t>> ComponentColumns::ScanBlocks(const Prepared& prepared, size_t count,
                                                                   const std::vector<std::pair<size_t, size_t>>& blocks,
                                                                   size_t first, size_t last,
                                                                   std::atomic<float>& floor) const {
  // The rows above `threshold`, which rises to the count-th best score each time twice `count` have gathered:
  // a constant cost per row kept, where a heap's would grow with `count`.
  std::vector<std::pair<float, size_t>> best;
  best.reserve(2 * count);
  float threshold = -std::numeric_limits<float>::infinity();
  alignas(32) int32_t totals[kBlockRows];
  uint16_t passed[kBlockRows];
  for (size_t b = first; b < last; ++b) {
    threshold = std::max(threshold, floor.load(std::memory_order_relaxed));
    auto [index, block] = blocks[b];
    const Segment& segment = *segments_[index];
    const uint8_t* nibbles = segment.nibbles.get() + block * kColumnBytes;
    const float* scales = segment.scales.data() + block * kBlockRows;
    size_t above = 0;
    if (prepared.avx2) {
      ScoreBlockAvx2(nibbles, prepared.offsets, prepared.patterns.data(), totals);
      above = PositionsAboveAvx2(totals, prepared.bias, scales, kBlockRows, threshold, passed);
    } else {
      ScoreBlockPortable(nibbles, prepared.offsets, prepared.values, totals);
      above = PositionsAbovePortable(totals, prepared.bias, scales, kBlockRows, threshold, passed);
    }
    size_t first_row = index * kSegmentRows + block * kBlockRows;
    for (size_t i = 0; i < above; ++i) {
      size_t position = passed[i];
      float score = static_cast<float>(totals[position] - prepared.bias) * scales[position];
      if (!(score > threshold)) continue;  // The threshold rose within the block.
      best.emplace_back(score, first_row + position / kGroupRows * kGroupRows + RowOf(position % kGroupRows));
      if (best.size() == 2 * count) {
        KeepBest(best, count);
        threshold = best[count - 1].first;
        for (float seen = floor.load(std::memory_order_relaxed);
             seen < threshold && !floor.compare_exchange_weak(seen, threshold, std::memory_order_relaxed);) {
        }
      }
    }
  }
  KeepBest(best, count);
  return best;
}

}  // namespace parley::knowledge
