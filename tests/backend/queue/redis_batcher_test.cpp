// The debounce shared through a real Redis (queue/redis): what one process arms fires once, in one of the processes
// that fire, at its deadline; the deadline moves as the in-process batcher's does; Redis restarted is reported so
// that the caller restores the store's pending conversations. Each test has a redis-server of its own: the deadlines
// are one key, shared by every process on a server.

#include "queue/redis/redis_batcher.h"

#include "redis/client.h"
#include "support/io_thread.h"
#include "support/own_redis_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <vector>

namespace parley::queue {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;

const redis::ClientOptions kQuick{.reconnect_min = 50ms, .reconnect_max = 200ms};

// One `parley serve` process as far as the debounce goes: its Redis client and its batcher, and what fired in it.
class Process {
 public:
  Process(testing::IoThread& io, const std::string& url, int64_t window_ms = 200, int64_t max_wait_ms = 5000)
      : io_(io), client_(io.executor(), redis::ParseUrl(url).value(), kQuick) {
    batcher_ = MakeRedisBatcher(io.executor(), {window_ms, max_wait_ms, nullptr}, client_, [this] { ++lost_; });
    client_.Start();
  }
  ~Process() {
    batcher_->Stop();
    io_.Await(client_.Stop());
    batcher_.reset();
  }

  bool connected() const { return client_.state().connected; }
  Batcher& batcher() { return *batcher_; }
  void Fire() {
    batcher_->Start([this](int64_t conversation_id) {
      std::lock_guard lock(mutex_);
      fired_.push_back({conversation_id, RealClock().NowMs()});
    });
  }
  std::vector<std::pair<int64_t, int64_t>> fired() const {  // (conversation, when)
    std::lock_guard lock(mutex_);
    return fired_;
  }
  int lost() const { return lost_; }
  // The deadline Redis holds for a conversation; -1 when it holds none.
  int64_t DeadlineOf(int64_t conversation_id) {
    auto reply = io_.Await(client_.Command({"ZSCORE", "parley:debounce", std::to_string(conversation_id)}));
    if (!reply || reply->type != redis::Reply::Type::kString) return -1;
    return std::stoll(reply->text);
  }

