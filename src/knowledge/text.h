#pragma once
// Text normalization and tokens for search. Two forms of a text: `Normalize` (Unicode NFKC, for storage and
// display) and `Fold` (NFKC + case folding + accents removed, for lexical matching: "Éte" and "ete" fold alike).
// The same folding feeds the BM25 index, the built-in embedder and the FAQ matcher, so they agree on what a word
// is.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parley::knowledge {

// NFKC; invalid UTF-8 sequences become U+FFFD; control characters other than \n and \t removed.
std::string Normalize(std::string_view text);

// Normalize + case fold + strip combining marks (accents); whitespace runs collapsed to one space; trimmed.
std::string Fold(std::string_view text);

// The words of a folded text: maximal runs of letters and digits (Unicode categories L* and N*), in order.
// Apostrophes split words ("l'hôtel" → "l", "hotel" after folding). Emoji and punctuation are dropped.
std::vector<std::string> Words(std::string_view folded);

// Snowball stemming (libstemmer). Not thread-safe: use one per thread. An unknown language falls back to
// "english". Languages are Snowball names or ISO 639-1 codes ("english"/"en", "french"/"fr", …).
class Stemmer {
 public:
  explicit Stemmer(std::string_view language = "english");
  ~Stemmer();
  Stemmer(const Stemmer&) = delete;
  Stemmer& operator=(const Stemmer&) = delete;

  std::string Stem(std::string_view folded_word);
  const std::string& language() const { return language_; }

 private:
  std::string language_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// This thread's stemmer for `language`: one per thread and language asked for, made on first use, because a
// Stemmer is not thread-safe and costs an allocation to make.
Stemmer& ThreadStemmer(std::string_view language);

// Frequent function words of English and French (folded), which carry no meaning for matching.
bool IsStopWord(std::string_view folded_word);

}  // namespace parley::knowledge
