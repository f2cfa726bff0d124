#pragma once
// Languages, named one way: ISO 639-1 codes ("en", "fr", …). The Snowball names that settings accepted before
// ("english", "French") are read as their code, so stored settings keep working; everything written is a code.
//
// Two sets of languages matter:
// - the supported ones, which have a Snowball stemmer in libstemmer (the knowledge's language must be one of them:
//   see SupportedLanguages); they include the seven languages the bot's own messages ship in (en, fr, de, es, it, pt,
//   nl);
// - the known ones: the supported ones and every other language DetectLanguage can name (CLD2's, "ja", "pl", …),
//   in which a customer may write and an assistant may answer.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace parley::knowledge {

struct SupportedLanguage {
  std::string_view code;      //!< ISO 639-1.
  std::string_view snowball;  //!< libstemmer's name for its stemmer, also accepted as the language's name.
  std::string_view iso639_3;  //!< ISO 639-3, as FreeDict names its dictionaries ("fra", "deu").
};

// The languages with a stemmer, sorted by code.
std::span<const SupportedLanguage> SupportedLanguages();

// The code of a known language, from its code or, for a supported one, its Snowball name; case and surrounding
// spaces do not matter, and a region after the code is dropped ("pt-BR", "en_GB" → "pt", "en"). nullopt for
// anything else ("klingon", "xx", "").
std::optional<std::string> LanguageCode(std::string_view name_or_code);

// Whether `code` (a code, as LanguageCode returns) has a stemmer.
bool IsSupportedLanguage(std::string_view code);

// The Snowball name of a supported language's stemmer ("fr" → "french"); nullopt for other codes.
std::optional<std::string_view> SnowballName(std::string_view code);

// The ISO 639-3 code of a supported language ("fr" → "fra"); nullopt for other codes.
std::optional<std::string_view> Iso639_3(std::string_view code);

// The English name of a known language ("fr" → "French", "ja" → "Japanese"), for a model's instructions; the code
// itself for an unknown one.
std::string LanguageName(std::string_view code);

// What DetectLanguage based its answer on.
enum class LanguageEvidence {
  kNone,        //!< Nothing: `code` is empty.
  kStatistics,  //!< CLD2's statistical model, on a text long enough for it.
  kShortWords,  //!< The built-in lists of frequent short words ("merci", "danke", "gracias", "is er", …).
  kHint,        //!< The text says nothing usable; the caller's hint is returned.
};
std::string_view ToString(LanguageEvidence evidence);  //!< "none", "statistics", "short_words", "hint".

struct DetectedLanguage {
  std::string code;  //!< ISO 639-1 code of a known language; empty when nothing could tell.
  //! The evidence is clear enough to act on (to switch the conversation's language): CLD2 said so, or the short
  //! words point to one language and make up at least half of the text's words. Never true for a hint.
  bool reliable = false;
  LanguageEvidence evidence = LanguageEvidence::kNone;
};

// The language a customer's text is written in. Thread-safe; 20 to 30 µs for a message (p50, on a loaded 2-core
// machine), and the first 4 KiB of a longer text are enough.
//
// CLD2 needs more than a few words: it answers nothing (or, at times, something wrong with confidence: "Grazie mille"
// is Estonian to it) for one to three words. So texts of up to four words, and longer ones CLD2 is unsure of, are
// matched against short lists of frequent words per language (greetings, thanks, yes and no, pronouns, articles,
// question words) for en, fr, de, es, it, pt and nl: the language most of the words belong to wins. Words several
// languages share ("ja", "no", "de") count for each; a tie is broken by `hint`.
//
// `hint`: the language the context suggests, a code or "" (the conversation's previous language, else the tenant's).
// Returned, with reliable = false, when the text gives no answer (an emoji, a price, "ok", a word of another
// language), and chosen among tied languages. It never overrides what the text says.
DetectedLanguage DetectLanguage(std::string_view text, std::string_view hint = {});

}  // namespace parley::knowledge
