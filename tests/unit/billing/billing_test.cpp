// Credits from token counts, the quota arithmetic, UTC days and months, features per message type, and the
// price-to-plan setting.

#include "billing/billing.h"

#include <gtest/gtest.h>

namespace parley::billing {
namespace {

store::Plan Limits(std::optional<int64_t> replies, std::optional<int64_t> credits) {
  store::Plan plan;
  plan.name = "test";
  plan.monthly_ai_replies = replies;
  plan.monthly_credits = credits;
  return plan;
}

TEST(Credits, PromptAndCompletionTokensAreWeightedAndRoundedUpOnce) {
  CreditRates rates{1000, 250, 1};
  EXPECT_EQ(CreditsFor(rates, 1000, 250, true), 2);
  // 0.5 + 0.4 = 0.9: one credit, not one per part.
  EXPECT_EQ(CreditsFor(rates, 500, 100, true), 1);
  EXPECT_EQ(CreditsFor(rates, 1001, 250, true), 3);
  EXPECT_EQ(CreditsFor(rates, 4000, 1000, true), 8);
}

TEST(Credits, AnAnswerWithoutTokensCostsTheMinimum) {
  CreditRates rates{1000, 250, 2};
  EXPECT_EQ(CreditsFor(rates, 0, 0, true), 2);  // The offline extractive answerer.
  EXPECT_EQ(CreditsFor(rates, 100, 10, true), 2);
  // A burst the AI did not answer pays its tokens only.
  EXPECT_EQ(CreditsFor(rates, 0, 0, false), 0);
  EXPECT_EQ(CreditsFor(rates, 1500, 0, false), 2);
  EXPECT_EQ(CreditsFor(rates, -5, -5, false), 0);
}

TEST(Quota, RepliesBeingProducedCountAsUsed) {
  store::Plan plan = Limits(2, std::nullopt);
  EXPECT_EQ(CheckQuota(plan, {0, 0, 0, 0}, 1), QuotaVerdict::kAllowed);
  EXPECT_EQ(CheckQuota(plan, {1, 0, 0, 0}, 1), QuotaVerdict::kAllowed);
  EXPECT_EQ(CheckQuota(plan, {1, 0, 1, 0}, 1), QuotaVerdict::kRepliesExhausted);
  EXPECT_EQ(CheckQuota(plan, {2, 0, 0, 0}, 1), QuotaVerdict::kRepliesExhausted);
  EXPECT_EQ(CheckQuota(plan, {0, 0, 2, 0}, 1), QuotaVerdict::kRepliesExhausted);
}

TEST(Quota, CreditsMustCoverWhatTheReplyReserves) {
  store::Plan plan = Limits(std::nullopt, 10);
  EXPECT_EQ(CheckQuota(plan, {0, 9, 0, 0}, 1), QuotaVerdict::kAllowed);
  EXPECT_EQ(CheckQuota(plan, {0, 9, 0, 1}, 1), QuotaVerdict::kCreditsExhausted);
  EXPECT_EQ(CheckQuota(plan, {0, 8, 0, 0}, 3), QuotaVerdict::kCreditsExhausted);
  // A last reply may have overshot: still exhausted, and what remains is never negative.
  EXPECT_EQ(CheckQuota(plan, {0, 12, 0, 0}, 1), QuotaVerdict::kCreditsExhausted);
  EXPECT_EQ(Remaining(plan.monthly_credits, 12), 0);
  EXPECT_EQ(Remaining(plan.monthly_credits, 4), 6);
  EXPECT_EQ(Remaining(std::nullopt, 1'000'000), std::nullopt);
}

TEST(Quota, UnlimitedPlansAlwaysAllow) {
  EXPECT_EQ(CheckQuota(Limits(std::nullopt, std::nullopt), {1'000'000, 1'000'000, 50, 50}, 1), QuotaVerdict::kAllowed);
}

TEST(Days, UtcDaysAndMonths) {
  EXPECT_EQ(UtcDay(0), "1970-01-01");
  EXPECT_EQ(UtcDay(1'709'251'199'999), "2024-02-29");  // 23:59:59.999 UTC
  EXPECT_EQ(UtcDay(1'709'251'200'000), "2024-03-01");
  DayRange feb = UtcMonth(1'709'000'000'000);
  EXPECT_EQ(feb.first, "2024-02-01");
  EXPECT_EQ(feb.last, "2024-02-29");
  DayRange dec = UtcMonth(1'798'675'200'000);  // 2026-12-31
  EXPECT_EQ(dec.first, "2026-12-01");
  EXPECT_EQ(dec.last, "2026-12-31");
}

TEST(Days, OnlyRealCalendarDaysParse) {
  EXPECT_TRUE(IsDay("2024-02-29"));
  EXPECT_FALSE(IsDay("2023-02-29"));
  EXPECT_FALSE(IsDay("2024-13-01"));
  EXPECT_FALSE(IsDay("2024-1-01"));
  EXPECT_FALSE(IsDay("2024-01-01x"));
  EXPECT_FALSE(IsDay("abcd-ef-gh"));
  EXPECT_FALSE(IsDay(""));
}

TEST(Features, ImagesAndAudioNeedTheirFeature) {
  store::Plan plan;
  plan.images = true;
  EXPECT_EQ(FeatureFor(MessageType::kImage), Feature::kImages);
  EXPECT_EQ(FeatureFor(MessageType::kSticker), Feature::kImages);
  EXPECT_EQ(FeatureFor(MessageType::kAudio), Feature::kAudio);
  EXPECT_EQ(FeatureFor(MessageType::kText), std::nullopt);
  EXPECT_EQ(FeatureFor(MessageType::kDocument), std::nullopt);
  EXPECT_TRUE(PlanHas(plan, Feature::kImages));
  EXPECT_FALSE(PlanHas(plan, Feature::kAudio));
}

TEST(PricePlans, ParsesPairsAndRejectsHalfEntries) {
  auto plans = ParsePricePlans(" price_123=pro, price_456 = business,").value();
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans["price_123"], "pro");
  EXPECT_EQ(plans["price_456"], "business");
  EXPECT_TRUE(ParsePricePlans("").value().empty());
  EXPECT_FALSE(ParsePricePlans("price_123"));
  EXPECT_FALSE(ParsePricePlans("price_123="));
  EXPECT_FALSE(ParsePricePlans("=pro"));
}

}  // namespace
}  // namespace parley::billing
