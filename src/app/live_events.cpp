#include "app/live_events.h"

#include "core/log.h"
#include "core/time.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace parley::app {
namespace {

namespace asio = boost::asio;

// How often the log is pruned: its bounds are hours and tens of thousands of events, so a minute is plenty.
constexpr std::chrono::seconds kPruneEvery{60};

asio::awaitable<void> PruneLoop(std::shared_ptr<asio::steady_timer> timer, store::Store& store, BlockingPool& pool,
                                store::EventRetention retention) {
  for (;;) {
    auto prune = [&store, retention] { return store.events().Prune(retention, NowMs()); };
    Result<int64_t> pruned = co_await pool.Run(prune);
    if (!pruned) {
      log::Warn("event_log_prune_failed", {{"detail", pruned.error().detail}});
    } else if (*pruned > 0) {
      log::Debug("event_log_pruned", {{"events", *pruned}});
    }
    timer->expires_after(kPruneEvery);
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // Stop().
  }
}

}  // namespace

LiveEvents::LiveEvents(const Config& config, redis::Client* redis, asio::any_io_executor executor)
    : bus_(redis != nullptr ? events::MakeRedisEventBus(*redis, std::move(executor)) : events::MakeInProcessEventBus()),
      retention_{config.events_retention_hours * 3600 * 1000, config.events_per_tenant},
      api_options_{std::chrono::milliseconds(config.events_keepalive_ms)} {}

std::function<void(int64_t, int64_t)> LiveEvents::StoreHook() {
  return [bus = bus_.get()](int64_t tenant_id, int64_t last_event_id) { bus->Publish(tenant_id, last_event_id); };
}

void LiveEvents::StartPruning(asio::any_io_executor executor, store::Store& store, BlockingPool& pool) {
  timer_ = std::make_shared<asio::steady_timer>(asio::make_strand(executor));
  asio::co_spawn(timer_->get_executor(), PruneLoop(timer_, store, pool, retention_), [](std::exception_ptr error) {
    if (error) log::Error("event_log_prune_loop_failed", {});
  });
}

void LiveEvents::Stop() {
  if (!timer_) return;
  asio::post(timer_->get_executor(), [timer = timer_] { timer->cancel(); });
}

}  // namespace parley::app
