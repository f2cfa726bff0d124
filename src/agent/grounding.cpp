#include "agent/grounding.h"

#include "knowledge/text.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <utility>

namespace parley::agent {
namespace {

namespace json = boost::json;

// --- Vocabulary: months, weekdays and small number words in en, fr, de, es, it, pt, nl (folded: no accents) ---

const std::map<std::string, int, std::less<>>& MonthNames() {
  static const auto* names = new std::map<std::string, int, std::less<>>{
      {"january", 1},    {"jan", 1},       {"janvier", 1},   {"januar", 1},    {"enero", 1},      {"gennaio", 1},
      {"janeiro", 1},    {"januari", 1},   {"february", 2},  {"feb", 2},       {"fevrier", 2},    {"februar", 2},
      {"febrero", 2},    {"febbraio", 2},  {"fevereiro", 2}, {"februari", 2},  {"march", 3},      {"mar", 3},
      {"mars", 3},       {"marz", 3},      {"maerz", 3},     {"marzo", 3},     {"marco", 3},      {"maart", 3},
      {"april", 4},      {"apr", 4},       {"avril", 4},     {"abril", 4},     {"aprile", 4},     {"may", 5},
      {"mai", 5},        {"mayo", 5},      {"maggio", 5},    {"maio", 5},      {"mei", 5},        {"june", 6},
      {"jun", 6},        {"juin", 6},      {"juni", 6},      {"junio", 6},     {"giugno", 6},     {"junho", 6},
      {"july", 7},       {"jul", 7},       {"juillet", 7},   {"juli", 7},      {"julio", 7},      {"luglio", 7},
      {"julho", 7},      {"august", 8},    {"aug", 8},       {"aout", 8},      {"agosto", 8},     {"augustus", 8},
      {"september", 9},  {"sep", 9},       {"sept", 9},      {"septembre", 9}, {"septiembre", 9}, {"setiembre", 9},
      {"settembre", 9},  {"setembro", 9},  {"october", 10},  {"oct", 10},      {"octobre", 10},   {"oktober", 10},
      {"octubre", 10},   {"ottobre", 10},  {"outubro", 10},  {"november", 11}, {"nov", 11},       {"novembre", 11},
      {"noviembre", 11}, {"novembro", 11}, {"december", 12}, {"dec", 12},      {"decembre", 12},  {"dezember", 12},
      {"diciembre", 12}, {"dicembre", 12}, {"dezembro", 12}};
  return *names;
}

// A month named on its own ("in March") is a fact, but not every month word is safe alone: "may" is a verb,
// "marco" a first name, the abbreviations ordinary words ("mar", "sep").
bool MonthStandsAlone(std::string_view word) {
  return word.size() >= 4 && word != "marco" && word != "sept" && word != "juli" && word != "mars";
}

const std::map<std::string, int, std::less<>>& WeekdayNames() {
  static const auto* names = new std::map<std::string, int, std::less<>>{
      {"monday", 1},    {"lundi", 1},    {"montag", 1},     {"lunes", 1},     {"lunedi", 1},    {"maandag", 1},
      {"tuesday", 2},   {"mardi", 2},    {"dienstag", 2},   {"martes", 2},    {"martedi", 2},   {"dinsdag", 2},
      {"wednesday", 3}, {"mercredi", 3}, {"mittwoch", 3},   {"miercoles", 3}, {"mercoledi", 3}, {"woensdag", 3},
      {"thursday", 4},  {"jeudi", 4},    {"donnerstag", 4}, {"jueves", 4},    {"giovedi", 4},   {"donderdag", 4},
      {"friday", 5},    {"vendredi", 5}, {"freitag", 5},    {"viernes", 5},   {"venerdi", 5},   {"vrijdag", 5},
      {"saturday", 6},  {"samedi", 6},   {"samstag", 6},    {"sonnabend", 6}, {"sabado", 6},    {"sabato", 6},
      {"zaterdag", 6},  {"sunday", 7},   {"dimanche", 7},   {"sonntag", 7},   {"domingo", 7},   {"domenica", 7},
      {"zondag", 7}};
  return *names;
}

// Passages often abbreviate ("Mon–Sat"); only passages are read with these, so a stray "sun" costs nothing.
const std::map<std::string, int, std::less<>>& WeekdayAbbreviations() {
  static const auto* names = new std::map<std::string, int, std::less<>>{
      {"mon", 1}, {"tue", 2}, {"tues", 2}, {"wed", 3}, {"thu", 4}, {"thur", 4}, {"thurs", 4}, {"fri", 5},
      {"sat", 6}, {"sun", 7}, {"lun", 1},  {"mer", 3}, {"jeu", 4}, {"ven", 5},  {"sam", 6},   {"dim", 7},
      {"mo", 1},  {"di", 2},  {"mi", 3},   {"do", 4},  {"fr", 5},  {"sa", 6},   {"so", 7}};
  return *names;
}

// Small numbers written as words: a passage's "three days" supports an answer's "3 days".
const std::map<std::string, int, std::less<>>& NumberWords() {
  static const auto* words = [] {
    auto* map = new std::map<std::string, int, std::less<>>;
    const std::array<std::array<const char*, 12>, 7> lists = {{
        {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"},
        {"un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze"},
        {"ein", "zwei", "drei", "vier", "funf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwolf"},
        {"uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce"},
        {"uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci", "undici", "dodici"},
        {"um", "dois", "tres", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez", "onze", "doze"},
        {"een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf"},
    }};
    for (const auto& list : lists) {
      for (size_t i = 0; i < list.size(); ++i) map->emplace(list[i], static_cast<int>(i + 1));
    }
    for (const char* word : {"une", "eine", "una", "uma"}) map->emplace(word, 1);
    map->emplace("duas", 2);
    return map;
  }();
  return *words;
}

// --- Facts in normalised form: a set of keys per kind; an answer's fact is supported when one of its candidate
// keys is among its passages' keys ---

struct Extracted {
  Fact fact;
  std::vector<std::string> candidates;  // Any one found in the passages supports it.
};

std::string NumberKey(double value) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.4f", value);
  std::string key(buffer);
  while (key.back() == '0') key.pop_back();
  if (key.back() == '.') key.pop_back();
  return key;
}

std::string TimeKey(int hour, int minute) { return "t:" + std::to_string(hour % 24) + ":" + std::to_string(minute); }
std::string DateKey(int day, int month) { return "d:" + std::to_string(day) + "/" + std::to_string(month); }
std::string MonthKey(int month) { return "m:" + std::to_string(month); }
std::string WeekdayKey(int day) { return "w:" + std::to_string(day); }

// Replaces a match with spaces, so that later patterns do not read its digits again.
void Mask(std::string& text, size_t position, size_t length) {
  std::fill(text.begin() + static_cast<std::ptrdiff_t>(position),
            text.begin() + static_cast<std::ptrdiff_t>(position + length), ' ');
}

// Calls `accept` for every match of `pattern` in `text` and masks the matches it accepts.
void EachMatch(std::string& text, const std::regex& pattern, const std::function<bool(const std::smatch&)>& accept) {
  const std::string snapshot = text;
  for (auto it = std::sregex_iterator(snapshot.begin(), snapshot.end(), pattern); it != std::sregex_iterator(); ++it) {
    if (accept(*it)) Mask(text, static_cast<size_t>(it->position(0)), static_cast<size_t>(it->length(0)));
  }
}

std::string TrimUrl(std::string url) {
  for (std::string_view prefix : {"https://", "http://"}) {
    if (url.starts_with(prefix)) url.erase(0, prefix.size());
  }
  if (url.starts_with("www.")) url.erase(0, 4);
  while (!url.empty() && std::string_view(".,;:!?)/'\"").find(url.back()) != std::string_view::npos) url.pop_back();
  return url;
}

// The digits of a phone number that survive its national or international form: the last nine.
std::string PhoneKey(std::string_view written) {
  std::string digits;
  for (char c : written) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return "p:" + (digits.size() > 9 ? digits.substr(digits.size() - 9) : digits);
}

int Int(const std::ssub_match& match) { return match.matched ? std::stoi(match.str()) : -1; }

// The readings of a written number: "39,50" is 39.5; "1,200" and "1.200" are 1200 or 1.2; "1 200" is 1200.
std::vector<double> NumberReadings(std::string_view written) {
  std::vector<std::string> groups(1);
  std::string separators;
  for (char c : written) {
    if (c >= '0' && c <= '9') {
      groups.back() += c;
    } else {
      separators += c;
      groups.emplace_back();
    }
  }
  auto join = [&](size_t from, size_t to) {
    std::string digits;
    for (size_t i = from; i < to; ++i) digits += groups[i];
    return digits;
  };
  auto value = [](const std::string& integer, const std::string& fraction) {
    return std::stod(integer + (fraction.empty() ? "" : "." + fraction));
  };
  if (separators.empty()) return {value(groups[0], "")};
  const char last = separators.back();
  const bool mixed = separators.find_first_not_of(last) != std::string::npos;
  if (last == ' ' || last == '\'') return {value(join(0, groups.size()), "")};
  if (mixed) return {value(join(0, groups.size() - 1), groups.back())};   // "1.200,50", "1 200,50", "1,200.50"
  if (separators.size() > 1) return {value(join(0, groups.size()), "")};  // "1.000.000"
  if (groups.back().size() == 3) return {value(join(0, 2), ""), value(groups[0], groups[1])};
  return {value(groups[0], groups[1])};
}

// A unit written next to a number: a currency code or a percentage; empty when none.
std::string UnitAround(std::string_view text, size_t begin, size_t end) {
  std::string_view before = text.substr(0, begin);
  while (!before.empty() && before.back() == ' ') before.remove_suffix(1);
  for (auto [mark, unit] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"€", "eur"}, {"eur", "eur"}, {"$", "usd"}, {"usd", "usd"}, {"£", "gbp"}, {"gbp", "gbp"}, {"chf", "chf"}}) {
    if (before.ends_with(mark)) return std::string(unit);
  }
  std::string_view after = text.substr(end);
  while (!after.empty() && after.front() == ' ') after.remove_prefix(1);
  for (auto [mark, unit] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"€", "eur"},       {"euros", "eur"},    {"euro", "eur"},   {"eur", "eur"},     {"$", "usd"},
           {"usd", "usd"},     {"dollars", "usd"},  {"dollar", "usd"}, {"£", "gbp"},       {"gbp", "gbp"},
           {"pounds", "gbp"},  {"chf", "chf"},      {"%", "%"},        {"percent", "%"},   {"per cent", "%"},
           {"pour cent", "%"}, {"por ciento", "%"}, {"prozent", "%"},  {"per cento", "%"}, {"por cento", "%"},
           {"procent", "%"}}) {
    if (!after.starts_with(mark)) continue;
    const std::string_view rest = after.substr(mark.size());
    const bool word = std::isalpha(static_cast<unsigned char>(mark.front()));
    if (!word || rest.empty() || !std::isalnum(static_cast<unsigned char>(rest.front()))) return std::string(unit);
  }
  return "";
}

