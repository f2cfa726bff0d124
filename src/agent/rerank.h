#pragma once
// The offline reranker: reorders the hybrid retrieval's candidates for one question by a logistic model over
// features of each candidate (its fused rank score, cosine similarity, how much of the question it covers, plainly,
// weighted by rarity and without the words that only say "how much", whether BM25 or the vectors rank it first,
// whether its table row's key agrees with the question's quantities and codes, whether a price question meets a
// price, and how much of the question its headings hold). Fusion by reciprocal ranks only counts positions; the
// reranker weighs the evidence, which is what decides between the rows of one price table or a passage that shares
// the question's rare word and one that shares only "cost".
//
// The weights are fitted on the development set (tests/tools/fit_answerability.cpp writes rerank_model.inc), with
// each candidate labelled by whether it is the passage the set expects; docs/evaluation.md has the held-out figures.

#include "agent/logistic.h"
#include "knowledge/retriever.h"

#include <array>
#include <string_view>
#include <vector>

namespace parley::agent {

inline constexpr size_t kRerankFeatures = 10;
using RerankFeatures = std::array<double, kRerankFeatures>;
using RerankModel = LogisticWeights<kRerankFeatures>;

// How many fused candidates the agent reranks (then keeps its top_k).
inline constexpr int kRerankCandidates = 10;

// Names, for the fit's printout: fused, similarity, coverage, weighted_coverage, topic_coverage, lexical_top,
// vector_top, row_agreement (the share of the question's quantities and codes its best row's key holds, -1 when its
// rows contradict them), price_match, heading_coverage.
const std::array<const char*, kRerankFeatures>& RerankFeatureNames();

// The features of every passage (as the Retriever returns them, best first) for `question`.
std::vector<RerankFeatures> ExtractRerankFeatures(std::string_view question,
                                                  const std::vector<knowledge::Passage>& passages,
                                                  std::string_view language);

// The model fitted on the development set (rerank_model.inc).
const RerankModel& FittedRerankModel();

// Reorders `passages` by the model's probability, best first (ties keep the fused order), and returns those
// probabilities in the new order. When the question names a quantity or a code that a keyed row of some candidates
// holds (table_rows.h), those candidates come first, the row holding more of them first: the row the customer named
// is the answer, and a sentence that merely shares "per page" with the question is not ("200 colour copies" is the
// "100 to 499 sides" row, not the scanning price).
std::vector<double> Rerank(std::string_view question, std::vector<knowledge::Passage>& passages,
                           std::string_view language, const RerankModel& model = FittedRerankModel());

// The source text of rerank_model.inc for `model`, with `provenance` as its comment.
std::string RerankModelSource(const RerankModel& model, std::string_view provenance);

}  // namespace parley::agent
