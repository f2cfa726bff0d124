#include "knowledge/extract.h"
#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

// A header row is well within the first 64 KiB of a file.
constexpr std::size_t kHeaderScanBytes = std::size_t{64} << 10;

// RFC 4180 records, one at a time. Lenient where spreadsheets are sloppy: a lone CR also ends a record, and text
// after a closing quote is kept rather than rejected.
class CsvReader {
 public:
  CsvReader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {}

  // The next record into `fields`; false at the end of the input.
  Result<bool> Next(std::vector<std::string>& fields) {
    if (pos_ >= text_.size()) return false;
    fields.clear();
    std::string field;
    bool field_start = true;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (field_start && c == '"') {
        if (auto quoted = ReadQuoted(field); !quoted) return quoted.error();
        field_start = false;
        continue;
      }
      ++pos_;
      if (c == delimiter_) {
        fields.push_back(std::move(field));
        field.clear();
        field_start = true;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
        ++line_;
        break;
      } else {
        field.push_back(c);
        field_start = false;
      }
    }
    fields.push_back(std::move(field));
    return true;
  }

 private:
  // From an opening quote to its closing one; "" stands for one quote.
  Result<void> ReadQuoted(std::string& field) {
    int opening_line = line_;
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') {
        if (pos_ >= text_.size() || text_[pos_] != '"') return Ok();
        ++pos_;
      } else if (c == '\n') {
        ++line_;
      }
      field.push_back(c);
    }
    return Error::InvalidArgument("unterminated quote on line " + std::to_string(opening_line));
  }

  std::string_view text_;
  char delimiter_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

// Excel writes ";" where the decimal separator is a comma (French, German…) and some tools export tabs, so the
// delimiter is the one the first non-empty line uses most, outside quotes; "," on a tie.
char DetectDelimiter(std::string_view text) {
  std::array<std::pair<char, int>, 3> counts{{{',', 0}, {';', 0}, {'\t', 0}}};
  bool quoted = false;
  for (char c : text.substr(std::min(text.find_first_not_of("\r\n"), text.size()))) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    for (auto& [delimiter, count] : counts) count += c == delimiter ? 1 : 0;
  }
  return std::max_element(counts.begin(), counts.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

// Case-folded and composed, so "RÉPONSE", "Réponse" and a decomposed "réponse" all match "réponse".
std::string FoldColumnName(std::string_view name) {
  std::string clean = detail::CollapseWhitespace(name);
  utf8proc_uint8_t* folded = nullptr;
  utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(clean.data()), static_cast<utf8proc_ssize_t>(clean.size()),
                   &folded, static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  if (length < 0) return clean;
  std::string out(reinterpret_cast<const char*>(folded), static_cast<std::size_t>(length));
  std::free(folded);
  return out;
}

bool IsAnswerColumn(std::string_view name) {
  return name == "answer" || name == "réponse" || name == "reponse" || name == "a";
}

// "question", "question2", "question_3", "q", "q2"…: one phrasing per cell. "questions": several, separated
// by "|".
enum class QuestionColumn { kNone, kSingle, kMultiple };

QuestionColumn QuestionColumnOf(std::string_view name) {
  if (name == "questions") return QuestionColumn::kMultiple;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::string_view prefix : {"question", "q"}) {
    if (!name.starts_with(prefix)) continue;
    std::string_view number = name.substr(prefix.size());
    if (!number.empty() && (number[0] == ' ' || number[0] == '_' || number[0] == '-')) {
      number.remove_prefix(1);
      if (number.empty()) continue;
    }
    if (std::all_of(number.begin(), number.end(), is_digit)) return QuestionColumn::kSingle;
  }
  return QuestionColumn::kNone;
}

struct Columns {
  std::size_t answer = 0;
  std::vector<std::pair<std::size_t, QuestionColumn>> questions;
};

