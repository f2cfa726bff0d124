#pragma once
// A bounded pool for blocking work (store calls, file I/O). Coroutines on the I/O executor `co_await Run(work)`:
// `work()` runs on a pool thread and the coroutine resumes on its own executor. No thread per request.
//
// Run takes its callable by lvalue reference on purpose: g++ 12 destroys a lambda with captures twice when the
// lambda expression sits inside a co_await expression, so callers name the lambda first. The same rule holds
// for braced temporaries with destructors: bind them to a local before `co_await`.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <type_traits>

namespace parley {

namespace detail {

// What every pool's Run shares: copies `work`, runs the copy on `pool`, calls `finished()` there once it returned
// or threw, and completes with its result on the awaiting coroutine's executor. An exception thrown by `work` is
// rethrown in the coroutine. R must be default-constructible.
template <class Executor, class F, class Finished, class R = std::invoke_result_t<F&>>
boost::asio::awaitable<R> RunOn(Executor pool, F& work, Finished finished) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(std::exception_ptr, R)>(
      [pool, finished](auto handler, F task) {
        boost::asio::post(pool, [task = std::move(task), handler = std::move(handler), finished]() mutable {
          std::exception_ptr error;
          R result{};
          try {
            result = task();
          } catch (...) {
            error = std::current_exception();
          }
          finished();
          auto executor = boost::asio::get_associated_executor(handler);
          boost::asio::post(executor, [handler = std::move(handler), error, result = std::move(result)]() mutable {
            std::move(handler)(error, std::move(result));
          });
        });
      },
      boost::asio::use_awaitable, work);
}

}  // namespace detail

class BlockingPool {
 public:
  explicit BlockingPool(int threads) : pool_(static_cast<size_t>(threads)) {}
  ~BlockingPool() { Stop(); }

  // Copies `work`, runs the copy on the pool and completes with its result on the awaiting coroutine's
  // executor. An exception thrown by `work` is rethrown in the coroutine. R must be default-constructible.
  template <class F, class R = std::invoke_result_t<F&>>
  boost::asio::awaitable<R> Run(F& work) {
    return detail::RunOn(pool_.get_executor(), work, [] {});
  }

  // Finishes queued work and joins the threads.
  void Stop() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace parley
