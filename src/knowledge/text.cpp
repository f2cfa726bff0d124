#include "knowledge/text.h"

#include "knowledge/language.h"

#include <libstemmer.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace parley::knowledge {
namespace {

constexpr utf8proc_int32_t kReplacementCharacter = 0xFFFD;

void AppendCodepoint(std::string& out, utf8proc_int32_t codepoint) {
  utf8proc_uint8_t buffer[4];
  auto length = utf8proc_encode_char(codepoint, buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(length));
}

// utf8proc_iterate, without the call for ASCII.
utf8proc_ssize_t Next(const utf8proc_uint8_t* data, utf8proc_ssize_t remaining, utf8proc_int32_t* codepoint) {
  if (*data < 0x80) {
    *codepoint = *data;
    return 1;
  }
  return utf8proc_iterate(data, remaining, codepoint);
}

// utf8proc_map rejects the whole string on one bad byte, and uploads are untrusted: repair first, so a stray
// Latin-1 byte costs one U+FFFD instead of the document. Control characters go here too, in the same pass.
std::string Sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto* data = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  auto size = static_cast<utf8proc_ssize_t>(text.size());
  for (utf8proc_ssize_t i = 0; i < size;) {
    utf8proc_int32_t codepoint = 0;
    auto length = Next(data + i, size - i, &codepoint);
    if (length < 0) {
      AppendCodepoint(out, kReplacementCharacter);
      ++i;
      continue;
    }
    bool control = utf8proc_category(codepoint) == UTF8PROC_CATEGORY_CC && codepoint != '\n' && codepoint != '\t';
    if (!control) out.append(text.substr(static_cast<size_t>(i), static_cast<size_t>(length)));
    i += length;
  }
  return out;
}

bool IsAsciiControl(char c) { return (c >= 0 && c < 0x20 && c != '\n' && c != '\t') || c == 0x7F; }

bool IsAscii(char c) { return static_cast<unsigned char>(c) < 0x80; }

// ASCII text as utf8proc maps it: NFKC leaves it alone, case folding merely lower-cases it, controls are dropped.
void AppendAscii(std::string& out, std::string_view text, bool fold) {
  for (char c : text) {
    if (!IsAsciiControl(c)) out.push_back(fold && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
}

// A run of non-ASCII characters, with the ASCII character before it if any, through utf8proc.
void AppendMapped(std::string& out, std::string_view text, int options) {
  std::string clean = Sanitize(text);
  if (clean.empty()) return;
  utf8proc_uint8_t* mapped = nullptr;
  auto length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(clean.data()), static_cast<utf8proc_ssize_t>(clean.size()),
                   &mapped, static_cast<utf8proc_option_t>(options));
  // Only allocation failure remains possible on sanitized input; the unmapped text is the best answer then.
  if (length < 0) {
    out += clean;
    return;
  }
  out.append(reinterpret_cast<const char*>(mapped), static_cast<size_t>(length));
  std::free(mapped);
}

std::string Map(std::string_view text, int options) {
  // utf8proc's decompose and recompose passes are slow, and most text is ASCII, even in French or under a heading
  // path joined with "›". Normalization only ever joins a character with the marks that follow it, and an ASCII
  // character joins nothing before it, so the text maps piece by piece: each run of non-ASCII characters with the
  // ASCII character before it (which may compose with it: "e" and U+0301 make "é") goes through utf8proc, the
  // rest is copied.
  bool fold = (options & UTF8PROC_CASEFOLD) != 0;
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t run = i;
    while (run < text.size() && IsAscii(text[run])) ++run;
    if (run == text.size()) {
      AppendAscii(out, text.substr(i), fold);
      break;
    }
    size_t start = run > i ? run - 1 : run;
    size_t end = run;
    while (end < text.size() && !IsAscii(text[end])) ++end;
    AppendAscii(out, text.substr(i, start - i), fold);
    AppendMapped(out, text.substr(start, end - start), options);
    i = end;
  }
  return out;
}

bool IsSpace(utf8proc_int32_t codepoint) {
  if (codepoint < 0x80) return codepoint == ' ' || codepoint == '\n' || codepoint == '\t';
  auto category = utf8proc_category(codepoint);
  return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL || category == UTF8PROC_CATEGORY_ZP;
}

bool IsWordCharacter(utf8proc_int32_t codepoint) {
  if (codepoint < 0x80) return std::isalnum(codepoint) != 0;
  auto category = utf8proc_category(codepoint);
  return (category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO) ||
         (category >= UTF8PROC_CATEGORY_ND && category <= UTF8PROC_CATEGORY_NO);
}

// The stemmer's name for a language given by code or Snowball name; what libstemmer is asked for otherwise.
std::string StemmerName(std::string_view language) {
  auto code = LanguageCode(language);
  auto snowball = code ? SnowballName(*code) : std::nullopt;
  return snowball ? std::string(*snowball) : std::string(language);
}

