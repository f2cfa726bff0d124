#include "agent/support.h"

#include "agent/grounding.h"
#include "knowledge/language.h"
#include "knowledge/text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

namespace parley::agent {
namespace {

// Words that say what kind of answer is wanted (a price, a duration, a time, a count), frame the question or fill a
// chat message, folded, in the languages of triage. "free", "open" and weekdays stay: they are what a question may be
// about.
bool IsAskingWord(std::string_view word) {
  static const std::set<std::string_view> kWords = {
      // Price.
      "price", "prices", "priced", "cost", "costs", "costing", "much", "fee", "fees", "charge", "charges", "pay",
      "paying", "rate", "rates", "euro", "euros", "eur", "per", "prix", "tarif", "tarifs", "coute", "coutent",
      "combien", "kost", "kosten", "kostet", "preis", "cuanto", "cuesta", "cuestan", "precio", "quanto", "costa",
      "prezzo", "custa", "preco", "wat", "hoeveel", "prijs",
      // Duration, time, count.
      "long", "time", "times", "take", "takes", "usually", "many", "often", "temps", "lange", "wie", "viel", "tiempo",
      "tempo",
      // Chat filler and asking verbs.
      "u", "ur", "r", "pls", "please", "plz", "hi", "hello", "hey", "whats", "thanks", "thx", "know", "tell", "ask",
      "question", "get", "need", "want", "like", "possible", "exactly", "approx", "roughly", "non",
      // "Also" in the languages of triage: it adds a question to what came before, and says nothing of it.
      "also", "aussi", "egalement", "auch", "tambien", "anche", "tambem", "ook",
      // Verbs that frame a question about what the business does ("do you offer / sell / accept / use …", "how do
      // refunds work") or about coming to it ("when can I come on Sunday", "where do I find you"): what is asked
      // about is their object.
      "offer", "offers", "provide", "provides", "sell", "sells", "accept", "accepts", "use", "uses", "work", "works",
      "come", "comes", "coming", "visit", "go", "going", "bring", "find", "see"};
  return kWords.count(word) > 0;
}

bool HasDigit(std::string_view word) {
  return std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The positions in `words` (folded) of the numbers, in digits or words, that a unit of time follows within four
// words: "3 to 5 working days", "two full days".
std::vector<size_t> DurationNumbers(const std::vector<std::string>& words) {
  static const std::set<std::string_view> kUnits = {
      "minute", "minutes", "min",   "mins",    "hour",     "hours",  "h",    "hr",    "hrs",    "day",     "days",
      "night",  "nights",  "week",  "weeks",   "month",    "months", "year", "years", "heure",  "heures",  "jour",
      "jours",  "nuit",    "nuits", "semaine", "semaines", "mois",   "an",   "ans",   "stunde", "stunden", "tag",
      "tage",   "tagen",   "woche", "wochen",  "monat",    "monate", "jahr", "jahre"};
  static const std::set<std::string_view> kNumberWords = {
      "one",    "two",  "three", "four",   "five",    "six",  "seven", "eight", "nine",  "ten",
      "twelve", "a",    "an",    "few",    "several", "un",   "une",   "deux",  "trois", "quatre",
      "cinq",   "huit", "dix",   "quinze", "ein",     "eine", "zwei",  "drei"};
  std::vector<size_t> numbers;
  for (size_t i = 0; i < words.size(); ++i) {
    if (!HasDigit(words[i]) && !kNumberWords.count(words[i])) continue;
    for (size_t j = i + 1; j < words.size() && j <= i + 4; ++j) {
      if (kUnits.count(words[j])) {
        numbers.push_back(i);
        break;
      }
    }
  }
  return numbers;
}

std::set<std::string> StemSet(std::string_view text, knowledge::Stemmer& stemmer) {
  std::set<std::string> stems;
  for (const auto& word : knowledge::Words(knowledge::Fold(text))) stems.insert(stemmer.Stem(word));
  return stems;
}

// `text` with the hyphens inside its words taken out: "check-in" becomes "checkin". The index splits a word at its
// hyphen, so a customer who writes it as one word ("checkin", "wifi", "ebike") names a term no chunk holds.
std::string WithoutInnerHyphens(std::string_view text) {
  auto in_word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
  };
  std::string joined;
  joined.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '-' && i > 0 && i + 1 < text.size() && in_word(text[i - 1]) && in_word(text[i + 1])) continue;
    joined += text[i];
  }
  return joined;
}

