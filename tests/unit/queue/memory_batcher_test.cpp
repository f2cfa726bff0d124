#include "queue/batcher.h"

#include "core/time.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

namespace parley::queue {
namespace {

// The real timer path, with windows of a few milliseconds: each conversation fires once, after its deadline.
TEST(MemoryBatcherTest, FiresEachConversationOnceAtItsDeadline) {
  boost::asio::io_context io;
  auto batcher = MakeMemoryBatcher(io.get_executor(), {30, 1000});
  std::vector<std::pair<int64_t, int64_t>> fired;
  const int64_t start = NowMs();
  batcher->Start([&](int64_t id) {
    fired.emplace_back(id, NowMs());
    if (fired.size() == 2) batcher->Stop();
  });
  batcher->Arm({1, 1, Platform::kWhatsApp, start, start});
  batcher->Arm({2, 1, Platform::kWhatsApp, start, start + 20});
  batcher->Arm({1, 1, Platform::kWhatsApp, start, start + 10});
  io.run_for(std::chrono::seconds(2));
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0].first, 1);
  EXPECT_GE(fired[0].second, start + 40);
  EXPECT_EQ(fired[1].first, 2);
  EXPECT_GE(fired[1].second, start + 50);
  EXPECT_EQ(batcher->waiting(), 0u);
}

TEST(MemoryBatcherTest, StopKeepsArmedConversationsFromFiring) {
  boost::asio::io_context io;
  auto batcher = MakeMemoryBatcher(io.get_executor(), {20, 1000});
  int fired = 0;
  batcher->Start([&](int64_t) { ++fired; });
  const int64_t now = NowMs();
  batcher->Arm({1, 1, Platform::kWhatsApp, now, now});
  batcher->Stop();
  io.run_for(std::chrono::milliseconds(100));
  EXPECT_EQ(fired, 0);
}

}  // namespace
}  // namespace parley::queue
