#include "agent/table_rows.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>

namespace parley::agent {
namespace {

constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// A token of a lower-cased text: a number (digits with thousands separators or a decimal part), a word, or one
// character of punctuation; UTF-8 multibyte characters are kept as one token so "€" and "×" can be recognised.
struct Token {
  enum Kind { kNumber, kWord, kOther } kind;
  std::string text;
  double value = 0;
};

bool Digit(char c) { return c >= '0' && c <= '9'; }
bool Letter(char c) { return c >= 'a' && c <= 'z'; }

std::vector<Token> Tokens(std::string_view raw) {
  std::string text(raw);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (Digit(c)) {
      std::string digits;
      std::string decimals;
      while (i < text.size()) {
        while (i < text.size() && Digit(text[i])) digits += text[i++];
        // "1,000" groups thousands (three digits after the comma, no fourth); "0.50" and "0,50" have decimals.
        const bool group = text[i] == ',' && i + 3 < text.size() && Digit(text[i + 1]) && Digit(text[i + 2]) &&
                           Digit(text[i + 3]) && (i + 4 == text.size() || !Digit(text[i + 4]));
        if (group) {
          ++i;
          continue;
        }
        if (i + 1 < text.size() && (text[i] == '.' || text[i] == ',') && Digit(text[i + 1])) {
          ++i;
          while (i < text.size() && Digit(text[i])) decimals += text[i++];
        }
        break;
      }
      Token token{Token::kNumber, digits + (decimals.empty() ? "" : "." + decimals)};
      token.value = std::stod(token.text);
      tokens.push_back(std::move(token));
    } else if (Letter(c)) {
      std::string word;
      while (i < text.size() && Letter(text[i])) word += text[i++];
      tokens.push_back({Token::kWord, std::move(word)});
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      size_t length = (static_cast<unsigned char>(c) & 0xE0) == 0xC0   ? 2
                      : (static_cast<unsigned char>(c) & 0xF0) == 0xE0 ? 3
                                                                       : 4;
      tokens.push_back({Token::kOther, text.substr(i, std::min(length, text.size() - i))});
      i += length;
    } else {
      if (c != ' ' && c != '\t' && c != '\n') tokens.push_back({Token::kOther, std::string(1, c)});
      ++i;
    }
  }
  return tokens;
}

bool IsCurrency(const Token& token) {
  return token.text == "€" || token.text == "$" || token.text == "£" || token.text == "eur" || token.text == "euro" ||
         token.text == "euros" || token.text == "%";
}

// Whether the number at `i` is a price, a time or a percentage rather than a quantity.
bool NotAQuantity(const std::vector<Token>& tokens, size_t i) {
  if (i > 0 && IsCurrency(tokens[i - 1])) return true;
  if (i + 1 < tokens.size()) {
    const Token& next = tokens[i + 1];
    if (IsCurrency(next) || next.text == "h" || next.text == "am" || next.text == "pm") return true;
    if (next.text == ":" && i + 2 < tokens.size() && tokens[i + 2].kind == Token::kNumber) return true;
  }
  if (i > 0 && tokens[i - 1].text == ":" && i > 1 && tokens[i - 2].kind == Token::kNumber) return true;
  return false;
}

// A short letter-digit code ("a4", "a0"), written as one word: a letter token directly followed by a number in the
// raw text cannot be told apart from "a 4" by tokens, so codes are found on the raw text.
std::vector<std::string> CodesIn(std::string_view raw) {
  std::vector<std::string> codes;
  std::string text(raw);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < text.size(); ++i) {
    if (!Letter(text[i]) || (i > 0 && (Letter(text[i - 1]) || Digit(text[i - 1])))) continue;
    size_t j = i;
    while (j < text.size() && Letter(text[j]) && j - i < 3) ++j;
    if (j - i > 2 || j >= text.size() || !Digit(text[j])) continue;
    size_t k = j;
    while (k < text.size() && Digit(text[k])) ++k;
    if (k - j > 2 || (k < text.size() && (Letter(text[k]) || Digit(text[k])))) continue;
    // "x" between two numbers is a dimension ("10x15"), not a code.
    if (text.substr(i, j - i) == "x" && i > 0 && Digit(text[i - 1])) continue;
    codes.push_back(text.substr(i, k - i));
  }
  return codes;
}

struct Interval {
  double low = 0;
  double high = kUnbounded;
  bool Holds(double value) const { return value >= low && value <= high; }
};

struct KeyEntities {
  std::vector<Interval> ranges;
  std::vector<double> exact;
  std::vector<std::string> codes;
  bool empty() const { return ranges.empty() && exact.empty() && codes.empty(); }
};