// The conjunctions that join the last item of a list, by the knowledge's language.
std::vector<std::string_view> ListConjunctions(std::string_view language) {
  const std::string code = knowledge::LanguageCode(language).value_or("");
  if (code == "fr") return {" et ", " ou "};
  if (code == "de") return {" und ", " oder "};
  if (code == "es") return {" y ", " o "};
  if (code == "it") return {" e ", " o "};
  if (code == "pt") return {" e ", " ou "};
  if (code == "nl") return {" en ", " of "};
  return {" and ", " or "};
}

bool IsNumberEnd(std::string_view text) {
  const size_t last = text.find_last_not_of(' ');
  return last != std::string_view::npos && HasDigit(text.substr(last, 1));
}

// Whether a list item names nothing of its own: only numbers and words that ask for or measure a figure ("20:00",
// "for €12 per round trip"). Such an item continues the one before it.
bool NamesNothing(std::string_view item) {
  const std::vector<std::string> words = knowledge::Words(knowledge::Fold(item));
  return std::all_of(words.begin(), words.end(), [](const std::string& word) {
    return HasDigit(word) || IsAskingWord(word) || knowledge::IsStopWord(word) || word.size() < 3;
  });
}

// The words of `folded` and the dashes between them ("Tuesday–Saturday", "week-end"), which join a range or a word.
std::vector<std::string> WordsAndDashes(std::string_view folded) {
  std::vector<std::string> tokens;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) tokens.push_back(std::move(word));
    word.clear();
  };
  for (size_t i = 0; i < folded.size(); ++i) {
    const auto c = static_cast<unsigned char>(folded[i]);
    const std::string_view rest = folded.substr(i);
    if (c == '-' || rest.starts_with("\u2013") || rest.starts_with("\u2014")) {
      flush();
      tokens.emplace_back("-");
      if (c != '-') i += 2;  // The rest of the dash's UTF-8 bytes.
    } else if (std::isalnum(c) || c >= 0x80) {
      word += static_cast<char>(c);
    } else {
      flush();
    }
  }
  flush();
  return tokens;
}

}  // namespace

