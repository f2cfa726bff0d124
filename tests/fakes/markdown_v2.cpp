#include "fakes/markdown_v2.h"

#include <vector>

namespace parley::testing {
namespace {

MarkdownV2Reading Refuse(std::string reason) {
  return {false, {}, "Bad Request: can't parse entities: " + std::move(reason)};
}

std::string_view EntityName(std::string_view marker) {
  if (marker == "*") return "Bold";
  if (marker == "_") return "Italic";
  if (marker == "__") return "Underline";
  if (marker == "~") return "Strikethrough";
  return "Spoiler";
}

}  // namespace

MarkdownV2Reading ReadMarkdownV2(std::string_view text) {
  MarkdownV2Reading reading;
  struct Open {
    std::string_view marker;
    size_t offset;
  };
  std::vector<Open> open;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size() || text[i + 1] < 1 || text[i + 1] > 126) {
        return Refuse("Character '\\' is reserved and must be escaped with the preceding '\\'");
      }
      reading.shown += text[i + 1];
      i += 2;
      continue;
    }
    if (c == '`') {
      const bool pre = text.substr(i, 3) == "```";
      const size_t start = i;
      i += pre ? 3 : 1;
      // A block's first line names its language ("```python\n"), when the block goes on past it.
      if (const size_t newline = text.find('\n', i); pre && newline < text.find("```", i)) i = newline + 1;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '`' || text[i + 1] == '\\')) {
          reading.shown += text[i + 1];
          i += 2;
          continue;
        }
        if (text[i] == '\\') return Refuse("Character '\\' is reserved and must be escaped with the preceding '\\'");
        if (text[i] == '`') {
          if (pre && text.substr(i, 3) != "```") {
            return Refuse("Character '`' is reserved and must be escaped with the preceding '\\'");
          }
          i += pre ? 3 : 1;
          closed = true;
          break;
        }
        reading.shown += text[i];
        ++i;
      }
      if (!closed) {
        return Refuse("Can't find end of " + std::string(pre ? "Pre" : "Code") + " entity at byte offset " +
                      std::to_string(start));
      }
      continue;
    }
    std::string_view marker;
    if (c == '*' || c == '~') marker = text.substr(i, 1);
    if (c == '_') marker = text.substr(i, text.substr(i, 2) == "__" ? 2 : 1);
    if (c == '|' && text.substr(i, 2) == "||") marker = text.substr(i, 2);
    if (!marker.empty()) {
      if (!open.empty() && open.back().marker == marker) {
        open.pop_back();
      } else {
        open.push_back({marker, i});
      }
      i += marker.size();
      continue;
    }
    if (std::string_view("[]()>#+-=|{}.!").find(c) != std::string_view::npos) {
      return Refuse(std::string("Character '") + c + "' is reserved and must be escaped with the preceding '\\'");
    }
    reading.shown += c;
    ++i;
  }
  if (!open.empty()) {
    return Refuse("Can't find end of " + std::string(EntityName(open.back().marker)) + " entity at byte offset " +
                  std::to_string(open.back().offset));
  }
  reading.ok = true;
  return reading;
}

}  // namespace parley::testing
