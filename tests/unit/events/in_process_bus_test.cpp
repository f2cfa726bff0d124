// The in-process event bus: a waiting subscription wakes on an announcement beyond its id and only then, per tenant;
// it times out, and a cancelled wait (the server stopping a stream) returns at once. Cache invalidations reach the
// handlers of their cache before Invalidate returns, none after their listener is gone, and Resync tells every cache
// to forget everything. Timeouts here are short real
// ones on a local io_context; nothing measures speed.

#include "events/event_bus.h"

#include "events/memory/in_process_bus.h"

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace parley::events {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Runs one wait of `subscription` on `io` and returns what it completed with.
std::optional<int64_t> Wait(asio::io_context& io, Subscription& subscription, int64_t after,
                            std::chrono::milliseconds timeout) {
  std::optional<int64_t> result = -1;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result = co_await subscription.WaitBeyond(after, timeout); },
      asio::detached);
  io.run();
  io.restart();
  return result;
}

TEST(InProcessEventBus, AnAnnouncementAlreadyBeyondTheIdCompletesAtOnce) {
  asio::io_context io;
  auto bus = MakeInProcessEventBus();
  auto subscription = bus->Subscribe(7, io.get_executor());
  bus->Publish(7, 3);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Wait(io, *subscription, 2, 10s), 3);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  // A subscription made later starts from what was announced before it.
  auto later = bus->Subscribe(7, io.get_executor());
  EXPECT_EQ(Wait(io, *later, 0, 10s), 3);
}

TEST(InProcessEventBus, AWaitTimesOutWithoutAnAnnouncementBeyondIt) {
  asio::io_context io;
  auto bus = MakeInProcessEventBus();
  auto subscription = bus->Subscribe(7, io.get_executor());
  bus->Publish(7, 3);
  EXPECT_EQ(Wait(io, *subscription, 3, 20ms), std::nullopt);
  bus->Publish(8, 9);  // Another tenant's.
  EXPECT_EQ(Wait(io, *subscription, 3, 20ms), std::nullopt);
  bus->Publish(7, 2);  // Older than what was announced: nothing new.
  EXPECT_EQ(Wait(io, *subscription, 3, 20ms), std::nullopt);
}

TEST(InProcessEventBus, APublisherOnAnotherThreadWakesAWaitingSubscription) {
  asio::io_context io;
  auto bus = MakeInProcessEventBus();
  auto strand = asio::make_strand(io);
  auto subscription = bus->Subscribe(7, strand);
  std::optional<int64_t> result;
  asio::co_spawn(
      strand, [&]() -> asio::awaitable<void> { result = co_await subscription->WaitBeyond(0, 30s); }, asio::detached);
  std::thread publisher([&] {
    std::this_thread::sleep_for(20ms);
    bus->Publish(7, 1);
    bus->Publish(7, 2);
  });
  const auto start = std::chrono::steady_clock::now();
  io.run();
  publisher.join();
  ASSERT_TRUE(result.has_value());
  EXPECT_GE(*result, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "woken by the announcement, not by the timeout";
}

TEST(InProcessEventBus, EveryWaitingSubscriptionOfTheTenantWakes) {
  asio::io_context io;
  auto bus = MakeInProcessEventBus();
  auto first = bus->Subscribe(7, io.get_executor());
  auto second = bus->Subscribe(7, io.get_executor());
  auto other_tenant = bus->Subscribe(8, io.get_executor());
  std::optional<int64_t> a, b, c = -1;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { a = co_await first->WaitBeyond(0, 30s); }, asio::detached);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { b = co_await second->WaitBeyond(0, 30s); }, asio::detached);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { c = co_await other_tenant->WaitBeyond(0, 50ms); }, asio::detached);
  asio::post(io, [&] { bus->Publish(7, 5); });
  io.run();
  EXPECT_EQ(a, 5);
  EXPECT_EQ(b, 5);
  EXPECT_EQ(c, std::nullopt);
}

