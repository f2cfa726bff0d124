#include "knowledge/extract/document_builder.h"

#include <utf8proc.h>

#include <algorithm>
#include <utility>

namespace parley::knowledge::detail {
namespace {

constexpr utf8proc_int32_t kReplacementCharacter = 0xFFFD;

// The code point at `pos`, advancing `pos` past it; U+FFFD for a byte that does not start a valid sequence, which
// then consumes only that byte so that decoding resynchronises on the next one.
utf8proc_int32_t NextCodePoint(std::string_view text, std::size_t& pos) {
  auto byte = static_cast<unsigned char>(text[pos]);
  if (byte < 0x80) {
    ++pos;
    return byte;
  }
  utf8proc_int32_t code_point = 0;
  utf8proc_ssize_t length = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                                             static_cast<utf8proc_ssize_t>(text.size() - pos), &code_point);
  if (length <= 0) {
    ++pos;
    return kReplacementCharacter;
  }
  pos += static_cast<std::size_t>(length);
  return code_point;
}

void AppendCodePoint(std::string& out, utf8proc_int32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
    return;
  }
  utf8proc_uint8_t buffer[4];
  utf8proc_ssize_t length = utf8proc_encode_char(code_point, buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
}

bool IsControl(utf8proc_int32_t code_point) { return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F); }

// Controls count as whitespace so that a stray NUL or form feed separates words instead of gluing them.
bool IsSpaceOrControl(utf8proc_int32_t code_point) {
  if (IsControl(code_point)) return true;
  if (code_point < 0x80) return code_point == ' ';
  switch (utf8proc_category(code_point)) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return true;
    default:
      return false;
  }
}

bool IsBlank(std::string_view line) { return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos; }

}  // namespace

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) AppendCodePoint(out, NextCodePoint(text, pos));
  return out;
}

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (std::size_t pos = 0; pos < text.size();) {
    utf8proc_int32_t code_point = NextCodePoint(text, pos);
    if (IsSpaceOrControl(code_point)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    AppendCodePoint(out, code_point);
  }
  return out;
}

std::string CollapseWhitespaceKeepLines(std::string_view text) {
  std::string out;
  bool pending_blank_line = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = std::min(text.find_first_of("\r\n", start), text.size());
    std::string line = CollapseWhitespace(text.substr(start, end - start));
    if (line.empty()) {
      pending_blank_line = !out.empty();
    } else {
      if (!out.empty()) out += pending_blank_line ? "\n\n" : "\n";
      pending_blank_line = false;
      out += line;
    }
    if (end + 1 < text.size() && text[end] == '\r' && text[end + 1] == '\n') ++end;
    start = end + 1;
  }
  return out;
}

std::string CleanCode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    utf8proc_int32_t code_point = NextCodePoint(text, pos);
    if (code_point == '\r') {
      if (pos < text.size() && text[pos] == '\n') continue;
      code_point = '\n';
    }
    if (IsControl(code_point) && code_point != '\t' && code_point != '\n') continue;
    AppendCodePoint(out, code_point);
  }
  std::size_t last = out.find_last_not_of(" \t\n");
  if (last == std::string::npos) return {};
  out.erase(last + 1);
  std::size_t first = out.find_first_not_of(" \t\n");
  std::size_t line_start = out.rfind('\n', first);
  out.erase(0, line_start == std::string::npos ? 0 : line_start + 1);
  return out;
}

std::string_view StripUtf8Bom(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string_view> SplitParagraphs(std::string_view text) {
  std::vector<std::string_view> paragraphs;
  std::size_t paragraph_start = std::string_view::npos;
  std::size_t paragraph_end = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    if (!IsBlank(text.substr(start, end - start))) {
      if (paragraph_start == std::string_view::npos) paragraph_start = start;
      paragraph_end = end;
    } else if (paragraph_start != std::string_view::npos) {
      paragraphs.push_back(text.substr(paragraph_start, paragraph_end - paragraph_start));
      paragraph_start = std::string_view::npos;
    }
    start = end + 1;
  }
  if (paragraph_start != std::string_view::npos) {
    paragraphs.push_back(text.substr(paragraph_start, paragraph_end - paragraph_start));
  }
  return paragraphs;
}

void DocumentBuilder::SetTitle(std::string_view raw) {
  std::string title = CollapseWhitespace(raw);
  if (Reserve(title)) document_.title = std::move(title);
}

bool DocumentBuilder::Add(Block::Kind kind, std::string_view raw, int level, int page) {
  if (overflow_) return false;
  std::string text = kind == Block::Kind::kCode ? CleanCode(raw) : CollapseWhitespace(raw);
  if (text.empty()) return true;
  if (!Reserve(text)) return false;
  if (kind == Block::Kind::kHeading) marked_level_ = level;
  document_.blocks.push_back(
      {.kind = kind, .level = kind == Block::Kind::kHeading ? level : 0, .text = std::move(text), .page = page});
  return true;
}

bool LooksLikeTitle(std::string_view collapsed) {
  constexpr std::size_t kMaxTitleChars = 80;
  if (collapsed.empty()) return false;
  std::size_t chars = 0;
  bool letter = false;
  for (std::size_t pos = 0; pos < collapsed.size();) {
    utf8proc_int32_t code_point = NextCodePoint(collapsed, pos);
    ++chars;
    auto category = utf8proc_category(code_point);
    letter = letter || (category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO);
  }
  // "…" is "..." once normalized, and ends with a period too.
  return letter && chars <= kMaxTitleChars &&
         std::string_view(".!?,;:").find(collapsed.back()) == std::string_view::npos;
}

bool DocumentBuilder::AddTitle(std::string_view raw) {
  int marked = marked_level_;
  bool added = Add(Block::Kind::kHeading, raw, std::min(marked + 1, 6));
  marked_level_ = marked;
  return added;
}

bool DocumentBuilder::AddRow(const std::vector<std::string>& raw_cells, bool header, int page) {
  if (overflow_) return false;
  Block block{.kind = header ? Block::Kind::kTableHeader : Block::Kind::kTableRow, .page = page};
  for (const std::string& raw : raw_cells) {
    std::string cell = CollapseWhitespace(raw);
    if (!cell.empty()) block.text += (block.text.empty() ? "" : " | ") + cell;
    block.cells.push_back(std::move(cell));
  }
  if (block.text.empty()) return true;
  while (block.cells.back().empty()) block.cells.pop_back();
  if (!Reserve(block.text)) return false;
  document_.blocks.push_back(std::move(block));
  return true;
}

bool DocumentBuilder::Reserve(std::string_view text) {
  // `text` is valid UTF-8 here: every byte that does not continue a sequence starts a character.
  auto chars =
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  if (overflow_ || chars_ + chars > max_chars_) {
    overflow_ = true;
    return false;
  }
  chars_ += chars;
  return true;
}

Result<ExtractedDocument> DocumentBuilder::Finish() && {
  if (overflow_) {
    return Error::InvalidArgument("the document has more than " + std::to_string(max_chars_) + " characters of text");
  }
  if (document_.blocks.empty()) return Error::InvalidArgument("document has no text");
  if (document_.title.empty()) {
    auto h1 = std::find_if(document_.blocks.begin(), document_.blocks.end(),
                           [](const Block& block) { return block.kind == Block::Kind::kHeading && block.level == 1; });
    if (h1 != document_.blocks.end()) document_.title = h1->text;
  }
  return std::move(document_);
}

}  // namespace parley::knowledge::detail
