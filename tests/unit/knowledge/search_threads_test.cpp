#include "knowledge/search_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace parley::knowledge {
namespace {

TEST(SearchThreadsTest, RunsEveryPartOnceAndReturnsWhenAllHaveReturned) {
  SearchThreads threads(2);
  for (size_t parts : {0u, 1u, 3u, 17u}) {
    std::vector<std::atomic<int>> calls(parts);
    std::atomic<int> finished{0};
    threads.Run(parts, [&](size_t part) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      ++calls[part];
      ++finished;
    });
    EXPECT_EQ(finished.load(), static_cast<int>(parts));
    for (const auto& count : calls) EXPECT_EQ(count.load(), 1);
  }
}

TEST(SearchThreadsTest, HelpersTakePartsAndTheCallerDoesTheRest) {
  SearchThreads threads(1);
  std::set<std::thread::id> seen;
  std::mutex mutex;
  // Parts long enough for the helper to wake and claim some.
  threads.Run(8, [&](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard lock(mutex);
    seen.insert(std::this_thread::get_id());
  });
  EXPECT_TRUE(seen.count(std::this_thread::get_id()));
  EXPECT_EQ(seen.size(), 2u);

  SearchThreads alone(0);
  seen.clear();
  alone.Run(4, [&](size_t) { seen.insert(std::this_thread::get_id()); });
  EXPECT_EQ(seen, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(SearchThreadsTest, ARunInsideAPartCompletesWhileTheHelperIsBusy) {
  // The hybrid search's shape: one part ranks by BM25 on the helper while the other splits its own scan.
  SearchThreads threads(1);
  std::atomic<int> inner{0};
  threads.Run(2, [&](size_t part) {
    if (part == 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return;
    }
    threads.Run(6, [&](size_t) { ++inner; });
  });
  EXPECT_EQ(inner.load(), 6);
}

TEST(SearchThreadsTest, PartsFollowTheThreadsAndTheItems) {
  SearchThreads two_helpers(2);
  EXPECT_EQ(PartsFor(&two_helpers, 100), 3u);
  EXPECT_EQ(PartsFor(&two_helpers, 2), 2u);
  EXPECT_EQ(PartsFor(&two_helpers, 0), 1u);
  EXPECT_EQ(PartsFor(nullptr, 100), 1u);
  // Without threads every part runs on the calling thread, in order.
  std::vector<size_t> order;
  std::set<std::thread::id> seen;
  RunParts(nullptr, 3, [&](size_t part) {
    seen.insert(std::this_thread::get_id());
    order.push_back(part);
  });
  EXPECT_EQ(seen, std::set<std::thread::id>{std::this_thread::get_id()});
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2}));
}

TEST(SearchThreadsTest, RethrowsWhatAPartThrewAfterTheOthersFinish) {
  SearchThreads threads(1);
  std::atomic<int> finished{0};
  EXPECT_THROW(threads.Run(4,
                           [&](size_t part) {
                             if (part == 2) throw std::runtime_error("part 2");
                             std::this_thread::sleep_for(std::chrono::milliseconds(2));
                             ++finished;
                           }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 3);
}

}  // namespace
}  // namespace parley::knowledge
