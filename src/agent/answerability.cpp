#include "agent/answerability.h"

#include "agent/logistic.h"
#include "agent/support.h"
#include "agent/table_rows.h"
#include "knowledge/text.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace parley::agent {
namespace {

#include "agent/answerability_model.inc"

std::set<std::string> ContentStems(std::string_view text, knowledge::Stemmer& stemmer) {
  std::set<std::string> stems;
  for (const auto& word : knowledge::Words(knowledge::Fold(text))) {
    if (!knowledge::IsStopWord(word)) stems.insert(stemmer.Stem(word));
  }
  return stems;
}

bool StartsWithAny(const std::vector<std::string>& words, std::initializer_list<std::string_view> starts) {
  return !words.empty() && std::any_of(starts.begin(), starts.end(), [&](std::string_view s) { return words[0] == s; });
}

bool ContainsAny(const std::vector<std::string>& words, std::initializer_list<std::string_view> any) {
  return std::any_of(words.begin(), words.end(),
                     [&](const std::string& word) { return std::find(any.begin(), any.end(), word) != any.end(); });
}

// A heading line: Markdown's "#", or the text of one of the chunk's headings on its own.
bool IsHeading(const std::string& sentence, const std::string& heading_path) {
  if (sentence.starts_with("#")) return true;
  const std::string folded = knowledge::Fold(sentence);
  if (folded.empty()) return true;
  size_t at = 0;
  const std::string path = knowledge::Fold(heading_path);
  while (at <= path.size()) {
    size_t end = path.find(" › ", at);
    if (end == std::string::npos) end = path.size();
    if (path.substr(at, end - at) == folded) return true;
    at = end + std::string_view(" › ").size();
  }
  return false;
}

}  // namespace

const std::array<const char*, kAnswerabilityFeatures>& AnswerabilityFeatureNames() {
  static const std::array<const char*, kAnswerabilityFeatures> names = {
      "coverage",    "similarity",      "agreement",      "margin",          "lexical_top",
      "wh_question", "yes_no_question", "price_question", "question_length", "weighted_coverage"};
  return names;
}

AnswerabilityFeatures ExtractAnswerabilityFeatures(std::string_view question,
                                                   const std::vector<knowledge::Passage>& passages,
                                                   std::string_view language) {
  AnswerabilityFeatures features{};
  if (passages.empty()) return features;
  const knowledge::Passage& best = passages.front();
  features[0] = best.coverage;
  features[1] = best.similarity;
  // Both rankings hold it: 1 / the worse of its two ranks (1 when both put it first); one ranking alone: 0.
  if (best.vector_rank > 0 && best.lexical_rank > 0) features[2] = 1.0 / std::max(best.vector_rank, best.lexical_rank);
  features[3] = passages.size() < 2 || best.score <= 0 ? 1.0 : (best.score - passages[1].score) / best.score;
  // Whether BM25 ranks it first, not its BM25 score: scores grow with the knowledge base's size, so a model fitted on
  // one corpus would misjudge a small one.
  features[4] = best.lexical_rank == 1 ? 1 : 0;
  const std::vector<std::string> words = knowledge::Words(knowledge::Fold(question));
  features[5] = ContainsAny(words, {"what", "when", "where", "which", "who", "how", "why", "quand", "ou", "comment",
                                    "quel", "quelle", "quels", "quelles", "pourquoi", "qui", "que", "combien"})
                    ? 1
                    : 0;
  features[6] = StartsWithAny(words, {"is", "are", "do", "does", "can", "could", "will", "would", "have", "has", "est",
                                      "peut", "peux", "puis", "avez", "faites", "acceptez", "y"})
                    ? 1
                    : 0;
  features[7] = ContainsAny(words, {"price", "prices", "cost", "costs", "much", "fee", "fees", "charge", "prix",
                                    "tarif", "tarifs", "coute", "combien", "euros", "eur"}) ||
                        question.find("€") != std::string_view::npos
                    ? 1
                    : 0;
  auto& stemmer = knowledge::ThreadStemmer(language);
  features[8] = std::min(1.0, static_cast<double>(ContentStems(question, stemmer).size()) / 10.0);
  // What the plain share misses: "do you offer aerial yoga" at a yoga studio covers "yoga", which every passage
  // holds, and not "aerial", which none does.
  features[9] = best.weighted_coverage;
  return features;
}

const AnswerabilityModel& FittedAnswerabilityModel() { return kFittedAnswerability; }

double AnswerabilityProbability(const AnswerabilityFeatures& features, const AnswerabilityModel& model) {
  return LogisticProbability(model.weights, model.bias, features);
}

Answerability JudgeAnswerability(std::string_view question, const std::vector<knowledge::Passage>& passages,
                                 std::string_view language, const AnswerabilityModel& model) {
  Answerability out;
  out.threshold = model.threshold;
  if (passages.empty()) return out;
  out.features = ExtractAnswerabilityFeatures(question, passages, language);
  out.probability = AnswerabilityProbability(out.features, model);
  out.answer = out.probability >= model.threshold;
  return out;
}

namespace {

// The logistic weights of best_is_right on the examples' features.
AnswerabilityModel FitWeights(const std::vector<const AnswerabilityExample*>& examples) {
  std::vector<AnswerabilityFeatures> features;
  std::vector<bool> labels;
  for (const AnswerabilityExample* example : examples) {
    features.push_back(example->features);
    labels.push_back(example->best_is_right);
  }
  const auto fitted = FitLogistic(features, labels);
  AnswerabilityModel model;
  model.weights = fitted.weights;
  model.bias = fitted.bias;
  return model;
}

// The lowest threshold (most answers) that still abstains on enough unanswerable questions: just above the
// probability of the unanswerable question ranked at the allowed quantile.
double AbstainingThreshold(std::vector<double> unanswerable, double min_abstention) {
  if (unanswerable.empty()) return 0.5;
  std::sort(unanswerable.begin(), unanswerable.end(), std::greater<>());
  const auto allowed =
      static_cast<size_t>(std::floor((1.0 - min_abstention) * static_cast<double>(unanswerable.size())));
  if (allowed >= unanswerable.size()) return 0;
  return std::nextafter(unanswerable[allowed], 2.0);
}

}  // namespace