unsigned DaysNamed(std::string_view text) {
  // Portuguese names its weekdays by ordinals ("segunda-feira"): read only before "feira". Monday = 0.
  static const std::map<std::string_view, int> kOrdinalDays = {
      {"segunda", 0}, {"terca", 1}, {"quarta", 2}, {"quinta", 3}, {"sexta", 4}};
  // Between the first and the last day of a range: "Monday to Friday", "du lundi au samedi", "Montag bis Freitag",
  // "de lunes a viernes", "dal lunedì al venerdì", "maandag t/m vrijdag", "maandag tot en met vrijdag".
  static const std::set<std::string_view> kRangeWords = {
      "to", "till", "til", "until", "through", "thru", "au", "a", "ao", "bis", "al", "tot", "en", "met", "t", "m", "-"};
  static const std::set<std::string_view> kWeekdayWords = {"weekday",   "weekdays",    "werktags", "wochentags",
                                                           "werkdagen", "doordeweeks", "feriali"};
  static const std::set<std::string_view> kWeekendWords = {"weekend", "weekends", "wochenende", "wochenenden",
                                                           "weekenden"};
  static const std::set<std::string_view> kEveryDayWords = {"daily", "everyday", "taglich", "dagelijks",
                                                            "quotidiennement"};
  constexpr unsigned kWeekdays = 0x1F, kWeekend = 0x60, kEveryDay = 0x7F;
  const std::vector<std::string> words = WordsAndDashes(knowledge::Fold(text));
  auto word = [&](size_t i) { return i < words.size() ? std::string_view(words[i]) : std::string_view(); };
  auto after_dash = [&](size_t i) { return word(i) == "-" ? i + 1 : i; };
  // The day words[i] names and the index of its last word, or -1.
  auto day_at = [&](size_t i) -> std::pair<int, size_t> {
    std::string_view name = word(i);
    if (auto found = kOrdinalDays.find(name); found != kOrdinalDays.end()) {
      const size_t feira = after_dash(i + 1);
      return word(feira) == "feira" ? std::pair{found->second, feira} : std::pair{-1, i};
    }
    // Abbreviations are not read: several are words of their own ("sun", "sat", "mar").
    const std::optional<int> day = Weekday(name, false);
    return {day ? *day - 1 : -1, i};
  };
  unsigned days = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string_view w = words[i];
    if (kWeekdayWords.count(w) || (w == "semaine" && word(i - 1) == "en") ||
        (w == "semana" && word(i - 1) == "entre")) {
      days |= kWeekdays;
    }
    const std::string_view end = word(after_dash(i + 1));
    if (kWeekendWords.count(w) || (w == "week" && (end == "end" || end == "ends")) ||
        (w == "semana" && word(i - 1) == "de" && (word(i - 2) == "fin" || word(i - 2) == "fim")) ||
        (w == "settimana" && word(i - 1) == "fine")) {
      days |= kWeekend;
    }
    if (kEveryDayWords.count(w) || (w == "day" && word(i - 1) == "every") || (w == "dag" && word(i - 1) == "elke") ||
        (w == "tag" && word(i - 1) == "jeden") || (w == "jours" && word(i - 1) == "les" && word(i - 2) == "tous") ||
        ((w == "dias" || w == "giorni") && (word(i - 2) == "todos" || word(i - 2) == "tutti")) ||
        (w == "days" && (word(i - 1) == "7" || word(i - 1) == "seven") && word(i + 2) == "week")) {
      days |= kEveryDay;
    }
    const auto [first, first_end] = day_at(i);
    if (first < 0) continue;
    days |= 1u << first;
    size_t j = first_end + 1;
    while (j < words.size() && j <= first_end + 3 && kRangeWords.count(words[j])) ++j;
    const auto [last, last_end] = j > first_end + 1 ? day_at(j) : std::pair{-1, j};
    if (last < 0) {
      i = first_end;
      continue;
    }
    for (int day = first; day != last; day = (day + 1) % 7) days |= 1u << day;
    days |= 1u << last;
    i = last_end;
  }
  return days;
}

std::vector<std::string> ListItems(std::string_view sentence, std::string_view language) {
  std::vector<std::string> items;
  std::string current;
  int depth = 0;
  for (char c : sentence) {
    depth += c == '(' ? 1 : c == ')' && depth > 0 ? -1 : 0;
    if (depth == 0 && (c == ',' || c == ';')) {
      items.push_back(std::move(current));
      current.clear();
      continue;
    }
    current += c;
  }
  items.push_back(std::move(current));
  if (items.size() < 2) return {};
  // The last item is joined by a conjunction ("…, early access to sales and a birthday discount of 15%"), unless it
  // only joins two numbers ("between 8:00 and 20:00").
  std::string& last = items.back();
  bool joined = false;
  for (std::string_view conjunction : ListConjunctions(language)) {
    const size_t at = last.rfind(conjunction);
    if (at == std::string::npos || at == 0) continue;
    const std::string_view before = std::string_view(last).substr(0, at);
    const std::string_view after = std::string_view(last).substr(at + conjunction.size());
    if (IsNumberEnd(before) && !after.empty() && HasDigit(after.substr(0, 1))) continue;
    std::string tail(after);
    last.resize(at);
    items.push_back(std::move(tail));
    joined = true;
    break;
  }
  if (!joined) return {};
  for (auto& item : items) {
    const size_t first = item.find_first_not_of(' ');
    item = first == std::string::npos ? std::string() : item.substr(first);
  }
  return items;
}

bool FigureOfAnotherItem(const Subject& subject, std::string_view sentence, std::string_view language) {
  const std::vector<std::string> items = ListItems(sentence, language);
  if (items.empty()) return false;
  auto& stemmer = knowledge::ThreadStemmer(language);
  bool figure = false;
  for (const auto& item : items) {
    if (!StatesNumber(item)) continue;
    if (NamesNothing(item)) return false;
    figure = true;
    const std::set<std::string> present = StemSet(item, stemmer);
    for (const auto& stem : subject.stems) {
      if (present.count(stem)) return false;
    }
  }
  return figure;
}