bool IsUpperInitial(std::string_view word) {
  if (word.empty()) return false;
  const auto first = static_cast<unsigned char>(word[0]);
  if (first >= 'A' && first <= 'Z') return true;
  // Latin-1 capitals, U+00C0–U+00DE except ×: É, Ö, Ñ…
  if (first == 0xC3 && word.size() > 1) {
    const auto second = static_cast<unsigned char>(word[1]);
    return second >= 0x80 && second <= 0x9E && second != 0x97;
  }
  return false;
}

// Words written capitalised outside a sentence's start: names of people, places, brands and products.
std::vector<std::string> CapitalisedWords(std::string_view text) {
  static const std::set<std::string, std::less<>> kCommon = {"I",   "I'm", "I'll", "OK",  "AM",  "PM", "EUR",
                                                             "USD", "GBP", "CHF",  "FAQ", "Q&A", "Uhr"};
  std::vector<std::string> names;
  bool sentence_start = true;
  size_t at = 0;
  while (at < text.size()) {
    const size_t begin = text.find_first_not_of(" \t\n", at);
    if (begin == std::string_view::npos) break;
    if (text.substr(at, begin - at).find('\n') != std::string_view::npos) sentence_start = true;
    size_t end = text.find_first_of(" \t\n", begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view token = text.substr(begin, end - begin);
    at = end;
    const bool ends_sentence = !token.empty() && std::string_view(".!?:;").find(token.back()) != std::string_view::npos;
    while (!token.empty() && std::string_view("\"'([{*_«“‘").find(token.front()) != std::string_view::npos) {
      token.remove_prefix(1);
    }
    while (!token.empty() && std::string_view("\"')]}*_.,!?:;»”’").find(token.back()) != std::string_view::npos) {
      token.remove_suffix(1);
    }
    const bool bullet = token == "-" || token == "•" || token == "–";
    if (!sentence_start && IsUpperInitial(token) && !kCommon.contains(token) &&
        std::none_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      names.emplace_back(token);
    }
    sentence_start = ends_sentence || bullet || token.empty();
  }
  return names;
}

struct Reader {
  bool passage = false;  // Passages are read generously; see ExtractFacts.
  std::vector<Extracted> facts;
  std::set<std::string> keys;  // Passages: every key they support.

  void Add(FactKind kind, std::string written, std::vector<std::string> candidates) {
    while (written.size() > 1 && (written.back() == '.' || written.back() == ' ')) written.pop_back();
    if (passage) {
      keys.insert(candidates.begin(), candidates.end());
    } else {
      facts.push_back({{kind, std::move(written)}, std::move(candidates)});
    }
  }
  // A number with its unit. A passage's supports the same value with that unit, without one, or an answer that
  // names none; an answer's is supported by the same value with the same unit or none.
  void AddNumber(std::string written, const std::vector<double>& readings, const std::string& unit) {
    std::vector<std::string> candidates;
    for (double reading : readings) {
      const std::string value = NumberKey(reading);
      if (passage) {
        candidates.push_back(value + "|" + unit);
        candidates.push_back(value + "|*");
      } else if (unit.empty()) {
        candidates.push_back(value + "|*");
      } else {
        candidates.push_back(value + "|" + unit);
        candidates.push_back(value + "|");
      }
    }
    Add(FactKind::kNumber, std::move(written), std::move(candidates));
  }
  // The hours of a time a passage states, which an answer may give as bare numbers ("open 9 to 6"). Not a date's
  // day: "for 12 people" is no echo of "closed on 12/03".
  void AddBareNumbers(std::initializer_list<int> numbers) {
    if (!passage) return;
    for (int number : numbers) {
      if (number < 0) continue;
      keys.insert(NumberKey(number) + "|*");
      keys.insert(NumberKey(number) + "|");
    }
  }
  // `twenty_four_hour`: written so that it cannot be an afternoon hour in 12-hour form ("09:00", "9h").
  // `duration_like`: "2 h" may be a duration, which a passage's bare number supports.
  void AddTime(std::string written, int hour, int minute, std::string_view meridiem, bool twenty_four_hour,
               bool duration_like) {
    if (hour > 23 || minute > 59) return;
    std::vector<int> hours;
    if (!meridiem.empty()) {
      if (hour == 0 || hour > 12) return;
      hours.push_back(hour % 12 + (meridiem.front() == 'p' ? 12 : 0));
    } else if (hour >= 1 && hour <= 12 && !twenty_four_hour) {
      hours = {hour % 12, hour % 12 + 12};  // "6:00" may be morning or evening.
    } else {
      hours.push_back(hour);
    }
    std::vector<std::string> candidates;
    for (int h : hours) {
      candidates.push_back(TimeKey(h, minute));
      AddBareNumbers({h, h % 12 == 0 ? 12 : h % 12});
    }
    if (duration_like && minute == 0 && !passage) candidates.push_back(NumberKey(hour) + "|*");
    AddBareNumbers({minute == 0 ? -1 : minute});
    Add(FactKind::kTime, std::move(written), std::move(candidates));
  }
  void AddDate(std::string written, int first, int second, bool month_named) {
    std::vector<std::string> candidates;
    auto valid = [](int day, int month) { return day >= 1 && day <= 31 && month >= 1 && month <= 12; };
    if (valid(first, second)) candidates.push_back(DateKey(first, second));
    if (!month_named && valid(second, first)) candidates.push_back(DateKey(second, first));  // 03/12: US order.
    if (candidates.empty()) return;
    if (passage) {
      for (int month : {second, month_named ? -1 : first}) {
        if (month >= 1 && month <= 12) keys.insert(MonthKey(month));
      }
    }
    Add(FactKind::kDate, std::move(written), std::move(candidates));
  }
};

// Reads every fact of `original`. Patterns run from the most specific to the least, each masking what it took so
// that "2025-03-12" is one date and not three numbers, and "18:00" one time.
void ReadFacts(std::string_view original, Reader& reader, bool check_names) {
  std::string text = knowledge::Fold(original);
  const auto& months = MonthNames();

  static const std::regex kIsoDate(R"(\b(\d{4})-(\d{1,2})-(\d{1,2})\b)");
  EachMatch(text, kIsoDate, [&](const std::smatch& m) {
    reader.AddDate(m.str(), Int(m[3]), Int(m[2]), true);
    reader.AddNumber(m[1].str(), {static_cast<double>(Int(m[1]))}, "");
    return true;
  });
  static const std::regex kEmail(R"([a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,})");
  EachMatch(text, kEmail, [&](const std::smatch& m) {
    reader.Add(FactKind::kEmail, m.str(), {"e:" + m.str()});
    return true;
  });
  static const std::regex kUrl(
      R"((https?://[^\s]+|www\.[^\s]+|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|net|fr|de|es|it|pt|nl|be|ch|at|uk|eu|io|co|shop|info|app|store)\b(/[^\s]*)?))");
  EachMatch(text, kUrl, [&](const std::smatch& m) {
    const std::string url = TrimUrl(m.str());
    std::vector<std::string> keys{"u:" + url};
    if (reader.passage) keys.push_back("u:" + url.substr(0, url.find('/')));  // The site supports its home page.
    reader.Add(FactKind::kUrl, m.str(), std::move(keys));
    return true;
  });
  // Nine digits or more, or a leading + and seven: shorter runs are prices, hours and dates.
  static const std::regex kPhone(R"((\+\d|\(\d|\b\d)[\d ().\-/]{5,}\d\b)");
  EachMatch(text, kPhone, [&](const std::smatch& m) {
    const std::string written = m.str();
    const auto digits = std::count_if(written.begin(), written.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits < 9 && !(written.front() == '+' && digits >= 7)) return false;
    reader.Add(FactKind::kPhone, written, {PhoneKey(written)});
    return true;
  });

  // Times: "6 pm", "6.30pm", "18:00", "6:30 p.m.", "9h30", "9h", "18 uhr".
  static const std::regex kMeridiem(R"(\b(\d{1,2})(?:[:.](\d{2}))?\s?([ap])\.?m\b\.?)");
  EachMatch(text, kMeridiem, [&](const std::smatch& m) {
    reader.AddTime(m.str(), Int(m[1]), std::max(0, Int(m[2])), m[3].str(), false, false);
    return true;
  });
  static const std::regex kColon(R"(\b(\d{1,2}):(\d{2})\b)");
  EachMatch(text, kColon, [&](const std::smatch& m) {
    reader.AddTime(m.str(), Int(m[1]), Int(m[2]), "", m[1].str().size() == 2, false);
    return true;
  });
  static const std::regex kHourWord(R"(\b(\d{1,2}) ?(?:h(\d{2})?|uhr)\b)");
  EachMatch(text, kHourWord, [&](const std::smatch& m) {
    if (Int(m[1]) > 23) return false;
    reader.AddTime(m.str(), Int(m[1]), std::max(0, Int(m[2])), "", true, true);
    return true;
  });

  // Dates: "12 march", "12th of march", "12 de marzo", "12. marz", "march 12th", "12/03", "12.03.2025".
  static const std::regex kDayMonth(R"(\b(\d{1,2})(?:st|nd|rd|th|er|e|o|º)?\.?\s(?:of\s|de\s)?([a-z]+)\b)");
  EachMatch(text, kDayMonth, [&](const std::smatch& m) {
    auto month = months.find(m[2].str());
    if (month == months.end()) return false;
    reader.AddDate(m.str(), Int(m[1]), month->second, true);
    return true;
  });
  static const std::regex kMonthDay(R"(\b([a-z]+)\.?\s(\d{1,2})(?:st|nd|rd|th)?\b)");
  EachMatch(text, kMonthDay, [&](const std::smatch& m) {
    auto month = months.find(m[1].str());
    if (month == months.end()) return false;
    reader.AddDate(m.str(), Int(m[2]), month->second, true);
    return true;
  });
  static const std::regex kNumericDate(R"(\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b|\b(\d{1,2})\.(\d{1,2})\.(\d{2,4})\b)");
  EachMatch(text, kNumericDate, [&](const std::smatch& m) {
    const int offset = m[1].matched ? 0 : 3;
    reader.AddDate(m.str(), Int(m[1 + offset]), Int(m[2 + offset]), false);
    if (m[3 + offset].matched) {
      const int year = Int(m[3 + offset]);
      reader.AddNumber(m[3 + offset].str(), {static_cast<double>(year < 100 ? 2000 + year : year)}, "");
    }
    return true;
  });

  // Numbers, with "1 200" (thin or plain space) as one number only when the groups after the first have 3 digits.
  static const std::regex kNumber(R"(\d{1,3}(?: \d{3})+(?:[.,]\d+)?\b|\d+(?:[.,']\d+)*)");
  EachMatch(text, kNumber, [&](const std::smatch& m) {
    const auto begin = static_cast<size_t>(m.position(0));
    reader.AddNumber(m.str(), NumberReadings(m.str()), UnitAround(text, begin, begin + m.str().size()));
    return true;
  });

  // Weekdays, and months named alone; passages also read abbreviations, ranges ("monday to saturday") and numbers
  // written as words.
  const std::vector<std::string> words = knowledge::Words(text);
  std::optional<int> previous_day;
  size_t since_previous_day = 0;
  for (const std::string& word : words) {
    ++since_previous_day;
    if (std::optional<int> day = Weekday(word, reader.passage)) {
      reader.Add(FactKind::kWeekday, word, {WeekdayKey(*day)});
      if (reader.passage && previous_day && since_previous_day <= 2) {
        for (int d = *previous_day; d != *day; d = d % 7 + 1) reader.keys.insert(WeekdayKey(d));
      }
      previous_day = day;
      since_previous_day = 0;
      continue;
    }
    if (auto month = months.find(word); month != months.end() && (reader.passage || MonthStandsAlone(word))) {
      reader.Add(FactKind::kDate, word, {MonthKey(month->second)});
    }
    if (reader.passage) {
      if (auto number = NumberWords().find(word); number != NumberWords().end())
        reader.AddBareNumbers({number->second});
    }
  }

  if (!check_names) return;
  if (reader.passage) {
    for (const std::string& word : knowledge::Words(knowledge::Fold(original))) reader.keys.insert("a:" + word);
    return;
  }
  for (const std::string& name : CapitalisedWords(knowledge::Normalize(original))) {
    const std::string folded = knowledge::Fold(name);
    if (Weekday(folded, false) || months.contains(folded)) continue;
    std::vector<std::string> parts = knowledge::Words(folded);
    if (parts.empty()) continue;
    // Every word of the name must be there: "Wi-Fi" needs "wi" and "fi".
    for (const std::string& part : parts) reader.Add(FactKind::kName, name, {"a:" + part});
  }
}

json::object Schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "answer": {"type": ["string", "null"],
                 "description": "The answer to the customer, only from the passages; null when they do not answer."},
      "passage_ids": {"type": "array", "items": {"type": "integer"},
                      "description": "The numbers of the passages the answer uses."}
    },
    "required": ["answer", "passage_ids"],
    "additionalProperties": false
  })")
      .as_object();
}

}  // namespace

