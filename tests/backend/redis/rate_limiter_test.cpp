// Rate limits shared through a real Redis: two limiters on two clients (two processes) spend one bucket; idle
// buckets expire; a server that forgot the script (restarted, flushed) is given it again; with Redis down each
// limiter decides alone (fails open to its own bucket) and shares again when Redis is back.

#include "redis/rate_limiter.h"

#include "core/metrics.h"
#include "support/backend_servers.h"
#include "support/io_thread.h"
#include "support/own_redis_server.h"

#include <gtest/gtest.h>

namespace parley::redis {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;

constexpr int64_t kT0 = 1'800'000'000'000;
const ClientOptions kQuick{.reconnect_min = 50ms, .reconnect_max = 200ms};

// A name no other run uses at the same time on the shared server.
std::string FreshName(const std::string& what) {
  return what + "_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand());
}

class Process {
 public:
  Process(testing::IoThread& io, const std::string& url)
      : io_(io), client_(io.executor(), ParseUrl(url).value(), kQuick) {
    client_.Start();
  }
  ~Process() { io_.Await(client_.Stop()); }

  bool connected() const { return client_.state().connected; }
  std::unique_ptr<RateLimiter> Limiter(const std::string& name, double per_second, double burst) {
    return SharedRateLimiters(client_)(name, per_second, burst);
  }
  RateLimiter::Decision Take(RateLimiter& limiter, const std::string& key, int64_t now_ms, double cost = 1) {
    return io_.Await(limiter.Take(key, now_ms, cost));
  }
  Result<Reply> Run(std::vector<std::string> args) { return io_.Await(client_.Command(std::move(args))); }