TEST(InProcessEventBus, ACancelledWaitReturnsAtOnce) {
  asio::io_context io;
  auto bus = MakeInProcessEventBus();
  auto subscription = bus->Subscribe(7, io.get_executor());
  asio::cancellation_signal stop;
  std::optional<int64_t> result = -1;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result = co_await subscription->WaitBeyond(0, 30s); },
      asio::bind_cancellation_slot(stop.slot(), asio::detached));
  asio::steady_timer soon(io, 20ms);
  soon.async_wait([&](boost::system::error_code) { stop.emit(asio::cancellation_type::terminal); });
  const auto start = std::chrono::steady_clock::now();
  io.run();
  EXPECT_EQ(result, std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(InProcessEventBus, ADestroyedSubscriptionIsNoLongerWoken) {
  asio::io_context io;
  auto bus = MakeInProcessEventBus();
  auto subscription = bus->Subscribe(7, io.get_executor());
  subscription.reset();
  bus->Publish(7, 1);  // Must not touch the destroyed subscription.
  io.run();
  io.restart();
  auto again = bus->Subscribe(7, io.get_executor());
  EXPECT_EQ(Wait(io, *again, 0, 10s), 1);
}

TEST(InProcessEventBus, ResyncEndsAWaitInProgressAndTheNextOneOfAnIdleSubscription) {
  asio::io_context io;
  InProcessEventBus bus;
  auto waiting = bus.Subscribe(7, io.get_executor());
  auto idle = bus.Subscribe(8, io.get_executor());
  std::optional<int64_t> result = -1;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result = co_await waiting->WaitBeyond(0, 30s); }, asio::detached);
  asio::post(io, [&] { bus.Resync(); });  // Runs after the wait has started.
  const auto start = std::chrono::steady_clock::now();
  io.run();
  io.restart();
  EXPECT_EQ(result, std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  // The idle one's next wait ends at once, once; the wait after it waits for announcements as before.
  EXPECT_EQ(Wait(io, *idle, 0, 30s), std::nullopt);
  bus.Publish(8, 4);
  EXPECT_EQ(Wait(io, *idle, 0, 30s), 4);
}

// What one cache's handler was told, in order: the key, or "*" for "forget everything".
struct Heard {
  std::vector<std::string> keys;
  InvalidationHandler handler() {
    return [this](std::optional<std::string_view> key) { keys.emplace_back(key ? std::string(*key) : "*"); };
  }
};

TEST(InProcessEventBus, AnInvalidationReachesTheHandlersOfItsCacheBeforeInvalidateReturns) {
  auto bus = MakeInProcessEventBus();
  Heard first, second, other_cache;
  auto a = bus->ListenForInvalidations("auth", first.handler());
  auto b = bus->ListenForInvalidations("auth", second.handler());
  auto c = bus->ListenForInvalidations("windows", other_cache.handler());
  bus->Invalidate("auth", "api_key:7");
  EXPECT_EQ(first.keys, std::vector<std::string>{"api_key:7"});
  EXPECT_EQ(second.keys, std::vector<std::string>{"api_key:7"});
  EXPECT_TRUE(other_cache.keys.empty());
  bus->Invalidate("nobody_listens", "x");  // No handler: nothing happens.
  EXPECT_EQ(first.keys.size(), 1u);
}

TEST(InProcessEventBus, ADestroyedInvalidationListenerIsNoLongerCalled) {
  auto bus = MakeInProcessEventBus();
  Heard kept, gone;
  auto listening = bus->ListenForInvalidations("auth", kept.handler());
  auto stopped = bus->ListenForInvalidations("auth", gone.handler());
  stopped.reset();
  bus->Invalidate("auth", "user:3");
  EXPECT_EQ(kept.keys, std::vector<std::string>{"user:3"});
  EXPECT_TRUE(gone.keys.empty());
  listening.reset();
  bus->Invalidate("auth", "user:4");  // Must not touch either handler.
  EXPECT_EQ(kept.keys.size(), 1u);
}

TEST(InProcessEventBus, AnInvalidationFromAnotherThreadWaitsForNoHandlerOfADestroyedListener) {
  auto bus = MakeInProcessEventBus();
  std::atomic<int> calls{0};
  auto listening = bus->ListenForInvalidations("auth", [&](std::optional<std::string_view>) { ++calls; });
  std::thread invalidator([&] {
    for (int i = 0; i < 1000; ++i) bus->Invalidate("auth", "token:abc");
  });
  while (calls.load() == 0) std::this_thread::yield();
  listening.reset();
  const int after_reset = calls.load();  // Once the listener is gone its handler is not running and never runs again.
  invalidator.join();
  EXPECT_EQ(calls.load(), after_reset);
}

TEST(InProcessEventBus, ResyncTellsEveryCacheToForgetEverything) {
  InProcessEventBus bus;
  Heard auth, windows;
  auto a = bus.ListenForInvalidations("auth", auth.handler());
  auto b = bus.ListenForInvalidations("windows", windows.handler());
  bus.Resync();
  EXPECT_EQ(auth.keys, std::vector<std::string>{"*"});
  EXPECT_EQ(windows.keys, std::vector<std::string>{"*"});
}

}  // namespace
}  // namespace parley::events