std::optional<Columns> ReadHeader(const std::vector<std::string>& header) {
  std::optional<std::size_t> answer;
  Columns columns;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string name = FoldColumnName(header[i]);
    if (IsAnswerColumn(name)) {
      if (!answer) answer = i;
    } else if (QuestionColumn kind = QuestionColumnOf(name); kind != QuestionColumn::kNone) {
      columns.questions.emplace_back(i, kind);
    }
  }
  if (!answer || columns.questions.empty()) return std::nullopt;
  columns.answer = *answer;
  return columns;
}

void AddQuestion(std::vector<std::string>& questions, std::string_view raw) {
  std::string question = detail::CollapseWhitespace(raw);
  if (question.empty() || std::find(questions.begin(), questions.end(), question) != questions.end()) return;
  questions.push_back(std::move(question));
}

bool IsBlankRecord(const std::vector<std::string>& fields) {
  return std::all_of(fields.begin(), fields.end(),
                     [](const std::string& field) { return detail::CollapseWhitespace(field).empty(); });
}

// The first record that is not blank into `fields`; false when there is none.
Result<bool> NextNonBlank(CsvReader& reader, std::vector<std::string>& fields) {
  for (;;) {
    auto more = reader.Next(fields);
    if (!more || !*more || !IsBlankRecord(fields)) return more;
  }
}

}  // namespace

bool IsQaCsv(std::string_view bytes) {
  std::string text =
      detail::ToValidUtf8(detail::StripUtf8Bom(bytes.substr(0, std::min(bytes.size(), kHeaderScanBytes))));
  CsvReader reader(text, DetectDelimiter(text));
  std::vector<std::string> fields;
  auto found = NextNonBlank(reader, fields);
  return found && *found && ReadHeader(fields).has_value();
}

Result<std::vector<QaPair>> ParseQaCsv(std::string_view bytes) {
  if (bytes.size() > detail::kMaxInputBytes) return Error::InvalidArgument("file too large");
  std::string text = detail::ToValidUtf8(detail::StripUtf8Bom(bytes));
  CsvReader reader(text, DetectDelimiter(text));
  std::vector<std::string> fields;

  auto found = NextNonBlank(reader, fields);
  if (!found) return found.error();
  std::optional<Columns> columns;
  if (*found) columns = ReadHeader(fields);
  if (!columns) return Error::InvalidArgument("CSV needs a question and an answer column");

  std::vector<QaPair> pairs;
  for (;;) {
    auto more = reader.Next(fields);
    if (!more) return more.error();
    if (!*more) break;
    if (columns->answer >= fields.size()) continue;
    QaPair pair;
    pair.answer = detail::CollapseWhitespaceKeepLines(fields[columns->answer]);
    if (pair.answer.empty()) continue;
    for (auto [index, kind] : columns->questions) {
      if (index >= fields.size()) continue;
      std::string_view cell = fields[index];
      if (kind == QuestionColumn::kSingle) {
        AddQuestion(pair.questions, cell);
        continue;
      }
      for (std::size_t start = 0; start <= cell.size();) {
        std::size_t end = std::min(cell.find('|', start), cell.size());
        AddQuestion(pair.questions, cell.substr(start, end - start));
        start = end + 1;
      }
    }
    if (!pair.questions.empty()) pairs.push_back(std::move(pair));
  }
  if (pairs.empty()) return Error::InvalidArgument("CSV has no row with both a question and an answer");
  return pairs;
}

namespace detail {

Result<ExtractedDocument> ExtractCsv(std::string_view bytes, const ExtractLimits& limits) {
  std::string text = ToValidUtf8(StripUtf8Bom(bytes));
  CsvReader reader(text, DetectDelimiter(text));
  DocumentBuilder builder(limits.max_chars);
  std::vector<std::string> fields;
  for (bool header = true;;) {
    auto more = NextNonBlank(reader, fields);
    if (!more) return more.error();
    if (!*more || !builder.AddRow(fields, header)) break;
    header = false;
  }
  return std::move(builder).Finish();
}

}  // namespace detail
}  // namespace parley::knowledge
