#include "store/postgres/search.h"

#include <algorithm>
#include <vector>

namespace parley::store::postgres {
namespace {

// More words than a person types; each one costs a look-up in the index.
constexpr size_t kMaxWords = 16;

bool IsSpace(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }

size_t CodePoints(std::string_view word) {
  return static_cast<size_t>(std::count_if(word.begin(), word.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
}

}  // namespace

std::optional<SearchText> ReadSearchText(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size() && words.size() < kMaxWords) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  if (words.empty()) return std::nullopt;
  SearchText search;
  for (std::string_view word : words) {
    if (!search.typed.empty()) search.typed += ' ';
    search.typed += word;
  }
  // A single character as a prefix would read most of the index; it is matched as a whole word.
  search.last_is_prefix = CodePoints(words.back()) >= 2;
  return search;
}

}  // namespace parley::store::postgres