std::vector<std::string> SplitSentences(std::string_view text) {
  std::vector<std::string> sentences;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    current += text[i];
    const bool end = text[i] == '\n' || ((text[i] == '.' || text[i] == '!' || text[i] == '?') &&
                                         (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n'));
    if (end || i + 1 == text.size()) {
      const size_t first = current.find_first_not_of(" \t\n");
      if (first != std::string::npos) {
        std::string sentence = current.substr(first);
        while (!sentence.empty() && (sentence.back() == ' ' || sentence.back() == '\n')) sentence.pop_back();
        sentences.push_back(std::move(sentence));
      }
      current.clear();
    }
  }
  return sentences;
}

std::string UnsentSentences(std::string_view quote, std::set<std::string>& sent) {
  std::string fresh;
  bool repeated = false;
  for (auto& sentence : SplitSentences(quote)) {
    if (sent.insert(sentence).second) {
      fresh += (fresh.empty() ? "" : " ") + sentence;
    } else {
      repeated = true;
    }
  }
  return repeated ? fresh : std::string(quote);
}

std::vector<std::string> SubjectStems(const std::vector<std::string>& words, std::string_view language) {
  auto& stemmer = knowledge::ThreadStemmer(language);
  std::vector<std::string> stems, units;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (i > 0 && (words[i - 1] == "per" || words[i - 1] == "pro")) {
      units.push_back(stemmer.Stem(word));
      continue;
    }
    if (IsAskingWord(word) || HasDigit(word) || knowledge::IsStopWord(word)) continue;
    std::string stem = stemmer.Stem(word);
    if (std::find(stems.begin(), stems.end(), stem) == stems.end()) stems.push_back(std::move(stem));
  }
  // "600 pages … per page": a unit of the rate asked for is no subject wherever it is written.
  std::erase_if(stems,
                [&](const std::string& stem) { return std::find(units.begin(), units.end(), stem) != units.end(); });
  return stems;
}

std::vector<std::string> WithoutAskingPhrases(std::string_view question, std::vector<std::string> words) {
  const std::vector<std::string> written = knowledge::Words(knowledge::Fold(question));
  for (size_t i = 0; i + 1 < written.size(); ++i) {
    if (written[i] != "how" || (written[i + 1] != "late" && written[i + 1] != "early")) continue;
    std::erase(words, written[i + 1]);
  }
  return words;
}

std::vector<std::string> SubjectWords(const std::vector<std::string>& words, std::string_view language) {
  auto& stemmer = knowledge::ThreadStemmer(language);
  std::vector<std::string> forms;
  for (const auto& stem : SubjectStems(words, language)) {
    auto written =
        std::find_if(words.begin(), words.end(), [&](const std::string& w) { return stemmer.Stem(w) == stem; });
    forms.push_back(written == words.end() ? stem : *written);
  }
  return forms;
}

Subject KnownSubject(const std::vector<std::string>& stems, const std::vector<size_t>& chunks_holding, size_t chunks) {
  Subject subject;
  for (size_t i = 0; i < stems.size() && i < chunks_holding.size(); ++i) {
    if (chunks_holding[i] == 0) {
      subject.unheld.push_back(stems[i]);
      continue;
    }
    subject.stems.push_back(stems[i]);
    subject.weights.push_back(knowledge::Idf(chunks_holding[i], std::max(chunks, chunks_holding[i])));
  }
  subject.unknown = !stems.empty() && subject.stems.empty();
  return subject;
}

bool AsksDuration(std::string_view question) {
  const std::string folded = knowledge::Fold(question);
  for (std::string_view phrase :
       {"how long", "combien de temps", "wie lange", "cuanto tiempo", "quanto tempo", "hoe lang", "quanto tempo"}) {
    if (folded.find(phrase) != std::string::npos) return true;
  }
  return false;
}

bool StatesDuration(std::string_view sentence) {
  return !DurationNumbers(knowledge::Words(knowledge::Fold(sentence))).empty();
}

