#pragma once
// The offline decision to answer. Without a model, the agent may only quote a passage, and quoting the wrong one is
// the worst failure; so it answers only when retrieval's own evidence says the best passage answers the question:
// how much of the question's content it covers (each word weighted by how rare it is in the knowledge), how close it is
// in meaning, whether the lexical and the vector rankings agree on it, its margin over the next candidate, and the kind
// of question. A logistic model combines them; its weights and threshold are fitted on the development set
// (tests/tools/fit_answerability.cpp, which writes answerability_model.inc), not set by hand. The threshold is the
// lowest that still abstains on at least 90% of the set's unanswerable questions.

#include "knowledge/retriever.h"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

inline constexpr size_t kAnswerabilityFeatures = 10;
using AnswerabilityFeatures = std::array<double, kAnswerabilityFeatures>;

// Names, for the fit's printout and the trace: coverage, similarity, agreement, margin, lexical_top, wh_question,
// yes_no_question, price_question, question_length, weighted_coverage. The reranker's own probability is not one of
// them: it says which candidate is best, not whether any answers (with it, the fit abstained on 0.87 of the
// development set's unanswerable questions instead of 0.90, and on 0.71 of the held-out set's).
const std::array<const char*, kAnswerabilityFeatures>& AnswerabilityFeatureNames();

// The features of the best passage (`passages` as reranked, best first) for `question`. All zero when there is no
// passage.
AnswerabilityFeatures ExtractAnswerabilityFeatures(std::string_view question,
                                                   const std::vector<knowledge::Passage>& passages,
                                                   std::string_view language);

struct AnswerabilityModel {
  AnswerabilityFeatures weights{};
  double bias = 0;
  double threshold = 0.5;  //!< Answer when the probability is at least this.
};

// The model fitted on the development set (answerability_model.inc).
const AnswerabilityModel& FittedAnswerabilityModel();

// The probability (0..1) that the best passage answers the question.
double AnswerabilityProbability(const AnswerabilityFeatures& features,
                                const AnswerabilityModel& model = FittedAnswerabilityModel());

struct Answerability {
  AnswerabilityFeatures features{};  //!< All zero when there is no passage.
  double probability = 0;
  double threshold = 0;
  bool answer = false;  //!< probability >= threshold.
};
Answerability JudgeAnswerability(std::string_view question, const std::vector<knowledge::Passage>& passages,
                                 std::string_view language,
                                 const AnswerabilityModel& model = FittedAnswerabilityModel());

// --- Fitting (used by tests/tools/fit_answerability.cpp) ---

struct AnswerabilityExample {
  AnswerabilityFeatures features{};
  bool answerable = false;     //!< The set says something answers it…
  bool best_is_right = false;  //!< …and it is the best passage: answering quotes the right passage.
};

// L2-regularised logistic regression of best_is_right on the features (batch gradient descent, deterministic),
// then the lowest threshold at which the share of unanswerable examples abstained on is at least
// `min_abstention`.
AnswerabilityModel FitAnswerability(const std::vector<AnswerabilityExample>& examples, double min_abstention = 0.9);

// The same weights (fitted on every example), with the threshold taken from out-of-fold probabilities: each of `folds`
// interleaved folds is judged by a model fitted on the others, so the threshold is what abstains on `min_abstention`
// of unanswerable questions the weights never saw, not of those they were fitted on. With fewer than two folds, or no
// examples, it is FitAnswerability's model. fit_answerability prints it beside the in-sample threshold.
AnswerabilityModel FitAnswerabilityCrossValidated(const std::vector<AnswerabilityExample>& examples,
                                                  double min_abstention = 0.9, size_t folds = 5);

struct TradeoffPoint {
  double threshold = 0;
  double abstained_unanswerable = 0;  //!< Share of unanswerable examples escalated.
  double answered_answerable = 0;     //!< Share of answerable examples answered…
  double answered_right = 0;          //!< …and of those, answered from the right passage, over all answerable.
};
std::vector<TradeoffPoint> AnswerabilityTradeoff(const std::vector<AnswerabilityExample>& examples,
                                                 const AnswerabilityModel& model,
                                                 const std::vector<double>& thresholds);

// The source text of answerability_model.inc for `model`, with `provenance` as its comment.
std::string AnswerabilityModelSource(const AnswerabilityModel& model, std::string_view provenance);

// --- The extractive answer ---

// The sentences of `best` that answer `question`: those sharing the most content stems with it (at most
// `max_sentences`, in the passage's order, a sentence that shares none never chosen), leaving out heading lines
// (Markdown "#" lines, and lines repeating the chunk's heading path). Empty when no sentence shares a stem.
// Rows of a table or list (table_rows.h) are quoted one at most, never one whose key contradicts the question's
// quantities or codes, and the row that agrees with them first; when the question names a quantity or code that
// keyed rows of the passage contradict and none agrees, nothing is quoted.
// A non-empty `lead_in` (the caller's framing in the customer's language, "Here is what our documents say:") goes
// first, on its own line.
std::string QuoteAnswer(std::string_view question, const knowledge::Passage& best, std::string_view language,
                        std::string_view lead_in = "", int max_sentences = 2);

}  // namespace parley::agent
