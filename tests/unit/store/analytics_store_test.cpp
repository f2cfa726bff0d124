// The duration histograms of store/analytics_store.h: bins a quarter of a doubling wide and medians read from them.
// The rollup and the query are tested on every backend by the store conformance suite
// (tests/backend/store/analytics_store_test.cpp).

#include "store/analytics_store.h"

#include <gtest/gtest.h>

namespace parley::store {
namespace {

TEST(AnalyticsHistogramTest, BinsAreAQuarterOfADoublingWide) {
  EXPECT_EQ(DurationBin(0), 0);
  EXPECT_EQ(DurationBin(999), 0);
  EXPECT_EQ(DurationBin(1000), 1);
  EXPECT_EQ(DurationBin(2000), 5);
  EXPECT_EQ(DurationBin(1999), 4);
  for (int64_t ms : {1500, 4000, 61000, 3'600'000, 86'400'000}) {
    const double middle = static_cast<double>(DurationBinMiddleMs(DurationBin(ms)));
    EXPECT_NEAR(middle / static_cast<double>(ms), 1.0, 0.1) << ms;
  }
  EXPECT_EQ(MedianMs({}), std::nullopt);
  EXPECT_EQ(MedianMs({{1, 1}, {5, 1}, {9, 5}}), DurationBinMiddleMs(9));
  EXPECT_EQ(MedianMs({{1, 3}, {9, 1}}), DurationBinMiddleMs(1));
}

}  // namespace
}  // namespace parley::store