bool AsksMoment(std::string_view question) {
  const std::string folded = knowledge::Fold(question);
  for (std::string_view phrase :
       {"what time", "which day", "what day", "how late", "how early", "a quelle heure", "quel jour", "um wie viel uhr",
        "a que hora", "que dia", "a che ora", "che giorno", "hoe laat", "welke dag"}) {
    if (folded.find(phrase) != std::string::npos) return true;
  }
  // A subordinate "when" ("where do I park when I come") is followed by its subject; an asking one by a verb.
  static const std::set<std::string_view> kVerbs = {"is",   "are", "was", "were",  "will",   "would", "do",
                                                    "does", "did", "can", "could", "should", "shall", "must",
                                                    "have", "has", "r",   "s",     "est",    "sont",  "ouvrez"};
  static const std::set<std::string_view> kFirst = {"when", "quand", "cuando", "quando", "wanneer"};
  const std::vector<std::string> words = knowledge::Words(folded);
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "wann") return true;  // German asks with "wann" and subordinates with "wenn".
    if (i == 0 && kFirst.count(words[i])) return true;
    if (kFirst.count(words[i]) && i + 1 < words.size() && kVerbs.count(words[i + 1])) return true;
    if (words[i] == "quand" && (words[i - 1] == "est" || words[i - 1] == "a")) return true;  // "c'est quand"
  }
  return false;
}

bool AsksAmount(std::string_view question) {
  static const std::set<std::string_view> kWords = {
      "price",   "prices", "cost",    "costs",   "much",   "many",   "fee",    "fees",    "prix",   "tarif",
      "tarifs",  "coute",  "coutent", "combien", "kost",   "kosten", "kostet", "preis",   "cuanto", "cuesta",
      "cuestan", "precio", "quanto",  "costa",   "prezzo", "custa",  "preco",  "hoeveel", "prijs"};
  if (question.find("€") != std::string_view::npos) return true;
  const std::vector<std::string> words = knowledge::Words(knowledge::Fold(question));
  return std::any_of(words.begin(), words.end(), [](const std::string& word) { return kWords.count(word) > 0; });
}

bool StatesAmount(std::string_view text) {
  static const std::set<std::string_view> kNothingToPay = {
      "free",     "included", "gratuit",  "gratuite",  "gratuits", "gratuites", "offert",      "offerte",
      "inclus",   "incluse",  "compris",  "kostenlos", "gratis",   "inklusive", "inbegriffen", "gratuito",
      "gratuita", "incluido", "incluida", "incluso",   "inclusa",  "inbegrepen"};
  static const std::set<std::string_view> kNumberWords = {"one",   "two",   "three", "four",  "five",   "six",
                                                          "seven", "eight", "nine",  "ten",   "twelve", "twenty",
                                                          "un",    "une",   "deux",  "trois", "quatre", "cinq"};
  // A multiple of another price: "A3 prints cost double the A4 price".
  static const std::set<std::string_view> kMultiples = {"double", "twice",  "half",   "triple", "doppelt",
                                                        "halb",   "doble",  "mitad",  "doppio", "meta",
                                                        "dobro",  "metade", "dubbel", "helft",  "moitie"};
  if (text.find("€") != std::string_view::npos || text.find('$') != std::string_view::npos ||
      text.find("£") != std::string_view::npos) {
    return true;
  }
  const std::vector<std::string> words = knowledge::Words(knowledge::Fold(text));
  return std::any_of(words.begin(), words.end(), [](const std::string& word) {
    return HasDigit(word.substr(0, 1)) || kNothingToPay.count(word) > 0 || kNumberWords.count(word) > 0 ||
           kMultiples.count(word) > 0;
  });
}

bool StatesKindAsked(const Subject& subject, std::string_view answer) {
  return (!subject.moment || StatesMoment(answer)) && (!subject.amount || StatesAmount(answer));
}

