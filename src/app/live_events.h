#pragma once
// Live events in `parley serve`: the event bus that the store announces new events on and the event streams
// (GET /api/events) wait on (over Redis when PARLEY_REDIS_URL is set, so that every process's streams hear every
// process's commits), and the pruning that keeps the store's event log bounded. Declared before the store in
// Serve(), so that it outlives the store's threads, which call StoreHook()'s function until the store is closed.

#include "api/events_api.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "events/event_bus.h"
#include "redis/client.h"
#include "store/events.h"
#include "store/store.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <memory>

namespace parley::app {

class LiveEvents {
 public:
  // `redis`, when not null, carries the announcements between processes; it must outlive this, and be stopped
  // before this is destroyed. `executor` sends them.
  LiveEvents(const Config& config, redis::Client* redis, boost::asio::any_io_executor executor);

  events::EventBus& bus() { return *bus_; }
  // For StoreOptions::on_events: announces on the bus.
  std::function<void(int64_t tenant_id, int64_t last_event_id)> StoreHook();
  api::EventsOptions api_options() const { return api_options_; }

  // Prunes the log at once and then every minute, on `pool`, until Stop(). `store` and `pool` must outlive that.
  void StartPruning(boost::asio::any_io_executor executor, store::Store& store, BlockingPool& pool);
  // Ends the pruning loop (a prune in progress finishes on the pool). Thread-safe.
  void Stop();

 private:
  std::unique_ptr<events::EventBus> bus_;
  const store::EventRetention retention_;
  const api::EventsOptions api_options_;
  std::shared_ptr<boost::asio::steady_timer> timer_;  // On a strand of its own; set by StartPruning.
};

}  // namespace parley::app
