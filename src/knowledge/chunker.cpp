#include "knowledge/chunker.h"

#include "knowledge/text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace parley::knowledge {
namespace {

using Kind = Block::Kind;

// Limits are in code points, so an accented French text gets the same room as an ASCII one.
int CharCount(std::string_view text) {
  return static_cast<int>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The byte length of the first `chars` code points of `text`.
size_t PrefixBytes(std::string_view text, int chars) {
  size_t i = 0;
  for (int seen = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && seen++ == chars) break;
  }
  return i;
}

// Decodes the code point at `i` of valid UTF-8 (the text is normalized), returning it and its byte length.
std::pair<char32_t, size_t> DecodeAt(std::string_view text, size_t i) {
  auto lead = static_cast<unsigned char>(text[i]);
  size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  length = std::min(length, text.size() - i);
  char32_t codepoint = length == 1 ? lead : lead & (0x3F >> (length - 1));
  for (size_t k = 1; k < length; ++k) codepoint = (codepoint << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  return {codepoint, length};
}

bool IsAsciiSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsAsciiSpace(text.back())) text.remove_suffix(1);
  return text;
}

// NFKC has turned the Unicode spaces (no-break, em, ideographic…) into ASCII ones, so this is enough to collapse
// the whitespace of prose blocks.
std::string CollapseSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : Trim(text)) {
    if (!IsAsciiSpace(c)) {
      out.push_back(c);
    } else if (out.back() != ' ') {
      out.push_back(' ');
    }
  }
  return out;
}

// NFKC has already turned "…" into "..." and the fullwidth ．！？ into ASCII; only the ideographic full stop
// survives normalization, and CJK text puts no space after it.
constexpr char32_t kIdeographicFullStop = 0x3002;

bool IsTerminator(char32_t c) { return c == '.' || c == '!' || c == '?' || c == kIdeographicFullStop; }

bool IsCloser(char32_t c) {
  return c == ')' || c == ']' || c == '}' || c == '"' || c == '\'' || c == U'»' || c == U'”' || c == U'’' ||
         c == U'」' || c == U'』';
}

// English and French abbreviations whose period is usually not the end of a sentence.
constexpr std::array<std::string_view, 19> kAbbreviations = {
    "approx.", "av.", "cf.",  "dr.", "env.",  "etc.", "fig.", "jr.",  "mlle.", "mm.",
    "mme.",    "mr.", "mrs.", "ms.", "prof.", "sr.",  "st.",  "tel.", "vs.",
};

// `token` runs from the previous space to the period, inclusive.
bool IsAbbreviation(std::string_view token) {
  while (!token.empty() && std::string_view("([{\"'").find(token.front()) != std::string_view::npos) {
    token.remove_prefix(1);
  }
  std::string lower(token);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  // Initials and dotted short forms: "M.", "J.", "e.g.", "i.e.", "U.S.".
  bool initials = lower.size() % 2 == 0;
  for (size_t i = 0; initials && i < lower.size(); i += 2) {
    initials = std::isalpha(static_cast<unsigned char>(lower[i])) && lower[i + 1] == '.';
  }
  return initials || std::find(kAbbreviations.begin(), kAbbreviations.end(), lower) != kAbbreviations.end();
}

std::vector<std::string_view> SplitSentences(std::string_view text) {
  std::vector<std::string_view> sentences;
  size_t start = 0;
  auto emit = [&](size_t end) {
    auto sentence = Trim(text.substr(start, end - start));
    if (!sentence.empty()) sentences.push_back(sentence);
  };
  for (size_t i = 0; i < text.size();) {
    auto [codepoint, length] = DecodeAt(text, i);
    if (!IsTerminator(codepoint)) {
      i += length;
      continue;
    }
    size_t end = i + length;
    while (end < text.size()) {
      auto [next, next_length] = DecodeAt(text, end);
      if (!IsTerminator(next) && !IsCloser(next)) break;
      end += next_length;
    }
    bool boundary = end < text.size() && (codepoint == kIdeographicFullStop || IsAsciiSpace(text[end]));
    if (boundary && codepoint == '.' && end == i + 1) {
      size_t token_start = start;
      for (size_t k = i; k > start; --k) {
        if (IsAsciiSpace(text[k - 1])) {
          token_start = k;
          break;
        }
      }
      boundary = !IsAbbreviation(text.substr(token_start, end - token_start));
    }
    if (boundary) {
      emit(end);
      start = end;
    }
    i = end;
  }
  emit(text.size());
  return sentences;
}

