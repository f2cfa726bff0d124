#include "agent/rerank.h"

#include "agent/table_rows.h"
#include "knowledge/text.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <string>

namespace parley::agent {
namespace {

#include "agent/rerank_model.inc"

// Words that ask for a price without naming what is priced: a passage holding "cost" is no closer to "what does a
// crown cost" than one holding "crown".
bool IsPriceWord(std::string_view word) {
  static const std::set<std::string_view> kWords = {
      "price",  "prices", "cost",   "costs",  "much",  "fee",     "fees", "charge", "charges",
      "pay",    "prix",   "tarif",  "tarifs", "coute", "combien", "kost", "kosten", "kostet",
      "cuanto", "cuesta", "precio", "quanto", "costa", "prezzo",  "euro", "euros",  "eur"};
  return kWords.count(word) > 0;
}

bool HoldsPrice(std::string_view text) {
  return text.find("€") != std::string_view::npos || text.find('$') != std::string_view::npos ||
         text.find("£") != std::string_view::npos || text.find(" EUR") != std::string_view::npos;
}

std::set<std::string> StemsOf(std::string_view text, knowledge::Stemmer& stemmer) {
  std::set<std::string> stems;
  for (const auto& word : knowledge::Words(knowledge::Fold(text))) stems.insert(stemmer.Stem(word));
  return stems;
}

double Share(const std::vector<std::string>& wanted, const std::set<std::string>& present) {
  if (wanted.empty()) return 0;
  size_t found = 0;
  for (const auto& stem : wanted) found += present.count(stem);
  return static_cast<double>(found) / static_cast<double>(wanted.size());
}

}  // namespace

const std::array<const char*, kRerankFeatures>& RerankFeatureNames() {
  static const std::array<const char*, kRerankFeatures> names = {
      "fused",       "similarity", "coverage",      "weighted_coverage", "topic_coverage",
      "lexical_top", "vector_top", "row_agreement", "price_match",       "heading_coverage"};
  return names;
}

std::vector<RerankFeatures> ExtractRerankFeatures(std::string_view question,
                                                  const std::vector<knowledge::Passage>& passages,
                                                  std::string_view language) {
  std::vector<RerankFeatures> all;
  if (passages.empty()) return all;
  auto& stemmer = knowledge::ThreadStemmer(language);
  std::vector<std::string> stems, topic;
  bool price_question = HoldsPrice(question);
  for (const auto& word : knowledge::ContentWords(question)) {
    std::string stem = stemmer.Stem(word);
    if (IsPriceWord(word)) {
      price_question = true;
    } else if (std::find(topic.begin(), topic.end(), stem) == topic.end()) {
      topic.push_back(stem);
    }
    if (std::find(stems.begin(), stems.end(), stem) == stems.end()) stems.push_back(std::move(stem));
  }
  const QuestionEntities entities = EntitiesOf(question);
  const double best_fused = std::max(passages.front().score, 1e-9);
  for (const auto& passage : passages) {
    RerankFeatures features{};
    const std::set<std::string> present = StemsOf(passage.chunk.heading_path + "\n" + passage.chunk.text, stemmer);
    features[0] = passage.score / best_fused;
    features[1] = passage.similarity;
    features[2] = passage.coverage;
    features[3] = passage.weighted_coverage;
    features[4] = topic.empty() ? passage.coverage : Share(topic, present);
    features[5] = passage.lexical_rank == 1 ? 1 : 0;
    features[6] = passage.vector_rank == 1 ? 1 : 0;
    const RowAgreement agreement = AgreeWithPassage(entities, passage.chunk.text);
    features[7] = agreement == RowAgreement::kMatches       ? RowMatchShare(entities, passage.chunk.text)
                  : agreement == RowAgreement::kContradicts ? -1
                                                            : 0;
    features[8] = !price_question ? 0 : HoldsPrice(passage.chunk.text) ? 1 : -1;
    features[9] = Share(stems, StemsOf(passage.chunk.heading_path, stemmer));
    all.push_back(features);
  }
  return all;
}

const RerankModel& FittedRerankModel() { return kFittedRerank; }

std::vector<double> Rerank(std::string_view question, std::vector<knowledge::Passage>& passages,
                           std::string_view language, const RerankModel& model) {
  const std::vector<RerankFeatures> features = ExtractRerankFeatures(question, passages, language);
  std::vector<double> scores;
  for (const auto& candidate : features) scores.push_back(model.Probability(candidate));
  std::vector<size_t> order(passages.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  // The rows the question names first (row_agreement > 0), more of its quantities first.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return std::max(features[a][7], 0.0) > std::max(features[b][7], 0.0); });
  std::vector<knowledge::Passage> reordered;
  std::vector<double> sorted;
  reordered.reserve(passages.size());
  for (size_t index : order) {
    reordered.push_back(std::move(passages[index]));
    sorted.push_back(scores[index]);
  }
  passages = std::move(reordered);
  return sorted;
}

std::string RerankModelSource(const RerankModel& model, std::string_view provenance) {
  return LogisticModelSource(provenance, "RerankModel kFittedRerank", model.weights, model.bias);
}

}  // namespace parley::agent
