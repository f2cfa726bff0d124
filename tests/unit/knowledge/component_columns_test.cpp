#include "knowledge/component_columns.h"

#include "knowledge/dot.h"

#include "unit/knowledge/store_fixture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

namespace parley::knowledge {
namespace {

using fixture::RandomUnit;
using fixture::SparseUnit;

// The rows of the `k` largest inner products with `query`, exactly.
std::set<size_t> ExactTop(const std::vector<std::vector<float>>& rows, const std::vector<float>& query, size_t k) {
  std::vector<std::pair<float, size_t>> scored;
  for (size_t row = 0; row < rows.size(); ++row) {
    scored.emplace_back(DotPortable(rows[row].data(), query.data(), query.size()), row);
  }
  std::partial_sort(scored.begin(), scored.begin() + static_cast<long>(k), scored.end(), std::greater<>());
  std::set<size_t> top;
  for (size_t i = 0; i < k; ++i) top.insert(scored[i].second);
  return top;
}

class ComponentColumnsTest : public ::testing::Test {
 protected:
  void Fill(size_t rows, size_t dimensions) {
    for (size_t row = 0; row < rows; ++row) {
      vectors_.push_back(RandomUnit(rng_, dimensions));
      columns_.Set(row, vectors_.back().data());
    }
  }
  std::mt19937 rng_{7};
  std::vector<std::vector<float>> vectors_;
  ComponentColumns columns_{64};
};

TEST_F(ComponentColumnsTest, ItsBestRowsHoldTheExactNearestOnes) {
  Fill(5000, 64);
  double found = 0;
  constexpr int kQuestions = 50;
  for (int q = 0; q < kQuestions; ++q) {
    std::vector<float> query = SparseUnit(rng_, 64, 12);
    std::set<size_t> truth = ExactTop(vectors_, query, 10);
    std::vector<size_t> best = columns_.Best(ComponentColumns::Question(query.data(), 64, 0), 100);
    ASSERT_EQ(best.size(), 100u);
    for (size_t row : best) found += truth.count(row);
  }
  // 4 bits per component blur the order, which the caller's re-ranking on the floats restores: the true 10 must
  // be among the 100 kept.
  EXPECT_GE(found / (10.0 * kQuestions), 0.99);
}

TEST_F(ComponentColumnsTest, RanksTheQuestionsOwnDirectionFirst) {
  Fill(3000, 64);
  for (size_t row : {0u, 1234u, 2999u}) {
    std::vector<float> query(64, 0.0f);
    // The row's 8 largest components: the question reads only those.
    std::vector<size_t> order(64);
    for (size_t d = 0; d < 64; ++d) order[d] = d;
    std::partial_sort(order.begin(), order.begin() + 8, order.end(),
                      [&](size_t a, size_t b) { return std::fabs(vectors_[row][a]) > std::fabs(vectors_[row][b]); });
    for (size_t i = 0; i < 8; ++i) query[order[i]] = vectors_[row][order[i]];
    std::vector<size_t> best = columns_.Best(ComponentColumns::Question(query.data(), 64, 0), 5);
    ASSERT_FALSE(best.empty());
    EXPECT_EQ(best.front(), row);
  }
}

TEST_F(ComponentColumnsTest, TheAvx2AndPortableLoopsKeepTheSameRowsAcrossSegments) {
  if (!ComponentColumns::UsesAvx2()) GTEST_SKIP() << "this CPU has no AVX2: only the portable loop runs";
  ComponentColumns wide(16);
  std::vector<float> vector;
  // Past the first segment of 65,536 rows, with a gap of rows never set.
  for (size_t row = 0; row < 70000; ++row) {
    if (row >= 30000 && row < 40000) continue;
    vector = RandomUnit(rng_, 16);
    wide.Set(row, vector.data());
  }
  for (int q = 0; q < 20; ++q) {
    std::vector<float> query = SparseUnit(rng_, 16, 6);
    ComponentColumns::Question question(query.data(), 16, 4);
    std::vector<size_t> fast = wide.Best(question, 300);
    EXPECT_EQ(fast, wide.BestPortable(question, 300));
    for (size_t row : fast) EXPECT_TRUE(row < 30000 || row >= 40000) << row;
  }
}

TEST_F(ComponentColumnsTest, AScanSplitOverThreadsKeepsTheSameRows) {
  ComponentColumns wide(16);
  std::vector<float> vector;
  for (size_t row = 0; row < 150000; ++row) {
    vector = RandomUnit(rng_, 16);
    wide.Set(row, vector.data());
  }
  SearchThreads one_helper(1);
  SearchThreads three_helpers(3);
  for (int q = 0; q < 10; ++q) {
    std::vector<float> query = SparseUnit(rng_, 16, 6);
    ComponentColumns::Question question(query.data(), 16, 0);
    std::vector<size_t> alone = wide.Best(question, 500);
    ASSERT_EQ(alone.size(), 500u);
    EXPECT_EQ(wide.Best(question, 500, &one_helper), alone);
    EXPECT_EQ(wide.Best(question, 500, &three_helpers), alone);
  }
}

TEST_F(ComponentColumnsTest, ClearedRowsAreLeftOutUntilSetAgain) {
  Fill(100, 64);
  std::vector<float> query = vectors_[42];
  ComponentColumns::Question question(query.data(), 64, 0);
  ASSERT_EQ(columns_.Best(question, 1), std::vector<size_t>{42});
  columns_.Clear(42);
  std::vector<size_t> without = columns_.Best(question, 100);
  EXPECT_EQ(without.size(), 99u);
  EXPECT_EQ(std::count(without.begin(), without.end(), 42u), 0);
  columns_.Set(42, vectors_[42].data());
  EXPECT_EQ(columns_.Best(question, 1), std::vector<size_t>{42});
  // Set replaces the row: another vector there is found instead.
  columns_.Set(42, vectors_[7].data());
  std::vector<float> seventh = vectors_[7];
  std::vector<size_t> both = columns_.Best(ComponentColumns::Question(seventh.data(), 64, 0), 2);
  EXPECT_EQ(std::set<size_t>(both.begin(), both.end()), (std::set<size_t>{7, 42}));
}

TEST_F(ComponentColumnsTest, AQuestionKeepsItsLargestComponents) {
  std::vector<float> query(64, 0.0f);
  query[3] = 0.1f;
  query[10] = -0.9f;
  query[20] = 0.4f;
  EXPECT_EQ(ComponentColumns::Question(query.data(), 64, 2).components(), 2u);
  EXPECT_EQ(ComponentColumns::Question(query.data(), 64, 0).components(), 3u);
  // Reading only 10 and 20, a row strong on 3 alone scores nothing.
  std::vector<float> on_three(64, 0.0f);
  on_three[3] = 1;
  std::vector<float> on_ten(64, 0.0f);
  on_ten[10] = -1;
  columns_.Set(0, on_three.data());
  columns_.Set(1, on_ten.data());
  EXPECT_EQ(columns_.Best(ComponentColumns::Question(query.data(), 64, 2), 1), std::vector<size_t>{1});
}

TEST_F(ComponentColumnsTest, AnEmptyQuestionOrCountFindsNothing) {
  Fill(10, 64);
  std::vector<float> zero(64, 0.0f);
  EXPECT_TRUE(columns_.Best(ComponentColumns::Question(zero.data(), 64, 0), 5).empty());
  EXPECT_TRUE(columns_.Best(ComponentColumns::Question(vectors_[0].data(), 64, 0), 0).empty());
  ComponentColumns empty(64);
  EXPECT_TRUE(empty.Best(ComponentColumns::Question(vectors_[0].data(), 64, 0), 5).empty());
}

}  // namespace
}  // namespace parley::knowledge
