// The analytics rollup on SQLite: what each figure counts and where (the slot of the moment it names, the
// conversation's start slot for the automation counters), incremental rollups agreeing with one big one, credits
// from the reply's commit, duration histograms and their medians, channels and periods.

#include "store/analytics_store.h"
#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"
#include "unit/store/store_fixture.h"

#include <gtest/gtest.h>

#include <future>
#include <string>

namespace parley::store::sqlite {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000 - 1'800'000'000'000 % kAnalyticsSlotMs;  // A slot's start.
constexpr int64_t kS = 1000;

class AnalyticsStoreTest : public StoreFixture {
 protected:
  void SetUp() override { AddChannels(); }

  // A customer message at `at`; returns its conversation.
  int64_t Customer(const std::string& account, const std::string& contact, int64_t at) {
    const Platform platform = account == kIgAccount ? Platform::kInstagram : Platform::kWhatsApp;
    auto outcome =
        IngestNow(CustomerMessage(platform, account, "mid." + std::to_string(++next_mid_), contact, "hello", at));
    EXPECT_TRUE(outcome && !outcome->pending.empty());
    return outcome && !outcome->pending.empty() ? outcome->pending[0].conversation_id : 0;
  }

  // The bot's reply at `at`, handing off with `reason` when set.
  void Bot(int64_t conversation, int64_t at, std::optional<Reason> hand_off = std::nullopt, int64_t credits = 1) {
    auto attempt = store_->ClaimConversation(conversation, at, 30 * kS);
    ASSERT_TRUE(attempt && attempt->claim);
    Reply reply;
    reply.messages.push_back(OutboundDraft{MessageType::kText, "Our opening hours are 9 to 5.", ""});
    reply.decision = hand_off ? Decision::kEscalate : Decision::kAutoReply;
    reply.reason = hand_off.value_or(Reason::kAnswered);
    reply.hand_off = hand_off.has_value();
    reply.usage = Usage{.day = "2027-01-15", .ai_replies = 1, .credits = credits};
    ASSERT_EQ(store_->CommitReply(*attempt->claim, reply, at, nullptr).value(), CommitResult::kCommitted);
  }

  void Person(int64_t conversation, int64_t at) {
    ASSERT_TRUE(store_->QueuePersonReply(acme_, conversation, "I'm on it", "user:1", 0, at));
  }

  AnalyticsPeriod All(std::optional<int64_t> channel = std::nullopt) {
    auto periods = store_->analytics().Query(
        {acme_, {AnalyticsSlotOf(kT0 - 86'400'000), AnalyticsSlotOf(kT0 + 86'400'000)}, channel});
    EXPECT_TRUE(periods) << periods.error().message;
    return periods ? periods->at(0) : AnalyticsPeriod{};
  }

  void RollUp(int max_rows = 1000) {
    for (int i = 0; i < 1000; ++i) {
      auto read = store_->analytics().Rollup(max_rows);
      ASSERT_TRUE(read) << read.error().message;
      if (*read == 0) return;
    }
    FAIL() << "the rollup never caught up";
  }