AnswerabilityModel FitAnswerability(const std::vector<AnswerabilityExample>& examples, double min_abstention) {
  if (examples.empty()) return {};
  std::vector<const AnswerabilityExample*> all;
  for (const AnswerabilityExample& example : examples) all.push_back(&example);
  AnswerabilityModel model = FitWeights(all);
  std::vector<double> unanswerable;
  for (const AnswerabilityExample& example : examples) {
    if (!example.answerable) unanswerable.push_back(AnswerabilityProbability(example.features, model));
  }
  model.threshold = AbstainingThreshold(std::move(unanswerable), min_abstention);
  return model;
}

AnswerabilityModel FitAnswerabilityCrossValidated(const std::vector<AnswerabilityExample>& examples,
                                                  double min_abstention, size_t folds) {
  AnswerabilityModel model = FitAnswerability(examples, min_abstention);
  if (examples.empty() || folds < 2) return model;
  std::vector<double> unanswerable;
  for (size_t fold = 0; fold < folds; ++fold) {
    std::vector<const AnswerabilityExample*> training;
    for (size_t i = 0; i < examples.size(); ++i) {
      if (i % folds != fold) training.push_back(&examples[i]);
    }
    const AnswerabilityModel fitted = FitWeights(training);
    for (size_t i = fold; i < examples.size(); i += folds) {
      if (!examples[i].answerable) unanswerable.push_back(AnswerabilityProbability(examples[i].features, fitted));
    }
  }
  model.threshold = AbstainingThreshold(std::move(unanswerable), min_abstention);
  return model;
}

std::vector<TradeoffPoint> AnswerabilityTradeoff(const std::vector<AnswerabilityExample>& examples,
                                                 const AnswerabilityModel& model,
                                                 const std::vector<double>& thresholds) {
  std::vector<TradeoffPoint> points;
  for (double threshold : thresholds) {
    TradeoffPoint point{threshold, 0, 0, 0};
    double answerable = 0, unanswerable = 0;
    for (const AnswerabilityExample& example : examples) {
      const bool answers = AnswerabilityProbability(example.features, model) >= threshold;
      if (example.answerable) {
        ++answerable;
        point.answered_answerable += answers;
        point.answered_right += answers && example.best_is_right;
      } else {
        ++unanswerable;
        point.abstained_unanswerable += !answers;
      }
    }
    if (answerable > 0) {
      point.answered_answerable /= answerable;
      point.answered_right /= answerable;
    }
    if (unanswerable > 0) point.abstained_unanswerable /= unanswerable;
    points.push_back(point);
  }
  return points;
}

std::string AnswerabilityModelSource(const AnswerabilityModel& model, std::string_view provenance) {
  const double threshold[] = {model.threshold};
  return LogisticModelSource(provenance, "AnswerabilityModel kFittedAnswerability", model.weights, model.bias,
                             threshold);
}

std::string QuoteAnswer(std::string_view question, const knowledge::Passage& best, std::string_view language,
                        std::string_view lead_in, int max_sentences) {
  auto& stemmer = knowledge::ThreadStemmer(language);
  const std::set<std::string> wanted = ContentStems(question, stemmer);
  const std::vector<std::string> sentences = SplitSentences(best.chunk.text);
  const QuestionEntities entities = EntitiesOf(question);
  constexpr size_t kNamedRow = 100;  // The row whose key agrees with the question's quantity comes before any other.
  bool row_contradicted = false, row_matched = false;
  std::vector<std::pair<size_t, size_t>> scored;  // (overlap, index)
  for (size_t i = 0; i < sentences.size(); ++i) {
    if (IsHeading(sentences[i], best.chunk.heading_path)) continue;
    const RowAgreement agreement = AgreeWithRow(entities, sentences[i]);
    if (agreement == RowAgreement::kContradicts) {
      row_contradicted = true;
      continue;
    }
    const std::set<std::string> stems = ContentStems(sentences[i], stemmer);
    size_t overlap = 0;
    for (const std::string& stem : wanted) overlap += stems.count(stem);
    if (agreement == RowAgreement::kMatches) {
      row_matched = true;
      overlap += kNamedRow;
    }
    if (overlap > 0) scored.emplace_back(overlap, i);
  }
  // The question names a row ("200 copies") that this passage does not hold: quoting another row states a wrong price.
  if (row_contradicted && !row_matched) return "";
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<size_t> chosen;
  bool row_chosen = false;
  for (const auto& [overlap, index] : scored) {
    if (static_cast<int>(chosen.size()) == max_sentences) break;
    const bool row = IsKeyedRow(sentences[index]);
    if (row && row_chosen) continue;  // Never splice a neighbouring row onto the one quoted.
    row_chosen = row_chosen || row;
    chosen.push_back(index);
  }
  if (chosen.empty()) return "";
  std::sort(chosen.begin(), chosen.end());
  std::string quote;
  for (size_t index : chosen) quote += (quote.empty() ? "" : " ") + sentences[index];
  return lead_in.empty() ? quote : std::string(lead_in) + "\n" + quote;
}

}  // namespace parley::agent
