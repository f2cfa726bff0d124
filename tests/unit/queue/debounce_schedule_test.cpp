#include "queue/batcher.h"

#include <gtest/gtest.h>

namespace parley::queue {
namespace {

store::PendingConversation Pending(int64_t id, int64_t since, int64_t last) {
  store::PendingConversation p;
  p.conversation_id = id;
  p.pending_since_ms = since;
  p.last_inbound_at_ms = last;
  return p;
}

TEST(DebounceScheduleTest, EachMessagePushesTheDeadlineByTheWindow) {
  DebounceSchedule schedule({2000, 10000});
  EXPECT_EQ(schedule.Touch(Pending(1, 1000, 1000)), 3000);
  EXPECT_EQ(schedule.Touch(Pending(1, 1000, 2500)), 4500);
  EXPECT_TRUE(schedule.PopDue(4499).empty());
  EXPECT_EQ(schedule.PopDue(4500), std::vector<int64_t>{1});
  EXPECT_EQ(schedule.size(), 0u);
}

TEST(DebounceScheduleTest, MaximumWaitCapsALongBurst) {
  DebounceSchedule schedule({2000, 10000});
  for (int64_t t = 1000; t <= 20000; t += 1500) schedule.Touch(Pending(7, 1000, t));
  EXPECT_EQ(schedule.NextDeadline(), 11000);
}

TEST(DebounceScheduleTest, DueConversationsComeOutEarliestFirst) {
  DebounceSchedule schedule({1000, 5000});
  schedule.Touch(Pending(1, 0, 500));
  schedule.Touch(Pending(2, 0, 100));
  schedule.Touch(Pending(3, 0, 900));
  EXPECT_EQ(schedule.PopDue(1600), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(schedule.NextDeadline(), 1900);
}

TEST(DebounceScheduleTest, RetryKeepsAnEarlierDeadline) {
  DebounceSchedule schedule({1000, 5000});
  schedule.Touch(Pending(1, 0, 0));
  schedule.RetryAt(1, 5000);
  EXPECT_EQ(schedule.NextDeadline(), 1000);
  schedule.RetryAt(1, 500);
  EXPECT_EQ(schedule.NextDeadline(), 500);
  schedule.RetryAt(2, 700);
  EXPECT_EQ(schedule.PopDue(800), (std::vector<int64_t>{1, 2}));
}

}  // namespace
}  // namespace parley::queue