// The index past at most two unit words after a number ("sides", "prints"), where "or more" may follow.
size_t AfterUnits(const std::vector<Token>& tokens, size_t i) {
  for (size_t end = i + 2; i < tokens.size() && i < end; ++i) {
    if (tokens[i].kind != Token::kWord || tokens[i].text == "or" || tokens[i].text == "to") break;
  }
  return i;
}

KeyEntities EntitiesOfKey(std::string_view key) {
  KeyEntities entities;
  entities.codes = CodesIn(key);
  const std::vector<Token> tokens = Tokens(key);
  auto word = [&](size_t i, std::string_view w) { return i < tokens.size() && tokens[i].text == w; };
  auto number = [&](size_t i) {
    return i < tokens.size() && tokens[i].kind == Token::kNumber && !NotAQuantity(tokens, i);
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!number(i)) {
      // "up to 10", "under 10", "less than 10"; "over 25", "above 25", "more than 25", "from 100".
      if ((word(i, "up") && word(i + 1, "to") && number(i + 2)) ||
          (word(i, "less") && word(i + 1, "than") && number(i + 2))) {
        entities.ranges.push_back({0, tokens[i + 2].value});
        i += 2;
      } else if ((word(i, "under") || word(i, "below")) && number(i + 1)) {
        entities.ranges.push_back({0, tokens[i + 1].value});
        ++i;
      } else if (word(i, "more") && word(i + 1, "than") && number(i + 2)) {
        entities.ranges.push_back({tokens[i + 2].value});
        i += 2;
      } else if ((word(i, "over") || word(i, "above") || word(i, "from")) && number(i + 1)) {
        entities.ranges.push_back({tokens[i + 1].value});
        ++i;
      }
      continue;
    }
    const double value = tokens[i].value;
    // "1 to 99", "10-25" (a dash or an en dash), "500 or more", "50+".
    if ((word(i + 1, "to") || word(i + 1, "-") || word(i + 1, "–")) && number(i + 2)) {
      entities.ranges.push_back({value, tokens[i + 2].value});
      i += 2;
    } else if (const size_t after = AfterUnits(tokens, i + 1);
               word(after, "or") && (word(after + 1, "more") || word(after + 1, "over") || word(after + 1, "above"))) {
      entities.ranges.push_back({value});  // "500 or more", "500 sides or more".
      i = after + 1;
    } else if (word(i + 1, "+")) {
      entities.ranges.push_back({value});
      ++i;
    } else if (i > 0 && tokens[i - 1].kind == Token::kWord &&
               std::find(entities.codes.begin(), entities.codes.end(), tokens[i - 1].text + tokens[i].text) !=
                   entities.codes.end()) {
      // The digits of a code ("a4") are not a quantity.
    } else {
      entities.exact.push_back(value);
    }
  }
  return entities;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// The key of a keyed row, if `line` is one: a labelled table row's first value ("Quantity: 1 to 99 sides; …" gives
// "1 to 99 sides"), else the label of "Label: value" (a list item's bullet left out). A label of more than eight
// words is a sentence with a colon, not a key.
std::optional<std::string_view> KeyOf(std::string_view line) {
  line = Trim(line);
  for (std::string_view bullet : {"- ", "* ", "• "}) {
    if (line.starts_with(bullet)) line.remove_prefix(bullet.size());
  }
  const size_t colon = line.find(": ");
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view key = line.substr(0, colon);
  if (std::count(key.begin(), key.end(), ' ') > 7) return std::nullopt;
  const size_t cell_end = line.find("; ");
  if (cell_end != std::string_view::npos && cell_end > colon) {
    return Trim(line.substr(colon + 2, cell_end - colon - 2));  // A labelled table row: its first cell's value.
  }
  return key;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    if (end > at) lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

double WordNumber(std::string_view word) {
  static const std::pair<std::string_view, double> kWords[] = {
      {"dozen", 12},     {"hundred", 100}, {"thousand", 1000}, {"cent", 100},  {"mille", 1000},   {"hundert", 100},
      {"tausend", 1000}, {"cien", 100},    {"mil", 1000},      {"cento", 100}, {"duizend", 1000}, {"honderd", 100}};
  for (const auto& [name, value] : kWords) {
    if (word == name) return value;
  }
  return 0;
}

double SmallNumber(std::string_view word) {
  static const std::string_view kSmall[] = {"zero", "one",   "two",   "three", "four", "five",
                                            "six",  "seven", "eight", "nine",  "ten"};
  for (size_t i = 0; i < std::size(kSmall); ++i) {
    if (word == kSmall[i]) return static_cast<double>(i);
  }
  return 0;
}

}  // namespace