std::optional<int> Weekday(std::string_view folded_word, bool abbreviations) {
  std::string_view word = folded_word;
  for (int pass = 0; pass < 2; ++pass) {
    if (auto it = WeekdayNames().find(word); it != WeekdayNames().end()) return it->second;
    if (abbreviations) {
      if (auto it = WeekdayAbbreviations().find(word); it != WeekdayAbbreviations().end()) return it->second;
    }
    // Plurals: "mondays", "lundis", "sabados", "zondags".
    if (word.size() < 5 || word.back() != 's') break;
    word.remove_suffix(1);
  }
  return std::nullopt;
}

ResponseSchema GroundedAnswerSchema() { return {"grounded_answer", Schema()}; }

std::string NumberedPassages(const std::vector<knowledge::Passage>& passages) {
  std::string block;
  for (size_t i = 0; i < passages.size(); ++i) {
    const store::ChunkRecord& chunk = passages[i].chunk;
    if (!block.empty()) block += '\n';
    block += "[" + std::to_string(i + 1) + "] (" + chunk.document_name +
             (chunk.heading_path.empty() ? "" : " › " + chunk.heading_path) + ") " + chunk.text;
  }
  return block;
}

Result<GroundedAnswer> ReadGroundedAnswer(const json::object& reply) {
  GroundedAnswer out;
  const json::value* answer = reply.if_contains("answer");
  if (answer == nullptr || !(answer->is_string() || answer->is_null())) {
    return Error::InvalidArgument("\"answer\" must be text or null");
  }
  if (answer->is_string() && answer->as_string().find_first_not_of(" \t\n") != json::string::npos) {
    out.answer = std::string(answer->as_string());
  }
  const json::value* ids = reply.if_contains("passage_ids");
  if (ids == nullptr || !ids->is_array()) return Error::InvalidArgument("\"passage_ids\" must be a list of numbers");
  for (const json::value& id : ids->as_array()) {
    if (id.is_int64()) {
      out.passage_ids.push_back(id.as_int64());
    } else if (id.is_uint64() && id.as_uint64() <= INT64_MAX) {
      out.passage_ids.push_back(static_cast<int64_t>(id.as_uint64()));
    } else if (id.is_string() && !id.as_string().empty() && id.as_string().size() < 10 &&
               std::all_of(id.as_string().begin(), id.as_string().end(), [](char c) { return c >= '0' && c <= '9'; })) {
      out.passage_ids.push_back(std::stoll(std::string(id.as_string())));
    } else {
      return Error::InvalidArgument("\"passage_ids\" must be a list of numbers");
    }
  }
  return out;
}

