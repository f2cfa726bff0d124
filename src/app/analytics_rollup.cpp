#include "app/analytics_rollup.h"

#include "core/log.h"
#include "store/analytics_store.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley::app {
namespace {

namespace asio = boost::asio;

// Figures are per day; five seconds behind is fresh enough, and the API catches up before it reads anyway.
constexpr std::chrono::seconds kRollupEvery{5};
// Between two writes of a backlog: the writer serves the webhooks queued meanwhile.
constexpr std::chrono::milliseconds kBacklogPause{20};

asio::awaitable<void> RollupLoop(std::shared_ptr<asio::steady_timer> timer, store::Store& store, BlockingPool& pool) {
  for (;;) {
    auto rollup = [&store] { return store.analytics().Rollup(kAnalyticsRollupRows); };
    Result<int64_t> read = co_await pool.Run(rollup);
    if (!read) log::Warn("analytics_rollup_failed", {{"detail", read.error().detail}});
    // A full write means more is waiting: go on after a short pause.
    const bool backlog = read && *read >= kAnalyticsRollupRows;
    timer->expires_after(backlog ? std::chrono::duration_cast<std::chrono::milliseconds>(kBacklogPause)
                                 : std::chrono::duration_cast<std::chrono::milliseconds>(kRollupEvery));
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // Stop().
  }
}

}  // namespace

void AnalyticsRollup::Start(asio::any_io_executor executor, store::Store& store, BlockingPool& pool) {
  timer_ = std::make_shared<asio::steady_timer>(asio::make_strand(executor));
  asio::co_spawn(timer_->get_executor(), RollupLoop(timer_, store, pool), [](std::exception_ptr error) {
    if (error) log::Error("analytics_rollup_loop_failed", {});
  });
}

void AnalyticsRollup::Stop() {
  if (!timer_) return;
  asio::post(timer_->get_executor(), [timer = timer_] { timer->cancel(); });
}

}  // namespace parley::app