bool StatesMoment(std::string_view sentence) {
  static const std::set<std::string_view> kMomentWords = {
      // The event a time is tied to.
      "when", "once", "before", "after", "until", "till", "within", "quand", "lorsque", "avant", "apres", "jusqu",
      "wenn", "sobald", "bevor", "nach", "bis", "innerhalb", "cuando", "antes", "despues", "hasta", "quando", "prima",
      "dopo", "fino", "entro", "depois", "wanneer", "zodra", "voordat", "nadat", "binnen",
      // Days, parts of a day, months.
      "today", "tomorrow", "tonight", "morning", "mornings", "afternoon", "afternoons", "evening", "evenings", "noon",
      "midnight", "daily", "weekday", "weekdays", "weekend", "weekends", "monday", "tuesday", "wednesday", "thursday",
      "friday", "saturday", "sunday", "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays",
      "sundays", "january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
      "december", "aujourd", "demain", "matin", "midi", "soir", "lundi", "mardi", "mercredi", "jeudi", "vendredi",
      "samedi", "dimanche", "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
      "octobre", "novembre", "decembre", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
      "sonntag", "lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo", "lunedi", "martedi",
      "mercoledi", "giovedi", "venerdi", "sabato", "domenica", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
      "zaterdag", "zondag"};
  // A span ("valid for one year", "pendant deux heures") says for how long, not when.
  static const std::set<std::string_view> kSpanWords = {"for", "pendant", "fur", "durante", "per", "lang"};
  const std::string folded = knowledge::Fold(sentence);
  for (size_t i = 0; i + 2 < folded.size(); ++i) {  // "14:00", "16h", "9h30"
    if (std::isdigit(static_cast<unsigned char>(folded[i])) && (folded[i + 1] == ':' || folded[i + 1] == 'h') &&
        std::isdigit(static_cast<unsigned char>(folded[i + 2]))) {
      return true;
    }
  }
  const std::vector<std::string> words = knowledge::Words(folded);
  for (size_t i = 0; i < words.size(); ++i) {
    if (kMomentWords.count(words[i])) return true;
    const bool clock_unit = words[i] == "h" || words[i] == "am" || words[i] == "pm" || words[i] == "uhr";
    if (clock_unit && i > 0 && HasDigit(words[i - 1])) return true;  // "16 h", "6 pm"
    if (words[i].size() > 1 && HasDigit(words[i].substr(0, 1)) &&
        (words[i].ends_with("h") || words[i].ends_with("am") || words[i].ends_with("pm"))) {
      return true;  // "16h", "6pm"
    }
  }
  for (size_t number : DurationNumbers(words)) {
    if (number == 0 || !kSpanWords.count(words[number - 1])) return true;
  }
  return false;
}

std::string SentenceContext(const knowledge::Passage& passage) {
  const std::string& path = passage.chunk.heading_path;
  const size_t last = path.rfind(" › ");
  return last == std::string::npos ? path : path.substr(last + std::string_view(" › ").size());
}

bool StatesNumber(std::string_view sentence) {
  return HasDigit(sentence) || sentence.find("€") != std::string_view::npos ||
         sentence.find('$') != std::string_view::npos || sentence.find("£") != std::string_view::npos;
}

double SubjectSupport(const Subject& subject, std::string_view sentence, std::string_view context,
                      std::string_view language) {
  if (subject.unknown || (subject.duration && !StatesDuration(sentence)) ||
      (subject.moment && !StatesMoment(sentence))) {
    return 0;
  }
  if (subject.days != 0) {
    const unsigned named = DaysNamed(sentence);
    if (named != 0 && (named & subject.days) == 0) return 0;
  }
  if (subject.stems.empty()) return 1;
  if (FigureOfAnotherItem(subject, sentence, language)) return 0;
  auto& stemmer = knowledge::ThreadStemmer(language);
  std::set<std::string> present = StemSet(sentence, stemmer);
  present.merge(StemSet(context, stemmer));
  size_t held = 0;
  for (const auto& stem : subject.stems) held += present.count(stem);
  return static_cast<double>(held) / static_cast<double>(subject.stems.size());
}