QuestionEntities EntitiesOf(std::string_view question) {
  QuestionEntities entities;
  entities.codes = CodesIn(question);
  const std::vector<Token> tokens = Tokens(question);
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (token.kind == Token::kNumber) {
      // The digits of a code ("a4") are not a quantity.
      const bool in_code = std::any_of(entities.codes.begin(), entities.codes.end(), [&](const std::string& code) {
        return i > 0 && tokens[i - 1].kind == Token::kWord && code == tokens[i - 1].text + token.text;
      });
      if (!in_code && !NotAQuantity(tokens, i)) entities.numbers.push_back(token.value);
    } else if (token.kind == Token::kWord) {
      // "a thousand", "two hundred", "a dozen".
      if (const double value = WordNumber(token.text); value > 0) {
        const double times = i > 0 ? SmallNumber(tokens[i - 1].text) : 0;
        entities.numbers.push_back(times > 0 ? times * value : value);
      }
    }
  }
  return entities;
}

bool IsKeyedRow(std::string_view line) { return KeyOf(line).has_value(); }

RowAgreement AgreeWithRow(const QuestionEntities& question, std::string_view line) {
  const std::optional<std::string_view> key = KeyOf(line);
  if (!key) return RowAgreement::kNone;
  const KeyEntities entities = EntitiesOfKey(*key);
  if (entities.empty()) return RowAgreement::kNone;
  std::optional<bool> codes, numbers;
  if (!question.codes.empty() && !entities.codes.empty()) {
    codes = std::any_of(question.codes.begin(), question.codes.end(), [&](const std::string& code) {
      return std::find(entities.codes.begin(), entities.codes.end(), code) != entities.codes.end();
    });
  }
  if (!question.numbers.empty() && (!entities.ranges.empty() || !entities.exact.empty())) {
    numbers = std::any_of(question.numbers.begin(), question.numbers.end(), [&](double value) {
      return std::any_of(entities.ranges.begin(), entities.ranges.end(),
                         [&](const Interval& range) { return range.Holds(value); }) ||
             std::find(entities.exact.begin(), entities.exact.end(), value) != entities.exact.end();
    });
  }
  if ((codes && !*codes) || (numbers && !*numbers)) return RowAgreement::kContradicts;
  if (codes || numbers) return RowAgreement::kMatches;
  return RowAgreement::kNone;
}

bool HasQuantityKey(std::string_view text) {
  for (std::string_view line : Lines(text)) {
    const std::optional<std::string_view> key = KeyOf(line);
    if (key && !EntitiesOfKey(*key).empty()) return true;
  }
  return false;
}

RowAgreement AgreeWithPassage(const QuestionEntities& question, std::string_view text) {
  if (question.empty()) return RowAgreement::kNone;
  bool contradicted = false;
  for (std::string_view line : Lines(text)) {
    const RowAgreement agreement = AgreeWithRow(question, line);
    if (agreement == RowAgreement::kMatches) return RowAgreement::kMatches;
    contradicted = contradicted || agreement == RowAgreement::kContradicts;
  }
  return contradicted ? RowAgreement::kContradicts : RowAgreement::kNone;
}

double RowMatchShare(const QuestionEntities& question, std::string_view text) {
  const size_t named = question.numbers.size() + question.codes.size();
  if (named == 0) return 0;
  double best = 0;
  for (std::string_view line : Lines(text)) {
    if (AgreeWithRow(question, line) != RowAgreement::kMatches) continue;
    const KeyEntities entities = EntitiesOfKey(*KeyOf(line));
    size_t held = 0;
    for (double value : question.numbers) {
      held += std::any_of(entities.ranges.begin(), entities.ranges.end(),
                          [&](const Interval& range) { return range.Holds(value); }) ||
              std::find(entities.exact.begin(), entities.exact.end(), value) != entities.exact.end();
    }
    for (const std::string& code : question.codes) {
      held += std::find(entities.codes.begin(), entities.codes.end(), code) != entities.codes.end();
    }
    best = std::max(best, static_cast<double>(held) / static_cast<double>(named));
  }
  return best;
}

std::string WithoutContradictedRows(const QuestionEntities& question, std::string_view text) {
  if (question.empty()) return std::string(text);
  std::string kept;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (AgreeWithRow(question, line) != RowAgreement::kContradicts) {
      if (!kept.empty()) kept += '\n';
      kept += line;
    }
    at = end + 1;
  }
  return kept;
}

}  // namespace parley::agent
