#include "core/rate_limiter.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;

TEST(RateLimiterTest, AllowsTheBurstThenRefusesWithTheWaitUntilATokenIsBack) {
  LocalRateLimiter limiter(/*per_second=*/2, /*burst=*/3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.TakeNow("tenant:1", kT0).allowed) << i;
  auto refused = limiter.TakeNow("tenant:1", kT0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 500);  // one token at 2 per second
  EXPECT_FALSE(limiter.TakeNow("tenant:1", kT0 + 499).allowed);
  EXPECT_TRUE(limiter.TakeNow("tenant:1", kT0 + 500).allowed);
}

TEST(RateLimiterTest, KeysHaveTheirOwnBuckets) {
  LocalRateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.TakeNow("tenant:1", kT0).allowed);
  EXPECT_FALSE(limiter.TakeNow("tenant:1", kT0).allowed);
  EXPECT_TRUE(limiter.TakeNow("tenant:2", kT0).allowed);
}

TEST(RateLimiterTest, RefillsNoFurtherThanTheBurst) {
  LocalRateLimiter limiter(10, 2);
  EXPECT_TRUE(limiter.TakeNow("k", kT0).allowed);
  // An hour idle gives back 2 tokens, not 36,000.
  EXPECT_TRUE(limiter.TakeNow("k", kT0 + 3'600'000).allowed);
  EXPECT_TRUE(limiter.TakeNow("k", kT0 + 3'600'000).allowed);
  EXPECT_FALSE(limiter.TakeNow("k", kT0 + 3'600'000).allowed);
}

TEST(RateLimiterTest, CostsMoreThanOneToken) {
  LocalRateLimiter limiter(1, 5);
  EXPECT_TRUE(limiter.TakeNow("k", kT0, 4).allowed);
  auto refused = limiter.TakeNow("k", kT0, 4);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 3000);
}

TEST(RateLimiterTest, ZeroRateMeansUnlimited) {
  LocalRateLimiter limiter(0, 1);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.TakeNow("k", kT0).allowed);
}

TEST(RateLimiterTest, ABucketEvictedWhenFullBehavesLikeANewOne) {
  LocalRateLimiter limiter(1, 2);
  EXPECT_TRUE(limiter.TakeNow("k", kT0).allowed);
  EXPECT_TRUE(limiter.TakeNow("k", kT0).allowed);
  // Past the sweep interval the refilled bucket is dropped; the key starts full again.
  EXPECT_TRUE(limiter.TakeNow("other", kT0 + 120'000).allowed);
  EXPECT_TRUE(limiter.TakeNow("k", kT0 + 120'000).allowed);
  EXPECT_TRUE(limiter.TakeNow("k", kT0 + 120'000).allowed);
  EXPECT_FALSE(limiter.TakeNow("k", kT0 + 120'000).allowed);
}

}  // namespace
}  // namespace parley