// For a sentence longer than the maximum: runs of whole words of at most `limit` code points, and a single
// longer word (a URL, a hash) cut where it must. The pieces are views into `sentence`.
std::vector<std::string_view> SplitWords(std::string_view sentence, int limit) {
  std::vector<std::string_view> pieces;
  size_t start = std::string_view::npos;  // Of the piece being filled.
  size_t end = 0;
  int chars = 0;
  for (size_t i = 0; i < sentence.size();) {
    if (IsAsciiSpace(sentence[i])) {
      ++i;
      continue;
    }
    size_t word_end = i;
    while (word_end < sentence.size() && !IsAsciiSpace(sentence[word_end])) ++word_end;
    if (start != std::string_view::npos) {
      int with_word = chars + CharCount(sentence.substr(end, word_end - end));
      if (with_word <= limit) {
        chars = with_word;
        end = i = word_end;
        continue;
      }
      pieces.push_back(sentence.substr(start, end - start));
    }
    std::string_view word = sentence.substr(i, word_end - i);
    int word_chars = CharCount(word);
    while (word_chars > limit) {
      size_t cut = PrefixBytes(word, limit);
      pieces.push_back(word.substr(0, cut));
      word.remove_prefix(cut);
      word_chars -= limit;
    }
    start = static_cast<size_t>(word.data() - sentence.data());
    chars = word_chars;
    end = i = word_end;
  }
  if (start != std::string_view::npos) pieces.push_back(sentence.substr(start, end - start));
  return pieces;
}

// The smallest piece the packer moves: a sentence, a list line or a code line.
struct Unit {
  std::string text;
  std::string separator;  //!< Goes before the unit unless it opens a chunk.
  int chars = 0;
  int page = 0;
};

struct Limits {
  int target = 0;
  int max = 0;
  int overlap = 0;
};

// Cuts one block into units: sentences for prose, lines for code. Within the block a unit's separator is the
// text's own whitespace before it (none after an ideographic full stop or inside a cut word); across blocks,
// list items and table rows stay one per line and paragraphs are set apart by a blank line.
std::vector<Unit> BlockUnits(const Block& block, const Limits& limits) {
  bool code = block.kind == Kind::kCode;
  std::string normalized = Normalize(block.text);
  std::string text = code ? std::move(normalized) : CollapseSpaces(normalized);
  std::vector<std::string_view> parts;
  if (code) {
    for (size_t start = 0; start < text.size();) {
      size_t end = std::min(text.find('\n', start), text.size());
      std::string_view line = Trim(std::string_view(text).substr(start, end - start));
      if (!line.empty()) parts.emplace_back(text.data() + start, static_cast<size_t>(line.end() - text.data()) - start);
      start = end + 1;
    }
  } else {
    parts = SplitSentences(text);
  }
  bool line_block = block.kind == Kind::kListItem || block.kind == Kind::kTableRow || block.kind == Kind::kTableHeader;
  std::vector<Unit> units;
  const char* previous_end = nullptr;
  auto add = [&](std::string_view piece) {
    std::string separator = units.empty() ? (line_block ? "\n" : "\n\n")
                                          : std::string(previous_end, static_cast<size_t>(piece.data() - previous_end));
    units.push_back({std::string(piece), std::move(separator), CharCount(piece), block.page});
    previous_end = piece.data() + piece.size();
  };
  for (auto part : parts) {
    if (CharCount(part) <= limits.max) {
      add(part);
    } else {
      for (auto piece : SplitWords(part, limits.target)) add(piece);
    }
  }
  return units;
}

