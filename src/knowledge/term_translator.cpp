#include "knowledge/term_translator.h"

#include "core/log.h"
#include "knowledge/language.h"
#include "knowledge/retriever.h"
#include "knowledge/text.h"
#include "knowledge/translation/dictd.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <unordered_map>

namespace parley::knowledge {
namespace {

// Senses kept per unit (the knowledge chooses among them, so a rare first sense, "Hund" as a mine car, must not
// crowd out the common one), and headwords looked at when a word is found by its stem.
constexpr size_t kMaxSenses = 16;
constexpr size_t kStemCandidates = 24;
// A shorter stem finds unrelated headwords ("êtes" → "ete" → "été", summer).
constexpr size_t kMinStemLetters = 4;
// One-word cross-references followed per entry.
constexpr size_t kReferencesFollowed = 2;
// Translations kept per dictionary before the cache starts over (a few hundred kilobytes).
constexpr size_t kCacheEntries = 4096;

// Removes every span opened by `open` and closed by `close` ("<n, fem>", "[fin.]", "(of sth.)").
std::string WithoutSpans(std::string_view text, char open, char close) {
  std::string out;
  int depth = 0;
  for (char c : text) {
    if (c == open) {
      ++depth;
    } else if (c == close && depth > 0) {
      --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

bool IsPlaceholder(std::string_view word) {
  return word == "sth" || word == "sb" || word == "etw" || word == "jdn" || word == "jdm" || word == "qc" ||
         word == "qn";
}

// Whether two senses share a content word's stem: "child's bicycle" and "child's bike" say the same thing, "accept"
// and "take" do not.
bool SharesAStem(const std::string& a, const std::string& b, Stemmer& stemmer) {
  const std::vector<std::string> words = ContentWords(b);
  for (const auto& word : ContentWords(a)) {
    const std::string stem = stemmer.Stem(word);
    for (const auto& other : words) {
      if (stemmer.Stem(other) == stem) return true;
    }
  }
  return false;
}

void AddSense(std::vector<std::string>& senses, std::string sense) {
  if (senses.size() < kMaxSenses && std::find(senses.begin(), senses.end(), sense) == senses.end()) {
    senses.push_back(std::move(sense));
  }
}

class FreeDictTranslator final : public TermTranslator {
 public:
  explicit FreeDictTranslator(std::string directory) : directory_(std::move(directory)) {}

  bool Supports(std::string_view from, std::string_view to) const override {
    const std::string base = Base(from, to);
    struct stat info {};
    return !base.empty() && ::stat((base + ".index").c_str(), &info) == 0;
  }

  std::vector<TermSenses> Translate(const std::vector<std::string>& words, std::string_view from,
                                    std::string_view to) override {
    std::vector<TermSenses> units;
    Pair* pair = Load(from, to);
    for (size_t i = 0; i < words.size(); ++i) {
      if (pair != nullptr && i + 1 < words.size()) {
        const std::string phrase = words[i] + " " + words[i + 1];
        if (!pair->dictionary->HeadwordsStartingWith(phrase, 1).empty()) {
          std::vector<std::string> senses = Senses(*pair, phrase);
          if (!senses.empty()) {
            units.push_back({phrase, std::move(senses)});
            ++i;
            continue;
          }
        }
      }
      units.push_back({words[i], pair == nullptr ? std::vector<std::string>{} : WordSenses(*pair, words[i], from)});
    }
    return units;
  }

 private:
  struct Pair {
    std::unique_ptr<DictdDictionary> dictionary;  // Null when the pair has none.
    std::mutex cache_mutex;
    std::unordered_map<std::string, std::vector<std::string>> cache;  // GUARDED_BY(cache_mutex)
  };

  // FreeDict names its dictionaries with ISO 639-3 codes.
  std::string Base(std::string_view from, std::string_view to) const {
    const auto source = Iso639_3(from);
    const auto target = Iso639_3(to);
    if (!source || !target || from == to) return {};
    return directory_ + "/freedict-" + std::string(*source) + "-" + std::string(*target);
  }

  // The pair's dictionary, loaded on first use; nullptr when it has none.
  Pair* Load(std::string_view from, std::string_view to) {
    const std::string base = Base(from, to);
    if (base.empty()) return nullptr;
    std::lock_guard lock(mutex_);
    auto& pair = pairs_[base];
    if (!pair) {
      pair = std::make_unique<Pair>();
      const auto started = std::chrono::steady_clock::now();
      auto opened = DictdDictionary::Open(base);
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      if (opened) {
        pair->dictionary = std::move(*opened);
        log::Info("dictionary_loaded", {{"path", base},
                                        {"entries", pair->dictionary->size()},
                                        {"memory_bytes", pair->dictionary->memory_bytes()},
                                        {"ms", ms.count()}});
      } else if (opened.error().code != ErrorCode::kNotFound) {
        log::Warn("dictionary_unreadable", {{"path", base}, {"error", opened.error().message}});
      }
    }
    return pair->dictionary ? pair.get() : nullptr;
  }

  // The senses of `word`: its own entries first, then those of the headwords sharing its stem (an inflected form
  // may be a headword with its rarer sense only: German "kostet" is listed as "tastes", "kosten" as "cost").
  std::vector<std::string> WordSenses(Pair& pair, const std::string& word, std::string_view from) {
    std::vector<std::string> senses = Senses(pair, word);
    Stemmer& stemmer = ThreadStemmer(from);
    const std::string stem = stemmer.Stem(word);
    if (stem.size() < kMinStemLetters) return senses;
    for (const auto& headword : pair.dictionary->HeadwordsStartingWith(stem, kStemCandidates)) {
      if (headword == word || headword.find(' ') != std::string::npos || stemmer.Stem(headword) != stem) continue;
      for (auto& sense : Senses(pair, headword)) AddSense(senses, std::move(sense));
    }
    return senses;
  }

  std::vector<std::string> Senses(Pair& pair, const std::string& headword) {
    {
      std::lock_guard lock(pair.cache_mutex);
      auto found = pair.cache.find(headword);
      if (found != pair.cache.end()) return found->second;
    }
    std::vector<std::string> senses;
    std::vector<std::string> references;
    for (const auto& entry : pair.dictionary->Lookup(headword)) {
      for (auto& sense : FreeDictSenses(entry)) AddSense(senses, std::move(sense));
      for (auto& reference : FreeDictReferences(entry, kReferencesFollowed)) references.push_back(std::move(reference));
    }
    // An inflected form's entry may give one rare sense and refer to its lemma ("kostet": "tastes", see "kosten").
    for (const auto& reference : references) {
      if (reference == headword) continue;
      for (const auto& entry : pair.dictionary->Lookup(reference)) {
        for (auto& sense : FreeDictSenses(entry)) AddSense(senses, std::move(sense));
      }
    }
    std::lock_guard lock(pair.cache_mutex);
    if (pair.cache.size() >= kCacheEntries) pair.cache.clear();
    pair.cache.emplace(headword, senses);
    return senses;
  }

  const std::string directory_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Pair>> pairs_;  // GUARDED_BY(mutex_)
};

}  // namespace

std::unique_ptr<TermTranslator> MakeFreeDictTranslator(std::string directory) {
  return std::make_unique<FreeDictTranslator>(std::move(directory));
}

std::vector<std::string> FreeDictSenses(std::string_view entry) {
  std::vector<std::string> senses;
  size_t start = entry.find('\n');  // The first line is the headword, its pronunciation and grammar.
  while (start != std::string_view::npos && start < entry.size()) {
    const size_t end = entry.find('\n', start + 1);
    std::string_view line = entry.substr(start + 1, end == std::string_view::npos ? end : end - start - 1);
    start = end;
    // Deeper indents hold notes, examples and synonyms (in the source language); "see:" lists other headwords.
    if (line.starts_with("  ") || line.find("see:") != std::string_view::npos) continue;
    const size_t number = line.find_first_not_of("0123456789");
    if (number != std::string_view::npos && number > 0 && line.substr(number).starts_with(". ")) {
      line.remove_prefix(number + 2);
    }
    std::string plain =
        WithoutSpans(WithoutSpans(WithoutSpans(WithoutSpans(line, '<', '>'), '[', ']'), '(', ')'), '{', '}');
    std::replace(plain.begin(), plain.end(), ';', ',');
    std::string_view rest = plain;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::vector<std::string> words = Words(Fold(rest.substr(0, comma)));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      std::erase_if(words, IsPlaceholder);
      if (words.empty() || words.size() > 3) continue;
      std::string sense;
      for (const auto& word : words) sense += (sense.empty() ? "" : " ") + word;
      if (std::find(senses.begin(), senses.end(), sense) == senses.end()) senses.push_back(std::move(sense));
    }
  }
  return senses;
}

std::vector<std::string> FreeDictReferences(std::string_view entry, size_t limit) {
  std::vector<std::string> references;
  const size_t see = entry.find("see:");
  if (see == std::string_view::npos) return references;
  const std::string_view list = entry.substr(see, entry.find('\n', see) - see);
  for (size_t open = list.find('{'); open != std::string_view::npos && references.size() < limit;
       open = list.find('{', open + 1)) {
    const size_t close = list.find('}', open);
    if (close == std::string_view::npos) break;
    std::vector<std::string> words = Words(Fold(list.substr(open + 1, close - open - 1)));
    std::erase_if(words, IsPlaceholder);
    if (words.size() == 1) references.push_back(std::move(words.front()));
  }
  return references;
}

Result<TranslatedQuestion> TranslateQuestion(TermTranslator& translator, std::string_view question,
                                             std::string_view from, std::string_view to, const HeldCounter& held) {
  TranslatedQuestion out;
  const std::vector<std::string> words = Words(Fold(question));
  std::vector<TermSenses> units = translator.Translate(words, from, to);
  const bool any = std::any_of(units.begin(), units.end(), [](const TermSenses& u) { return !u.senses.empty(); });
  if (!any) return out;

  // One look-up for every word and stem the choice needs: each sense's content words and each unit's own word.
  Stemmer& stemmer = ThreadStemmer(to);
  std::vector<std::string> terms;
  std::unordered_map<std::string, size_t> position;
  auto want = [&](const std::string& term) {
    if (position.emplace(term, terms.size()).second) terms.push_back(term);
  };
  for (const auto& unit : units) {
    want(unit.source);
    for (const auto& sense : unit.senses) {
      for (const auto& word : ContentWords(sense)) {
        want(word);
        want(stemmer.Stem(word));
      }
    }
  }
  auto counts = held(terms);
  if (!counts) return counts.error();
  auto holds = [&](const std::string& term) { return (*counts)[position.at(term)] > 0; };
  // A question whose words the knowledge mostly holds as written is already in its words: a language detected
  // wrongly on a few chat words, or documents in another language than the settings say.
  size_t content = 0, held_as_written = 0;
  for (const auto& unit : units) {
    if (IsStopWord(unit.source)) continue;
    ++content;
    if (holds(unit.source)) ++held_as_written;
  }
  if (content == 0 || 2 * held_as_written > content) return out;

  auto sense_held = [&](const std::string& sense) {
    const std::vector<std::string> content_words = ContentWords(sense);
    return std::all_of(content_words.begin(), content_words.end(),
                       [&](const std::string& word) { return holds(word) || holds(stemmer.Stem(word)); });
  };
  for (const auto& unit : units) {
    // An untranslated function word ("une", "the") says nothing about what is asked.
    if (unit.senses.empty() && IsStopWord(unit.source)) continue;
    std::string chosen;
    const bool held_as_written = holds(unit.source);
    if (unit.senses.empty() || held_as_written) chosen = unit.source;
    if (held_as_written && !IsStopWord(unit.source)) out.firm.push_back(unit.source);
    if (!unit.senses.empty()) {
      auto first_held = std::find_if(unit.senses.begin(), unit.senses.end(), sense_held);
      const std::string& sense = first_held == unit.senses.end() ? unit.senses.front() : *first_held;
      chosen += (chosen.empty() ? "" : " ") + sense;
      bool agree = true;
      for (const auto& other : unit.senses) {
        if (&other == &sense || ContentWords(other).empty() || !sense_held(other)) continue;
        out.alternatives.push_back(other);
        agree = agree && SharesAStem(sense, other, stemmer);
      }
      if (first_held != unit.senses.end() && agree && !held_as_written && !IsStopWord(unit.source)) {
        for (auto& word : ContentWords(sense)) out.firm.push_back(std::move(word));
      }
    }
    out.text += (out.text.empty() ? "" : " ") + chosen;
  }
  return out;
}

}  // namespace parley::knowledge
