#pragma once
// What every extractor shares: the size limits, UTF-8 repair, whitespace collapsing, and the builder that turns
// raw block text into the clean blocks of an ExtractedDocument. Private to src/knowledge/extract.

#include "knowledge/extract.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::knowledge::detail {

inline constexpr std::size_t kMaxInputBytes = std::size_t{50} << 20;

// `text` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
std::string ToValidUtf8(std::string_view text);

// Valid UTF-8 in which every run of whitespace or control characters (Unicode spaces and line separators
// included) becomes one space; trimmed.
std::string CollapseWhitespace(std::string_view text);

// Like CollapseWhitespace within each line, but line breaks (LF, CRLF or CR) survive: at most one blank line in a
// row, none at either end. For text shown to people as written, such as FAQ answers.
std::string CollapseWhitespaceKeepLines(std::string_view text);

// Code keeps its layout: valid UTF-8 with LF line ends and no control characters other than tab and newline;
// leading blank lines and trailing whitespace removed.
std::string CleanCode(std::string_view text);

std::string_view StripUtf8Bom(std::string_view text);

// Only A–Z change: for matching names and markup that are ASCII by definition.
std::string AsciiLower(std::string_view text);

// Runs of lines separated by blank (whitespace-only) lines, as views into `text`, in order.
std::vector<std::string_view> SplitParagraphs(std::string_view text);

// Whether a line of collapsed text reads as a title rather than a sentence, for the titles that documents set
// apart without heading markup (a bold line, a short line of its own in plain text): at most 80 characters, a
// letter, and no sentence or clause punctuation at its end.
bool LooksLikeTitle(std::string_view collapsed);

class DocumentBuilder {
 public:
  // Keeps at most `max_chars` characters (code points) of text, title included.
  explicit DocumentBuilder(int64_t max_chars) : max_chars_(max_chars) {}

  void SetTitle(std::string_view raw);

  // Cleans `raw` for `kind` and appends it unless nothing is left. Returns false once the text limit is passed,
  // so that extractors stop early instead of reading the rest of a huge document; Finish reports the overflow.
  bool Add(Block::Kind kind, std::string_view raw, int level = 0, int page = 0);
  // A title set apart without heading markup (see LooksLikeTitle), as a heading one level below the last heading
  // the document marked as one (level 1 before any).
  bool AddTitle(std::string_view raw);
  // A table row (`header`: the row that names the columns) from its raw cells; a row without text is dropped.
  bool AddRow(const std::vector<std::string>& raw_cells, bool header, int page = 0);

  bool Empty() const { return document_.blocks.empty(); }  //!< No block added yet.

  // The document, with the first level-1 heading as title when none was set; an error when the text limit was
  // passed ("the document has more than 10000000 characters of text") or no block was added.
  Result<ExtractedDocument> Finish() &&;

 private:
  bool Reserve(std::string_view text);

  ExtractedDocument document_;
  int64_t max_chars_;
  int64_t chars_ = 0;
  bool overflow_ = false;
  int marked_level_ = 0;  //!< Level of the last heading added with Add.
};

}  // namespace parley::knowledge::detail
