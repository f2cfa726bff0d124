#pragma once
// Q&A pairs: how they are stored (MakeFaq) and how a customer's question finds one (FaqMatcher).
//
// Every pair, whether added through the API or imported from a CSV document, is one FAQ entry, and a customer's
// question is matched against the entries' *questions*, never their answers: an answer shares words with questions
// it does not answer ("Can I pay by card?" and "Students get 10% off with their student card"), a question the
// business wrote shares them with the questions it does answer. Matching is question to question:
//   - content terms: the folded words without stop words, stemmed in the knowledge's language, and a few families
//     of words that ask the same thing in several languages folded into one term ("hours", "time", "horaires";
//     "address", "located"); a misspelt word matches within one edit (two for long words);
//   - coverage both ways, each term weighted by its rarity among the tenant's FAQ questions: how much of the
//     customer's question the FAQ question covers, and how much of the FAQ question the customer asked about;
//   - the cosine of the two questions' built-in embeddings (stems, character n-grams, word pairs);
//   - the kind of question: "where", "when", "how much", "how long", "who", "why" never match another of these, and
//     "how much" or "how long" never match a yes/no question.
// The score and its threshold come from measurements on tests/data/faq/ (tests/unit/knowledge/faq_matcher_test.cpp
// prints them). A question below the threshold matches nothing and goes on to retrieval.

#include "core/error.h"
#include "knowledge/embedder.h"
#include "store/knowledge_store.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::knowledge {

// The key under which a question is matched "exactly or normalized": its content words, folded (case, accents,
// Unicode forms), without stop words or punctuation, deduplicated and sorted, so "What are your opening hours?" and
// "opening hours" share a key.
std::string FaqKey(std::string_view question);

// A NewFaq with each question trimmed and keyed; empty questions dropped.
store::NewFaq MakeFaq(const std::vector<std::string>& questions, std::string answer);

// How one FAQ question matches a customer's question, each part 0..1.
struct QuestionSimilarity {
  double coverage = 0;        //!< Weighted share of the customer's terms that the FAQ question has.
  double precision = 0;       //!< Weighted share of the FAQ question's terms that the customer used.
  double cosine = 0;          //!< Of the two questions' built-in embeddings (0 when negative).
  bool kinds_differ = false;  //!< The FAQ question asks another kind of thing (where, when, how much, …).
  double score = 0;           //!< What the threshold applies to; 0 when kinds differ or no term is shared.
};

struct FaqMatch {
  store::FaqEntry entry;
  std::string question;  //!< Which of the entry's questions matched.
  double score = 0;      //!< 0..1, at least FaqMatcherOptions::threshold.
  QuestionSimilarity similarity;
};

struct FaqMatcherOptions {
  // The lowest score that matches. On tests/data/faq/ (82 questions, 31 that no pair answers) 0.70 was the lowest
  // threshold without a wrong match; 0.72 leaves a margin, and matches 34 of the 51 answerable questions (the others
  // go on to retrieval). faq_matcher_test.cpp prints the sweep.
  double threshold = 0.72;
};

// The FAQ questions of one tenant, prepared for matching in one language. Immutable once built; thread-safe.
class FaqIndex {
 public:
  // `language` stems both the entries' questions and the questions matched against them (Snowball name or ISO 639-1
  // code; an unknown one falls back to English, as the Stemmer does).
  FaqIndex(std::vector<store::FaqEntry> entries, std::string_view language);
  ~FaqIndex();
  FaqIndex(const FaqIndex&) = delete;
  FaqIndex& operator=(const FaqIndex&) = delete;

  // The entry whose question matches `question` best with a score of at least `threshold`, ties to the smaller id;
  // nullopt when none does.
  std::optional<FaqMatch> Match(std::string_view question, double threshold) const;
  // How `question` matches each of the entries' questions, in entry order then question order: for measurements.
  std::vector<std::pair<const store::FaqEntry*, QuestionSimilarity>> Similarities(std::string_view question) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Prepared;

  std::vector<store::FaqEntry> entries_;
  std::unique_ptr<Prepared> prepared_;
};

// Matches customers' questions against their tenant's Q&A pairs, keeping one FaqIndex per tenant and language in
// memory, loaded from the store and loaded again whenever the tenant's pairs change (FaqRevision), whichever
// process changed them. Thread-safe.
class FaqMatcher {
 public:
  explicit FaqMatcher(store::KnowledgeStore& store, FaqMatcherOptions options = {});

  // The tenant's entry that answers `question` (see the file comment), with its score; nullopt when none reaches
  // the threshold. `language` is the knowledge's language (the assistant's `language` setting): the FAQ questions
  // and `question` are stemmed alike. An error only when the store fails. Blocks (store reads): call from the
  // blocking pool. A change to the pairs is seen by the next call after it commits.
  Result<std::optional<FaqMatch>> Match(int64_t tenant_id, std::string_view question, std::string_view language);

 private:
  struct Cached {
    int64_t revision = -1;
    std::shared_ptr<const FaqIndex> index;
  };

  // The tenant's index in `language` at the store's current revision, loaded when stale.
  Result<std::shared_ptr<const FaqIndex>> IndexFor(int64_t tenant_id, std::string_view language);

  store::KnowledgeStore& store_;
  FaqMatcherOptions options_;
  std::mutex mutex_;
  std::map<std::pair<int64_t, std::string>, Cached> cache_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::knowledge
