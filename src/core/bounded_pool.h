#pragma once
// A small pool for CPU-heavy work that must never hold up anything else: password hashing above all, which a
// login spray can ask for faster than any machine computes it. The pool has threads of its own (so the blocking
// pool's store calls, claims and commits never queue behind a hash), they run at a lower CPU priority (so the I/O
// threads win the cores when both want them), and at most a fixed number of tasks may wait for them: beyond it,
// work is refused at once rather than queued, and the caller answers 503.

#include <sys/resource.h>
#include <unistd.h>

#include "core/blocking_pool.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace parley {

class BoundedPool {
 public:
  // `threads` (at least 1) run the work, each at `nice` added to the process's priority (0 keeps it); up to
  // `max_waiting` tasks more may wait for them.
  BoundedPool(int threads, int max_waiting, int nice)
      : capacity_(std::max(threads, 1) + std::max(max_waiting, 0)), work_(io_.get_executor()) {
    for (int i = 0; i < std::max(threads, 1); ++i) {
      threads_.emplace_back([this, nice] {
        // Linux keeps a nice value per thread. Lowering one's own priority is always allowed, and a failure would
        // only leave the thread at the normal priority, so the result is not checked.
        if (nice != 0) (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice);
        io_.run();
      });
    }
  }
  BoundedPool(const BoundedPool&) = delete;
  BoundedPool& operator=(const BoundedPool&) = delete;
  ~BoundedPool() { Stop(); }

  // Runs a copy of `work` on the pool and completes with its result on the awaiting coroutine's executor, or
  // completes at once with nullopt, without running it, when the pool already holds all the work it may (running
  // and waiting). An exception thrown by `work` is rethrown in the coroutine. R must be default-constructible.
  // Takes `work` by lvalue reference for the reason BlockingPool::Run does (g++ 12 and lambdas in co_await).
  template <class F, class R = std::invoke_result_t<F&>>
  boost::asio::awaitable<std::optional<R>> TryRun(F& work) {
    if (held_.fetch_add(1) >= capacity_) {
      held_.fetch_sub(1);
      co_return std::nullopt;
    }
    // Named before the co_await: g++ 12 destroys a capturing lambda written inside one twice.
    auto release = [this] { held_.fetch_sub(1); };
    auto executor = io_.get_executor();
    co_return co_await detail::RunOn(executor, work, release);
  }

  // Finishes the work already queued and joins the threads. Work submitted afterwards never completes.
  void Stop() {
    work_.reset();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

 private:
  const int capacity_;
  std::atomic<int> held_{0};  //!< Tasks running or waiting.
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

}  // namespace parley
