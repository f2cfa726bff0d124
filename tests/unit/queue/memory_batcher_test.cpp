#include "queue/batcher.h"

#include "core/clock.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <utility>
#include <vector>

namespace parley::queue {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;

// The batcher on a manual clock: time moves only when the test says, and the handlers ready then run at once.
class MemoryBatcherTest : public ::testing::Test {
 protected:
  // Moves the clock and runs whatever became due, without waiting.
  void Advance(int64_t ms) {
    clock_.Advance(ms);
    Settle();
  }
  void Settle() {
    io_.restart();
    while (io_.poll() > 0) io_.restart();
  }

  ManualClock clock_{kT0};
  boost::asio::io_context io_;
};

TEST_F(MemoryBatcherTest, FiresEachConversationOnceAtItsDeadline) {
  auto batcher = MakeMemoryBatcher(io_.get_executor(), {30, 1000}, clock_);
  std::vector<std::pair<int64_t, int64_t>> fired;
  batcher->Start([&](int64_t id) { fired.emplace_back(id, clock_.NowMs()); });
  batcher->Arm({1, 1, Platform("whatsapp"), kT0, kT0});
  batcher->Arm({2, 1, Platform("whatsapp"), kT0, kT0 + 20});
  batcher->Arm({1, 1, Platform("whatsapp"), kT0, kT0 + 10});  // Moves 1's deadline to +40.
  Settle();
  Advance(39);
  EXPECT_TRUE(fired.empty());
  Advance(1);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0], std::make_pair(int64_t{1}, kT0 + 40));
  Advance(9);
  EXPECT_EQ(fired.size(), 1u);
  Advance(1);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[1], std::make_pair(int64_t{2}, kT0 + 50));
  Advance(10'000);
  EXPECT_EQ(fired.size(), 2u);
  EXPECT_EQ(batcher->waiting(), 0u);
}

TEST_F(MemoryBatcherTest, MaxWaitBoundsADeadlineThatKeepsMoving) {
  auto batcher = MakeMemoryBatcher(io_.get_executor(), {30, 100}, clock_);
  std::vector<int64_t> fired_at;
  batcher->Start([&](int64_t) { fired_at.push_back(clock_.NowMs()); });
  // A message every 20 ms keeps pushing the window; the first message's max wait ends it at +100.
  for (int64_t at = 0; at <= 80; at += 20) {
    batcher->Arm({1, 1, Platform("whatsapp"), kT0, kT0 + at});
    Advance(20);
  }
  ASSERT_EQ(fired_at.size(), 1u);
  EXPECT_EQ(fired_at[0], kT0 + 100);
}

TEST_F(MemoryBatcherTest, RetryAtFiresAgainLater) {
  auto batcher = MakeMemoryBatcher(io_.get_executor(), {30, 1000}, clock_);
  std::vector<int64_t> fired_at;
  batcher->Start([&](int64_t) { fired_at.push_back(clock_.NowMs()); });
  batcher->RetryAt(7, kT0 + 5'000);
  Settle();
  Advance(4'999);
  EXPECT_TRUE(fired_at.empty());
  Advance(1);
  EXPECT_EQ(fired_at, std::vector<int64_t>{kT0 + 5'000});
}

TEST_F(MemoryBatcherTest, StopKeepsArmedConversationsFromFiring) {
  auto batcher = MakeMemoryBatcher(io_.get_executor(), {20, 1000}, clock_);
  int fired = 0;
  batcher->Start([&](int64_t) { ++fired; });
  batcher->Arm({1, 1, Platform("whatsapp"), kT0, kT0});
  batcher->Stop();
  Advance(1'000);
  EXPECT_EQ(fired, 0);
}

}  // namespace
}  // namespace parley::queue
