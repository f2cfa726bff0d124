#pragma once
// Term translation for offline cross-lingual retrieval: a question written in another language than the knowledge's
// is searched with its words translated, word by word, by a bilingual dictionary. Without a model there is no
// sentence translation; a word-for-word rendering is enough for a lexical and hashing-vector search, where the
// right passage is the one sharing the question's content words.
//
// The translations come from FreeDict's dictionaries as Debian installs them (dict-freedict-fra-eng, deu-eng,
// spa-eng, ita-eng, por-eng, nld-eng, eng-fra: see scripts/setup.sh) in dictd's format. A pair whose files are absent
// translates nothing, and the question is searched as written (as before this module existed).

#include "core/error.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parley::knowledge {

// One unit of a question (a word, or a phrase the dictionary lists: "wie viel") and its translations.
struct TermSenses {
  std::string source;               //!< Folded, as in the question.
  std::vector<std::string> senses;  //!< Folded phrases in the target language, the dictionary's first sense first.
};

class TermTranslator {
 public:
  virtual ~TermTranslator() = default;
  // The units of `words` (folded, in order, as knowledge/text.h Words gives them), each with its translations from
  // language `from` into `to` (ISO 639-1 codes): a two-word phrase the dictionary lists is one unit; a word's own
  // senses come first, then those of the headwords sharing its stem (an inflected "coûte" finds "coûter"); a word
  // with no translation has no senses. Every
  // word is in exactly one unit, in order. No senses at all when the pair has no dictionary. Thread-safe; the first
  // call for a pair loads its dictionary's index (blocking, up to 0.5 s): call it on the blocking pool.
  virtual std::vector<TermSenses> Translate(const std::vector<std::string>& words, std::string_view from,
                                            std::string_view to) = 0;
  // Whether a dictionary exists for the pair (its files are present; nothing is loaded).
  virtual bool Supports(std::string_view from, std::string_view to) const = 0;
};

// Translates with the FreeDict dictionaries in `directory` (`freedict-fra-eng.index` and `.dict.dz`, …), each
// loaded on first use and kept. Each dictionary's size in memory is logged when it is loaded.
std::unique_ptr<TermTranslator> MakeFreeDictTranslator(std::string directory);

// The translations of one FreeDict entry's text ("chambre /ʃɑ̃bʀ/ <n, fem>\nchamber, room\n"): the equivalents of
// each sense, folded, in order, without grammar marks, glosses, examples, synonyms or cross-references; phrases of
// more than three words are left out.
std::vector<std::string> FreeDictSenses(std::string_view entry);

// The one-word headwords an entry's "see:" line refers to (its lemma, for an inflected form), folded, at most
// `limit`, in order; placeholders ("etw.") are dropped, phrases left out.
std::vector<std::string> FreeDictReferences(std::string_view entry, size_t limit);

// A question rendered in the knowledge's language for search.
struct TranslatedQuestion {
  //! Each unit's chosen sense (or the word itself when it has none), in order. Empty when no word was translated.
  std::string text;
  //! The other senses the knowledge holds: searched by BM25 beside `text`, counted in no coverage.
  std::vector<std::string> alternatives;
  //! The content words of `text` that say firmly what is asked: a word the knowledge holds as written, and the
  //! chosen sense of a word whose senses the knowledge holds agree (each shares a content word with it: "child's
  //! bicycle", "child's bike"). A word whose held senses disagree ("admitir": accept, take; "repair": réparer,
  //! restaurer) is weak evidence: the knowledge chose its sense, so it matches whatever passage holds one of them.
  //! Function words and words the knowledge does not hold are never firm.
  std::vector<std::string> firm;
};

// How many chunks of the knowledge searched hold each of `terms` (folded words or their stems), as
// Retriever::ChunksHolding answers.
using HeldCounter = std::function<Result<std::vector<size_t>>(const std::vector<std::string>& terms)>;

// `question`, written in `from`, rendered in `to` for a search of knowledge in `to`. For each unit, the first sense
// whose content words the knowledge holds (stemmed in `to`) is chosen, else the dictionary's first sense: the
// knowledge settles which of "chamber, room" a hotel means. A word the knowledge holds as written (a name, "pizza")
// is kept beside its translation; a word without translation is kept as written, unless it is a stop word. Nothing
// is translated (`text` empty) when the knowledge holds more than half of the question's words as written: the
// question is then in its words already (a language detected wrongly on a few words, or documents in another
// language than the settings name). An error only from `held`.
Result<TranslatedQuestion> TranslateQuestion(TermTranslator& translator, std::string_view question,
                                             std::string_view from, std::string_view to, const HeldCounter& held);

}  // namespace parley::knowledge
