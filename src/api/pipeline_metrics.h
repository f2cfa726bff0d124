#pragma once
// The pipeline's Prometheus series, looked up once per platform so the hot path only bumps atomics.

#include "core/message.h"
#include "core/metrics.h"

namespace parley::api {

struct PlatformMetrics {
  explicit PlatformMetrics(const Platform& platform);

  metrics::Counter& webhooks_received;
  metrics::Counter& rejected_signature;
  metrics::Counter& rejected_malformed;
  metrics::Counter& rejected_store;
  metrics::Counter& messages_stored;
  metrics::Counter& messages_duplicate;
  metrics::Counter& unknown_account;
  metrics::Counter& statuses_applied;
  metrics::Counter& conversations_processed;
  metrics::Counter& conversations_failed;
  metrics::Counter& conversations_timed_out;
  metrics::Counter& conversations_superseded;
  metrics::Counter& responses_generated;
  metrics::Counter& sends_ok;
  metrics::Counter& sends_failed;
  metrics::Counter& indicators_failed;
  metrics::Histogram& processing_seconds;
  metrics::Histogram& send_seconds;
};

// The series for `platform`, created on first use.
PlatformMetrics& MetricsFor(const Platform& platform);

}  // namespace parley::api