std::string_view ToString(FactKind kind) {
  switch (kind) {
    case FactKind::kNumber:
      return "number";
    case FactKind::kTime:
      return "time";
    case FactKind::kDate:
      return "date";
    case FactKind::kWeekday:
      return "weekday";
    case FactKind::kEmail:
      return "email";
    case FactKind::kUrl:
      return "url";
    case FactKind::kPhone:
      return "phone";
    case FactKind::kName:
      return "name";
  }
  return "number";
}

FactCheck CheckFacts(std::string_view answer, const std::vector<std::string>& passages,
                     std::string_view answer_language) {
  const bool check_names = answer_language != "de";
  Reader support;
  support.passage = true;
  for (const std::string& passage : passages) ReadFacts(passage, support, check_names);
  Reader claims;
  ReadFacts(answer, claims, check_names);
  FactCheck check;
  check.checked = claims.facts.size();
  for (Extracted& fact : claims.facts) {
    const bool supported = std::any_of(fact.candidates.begin(), fact.candidates.end(),
                                       [&](const std::string& key) { return support.keys.contains(key); });
    const bool repeated = std::any_of(check.unsupported.begin(), check.unsupported.end(), [&](const Fact& seen) {
      return seen.kind == fact.fact.kind && seen.text == fact.fact.text;
    });
    if (!supported && !repeated) check.unsupported.push_back(std::move(fact.fact));
  }
  return check;
}

