#pragma once
// Message and media retention in `parley serve` (docs/privacy.md, docs/media.md): for every tenant with a retention
// period (message_retention_days, GET/PATCH /api/tenant), deletes the messages and the agent's traces older than that,
// at start-up and then every PARLEY_RETENTION_SWEEP_MS. The store deletes in small writes (store/contact_store.h), so
// ingest waits at most one batch, and audit-logs each tenant's sweep that deleted something. The same pass deletes
// the media past PARLEY_MEDIA_RETENTION_DAYS and Meta's login flows that expired (store/oauth_flow_store.h).

#include "core/blocking_pool.h"
#include "core/config.h"
#include "media/media_store.h"
#include "store/store.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace parley::app {

// One sweep over every tenant with a retention period, at `now_ms`. Returns the messages deleted; a tenant whose
// sweep fails is logged and skipped. Blocking: run it on the blocking pool.
Result<int64_t> SweepRetention(store::Store& store, int64_t now_ms);

class RetentionSweeper {
 public:
  explicit RetentionSweeper(const Config& config)
      : every_(config.retention_sweep_ms), media_retention_days_(config.media_retention_days) {}

  // Sweeps at once and then every interval, on `pool`, until Stop(): messages, then media (media/sweep.h), then
  // expired OAuth flows. `store`, `pool` and `files` must outlive that.
  void Start(boost::asio::any_io_executor executor, store::Store& store, BlockingPool& pool, media::MediaStore& files);
  // Ends the loop (a sweep in progress finishes on the pool). Thread-safe.
  void Stop();

 private:
  const std::chrono::milliseconds every_;
  const int64_t media_retention_days_;
  std::shared_ptr<boost::asio::steady_timer> timer_;  // On a strand of its own; set by Start.
};

}  // namespace parley::app