 private:
  testing::IoThread& io_;
  redis::Client client_;
  std::unique_ptr<Batcher> batcher_;
  mutable std::mutex mutex_;
  std::vector<std::pair<int64_t, int64_t>> fired_;  // GUARDED_BY(mutex_)
  std::atomic<int> lost_{0};
};

store::PendingConversation Pending(int64_t conversation_id, int64_t since_ms, int64_t last_ms) {
  return {conversation_id, /*tenant_id=*/1, Platform("whatsapp"), since_ms, last_ms};
}

TEST(RedisBatcherTest, WhatAGatewayArmsFiresOnceInOneWorkerAtItsDeadline) {
  testing::OwnRedisServer server;
  testing::IoThread io;
  Process gateway(io, server.url());
  Process worker_a(io, server.url());
  Process worker_b(io, server.url());
  ASSERT_TRUE(Eventually([&] { return gateway.connected() && worker_a.connected() && worker_b.connected(); }, 10s));
  worker_a.Fire();
  worker_b.Fire();

  constexpr int kConversations = 300;  // More than one hand-over takes at once.
  std::map<int64_t, int64_t> deadline_of;
  for (int64_t id = 1; id <= kConversations; ++id) {
    const int64_t now = RealClock().NowMs();
    gateway.batcher().Arm(Pending(id, now, now));
    deadline_of[id] = now + 200;
  }
  auto fired_count = [&] { return worker_a.fired().size() + worker_b.fired().size(); };
  ASSERT_TRUE(Eventually([&] { return fired_count() >= kConversations; }, 10s)) << fired_count();
  std::this_thread::sleep_for(1500ms);  // Long enough for a second hand-over of any of them, were there one.
  std::multiset<int64_t> fired;
  for (const auto* worker : {&worker_a, &worker_b}) {
    for (const auto& [id, at_ms] : worker->fired()) {
      fired.insert(id);
      EXPECT_GE(at_ms, deadline_of[id]) << "conversation " << id << " fired before its deadline";
    }
  }
  EXPECT_EQ(fired.size(), static_cast<size_t>(kConversations));
  for (int64_t id = 1; id <= kConversations; ++id) EXPECT_EQ(fired.count(id), 1u) << id;
  EXPECT_TRUE(gateway.fired().empty());  // A process that does not fire hands nothing over.
}

TEST(RedisBatcherTest, DeadlinesMoveAsTheInProcessBatchersDo) {
  testing::OwnRedisServer server;
  testing::IoThread io;
  Process gateway(io, server.url(), /*window_ms=*/2000, /*max_wait_ms=*/10000);
  ASSERT_TRUE(Eventually([&] { return gateway.connected(); }, 10s));
  constexpr int64_t kT0 = 1'800'000'000'000;
  auto settles_at = [&](int64_t expected) { return Eventually([&] { return gateway.DeadlineOf(7) == expected; }, 5s); };

  gateway.batcher().Arm(Pending(7, kT0, kT0));
  EXPECT_TRUE(settles_at(kT0 + 2000));
  gateway.batcher().Arm(Pending(7, kT0, kT0 + 1500));  // A new message: its window.
  EXPECT_TRUE(settles_at(kT0 + 3500));
  gateway.batcher().Arm(Pending(7, kT0, kT0 + 9000));  // Never past the first message + max wait.
  EXPECT_TRUE(settles_at(kT0 + 10000));
  gateway.batcher().RetryAt(7, kT0 + 20000);  // A retry later than the deadline keeps the deadline.
  gateway.batcher().RetryAt(7, kT0 + 500);    // An earlier one moves it.
  EXPECT_TRUE(settles_at(kT0 + 500));
  gateway.batcher().Restore(Pending(7, kT0, kT0 + 9000));  // Restoring keeps the deadline that is set...
  gateway.batcher().Restore(Pending(8, kT0, kT0));         // ...and arms one that waits nowhere.
  EXPECT_TRUE(Eventually([&] { return gateway.DeadlineOf(8) == kT0 + 2000; }, 5s));
  EXPECT_EQ(gateway.DeadlineOf(7), kT0 + 500);
  gateway.batcher().RetryAt(9, kT0 + 100);  // A retry of one that waits nowhere arms it.
  EXPECT_TRUE(Eventually([&] { return gateway.DeadlineOf(9) == kT0 + 100; }, 5s));
}

TEST(RedisBatcherTest, ARestartedRedisIsReportedAndArmingAgainFires) {
  testing::OwnRedisServer server;
  testing::IoThread io;
  Process worker(io, server.url());
  ASSERT_TRUE(Eventually([&] { return worker.connected(); }, 10s));
  worker.Fire();
  const int64_t now = RealClock().NowMs();
  worker.batcher().Arm(Pending(1, now, now));
  ASSERT_TRUE(Eventually([&] { return worker.fired().size() == 1; }, 5s));

  server.Stop();  // Forgets every deadline (nothing is kept on disk).
  const int64_t during = RealClock().NowMs();
  worker.batcher().Arm(Pending(2, during, during));  // Fails without blocking: the store still has it pending.
  server.Start();
  // The subscription comes back: the caller is told to restore the store's pending conversations, and does.
  ASSERT_TRUE(Eventually([&] { return worker.lost() >= 1; }, 10s));
  ASSERT_TRUE(Eventually([&] { return worker.connected(); }, 10s));
  worker.batcher().Restore(Pending(2, during, during));
  ASSERT_TRUE(Eventually([&] { return worker.fired().size() == 2; }, 10s));
  EXPECT_EQ(worker.fired()[1].first, 2);
}

}  // namespace
}  // namespace parley::queue
