#include "knowledge/spelling.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>

namespace parley::knowledge {
namespace {

// Deletes are taken from this many leading characters only: SymSpell's prefix, which bounds a long word's deletes
// to 29 at distance 2 while typos past it are still caught by the distance check on whole words.
constexpr size_t kPrefixLength = 7;
constexpr int kMaxIndexedDistance = 2;

std::u32string CodePoints(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  auto* data = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  auto size = static_cast<utf8proc_ssize_t>(text.size());
  for (utf8proc_ssize_t i = 0; i < size;) {
    utf8proc_int32_t code_point = 0;
    utf8proc_ssize_t length = utf8proc_iterate(data + i, size - i, &code_point);
    if (length <= 0) {  // Not from Fold; kept apart from every real character.
      code_point = 0xFFFD;
      length = 1;
    }
    out.push_back(static_cast<char32_t>(code_point));
    i += length;
  }
  return out;
}

bool HasDigit(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

uint32_t Hash(std::u32string_view text) {
  uint32_t hash = 2166136261u;
  for (char32_t c : text) {
    for (int shift = 0; shift < 32; shift += 8) {
      hash ^= (static_cast<uint32_t>(c) >> shift) & 0xFF;
      hash *= 16777619u;
    }
  }
  return hash;
}

// The hashes of `text` and of every string made by deleting up to `distance` of its characters, sorted, unique.
std::vector<uint32_t> DeleteHashes(std::u32string_view text, int distance) {
  std::vector<std::u32string> level{std::u32string(text)};
  std::vector<uint32_t> hashes{Hash(text)};
  for (int d = 0; d < distance; ++d) {
    std::vector<std::u32string> next;
    for (const auto& word : level) {
      for (size_t i = 0; i < word.size(); ++i) {
        std::u32string shorter = word.substr(0, i) + word.substr(i + 1);
        hashes.push_back(Hash(shorter));
        next.push_back(std::move(shorter));
      }
    }
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    level = std::move(next);
  }
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return hashes;
}

// Optimal string alignment distance, or `limit` + 1 once it is certain to exceed `limit`.
int Distance(std::u32string_view a, std::u32string_view b, int limit) {
  if (static_cast<int>(a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return limit + 1;
  std::vector<int> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = static_cast<int>(i);
    int row_best = current[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
      row_best = std::min(row_best, current[j]);
    }
    if (row_best > limit) return limit + 1;
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace

int EditDistance(std::string_view a, std::string_view b, int limit) {
  return Distance(CodePoints(a), CodePoints(b), limit);
}

int SpellingDictionary::MaxDistance(std::string_view folded_word) {
  if (HasDigit(folded_word)) return 0;
  size_t length = CodePoints(folded_word).size();
  return length < 5 ? 0 : length < 8 ? 1 : 2;
}

uint32_t SpellingDictionary::Add(std::string_view term) {
  auto id = static_cast<uint32_t>(terms_.size());
  terms_.emplace_back(term);
  std::u32string code_points = CodePoints(term);
  if (code_points.size() < 3 || HasDigit(term)) return id;
  std::u32string_view prefix = std::u32string_view(code_points).substr(0, kPrefixLength);
  for (uint32_t hash : DeleteHashes(prefix, kMaxIndexedDistance)) pending_.emplace_back(hash, id);
  // Lookups scan the pending deletes one by one: past a share of the sorted ones, sorting them in is cheaper.
  if (pending_.size() > std::max<size_t>(4096, entries_.size() / 8)) Settle();
  return id;
}

void SpellingDictionary::Clear() {
  terms_.clear();
  entries_.clear();
  pending_.clear();
}

void SpellingDictionary::Settle() {
  if (pending_.empty()) return;
  std::sort(pending_.begin(), pending_.end());
  size_t middle = entries_.size();
  entries_.insert(entries_.end(), pending_.begin(), pending_.end());
  std::inplace_merge(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(middle), entries_.end());
  pending_.clear();
}

std::vector<SpellingCandidate> SpellingDictionary::Lookup(std::string_view word, int max_distance) const {
  std::vector<SpellingCandidate> candidates;
  max_distance = std::min(max_distance, kMaxIndexedDistance);
  if (max_distance <= 0) return candidates;
  std::u32string code_points = CodePoints(word);
  std::vector<uint32_t> hashes = DeleteHashes(std::u32string_view(code_points).substr(0, kPrefixLength), max_distance);
  std::vector<uint32_t> ids;
  for (uint32_t hash : hashes) {
    auto range = std::equal_range(entries_.begin(), entries_.end(), Entry{hash, 0},
                                  [](const Entry& a, const Entry& b) { return a.first < b.first; });
    for (auto it = range.first; it != range.second; ++it) ids.push_back(it->second);
  }
  for (const Entry& entry : pending_) {
    if (std::binary_search(hashes.begin(), hashes.end(), entry.first)) ids.push_back(entry.second);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (uint32_t id : ids) {
    int distance = Distance(code_points, CodePoints(terms_[id]), max_distance);
    if (distance > 0 && distance <= max_distance) candidates.push_back({id, distance});
  }
  return candidates;
}

}  // namespace parley::knowledge