// Fills chunks of one document section by section. Between two chunks of a section it keeps the last few units
// as the overlap that opens the next chunk.
class Packer {
 public:
  Packer(const Limits& limits, std::vector<Chunk>& chunks) : limits_(limits), chunks_(chunks) {}

  void StartSection(std::vector<std::string> heading_path) {
    Break();
    heading_path_ = std::move(heading_path);
  }

  // Ends the current chunk without carrying overlap into the next: around a table row, which stands alone.
  void Break() {
    Flush();
    units_.clear();
    chars_ = 0;
  }

  void AddBlock(std::vector<Unit> block) {
    if (block.empty()) return;
    int block_chars = JoinedChars(block);
    if (CharsWith(block_chars, block.front()) <= limits_.target) {
      for (auto& unit : block) Append(std::move(unit));
    } else if (block_chars <= limits_.target) {
      // Fits whole in a chunk of its own: a paragraph is better kept together than split to fill the current one.
      Flush();
      MakeRoom(block_chars, block.front());
      for (auto& unit : block) Append(std::move(unit));
    } else {
      for (auto& unit : block) AddUnit(std::move(unit));
    }
  }

  void Finish() { Flush(); }

 private:
  static int JoinedChars(const std::vector<Unit>& units) {
    int chars = 0;
    for (size_t i = 0; i < units.size(); ++i) chars += units[i].chars + (i > 0 ? CharCount(units[i].separator) : 0);
    return chars;
  }

  // The current chunk's size once `chars` more are appended, `first` being the first unit appended.
  int CharsWith(int chars, const Unit& first) const {
    return units_.empty() ? chars : chars_ + CharCount(first.separator) + chars;
  }

  void Append(Unit unit) {
    chars_ = CharsWith(unit.chars, unit);
    units_.push_back(std::move(unit));
    ++fresh_;
  }

  void AddUnit(Unit unit) {
    if (CharsWith(unit.chars, unit) > limits_.target) {
      Flush();
      MakeRoom(unit.chars, unit);
    }
    Append(std::move(unit));
  }

  // Drops overlap from its oldest end until `chars` more fit under the maximum.
  void MakeRoom(int chars, const Unit& first) {
    while (!units_.empty() && CharsWith(chars, first) > limits_.max) {
      units_.erase(units_.begin());
      chars_ = JoinedChars(units_);
    }
  }

  // Emits the current chunk if it holds anything new, keeping its tail as the next chunk's overlap.
  void Flush() {
    if (fresh_ == 0) return;
    Chunk chunk;
    chunk.position = static_cast<int>(chunks_.size());
    chunk.heading_path = heading_path_;
    chunk.page = units_.front().page;
    for (size_t i = 0; i < units_.size(); ++i) {
      if (i > 0) chunk.text += units_[i].separator;
      chunk.text += units_[i].text;
    }
    chunks_.push_back(std::move(chunk));

    // Whole units from the end, about `overlap` chars, never the entire chunk (it would repeat verbatim).
    size_t keep = 0;
    int kept_chars = 0;
    for (size_t i = units_.size() - 1; limits_.overlap > 0 && i > 0 && kept_chars < limits_.overlap; --i) {
      int with = kept_chars + units_[i].chars + (keep > 0 ? CharCount(units_[i + 1].separator) : 0);
      if (with > limits_.overlap * 3 / 2) break;
      kept_chars = with;
      ++keep;
    }
    units_.erase(units_.begin(), units_.end() - static_cast<long>(keep));
    chars_ = kept_chars;
    fresh_ = 0;
  }

  Limits limits_;
  std::vector<Chunk>& chunks_;
  std::vector<std::string> heading_path_;
  std::vector<Unit> units_;
  int chars_ = 0;  //!< Size of `units_` joined.
  int fresh_ = 0;  //!< Units of `units_` not yet emitted in a chunk (the rest is overlap).
};

