#include "agent/answerability.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::agent {
namespace {

knowledge::Passage Passage(std::string heading, std::string text, double coverage, int vector_rank, int lexical_rank,
                           double score) {
  knowledge::Passage passage;
  passage.chunk.document_name = "bakery.md";
  passage.chunk.heading_path = std::move(heading);
  passage.chunk.text = std::move(text);
  passage.coverage = coverage;
  passage.weighted_coverage = coverage / 2;
  passage.similarity = coverage;
  passage.vector_rank = vector_rank;
  passage.lexical_rank = lexical_rank;
  passage.score = score;
  passage.bm25 = coverage * 10;
  return passage;
}

TEST(AnswerabilityTest, FeaturesReadTheBestPassageAndTheQuestion) {
  const std::vector<knowledge::Passage> passages = {Passage("Cakes", "A cake costs €45.", 0.8, 1, 1, 0.03),
                                                    Passage("Bread", "Bread is baked daily.", 0.2, 2, 3, 0.01)};
  const AnswerabilityFeatures features = ExtractAnswerabilityFeatures("How much is a cake?", passages, "en");
  EXPECT_DOUBLE_EQ(features[0], 0.8);         // coverage
  EXPECT_DOUBLE_EQ(features[2], 1.0);         // both rankings put it first
  EXPECT_NEAR(features[3], 2.0 / 3.0, 1e-9);  // margin over the next
  EXPECT_EQ(features[5], 1);                  // "how"
  EXPECT_EQ(features[6], 0);                  // not yes/no
  EXPECT_EQ(features[7], 1);                  // a price question
  EXPECT_DOUBLE_EQ(features[9], 0.4);         // coverage weighted by rarity
  EXPECT_EQ(ExtractAnswerabilityFeatures("Is it open?", {}, "en"), AnswerabilityFeatures{});
  EXPECT_FALSE(JudgeAnswerability("Is it open?", {}, "en").answer);
  // The judgement carries the features it was made on, for the trace.
  EXPECT_EQ(JudgeAnswerability("How much is a cake?", passages, "en").features, features);
}

TEST(AnswerabilityTest, TheFitSeparatesAndItsThresholdAbstainsOnUnanswerableQuestions) {
  // Answerable questions have high coverage and agreement; unanswerable ones low, with one outlier.
  std::vector<AnswerabilityExample> examples;
  for (int i = 0; i < 40; ++i) {
    AnswerabilityExample example;
    example.features[0] = 0.6 + 0.01 * i;
    example.features[2] = 1;
    example.answerable = example.best_is_right = true;
    examples.push_back(example);
  }
  for (int i = 0; i < 20; ++i) {
    AnswerabilityExample example;
    example.features[0] = i == 0 ? 0.9 : 0.05 * (i % 5);
    examples.push_back(example);
  }
  const AnswerabilityModel model = FitAnswerability(examples, 0.9);
  EXPECT_GT(model.weights[0], 0);
  const auto points = AnswerabilityTradeoff(examples, model, {model.threshold});
  ASSERT_EQ(points.size(), 1u);
  EXPECT_GE(points[0].abstained_unanswerable, 0.9);
  EXPECT_GE(points[0].answered_answerable, 0.9);
  EXPECT_EQ(points[0].answered_right, points[0].answered_answerable);
  // The generated source compiles to the same model (checked by reading its numbers back).
  const std::string source = AnswerabilityModelSource(model, "test");
  EXPECT_NE(source.find("constexpr AnswerabilityModel kFittedAnswerability{"), std::string::npos);
  EXPECT_NE(source.find("// test\n"), std::string::npos);
}

TEST(AnswerabilityTest, TheThresholdOutOfFoldKeepsTheWeightsAndStillAbstains) {
  std::vector<AnswerabilityExample> examples;
  for (int i = 0; i < 60; ++i) {
    AnswerabilityExample example;
    example.answerable = example.best_is_right = i % 3 != 0;
    example.features[0] = example.answerable ? 0.6 + 0.005 * i : 0.02 * (i % 15);
    example.features[9] = example.features[0] / 2;
    examples.push_back(example);
  }
  const AnswerabilityModel in_sample = FitAnswerability(examples, 0.9);
  const AnswerabilityModel out_of_fold = FitAnswerabilityCrossValidated(examples, 0.9, 5);
  EXPECT_EQ(out_of_fold.weights, in_sample.weights);
  EXPECT_EQ(out_of_fold.bias, in_sample.bias);
  const auto points = AnswerabilityTradeoff(examples, out_of_fold, {out_of_fold.threshold});
  EXPECT_GE(points[0].abstained_unanswerable, 0.9);
  EXPECT_GE(points[0].answered_answerable, 0.9);
  // One fold is no cross-validation: the in-sample threshold.
  EXPECT_EQ(FitAnswerabilityCrossValidated(examples, 0.9, 1).threshold, in_sample.threshold);
}

TEST(AnswerabilityTest, TheFittedModelIsUsable) {
  const AnswerabilityModel& model = FittedAnswerabilityModel();
  EXPECT_GT(model.threshold, 0);
  EXPECT_LT(model.threshold, 1);
  // A passage covering the whole question, first in both rankings, far ahead: answered. Nothing in common: not.
  const std::vector<knowledge::Passage> strong = {Passage("", "A cake costs €45.", 1.0, 1, 1, 0.03),
                                                  Passage("", "Other.", 0.1, 5, 9, 0.005)};
  const std::vector<knowledge::Passage> weak = {Passage("", "Bread.", 0.0, 3, 0, 0.01),
                                                Passage("", "Other.", 0.0, 4, 0, 0.01)};
  EXPECT_TRUE(JudgeAnswerability("How much is a birthday cake?", strong, "en").answer);
  EXPECT_FALSE(JudgeAnswerability("Do you repair televisions?", weak, "en").answer);
}

TEST(QuoteAnswerTest, QuotesTheSentencesThatAnswerNotTheHeading) {
  const knowledge::Passage passage =
      Passage("Gift cards",
              "Gift cards\nGift cards are sold in store from €10. They are valid for one year. "
              "Our staff wrap them for free.",
              1, 1, 1, 1);
  EXPECT_EQ(QuoteAnswer("how long is a gift card valid", passage, "en"),
            "Gift cards are sold in store from €10. They are valid for one year.");
  EXPECT_EQ(QuoteAnswer("how long is a gift card valid", passage, "en", "From our documents:", 1),
            "From our documents:\nGift cards are sold in store from €10.");
  EXPECT_EQ(QuoteAnswer("parking", passage, "en"), "");
  const knowledge::Passage markdown = Passage("", "## Opening hours\nWe open at 8:00 every day.", 1, 1, 1, 1);
  EXPECT_EQ(QuoteAnswer("opening hours", markdown, "en"), "We open at 8:00 every day.");
}

// A price list's rows share the question's words; only the row the question's quantity names may be quoted, alone.
TEST(QuoteAnswerTest, QuotesTheRowTheQuestionNamesAndNeverItsNeighbours) {
  const knowledge::Passage prices = Passage("Prices",
                                            "Prices depend on the size of your dog:\n"
                                            "- Small dogs (up to 10 kg): bath and brush €35, full groom €50\n"
                                            "- Medium dogs (10 to 25 kg): bath and brush €45, full groom €65\n"
                                            "- Large dogs (over 25 kg): bath and brush €60, full groom €85",
                                            1, 1, 1, 1);
  EXPECT_EQ(QuoteAnswer("my dog is 18kg, how much is a bath and brush?", prices, "en"),
            "Prices depend on the size of your dog: - Medium dogs (10 to 25 kg): bath and brush €45, full groom €65");
  // Without a quantity, the best row by its words, and only that one.
  EXPECT_EQ(QuoteAnswer("full groom for a large dog", prices, "en"),
            "Prices depend on the size of your dog: - Large dogs (over 25 kg): bath and brush €60, full groom €85");
  // A table row as the chunker labels it, whose key contradicts the question: nothing is quoted.
  const knowledge::Passage row =
      Passage("Copies", "Quantity: 500 sides or more; Black and white: €0.06; Colour: €0.30", 1, 1, 1, 1);
  EXPECT_EQ(QuoteAnswer("how much per page for 200 colour copies", row, "en"), "");
  EXPECT_EQ(QuoteAnswer("600 colour copies price per page", row, "en"),
            "Quantity: 500 sides or more; Black and white: €0.06; Colour: €0.30");
}

}  // namespace
}  // namespace parley::agent