// Folded forms, sorted for binary search. Particles that change a support question's meaning ("check out",
// "sign up", "20% off") are deliberately absent, and so are words that are function words in one language but
// content words in the other (French "car", "plus", "comment").
constexpr std::array<std::string_view, 209> kStopWords = {
    "a",     "about",   "above",   "after",   "again",   "against", "ai",         "all",      "am",         "an",
    "and",   "any",     "are",     "as",      "at",      "au",      "aux",        "avec",     "be",         "because",
    "been",  "before",  "being",   "below",   "between", "both",    "but",        "by",       "c",          "can",
    "ce",    "ces",     "cet",     "cette",   "ceux",    "could",   "d",          "dans",     "de",         "des",
    "did",   "do",      "does",    "doing",   "don",     "du",      "during",     "each",     "elle",       "elles",
    "en",    "es",      "est",     "et",      "etaient", "etait",   "etes",       "etre",     "eu",         "few",
    "for",   "from",    "further", "had",     "has",     "have",    "having",     "he",       "her",        "here",
    "hers",  "herself", "him",     "himself", "his",     "how",     "i",          "if",       "il",         "ils",
    "in",    "into",    "is",      "it",      "its",     "itself",  "j",          "je",       "just",       "l",
    "la",    "le",      "les",     "leur",    "leurs",   "ll",      "lui",        "m",        "ma",         "mais",
    "me",    "mes",     "moi",     "mon",     "more",    "most",    "my",         "myself",   "n",          "ne",
    "no",    "nor",     "nos",     "not",     "notre",   "nous",    "of",         "on",       "once",       "only",
    "ont",   "or",      "other",   "ou",      "our",     "ours",    "ourselves",  "over",     "own",        "par",
    "pas",   "pour",    "qu",      "quand",   "que",     "quel",    "quelle",     "quelles",  "quels",      "qui",
    "re",    "s",       "sa",      "same",    "se",      "ses",     "she",        "should",   "si",         "so",
    "some",  "son",     "sont",    "such",    "suis",    "sur",     "t",          "ta",       "te",         "tes",
    "than",  "that",    "the",     "their",   "theirs",  "them",    "themselves", "then",     "there",      "these",
    "they",  "this",    "those",   "through", "to",      "toi",     "ton",        "too",      "tu",         "un",
    "under", "une",     "until",   "ve",      "very",    "vos",     "votre",      "vous",     "was",        "we",
    "were",  "what",    "when",    "where",   "which",   "while",   "who",        "whom",     "why",        "will",
    "with",  "within",  "would",   "y",       "you",     "your",    "yours",      "yourself", "yourselves",
};
static_assert(std::adjacent_find(kStopWords.begin(), kStopWords.end(),
                                 [](std::string_view a, std::string_view b) { return a >= b; }) == kStopWords.end(),
              "kStopWords must be sorted and unique");

}  // namespace

std::string Normalize(std::string_view text) { return Map(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT); }

std::string Fold(std::string_view text) {
  // IGNORE drops soft hyphens and zero-width characters, which would otherwise split words invisibly.
  std::string mapped = Map(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                     UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
  std::string out;
  out.reserve(mapped.size());
  bool pending_space = false;
  auto* data = reinterpret_cast<const utf8proc_uint8_t*>(mapped.data());
  auto size = static_cast<utf8proc_ssize_t>(mapped.size());
  for (utf8proc_ssize_t i = 0; i < size;) {
    utf8proc_int32_t codepoint = 0;
    auto length = Next(data + i, size - i, &codepoint);
    if (IsSpace(codepoint)) {
      pending_space = !out.empty();
    } else {
      if (pending_space) out.push_back(' ');
      pending_space = false;
      out.append(mapped, static_cast<size_t>(i), static_cast<size_t>(length));
    }
    i += length;
  }
  return out;
}

std::vector<std::string> Words(std::string_view folded) {
  std::vector<std::string> words;
  auto* data = reinterpret_cast<const utf8proc_uint8_t*>(folded.data());
  auto size = static_cast<utf8proc_ssize_t>(folded.size());
  utf8proc_ssize_t start = -1;
  for (utf8proc_ssize_t i = 0; i <= size;) {
    utf8proc_int32_t codepoint = -1;
    utf8proc_ssize_t length = 1;
    if (i < size) {
      length = Next(data + i, size - i, &codepoint);
      if (length < 0) {
        length = 1;
        codepoint = -1;
      }
    }
    bool word_character = codepoint >= 0 && IsWordCharacter(codepoint);
    if (word_character && start < 0) start = i;
    if (!word_character && start >= 0) {
      words.emplace_back(folded.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
      start = -1;
    }
    i += length;
  }
  return words;
}

struct Stemmer::Impl {
  sb_stemmer* stemmer = nullptr;
  ~Impl() {
    if (stemmer != nullptr) sb_stemmer_delete(stemmer);
  }
};

Stemmer::Stemmer(std::string_view language) : language_(StemmerName(language)), impl_(std::make_unique<Impl>()) {
  impl_->stemmer = sb_stemmer_new(language_.c_str(), "UTF_8");
  if (impl_->stemmer == nullptr) {
    language_ = "english";
    impl_->stemmer = sb_stemmer_new(language_.c_str(), "UTF_8");
  }
}

Stemmer::~Stemmer() = default;

std::string Stemmer::Stem(std::string_view folded_word) {
  if (folded_word.empty() || impl_->stemmer == nullptr) return std::string(folded_word);
  const sb_symbol* stem = sb_stemmer_stem(impl_->stemmer, reinterpret_cast<const sb_symbol*>(folded_word.data()),
                                          static_cast<int>(folded_word.size()));
  // A null stem means libstemmer ran out of memory; the word itself still matches its exact repetitions.
  if (stem == nullptr) return std::string(folded_word);
  return std::string(reinterpret_cast<const char*>(stem), static_cast<size_t>(sb_stemmer_length(impl_->stemmer)));
}

bool IsStopWord(std::string_view folded_word) {
  return std::binary_search(kStopWords.begin(), kStopWords.end(), folded_word);
}

Stemmer& ThreadStemmer(std::string_view language) {
  thread_local std::map<std::string, std::unique_ptr<Stemmer>, std::less<>> stemmers;
  auto found = stemmers.find(language);
  if (found == stemmers.end()) {
    found = stemmers.emplace(std::string(language), std::make_unique<Stemmer>(language)).first;
  }
  return *found->second;
}

}  // namespace parley::knowledge