bool CoversSubject(const Subject& subject, const knowledge::Passage& passage, std::string_view language) {
  if (subject.unheld.empty() || passage.chunk.id == 0) return true;
  auto& stemmer = knowledge::ThreadStemmer(language);
  const std::string text = passage.chunk.text + "\n" + SentenceContext(passage);
  const std::set<std::string> present = StemSet(text, stemmer);
  size_t held = 0;
  for (const auto& stem : subject.stems) held += present.count(stem);
  // A word no chunk holds as a term may be one the passage writes with a hyphen: "checkin" is "check-in", not
  // evidence that the business lacks it.
  if (!subject.unheld.empty()) {
    const std::set<std::string> joined = StemSet(WithoutInnerHyphens(text), stemmer);
    for (const auto& stem : subject.unheld) held += joined.count(stem);
  }
  // More than half: "print" alone of "print t-shirts" is half, and a print shop's photo-print row does not answer it.
  return 2 * held > subject.stems.size() + subject.unheld.size();
}

bool CoversFirmSubject(const Subject& subject, const knowledge::Passage& passage, std::string_view language) {
  auto& stemmer = knowledge::ThreadStemmer(language);
  // The document's name and outer headings name the place ("Hotel Belvedere", "gite_les_tilleuls.html"): a question
  // mentioning it is about something there.
  std::string name = passage.chunk.document_name;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return c == '_' || c == '-' || c == '.'; }, ' ');
  const std::string& path = passage.chunk.heading_path;
  const size_t inner = path.rfind(" › ");
  std::set<std::string> place =
      StemSet(name + " " + (inner == std::string::npos ? "" : path.substr(0, inner)), stemmer);
  std::vector<std::string> firm;
  for (const auto& stem : subject.firm) {
    if (!place.count(stem)) firm.push_back(stem);
  }
  if (firm.empty()) firm = subject.firm;
  if (firm.empty()) return false;
  std::set<std::string> present = StemSet(passage.chunk.text, stemmer);
  present.merge(StemSet(SentenceContext(passage), stemmer));
  size_t held = 0;
  for (const auto& stem : firm) held += present.count(stem);
  return 2 * held > firm.size();
}

bool AsksUnheldKind(std::string_view question, const Subject& subject, std::string_view language,
                    std::string_view word_order) {
  constexpr size_t kMinKindLetters = 3;
  if (subject.stems.size() != 1 || subject.unheld.empty()) return false;
  const std::string code = knowledge::LanguageCode(word_order).value_or("");
  const bool modifier_first = code == "en" || code == "de" || code == "nl";
  if (!modifier_first) return false;
  auto& stemmer = knowledge::ThreadStemmer(language);
  const std::vector<std::string> words = knowledge::Words(knowledge::Fold(question));
  auto is_held = [&](size_t i) { return i < words.size() && stemmer.Stem(words[i]) == subject.stems.front(); };
  auto is_kind = [&](size_t i) {
    return i < words.size() && words[i].size() >= kMinKindLetters && !HasDigit(words[i]) &&
           std::find(subject.unheld.begin(), subject.unheld.end(), stemmer.Stem(words[i])) != subject.unheld.end();
  };
  for (size_t i = 0; i < words.size(); ++i) {
    if (!is_kind(i)) continue;
    if (is_held(i + 1)) return true;  // "aerial yoga"
    if (code != "en") continue;
    if (i + 1 < words.size() && words[i + 1] == "of" && is_held(i + 2)) return true;  // "brand of shampoo"
    if (i >= 2 && words[i - 1] == "s" && is_held(i - 2)) return true;                 // "dentist's name"
  }
  return false;
}

std::string ItemsAbout(const Subject& subject, std::string_view sentence, std::string_view language) {
  if (!FigureOfAnotherItem(subject, sentence, language)) return "";
  const std::vector<std::string> items = ListItems(sentence, language);
  if (items.empty() || StatesNumber(items.front())) return "";
  auto& stemmer = knowledge::ThreadStemmer(language);
  std::vector<std::string> kept;
  bool about = false;
  for (const auto& item : items) {
    if (StatesNumber(item)) continue;
    const std::set<std::string> present = StemSet(item, stemmer);
    about = about || std::any_of(subject.stems.begin(), subject.stems.end(),
                                 [&](const std::string& stem) { return present.count(stem) > 0; });
    kept.push_back(item);
  }
  if (!about) return "";
  std::string_view conjunction = ListConjunctions(language).front();
  std::string text;
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) text += i + 1 == kept.size() ? conjunction : std::string_view(", ");
    text += kept[i];
  }
  while (!text.empty() && std::string_view(" .;,:").find(text.back()) != std::string_view::npos) text.pop_back();
  return text + ".";
}