 private:
  testing::IoThread& io_;
  Client client_;
};

TEST(RedisRateLimiterTest, TwoProcessesSpendOneBucket) {
  testing::IoThread io;
  Process a(io, testing::TestRedisUrl());
  Process b(io, testing::TestRedisUrl());
  ASSERT_TRUE(Eventually([&] { return a.connected() && b.connected(); }, 10s));
  const std::string name = FreshName("login");
  auto on_a = a.Limiter(name, /*per_second=*/2, /*burst=*/4);
  auto on_b = b.Limiter(name, 2, 4);
  // Four tokens between them, taken in turns.
  EXPECT_TRUE(a.Take(*on_a, "203.0.113.7", kT0).allowed);
  EXPECT_TRUE(b.Take(*on_b, "203.0.113.7", kT0).allowed);
  EXPECT_TRUE(a.Take(*on_a, "203.0.113.7", kT0).allowed);
  EXPECT_TRUE(b.Take(*on_b, "203.0.113.7", kT0).allowed);
  auto refused = a.Take(*on_a, "203.0.113.7", kT0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 500);  // One token at 2 per second.
  EXPECT_FALSE(b.Take(*on_b, "203.0.113.7", kT0 + 499).allowed);
  EXPECT_TRUE(b.Take(*on_b, "203.0.113.7", kT0 + 500).allowed);
  // Another key, and the same key under another limiter's name, have their own buckets.
  EXPECT_TRUE(a.Take(*on_a, "203.0.113.8", kT0).allowed);
  auto other = b.Limiter(FreshName("tenant_api"), 2, 4);
  EXPECT_TRUE(b.Take(*other, "203.0.113.7", kT0).allowed);
  // A cost above one, and no refill beyond the burst after a long idle time.
  EXPECT_FALSE(a.Take(*on_a, "203.0.113.8", kT0, 4).allowed);
  EXPECT_TRUE(a.Take(*on_a, "203.0.113.8", kT0 + 3'600'000, 4).allowed);
  EXPECT_FALSE(a.Take(*on_a, "203.0.113.8", kT0 + 3'600'000).allowed);
}

TEST(RedisRateLimiterTest, ABucketExpiresWhenItWouldBeFullAgain) {
  testing::IoThread io;
  Process a(io, testing::TestRedisUrl());
  ASSERT_TRUE(Eventually([&] { return a.connected(); }, 10s));
  const std::string name = FreshName("contact_replies");
  auto limiter = a.Limiter(name, /*per_second=*/1, /*burst=*/10);
  ASSERT_TRUE(a.Take(*limiter, "1:15550001111", kT0, 3).allowed);
  // 3 tokens short at one per second: full in 3 s, kept a second longer.
  auto ttl = a.Run({"PTTL", "parley:rate:" + name + ":1:15550001111"});
  ASSERT_TRUE(ttl);
  EXPECT_GT(ttl->integer, 3000);
  EXPECT_LE(ttl->integer, 4000);
}

TEST(RedisRateLimiterTest, AServerThatForgotTheScriptIsGivenItAgain) {
  testing::IoThread io;
  Process a(io, testing::TestRedisUrl());
  ASSERT_TRUE(Eventually([&] { return a.connected(); }, 10s));
  auto limiter = a.Limiter(FreshName("flush"), 1, 1);
  const uint64_t fallbacks_before = metrics::Global().CounterTotal("parley_rate_limit_fallbacks_total");
  EXPECT_TRUE(a.Take(*limiter, "k", kT0).allowed);
  ASSERT_TRUE(a.Run({"SCRIPT", "FLUSH"}));
  EXPECT_FALSE(a.Take(*limiter, "k", kT0).allowed);  // Still shared: the bucket, not a local fallback, refused it.
  EXPECT_EQ(metrics::Global().CounterTotal("parley_rate_limit_fallbacks_total"), fallbacks_before);
}

TEST(RedisRateLimiterTest, WithRedisDownEachProcessLimitsAloneThenSharesAgain) {
  testing::IoThread io;
  testing::OwnRedisServer server;
  Process a(io, server.url());
  Process b(io, server.url());
  ASSERT_TRUE(Eventually([&] { return a.connected() && b.connected(); }, 10s));
  auto on_a = a.Limiter("login_address", /*per_second=*/0.001, /*burst=*/2);
  auto on_b = b.Limiter("login_address", 0.001, 2);
  EXPECT_TRUE(a.Take(*on_a, "addr", kT0).allowed);
  EXPECT_TRUE(b.Take(*on_b, "addr", kT0).allowed);
  EXPECT_FALSE(a.Take(*on_a, "addr", kT0).allowed);

  server.Stop();
  ASSERT_TRUE(Eventually([&] { return !a.connected() && !b.connected(); }, 10s));
  const uint64_t fallbacks_before = metrics::Global().CounterTotal("parley_rate_limit_fallbacks_total");
  // Fail open, but not unlimited: each process has a bucket of its own with the same burst.
  EXPECT_TRUE(a.Take(*on_a, "addr", kT0).allowed);
  EXPECT_TRUE(a.Take(*on_a, "addr", kT0).allowed);
  EXPECT_FALSE(a.Take(*on_a, "addr", kT0).allowed);
  EXPECT_TRUE(b.Take(*on_b, "addr", kT0).allowed);
  EXPECT_EQ(metrics::Global().CounterTotal("parley_rate_limit_fallbacks_total"), fallbacks_before + 4);

  // Redis is back (empty: a fresh bucket), and the two share it again.
  server.Start();
  ASSERT_TRUE(Eventually([&] { return a.connected() && b.connected(); }, 10s));
  EXPECT_TRUE(a.Take(*on_a, "addr", kT0).allowed);
  EXPECT_TRUE(b.Take(*on_b, "addr", kT0).allowed);
  EXPECT_FALSE(a.Take(*on_a, "addr", kT0).allowed);
  EXPECT_FALSE(b.Take(*on_b, "addr", kT0).allowed);
  EXPECT_EQ(metrics::Global().CounterTotal("parley_rate_limit_fallbacks_total"), fallbacks_before + 4);
}

}  // namespace
}  // namespace parley::redis
