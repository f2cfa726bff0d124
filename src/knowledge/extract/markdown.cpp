#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"

#include <cmark.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace parley::knowledge::detail {
namespace {

struct NodeDeleter {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct IterDeleter {
  void operator()(cmark_iter* iter) const { cmark_iter_free(iter); }
};
using Iter = std::unique_ptr<cmark_iter, IterDeleter>;

bool IsBreak(cmark_node* node) {
  cmark_node_type type = cmark_node_get_type(node);
  return type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK;
}

// The text of the inline nodes from `first` up to `stop` (excluded), each line break written as `line_break`. Raw
// inline HTML is left out: it is markup, and may be a script.
std::string InlineText(cmark_node* first, cmark_node* stop, std::string_view line_break) {
  std::string text;
  for (cmark_node* inline_node = first; inline_node != stop; inline_node = cmark_node_next(inline_node)) {
    Iter iter(cmark_iter_new(inline_node));
    for (cmark_event_type event; (event = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE;) {
      if (event != CMARK_EVENT_ENTER) continue;
      cmark_node* node = cmark_iter_get_node(iter.get());
      if (IsBreak(node)) {
        text += line_break;
      } else if (cmark_node_get_type(node) == CMARK_NODE_TEXT || cmark_node_get_type(node) == CMARK_NODE_CODE) {
        if (const char* literal = cmark_node_get_literal(node)) text += literal;
      }
    }
  }
  return text;
}

std::string_view TrimSpaces(std::string_view text) {
  std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The cells of a pipe table line ("| a | b |" or "a | b"). Inline parsing has already consumed backslashes, so an
// escaped pipe splits a cell too.
std::vector<std::string> SplitRow(std::string_view line) {
  line = TrimSpaces(line);
  if (line.starts_with('|')) line.remove_prefix(1);
  if (line.ends_with('|')) line.remove_suffix(1);
  std::vector<std::string> cells;
  for (std::size_t start = 0; start <= line.size();) {
    std::size_t end = std::min(line.find('|', start), line.size());
    cells.emplace_back(TrimSpaces(line.substr(start, end - start)));
    start = end + 1;
  }
  return cells;
}

// GFM's delimiter row: "|---|:---:|", every cell dashes with optional alignment colons.
bool IsDelimiterRow(std::string_view line) {
  if (line.find('|') == std::string_view::npos) return false;
  for (const std::string& cell : SplitRow(line)) {
    std::string_view dashes = cell;
    if (dashes.starts_with(':')) dashes.remove_prefix(1);
    if (dashes.ends_with(':')) dashes.remove_suffix(1);
    if (dashes.empty() || dashes.find_first_not_of('-') != std::string_view::npos) return false;
  }
  return true;
}

// CommonMark (libcmark) has no tables, so a GFM pipe table arrives as one paragraph whose lines are its rows; the
// paragraph's text before the header line and after the last row stays prose.
class ParagraphReader {
 public:
  explicit ParagraphReader(DocumentBuilder& builder) : builder_(builder) {}

  bool Read(cmark_node* paragraph, Block::Kind kind) {
    cmark_node* first = cmark_node_first_child(paragraph);
    if (kind == Block::Kind::kParagraph) {
      if (auto table = ReadTable(InlineText(first, nullptr, "\n"))) return *table;
      // "**Gift cards**" on a line of its own titles what follows rather than opening its text.
      if (first != nullptr && cmark_node_get_type(first) == CMARK_NODE_STRONG &&
          (cmark_node_next(first) == nullptr || IsBreak(cmark_node_next(first)))) {
        std::string title = InlineText(first, cmark_node_next(first), " ");
        if (LooksLikeTitle(CollapseWhitespace(title))) {
          if (!builder_.AddTitle(title)) return false;
          cmark_node* rest = cmark_node_next(first);
          return rest == nullptr || builder_.Add(kind, InlineText(cmark_node_next(rest), nullptr, " "));
        }
      }
    }
    return builder_.Add(kind, InlineText(first, nullptr, " "));
  }

 private:
  // Whether the builder has room left, when `text` holds a table; nullopt when it does not.
  std::optional<bool> ReadTable(const std::string& text) {
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start <= text.size();) {
      std::size_t end = std::min(text.find('\n', start), text.size());
      lines.push_back(std::string_view(text).substr(start, end - start));
      start = end + 1;
    }
    for (std::size_t header = 0; header + 1 < lines.size(); ++header) {
      if (lines[header].find('|') == std::string_view::npos || !IsDelimiterRow(lines[header + 1])) continue;
      std::vector<std::string> names = SplitRow(lines[header]);
      if (names.size() != SplitRow(lines[header + 1]).size()) continue;
      if (!builder_.Add(Block::Kind::kParagraph, Join(lines, 0, header))) return false;
      if (!builder_.AddRow(names, true)) return false;
      std::size_t row = header + 2;
      for (; row < lines.size() && lines[row].find('|') != std::string_view::npos; ++row) {
        std::vector<std::string> cells = SplitRow(lines[row]);
        cells.resize(names.size());  // GFM: extra cells are dropped, missing ones are empty.
        if (!builder_.AddRow(cells, false)) return false;
      }
      return builder_.Add(Block::Kind::kParagraph, Join(lines, row, lines.size()));
    }
    return std::nullopt;
  }

  static std::string Join(const std::vector<std::string_view>& lines, std::size_t from, std::size_t to) {
    std::string text;
    for (std::size_t i = from; i < to; ++i) text.append(i > from ? " " : "").append(lines[i]);
    return text;
  }

  DocumentBuilder& builder_;
};

}  // namespace

Result<ExtractedDocument> ExtractMarkdown(std::string_view bytes, const ExtractLimits& limits) {
  std::string_view text = StripUtf8Bom(bytes);
  std::unique_ptr<cmark_node, NodeDeleter> root(
      cmark_parse_document(text.data(), text.size(), CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8));
  DocumentBuilder builder(limits.max_chars);
  if (!root) return std::move(builder).Finish();
  ParagraphReader paragraphs(builder);
  // The walk is iterative (cmark's iterator) so deeply nested quotes or lists cannot exhaust the stack.
  Iter iter(cmark_iter_new(root.get()));
  bool room_left = true;
  for (cmark_event_type event; room_left && (event = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE;) {
    if (event != CMARK_EVENT_ENTER) continue;
    cmark_node* node = cmark_iter_get_node(iter.get());
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_HEADING:
        room_left = builder.Add(Block::Kind::kHeading, InlineText(cmark_node_first_child(node), nullptr, " "),
                                cmark_node_get_heading_level(node));
        cmark_iter_reset(iter.get(), node, CMARK_EVENT_EXIT);
        break;
      case CMARK_NODE_PARAGRAPH: {
        cmark_node* parent = cmark_node_parent(node);
        bool in_item = parent != nullptr && cmark_node_get_type(parent) == CMARK_NODE_ITEM;
        room_left = paragraphs.Read(node, in_item ? Block::Kind::kListItem : Block::Kind::kParagraph);
        cmark_iter_reset(iter.get(), node, CMARK_EVENT_EXIT);
        break;
      }
      case CMARK_NODE_CODE_BLOCK:
        if (const char* literal = cmark_node_get_literal(node)) room_left = builder.Add(Block::Kind::kCode, literal);
        break;
      default:
        break;
    }
  }
  return std::move(builder).Finish();
}

}  // namespace parley::knowledge::detail