std::string SupportedQuote(const Subject& subject, std::string_view quote, std::string_view context,
                           std::string_view language) {
  std::string kept;
  for (const auto& sentence : SplitSentences(quote)) {
    std::string said = sentence;
    if (StatesNumber(sentence) && SubjectSupport(subject, sentence, context, language) < kMinSubjectSupport) {
      said = ItemsAbout(subject, sentence, language);
      if (said.empty()) continue;
    }
    kept += (kept.empty() ? "" : " ") + said;
  }
  return kept;
}

std::string FocusedQuote(const Subject& subject, std::string_view quote, std::string_view language) {
  const std::vector<std::string> sentences = SplitSentences(quote);
  if (sentences.size() < 2) return std::string(quote);
  auto& stemmer = knowledge::ThreadStemmer(language);
  // knowledge::Idf of a stem half of the chunks hold: a stem weighing more is held by fewer.
  const double common_weight = std::log(2.0);
  std::vector<double> held;
  std::vector<bool> distinctive;
  for (const auto& sentence : sentences) {
    const std::set<std::string> present = StemSet(sentence, stemmer);
    double weight = 0;
    bool rare = false;
    for (size_t i = 0; i < subject.stems.size() && i < subject.weights.size(); ++i) {
      if (!present.count(subject.stems[i])) continue;
      weight += subject.weights[i];
      rare = rare || subject.weights[i] > common_weight;
    }
    held.push_back(weight);
    distinctive.push_back(rare);
  }
  const double best = *std::max_element(held.begin(), held.end());
  std::string kept;
  for (size_t i = 0; i < sentences.size(); ++i) {
    if (StatesNumber(sentences[i]) && held[i] < kMinFocus * best && !distinctive[i]) continue;
    kept += (kept.empty() ? "" : " ") + sentences[i];
  }
  return kept;
}

bool HoldsSubject(const Subject& subject, std::string_view quote, std::string_view context, std::string_view language) {
  if (subject.stems.empty()) return true;
  auto& stemmer = knowledge::ThreadStemmer(language);
  std::set<std::string> present = StemSet(quote, stemmer);
  present.merge(StemSet(context, stemmer));
  return std::any_of(subject.stems.begin(), subject.stems.end(),
                     [&](const std::string& stem) { return present.count(stem) > 0; });
}

std::vector<std::string> SupportingText(const std::vector<Subject>& subjects,
                                        const std::vector<knowledge::Passage>& passages, std::string_view language) {
  std::vector<std::string> texts;
  for (const auto& passage : passages) {
    const std::string context = SentenceContext(passage);
    std::string text;
    for (const auto& sentence : SplitSentences(passage.chunk.text)) {
      bool keep = !StatesNumber(sentence);
      for (size_t i = 0; !keep && i < subjects.size(); ++i) {
        keep = SubjectSupport(subjects[i], sentence, context, language) >= kMinSubjectSupport;
      }
      if (keep) text += (text.empty() ? "" : "\n") + sentence;
    }
    texts.push_back(std::move(text));
  }
  return texts;
}

SubjectCut CutOffSubject(std::string_view answer, const std::vector<std::string>& supporting,
                         std::string_view answer_language) {
  SubjectCut out;
  out.text = std::string(answer);
  bool fact_left = false;
  for (const auto& sentence : SplitSentences(answer)) {
    const FactCheck check = CheckFacts(sentence, supporting, answer_language);
    if (check.supported()) {
      fact_left = fact_left || check.checked > 0;
      continue;
    }
    ++out.cut;
    if (const size_t at = out.text.find(sentence); at != std::string::npos) {
      size_t end = at + sentence.size();
      while (end < out.text.size() && out.text[end] == ' ') ++end;
      out.text.erase(at, end - at);
    }
  }
  if (out.cut > 0 && !fact_left) out.text.clear();
  while (!out.text.empty() && std::string_view(" \n").find(out.text.back()) != std::string_view::npos) {
    out.text.pop_back();
  }
  return out;
}

}  // namespace parley::agent