std::string_view ToString(Grounding grounding) {
  switch (grounding) {
    case Grounding::kSupported:
      return "supported";
    case Grounding::kNoAnswer:
      return "no_answer";
    case Grounding::kUnknownPassage:
      return "unknown_passage";
    case Grounding::kNoCitation:
      return "no_citation";
    case Grounding::kUnsupportedFact:
      return "unsupported_fact";
  }
  return "no_answer";
}

GroundingCheck CheckGrounding(const GroundedAnswer& answer, const std::vector<knowledge::Passage>& sent,
                              std::string_view answer_language) {
  GroundingCheck check;
  if (!answer.answer) {
    check.verdict = Grounding::kNoAnswer;
    return check;
  }
  for (int64_t id : answer.passage_ids) {
    if (id < 1 || static_cast<size_t>(id) > sent.size()) {
      check.verdict = Grounding::kUnknownPassage;
      return check;
    }
    const size_t index = static_cast<size_t>(id - 1);
    if (std::find(check.cited.begin(), check.cited.end(), index) == check.cited.end()) check.cited.push_back(index);
  }
  if (check.cited.empty()) {
    check.verdict = Grounding::kNoCitation;
    return check;
  }
  std::vector<std::string> texts;
  for (size_t index : check.cited) {
    const store::ChunkRecord& chunk = sent[index].chunk;
    texts.push_back(chunk.document_name + "\n" + chunk.heading_path + "\n" + chunk.text);
  }
  check.facts = CheckFacts(*answer.answer, texts, answer_language);
  check.verdict = check.facts.supported() ? Grounding::kSupported : Grounding::kUnsupportedFact;
  return check;
}

}  // namespace parley::agent