std::vector<std::string> NormalizedCells(const Block& row) {
  std::vector<std::string> cells;
  cells.reserve(row.cells.size());
  for (const auto& cell : row.cells) cells.push_back(CollapseSpaces(Normalize(cell)));
  return cells;
}

// A table row as a sentence that stands on its own: each cell after the name of its column ("Size: M; Colour:
// blue; Price: €39"). Without a header, a two-cell row reads as a label and its value ("Delivery: €2.50") and a
// longer one as its cells in order. Empty for a row that repeats the header (long tables repeat it).
std::string LabelledRow(const std::vector<std::string>& columns, const Block& row) {
  std::vector<std::string> cells = NormalizedCells(row);
  if (cells.empty()) return row.text;
  if (cells == columns) return "";
  std::vector<std::pair<std::string_view, std::string_view>> parts;  // (column name, value)
  for (size_t i = 0; i < cells.size(); ++i) {
    if (!cells[i].empty())
      parts.emplace_back(i < columns.size() ? std::string_view(columns[i]) : std::string_view(), cells[i]);
  }
  std::string text;
  if (columns.empty() && parts.size() == 2) return std::string(parts[0].second) + ": " + std::string(parts[1].second);
  for (const auto& [name, value] : parts) {
    if (!text.empty()) text += "; ";
    if (!name.empty()) text.append(name).append(": ");
    text += value;
  }
  return text;
}

}  // namespace

std::vector<Chunk> ChunkDocument(const ExtractedDocument& document, const ChunkOptions& options) {
  Limits limits;
  limits.target = std::max(options.target_chars, 100);
  limits.max = std::max(options.max_chars, limits.target);
  limits.overlap = std::clamp(options.overlap_chars, 0, limits.target / 2 - 1);

  std::vector<Chunk> chunks;
  Packer packer(limits, chunks);
  std::vector<std::pair<int, std::string>> headings;  // (level, text), outermost first.
  // The open table's column names, and its header block until a row has used it: a header without rows is text.
  std::vector<std::string> columns;
  const Block* unused_header = nullptr;
  for (const auto& block : document.blocks) {
    if (block.kind == Kind::kTableHeader || block.kind == Kind::kTableRow) {
      // Each row is a chunk of its own, labelled with the column names, under the section's headings: a customer
      // asking for one price finds the row that holds it rather than a whole table.
      if (block.kind == Kind::kTableHeader) {
        columns = NormalizedCells(block);
        unused_header = &block;
        continue;
      }
      std::string labelled = LabelledRow(columns, block);
      unused_header = nullptr;
      if (labelled.empty()) continue;
      packer.Break();
      packer.AddBlock(BlockUnits({.kind = Kind::kParagraph, .text = std::move(labelled), .page = block.page}, limits));
      packer.Break();
      continue;
    }
    if (unused_header != nullptr) packer.AddBlock(BlockUnits(*unused_header, limits));
    columns.clear();
    unused_header = nullptr;
    if (block.kind != Kind::kHeading) {
      packer.AddBlock(BlockUnits(block, limits));
      continue;
    }
    std::string title = CollapseSpaces(Normalize(block.text));
    if (title.empty()) continue;
    int level = std::clamp(block.level, 1, 6);
    while (!headings.empty() && headings.back().first >= level) headings.pop_back();
    headings.emplace_back(level, std::move(title));
    std::vector<std::string> path;
    path.reserve(headings.size());
    for (const auto& heading : headings) path.push_back(heading.second);
    packer.StartSection(std::move(path));
  }
  if (unused_header != nullptr) packer.AddBlock(BlockUnits(*unused_header, limits));
  packer.Finish();
  return chunks;
}

std::string IndexedText(const Chunk& chunk) {
  std::string out;
  for (size_t i = 0; i < chunk.heading_path.size(); ++i) {
    if (i > 0) out += " › ";
    out += chunk.heading_path[i];
  }
  if (!out.empty()) out += '\n';
  out += chunk.text;
  return out;
}

}  // namespace parley::knowledge
