// The Redis event bus against a real Redis: two buses on two clients (as two processes would) see each other's
// announcements; a subscription's waits survive the server killed and started again; a bus whose Redis is down
// still serves its own process. Cache invalidations reach the other process, and a process whose subscription was
// lost and reopened, or made only after Redis came up, is told to forget everything.

#include "events/event_bus.h"

#include "redis/client.h"
#include "support/backend_servers.h"
#include "support/io_thread.h"
#include "support/own_redis_server.h"

#include <boost/asio/strand.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parley::events {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::Eventually;

const redis::ClientOptions kQuick{.reconnect_min = 50ms, .reconnect_max = 200ms};

// One process's side: a client and the bus on it.
class Process {
 public:
  Process(testing::IoThread& io, const std::string& url)
      : io_(io),
        client_(io.executor(), redis::ParseUrl(url).value(), kQuick),
        bus_(MakeRedisEventBus(client_, io.executor())) {
    client_.Start();
  }
  ~Process() { io_.Await(client_.Stop()); }

  EventBus& bus() { return *bus_; }
  redis::Client& client() { return client_; }

 private:
  testing::IoThread& io_;
  redis::Client client_;
  std::unique_ptr<EventBus> bus_;
};

// A tenant id no other run of these tests uses at the same time on the shared server.
int64_t FreshTenant() { return 1'000'000 + ::getpid() * 100 + std::rand() % 100; }

// Starts one wait on `io` and gives its result when it completes.
std::future<std::optional<int64_t>> StartWait(testing::IoThread& io, Subscription& subscription, int64_t after,
                                              std::chrono::milliseconds timeout) {
  return asio::co_spawn(asio::make_strand(io.io()), subscription.WaitBeyond(after, timeout), asio::use_future);
}

// Publishes `id` on `publisher` until `subscription`'s waits see it (the subscription is confirmed asynchronously).
bool AnnouncedEventually(testing::IoThread& io, EventBus& publisher, int64_t tenant, Subscription& subscription,
                         int64_t id) {
  return Eventually(
      [&] {
        publisher.Publish(tenant, id);
        auto waited = StartWait(io, subscription, id - 1, 200ms).get();
        return waited && *waited >= id;
      },
      10s);
}

TEST(RedisEventBusTest, TwoProcessesSeeEachOthersAnnouncements) {
  testing::IoThread io;
  Process a(io, testing::TestRedisUrl());
  Process b(io, testing::TestRedisUrl());
  const int64_t tenant = FreshTenant();
  auto on_a = a.bus().Subscribe(tenant, asio::make_strand(io.io()));
  auto on_b = b.bus().Subscribe(tenant, asio::make_strand(io.io()));
  auto other_tenant_on_b = b.bus().Subscribe(tenant + 1, asio::make_strand(io.io()));

  ASSERT_TRUE(AnnouncedEventually(io, a.bus(), tenant, *on_b, 10));
  // The publisher's own subscriptions have it at once, without Redis.
  EXPECT_EQ(StartWait(io, *on_a, 9, 5s).get(), 10);

  // The other way, and a wait already in progress wakes up.
  auto waiting_on_a = StartWait(io, *on_a, 10, 10s);
  ASSERT_TRUE(AnnouncedEventually(io, b.bus(), tenant, *on_a, 11));
  EXPECT_EQ(waiting_on_a.get(), 11);

  // Another tenant's subscription heard nothing.
  EXPECT_EQ(StartWait(io, *other_tenant_on_b, 0, 300ms).get(), std::nullopt);
}

