#pragma once
// Spelling correction against a vocabulary, in the manner of SymSpell (Garbe, 2012): every term is indexed under
// the strings its prefix gives when up to two characters are deleted, so that a misspelt word meets the terms
// within its edit distance by looking up its own deletes, instead of being compared with every term. Candidates
// are then checked with the optimal string alignment distance (Damerau–Levenshtein without repeated edits of a
// substring), which counts a swap of two letters ("recieve") as one edit.
//
// Terms are kept in the order added, under their ids; the lexical index adds its terms as they appear and picks
// among candidates by document frequency.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::knowledge {

// The optimal string alignment distance between two folded words, in characters (code points), or `limit` + 1 once
// it is certain to exceed `limit`.
int EditDistance(std::string_view a, std::string_view b, int limit);

struct SpellingCandidate {
  uint32_t id = 0;  //!< The order the term was added in, from 0.
  int distance = 0;
};

class SpellingDictionary {
 public:
  // How far a word may be corrected: 0 (never) for words shorter than 5 characters, whose neighbours are many and
  // often right words themselves ("cars": "card", "care"; "like": "bike"; on tests/eval, correcting 4-letter words
  // won one typo'd question and raised the coverage of two unanswerable ones), and for words holding a digit
  // (prices, sizes, times); 1 up to 7 characters; 2 from 8 on.
  static int MaxDistance(std::string_view folded_word);

  // Adds a folded term and returns its id; a term MaxDistance never corrects towards (under 3 characters, or
  // holding a digit) gets an id but no deletes.
  uint32_t Add(std::string_view term);
  void Clear();
  // Sorts the deletes added since the last call into the searchable ones. Lookups see every term without it,
  // only slower: call it after a batch of Add.
  void Settle();

  // The terms other than `word` itself within `max_distance` of it, by id.
  std::vector<SpellingCandidate> Lookup(std::string_view word, int max_distance) const;

  const std::string& term(uint32_t id) const { return terms_[id]; }
  size_t size() const { return terms_.size(); }

 private:
  using Entry = std::pair<uint32_t, uint32_t>;  // (hash of a delete, term id)

  std::vector<std::string> terms_;
  std::vector<Entry> entries_;  //!< Sorted.
  std::vector<Entry> pending_;  //!< Added since the last Settle, unsorted.
};

}  // namespace parley::knowledge
