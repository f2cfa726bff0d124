#include "core/bounded_pool.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>

namespace parley {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Work that waits until the test opens the gate, so the pool can be filled on purpose.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  void Wait() {
    std::unique_lock lock(mutex);
    cv.wait(lock, [this] { return open; });
  }
  void Open() {
    {
      std::lock_guard lock(mutex);
      open = true;
    }
    cv.notify_all();
  }
};

// Runs `io` until `result` is ready: the pool completes on it from its own threads.
template <class T>
T Await(asio::io_context& io, std::future<T>& result) {
  while (result.wait_for(0s) != std::future_status::ready) {
    io.restart();
    io.run_for(10ms);
  }
  return result.get();
}

TEST(BoundedPoolTest, RunsWorkAndRefusesWhatWouldWaitBeyondItsBound) {
  BoundedPool pool(1, 2, 0);
  asio::io_context io;
  Gate gate;
  auto blocked = [&gate] {
    gate.Wait();
    return 7;
  };
  // One running and two waiting fill the pool; the fourth is refused at once, without running.
  std::vector<std::future<std::optional<int>>> held;
  for (int i = 0; i < 3; ++i) held.push_back(asio::co_spawn(io, pool.TryRun(blocked), asio::use_future));
  bool ran = false;
  auto refused_work = [&ran] {
    ran = true;
    return 1;
  };
  auto refused = asio::co_spawn(io, pool.TryRun(refused_work), asio::use_future);
  EXPECT_FALSE(Await(io, refused).has_value());
  EXPECT_FALSE(ran);

  gate.Open();
  for (auto& f : held) EXPECT_EQ(Await(io, f), 7);
  // Room again once the work is done.
  auto again = asio::co_spawn(io, pool.TryRun(refused_work), asio::use_future);
  EXPECT_EQ(Await(io, again), 1);
  EXPECT_TRUE(ran);
}

TEST(BoundedPoolTest, ItsThreadsRunAtTheLowerPriority) {
  BoundedPool pool(1, 0, 7);
  asio::io_context io;
  const int base = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  auto nice = [] { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())); };
  auto result = asio::co_spawn(io, pool.TryRun(nice), asio::use_future);
  EXPECT_EQ(Await(io, result), std::min(base + 7, 19));
}

TEST(BoundedPoolTest, AnExceptionReachesTheCoroutine) {
  BoundedPool pool(1, 0, 0);
  asio::io_context io;
  auto throws = []() -> int { throw std::runtime_error("boom"); };
  auto result = asio::co_spawn(io, pool.TryRun(throws), asio::use_future);
  EXPECT_THROW(Await(io, result), std::runtime_error);
  // The failed task gave its place back.
  auto fine = [] { return 3; };
  auto next = asio::co_spawn(io, pool.TryRun(fine), asio::use_future);
  EXPECT_EQ(Await(io, next), 3);
}

}  // namespace
}  // namespace parley