TEST(RedisEventBusTest, AWaiterStillGetsAnnouncementsAfterRedisIsKilledAndStartedAgain) {
  testing::IoThread io;
  testing::OwnRedisServer server;
  Process publisher(io, server.url());
  Process listener(io, server.url());
  const int64_t tenant = 42;
  auto subscription = listener.bus().Subscribe(tenant, asio::make_strand(io.io()));
  ASSERT_TRUE(AnnouncedEventually(io, publisher.bus(), tenant, *subscription, 1));

  server.Stop();
  ASSERT_TRUE(Eventually([&] { return !listener.client().state().connected; }, 10s));
  // A wait in progress across the outage: when the subscription is back it completes with nullopt, telling its
  // caller to read the log (announcements may have been missed), well before its own timeout.
  auto across = StartWait(io, *subscription, 1, 60s);
  publisher.bus().Publish(tenant, 2);  // Lost: Redis is down.
  server.Start();
  ASSERT_EQ(across.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(across.get(), std::nullopt);

  // And announcements reach it again.
  EXPECT_TRUE(AnnouncedEventually(io, publisher.bus(), tenant, *subscription, 3));
}

TEST(RedisEventBusTest, WithRedisDownABusStillServesItsOwnProcess) {
  testing::IoThread io;
  testing::OwnRedisServer server;
  const std::string url = server.url();
  server.Stop();
  Process alone(io, url);
  auto subscription = alone.bus().Subscribe(7, asio::make_strand(io.io()));
  auto waiting = StartWait(io, *subscription, 0, 10s);
  alone.bus().Publish(7, 5);
  EXPECT_EQ(waiting.get(), 5);
}

// What one cache's handler was told, from the client's strand: the keys, "*" for "forget everything".
class Heard {
 public:
  InvalidationHandler handler() {
    return [this](std::optional<std::string_view> key) {
      std::lock_guard lock(mutex_);
      keys_.emplace_back(key ? std::string(*key) : "*");
    };
  }
  bool Has(const std::string& key) {
    std::lock_guard lock(mutex_);
    return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
  }
  bool HasOneStartingWith(const std::string& prefix) {
    std::lock_guard lock(mutex_);
    return std::any_of(keys_.begin(), keys_.end(), [&](const std::string& key) { return key.starts_with(prefix); });
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> keys_;
};

// A cache name no other run of these tests uses at the same time on the shared server.
std::string FreshCache() { return "test_" + std::to_string(FreshTenant()); }

// Invalidates keys `kind`1, `kind`2, … of `cache` on `invalidator` until `heard` has one of them (subscriptions are
// confirmed asynchronously).
bool InvalidateUntilHeard(EventBus& invalidator, const std::string& cache, const std::string& kind, Heard& heard) {
  int n = 0;
  return Eventually(
      [&] {
        invalidator.Invalidate(cache, kind + std::to_string(++n));
        return heard.HasOneStartingWith(kind);
      },
      10s);
}

TEST(RedisEventBusTest, AnInvalidationReachesTheOtherProcessAndTheInvalidatorAtOnce) {
  testing::IoThread io;
  Process a(io, testing::TestRedisUrl());
  Process b(io, testing::TestRedisUrl());
  const std::string cache = FreshCache();
  Heard on_a, on_b, other_cache_on_b;
  auto listening_a = a.bus().ListenForInvalidations(cache, on_a.handler());
  auto listening_b = b.bus().ListenForInvalidations(cache, on_b.handler());
  auto other_b = b.bus().ListenForInvalidations(cache + "_other", other_cache_on_b.handler());

  // The invalidator's own handlers have it before Invalidate returns, without Redis.
  a.bus().Invalidate(cache, "api_key:0");
  EXPECT_TRUE(on_a.Has("api_key:0"));
  // The other process's once its subscription is confirmed.
  ASSERT_TRUE(InvalidateUntilHeard(a.bus(), cache, "api_key:", on_b));
  EXPECT_FALSE(other_cache_on_b.HasOneStartingWith("api_key:"));

  // A listener gone hears nothing more, and its process keeps hearing the others.
  listening_b.reset();
  ASSERT_TRUE(InvalidateUntilHeard(b.bus(), cache, "user:", on_a));
  EXPECT_FALSE(on_b.HasOneStartingWith("user:"));
}

TEST(RedisEventBusTest, ACacheForgetsEverythingWhenItsSubscriptionIsBackAfterRedisIsKilledAndStartedAgain) {
  testing::IoThread io;
  testing::OwnRedisServer server;
  Process invalidator(io, server.url());
  Process listener(io, server.url());
  Heard heard;
  auto listening = listener.bus().ListenForInvalidations("auth", heard.handler());
  ASSERT_TRUE(Eventually(
      [&] {
        invalidator.bus().Invalidate("auth", "token:before");
        return heard.Has("token:before");
      },
      10s));  // The same key each time: the first one the subscription lets through is enough.
  ASSERT_FALSE(heard.Has("*"));

  server.Stop();
  ASSERT_TRUE(Eventually([&] { return !listener.client().state().connected; }, 10s));
  invalidator.bus().Invalidate("auth", "token:lost");  // Lost: Redis is down.
  server.Start();
  // What was missed cannot be told apart: the cache is told to forget everything once its subscription is back.
  ASSERT_TRUE(Eventually([&] { return heard.Has("*"); }, 30s));
  EXPECT_FALSE(heard.Has("token:lost"));
  EXPECT_TRUE(Eventually(
      [&] {
        invalidator.bus().Invalidate("auth", "token:after");
        return heard.Has("token:after");
      },
      10s));
}

// A process started while Redis was down fills its caches from the store meanwhile, and another process's
// invalidations of that time never reach it: once its subscription is made, it forgets everything too.
TEST(RedisEventBusTest, ACacheOfAProcessStartedWhileRedisWasDownForgetsEverythingOnceRedisAnswers) {
  testing::IoThread io;
  testing::OwnRedisServer server;
  server.Stop();
  Process listener(io, server.url());
  Heard heard;
  auto listening = listener.bus().ListenForInvalidations("auth", heard.handler());
  ASSERT_TRUE(Eventually([&] { return !listener.client().state().last_error.empty(); }, 10s));
  // The subscriber connection starts with the commands' one: by now its attempts have failed too (a closed loopback
  // port refuses at once, and they are retried every 50 to 200 ms).
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(heard.Has("*"));
  server.Start();

  ASSERT_TRUE(Eventually([&] { return heard.Has("*"); }, 30s));
  Process invalidator(io, server.url());
  EXPECT_TRUE(Eventually(
      [&] {
        invalidator.bus().Invalidate("auth", "token:after");
        return heard.Has("token:after");
      },
      10s));
}

}  // namespace
}  // namespace parley::events
