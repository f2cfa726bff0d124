#include "agent/rerank.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::agent {
namespace {

knowledge::Passage Row(int64_t id, std::string text, double score, int lexical_rank) {
  knowledge::Passage passage;
  passage.chunk.id = id;
  passage.chunk.document_name = "prices.md";
  passage.chunk.heading_path = "Copies";
  passage.chunk.text = std::move(text);
  passage.score = score;
  passage.coverage = 0.5;
  passage.weighted_coverage = 0.5;
  passage.similarity = 0.4;
  passage.lexical_rank = lexical_rank;
  passage.vector_rank = lexical_rank;
  return passage;
}

TEST(RerankTest, FeaturesSayWhichRowTheQuestionsQuantityNames) {
  const std::vector<knowledge::Passage> rows = {
      Row(1, "Quantity: 500 sides or more; Colour: €0.30", 0.03, 1),
      Row(2, "Quantity: 100 to 499 sides; Colour: €0.40", 0.02, 2),
  };
  const auto features = ExtractRerankFeatures("how much per page for 200 colour copies", rows, "en");
  ASSERT_EQ(features.size(), 2u);
  EXPECT_DOUBLE_EQ(features[0][0], 1.0);  // fused score relative to the best
  EXPECT_NEAR(features[1][0], 2.0 / 3.0, 1e-9);
  EXPECT_EQ(features[0][7], -1);  // its key contradicts 200
  EXPECT_EQ(features[1][7], 1);   // 200 is within 100 to 499: the one quantity named
  EXPECT_EQ(features[0][8], 1);   // a price question meeting a price
  EXPECT_EQ(features[0][5], 1);   // BM25 ranks it first
  EXPECT_EQ(features[1][5], 0);
}

TEST(RerankTest, ReordersByTheModelAndReturnsItsProbabilities) {
  std::vector<knowledge::Passage> rows = {
      Row(1, "Quantity: 500 sides or more; Colour: €0.30", 0.03, 1),
      Row(2, "Quantity: 100 to 499 sides; Colour: €0.40", 0.02, 2),
  };
  RerankModel model;
  model.weights[0] = 3;  // Even when the model prefers the fused order, the row the question names comes first.
  const std::vector<double> scores = Rerank("200 colour copies price", rows, "en", model);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].chunk.id, 2);
  EXPECT_EQ(rows[1].chunk.id, 1);
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_LT(scores[0], scores[1]);  // The model's own probabilities, in the new order.
  const std::string source = RerankModelSource(model, "test");
  EXPECT_NE(source.find("constexpr RerankModel kFittedRerank{"), std::string::npos);
  EXPECT_NE(source.find("// test\n"), std::string::npos);
}

TEST(RerankTest, TheFittedModelKeepsAClearFirstPassageFirst) {
  std::vector<knowledge::Passage> passages = {Row(1, "A cake for 6 people costs €28.", 0.03, 1),
                                              Row(2, "We are closed on Mondays.", 0.01, 3)};
  passages[0].coverage = passages[0].weighted_coverage = 1.0;
  passages[1].coverage = passages[1].weighted_coverage = 0.0;
  passages[1].similarity = 0.1;
  Rerank("how much is a cake for 6 people", passages, "en");
  EXPECT_EQ(passages[0].chunk.id, 1);
}

}  // namespace
}  // namespace parley::agent