  int next_mid_ = 0;
};

TEST_F(AnalyticsStoreTest, CountsConversationsMessagesEscalationsAndCredits) {
  const int64_t a = Customer("wa-1", "+331", kT0);
  Bot(a, kT0 + 4 * kS, std::nullopt, 2);
  const int64_t b = Customer("wa-1", "+332", kT0 + 10 * kS);
  Bot(b, kT0 + 12 * kS, Reason::kHumanRequested);
  Person(b, kT0 + 70 * kS);
  auto open = store_->ListSupportItems(acme_, std::string("open"), std::nullopt, 10).value();
  ASSERT_EQ(open.data.size(), 1u);
  Customer("ig-1", "ig-user", kT0 + 20 * kS);  // Unanswered.
  Customer("wa-other", "+339", kT0);           // Another tenant's.
  RollUp();
  ASSERT_TRUE(store_->ResolveSupportItem(acme_, open.data[0].id, "user:1", false, kT0 + 100 * kS));
  RollUp();

  const AnalyticsPeriod all = All();
  EXPECT_EQ(all.counts.conversations_started, 3);
  EXPECT_EQ(all.counts.conversations_bot_answered, 2);
  EXPECT_EQ(all.counts.conversations_handed_off, 1);
  EXPECT_EQ(all.counts.conversations_automated, 1);
  EXPECT_EQ(all.counts.messages_in, 3);
  EXPECT_EQ(all.counts.messages_out_bot, 2);
  EXPECT_EQ(all.counts.messages_out_person, 1);
  EXPECT_EQ(all.counts.escalations, 1);
  EXPECT_EQ(all.escalations_by_reason, (std::map<std::string, int64_t>{{"human_requested", 1}}));
  EXPECT_EQ(all.counts.credits, 3);
  // Bot first responses of 4 s and 2 s: the lower median is 2 s, within a bin's 9.1 %.
  EXPECT_NEAR(static_cast<double>(MedianMs(all.durations[0]).value()), 2000, 2000 * 0.091);
  EXPECT_NEAR(static_cast<double>(MedianMs(all.durations[1]).value()), 58000, 5300);  // From the hand-off.
  EXPECT_NEAR(static_cast<double>(MedianMs(all.durations[2]).value()), 88000, 8000);  // Opened → resolved.

  const AnalyticsPeriod instagram = All(ig_channel_);
  EXPECT_EQ(instagram.counts.conversations_started, 1);
  EXPECT_EQ(instagram.counts.messages_in, 1);
  EXPECT_EQ(instagram.counts.messages_out_bot, 0);
  EXPECT_EQ(All(wa_channel_).counts.conversations_started, 2);
}

TEST_F(AnalyticsStoreTest, APersonJoiningLaterTakesTheConversationOutOfTheAutomatedOnes) {
  const int64_t a = Customer("wa-1", "+331", kT0);
  Bot(a, kT0 + 3 * kS);
  RollUp();
  EXPECT_EQ(All().counts.conversations_automated, 1);
  // A person answers two hours later: counted in the conversation's start slot, not in the reply's.
  Person(a, kT0 + 2 * 3600 * kS);
  RollUp();
  auto periods = store_->analytics().Query(
      {acme_, {AnalyticsSlotOf(kT0), AnalyticsSlotOf(kT0) + 1, AnalyticsSlotOf(kT0) + 100}, std::nullopt});
  ASSERT_TRUE(periods);
  EXPECT_EQ(periods->at(0).counts.conversations_started, 1);
  EXPECT_EQ(periods->at(0).counts.conversations_automated, 0);
  EXPECT_EQ(periods->at(0).counts.conversations_handed_off, 1);
  EXPECT_EQ(periods->at(0).counts.messages_out_person, 0);
  EXPECT_EQ(periods->at(1).counts.messages_out_person, 1);
  // No escalation: the person's first response is measured from the customer's first message.
  EXPECT_NEAR(static_cast<double>(MedianMs(periods->at(1).durations[1]).value()), 7200000, 650000);
}

TEST_F(AnalyticsStoreTest, SmallRollupsAddUpToTheSameFigures) {
  for (int i = 0; i < 12; ++i) {
    const int64_t c = Customer(i % 2 ? "ig-1" : "wa-1", "contact-" + std::to_string(i), kT0 + i * 60 * kS);
    if (i % 3 == 0) Bot(c, kT0 + i * 60 * kS + 5 * kS, i % 2 ? std::optional(Reason::kComplaint) : std::nullopt);
    if (i % 4 == 0) Person(c, kT0 + i * 60 * kS + 30 * kS);
  }
  RollUp(1);  // One row of each source per write.
  const AnalyticsPeriod all = All();
  EXPECT_EQ(all.counts.conversations_started, 12);
  EXPECT_EQ(all.counts.messages_in, 12);
  EXPECT_EQ(all.counts.messages_out_bot, 4);
  EXPECT_EQ(all.counts.messages_out_person, 3);
  EXPECT_EQ(all.counts.escalations, 2);  // i = 3, 9.
  EXPECT_EQ(all.escalations_by_reason.at("complaint"), 2);
  EXPECT_EQ(all.counts.conversations_bot_answered, 4);
  // Handed off: 3 and 9 (escalated), 0, 4 and 8 (a person replied).
  EXPECT_EQ(all.counts.conversations_handed_off, 5);
  EXPECT_EQ(all.counts.conversations_automated, 1);  // 6.
}

TEST_F(AnalyticsStoreTest, QueriesAreScopedAndChecked) {
  Customer("wa-other", "+339", kT0);
  RollUp();
  EXPECT_EQ(All().counts.conversations_started, 0);
  EXPECT_EQ(store_->analytics().Query({acme_, {5}, std::nullopt}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->analytics().Query({acme_, {5, 5}, std::nullopt}).error().code, ErrorCode::kInvalidArgument);
}

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
}  // namespace parley::store::sqlite
