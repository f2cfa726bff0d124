// The analytics rollup on every backend: what each figure counts and where (the slot of the moment it names, the
// conversation's start slot for the automation counters), incremental rollups agreeing with one big one, credits
// from the reply's commit, duration histograms and their medians, channels and periods.

#include "analytics_test.h"

namespace parley::store::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Backends, AnalyticsStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(AnalyticsStoreTest, CountsConversationsMessagesEscalationsAndCredits) {
  const int64_t a = Customer(kAccount, "+331", kSlotT0);
  Bot(a, kSlotT0 + 4 * kS, std::nullopt, 2);
  const int64_t b = Customer(kAccount, "+332", kSlotT0 + 10 * kS);
  Bot(b, kSlotT0 + 12 * kS, Reason::kHumanRequested);
  Person(b, kSlotT0 + 70 * kS);
  auto open = store_->ListSupportItems(tenant_.id, std::string("open"), std::nullopt, 10).value();
  ASSERT_EQ(open.data.size(), 1u);
  Customer(kIgAccount, "ig-user", kSlotT0 + 20 * kS);  // Unanswered.
  Customer(kOtherAccount, "+339", kSlotT0);            // Another tenant's.
  RollUp();
  ASSERT_TRUE(store_->ResolveSupportItem(tenant_.id, open.data[0].id, "user:1", false, kSlotT0 + 100 * kS));
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
  EXPECT_EQ(All(channel_.id).counts.conversations_started, 2);
}

TEST_P(AnalyticsStoreTest, APersonJoiningLaterTakesTheConversationOutOfTheAutomatedOnes) {
  const int64_t a = Customer(kAccount, "+331", kSlotT0);
  Bot(a, kSlotT0 + 3 * kS);
  RollUp();
  EXPECT_EQ(All().counts.conversations_automated, 1);
  // A person answers two hours later: counted in the conversation's start slot, not in the reply's.
  Person(a, kSlotT0 + 2 * 3600 * kS);
  RollUp();
  auto periods = store_->analytics().Query(
      {tenant_.id,
       {AnalyticsSlotOf(kSlotT0), AnalyticsSlotOf(kSlotT0) + 1, AnalyticsSlotOf(kSlotT0) + 100},
       std::nullopt});
  ASSERT_TRUE(periods);
  EXPECT_EQ(periods->at(0).counts.conversations_started, 1);
  EXPECT_EQ(periods->at(0).counts.conversations_automated, 0);
  EXPECT_EQ(periods->at(0).counts.conversations_handed_off, 1);
  EXPECT_EQ(periods->at(0).counts.messages_out_person, 0);
  EXPECT_EQ(periods->at(1).counts.messages_out_person, 1);
  // No escalation: the person's first response is measured from the customer's first message.
  EXPECT_NEAR(static_cast<double>(MedianMs(periods->at(1).durations[1]).value()), 7200000, 650000);
}

TEST_P(AnalyticsStoreTest, SmallRollupsAddUpToTheSameFigures) {
  for (int i = 0; i < 12; ++i) {
    const int64_t c = Customer(i % 2 ? kIgAccount : kAccount, Id("contact-", i), kSlotT0 + i * 60 * kS);
    if (i % 3 == 0) {
      Bot(c, kSlotT0 + i * 60 * kS + 5 * kS, i % 2 ? std::optional(Reason::kComplaint) : std::nullopt);
    }
    if (i % 4 == 0) Person(c, kSlotT0 + i * 60 * kS + 30 * kS);
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

TEST_P(AnalyticsStoreTest, AnIdleRollupReadsNothingAndARepeatedOneAddsNothing) {
  EXPECT_EQ(store_->analytics().Rollup(100).value(), 0);
  Customer(kAccount, "+331", kSlotT0);
  EXPECT_EQ(store_->analytics().Rollup(100).value(), 2);  // The conversation and its message.
  EXPECT_EQ(store_->analytics().Rollup(100).value(), 0);
  EXPECT_EQ(All().counts.messages_in, 1);
  EXPECT_EQ(All().counts.conversations_started, 1);
}

TEST_P(AnalyticsStoreTest, AnErasedConversationKeepsWhatWasCountedAndAddsNothingMore) {
  Customer(kAccount, "+331", kSlotT0);
  RollUp();
  Customer(kAccount, "+331", kSlotT0 + kS);  // Not rolled up before the erasure.
  auto contacts = store_->contacts().ListContacts(tenant_.id, {}, std::nullopt, 10).value();
  ASSERT_EQ(contacts.data.size(), 1u);
  auto erased = store_->contacts().EraseContact(tenant_.id, contacts.data[0].id, "user:1", kSlotT0 + 2 * kS);
  ASSERT_TRUE(erased) << erased.error().message;
  RollUp();
  const AnalyticsPeriod all = All();
  EXPECT_EQ(all.counts.conversations_started, 1);
  EXPECT_EQ(all.counts.messages_in, 1);
}

TEST_P(AnalyticsStoreTest, QueriesAreScopedAndChecked) {
  Customer(kOtherAccount, "+339", kSlotT0);
  RollUp();
  EXPECT_EQ(All().counts.conversations_started, 0);
  EXPECT_EQ(store_->analytics().Query({tenant_.id, {5}, std::nullopt}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->analytics().Query({tenant_.id, {5, 5}, std::nullopt}).error().code, ErrorCode::kInvalidArgument);
  std::vector<int64_t> too_many(kMaxAnalyticsPeriods + 2);
  for (size_t i = 0; i < too_many.size(); ++i) too_many[i] = static_cast<int64_t>(i);
  EXPECT_EQ(store_->analytics().Query({tenant_.id, too_many, std::nullopt}).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace parley::store::testing
