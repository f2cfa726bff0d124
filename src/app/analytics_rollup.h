#pragma once
// The background rollup that keeps the analytics aggregates (store/analytics_store.h) up to date in `parley serve`:
// every few seconds it folds the new conversations, escalations and messages into them, in writes of a bounded
// number of rows with a pause between, so that a large backlog (the backfill after migration 0025) never holds the
// store's writer for long and webhooks keep their latency. GET /api/analytics also rolls up before it reads, so a
// report is never staler than its request.

#include "core/blocking_pool.h"
#include "store/store.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace parley::app {

// Rows of each source one rollup write reads: a few milliseconds of the writer's time.
inline constexpr int kAnalyticsRollupRows = 500;

class AnalyticsRollup {
 public:
  // Starts the loop on `executor`; `store` and `pool` must outlive Stop().
  void Start(boost::asio::any_io_executor executor, store::Store& store, BlockingPool& pool);
  // Ends the loop (a rollup in progress finishes on the pool). Thread-safe.
  void Stop();

 private:
  std::shared_ptr<boost::asio::steady_timer> timer_;
};

}  // namespace parley::app
