#include "api/pipeline_metrics.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace parley::api {
namespace {

metrics::Counter& C(const std::string& name, const std::string& help, const Platform& p, metrics::Labels extra = {}) {
  metrics::Labels labels{{"platform", std::string(ToString(p))}};
  labels.insert(labels.end(), extra.begin(), extra.end());
  return metrics::Global().GetCounter(name, help, labels);
}

}  // namespace

PlatformMetrics::PlatformMetrics(const Platform& p)
    : webhooks_received(C("parley_webhooks_received_total", "Signed webhook payloads accepted.", p)),
      rejected_signature(
          C("parley_webhooks_rejected_total", "Webhook payloads rejected, by reason.", p, {{"reason", "signature"}})),
      rejected_malformed(
          C("parley_webhooks_rejected_total", "Webhook payloads rejected, by reason.", p, {{"reason", "malformed"}})),
      rejected_store(C("parley_webhooks_rejected_total", "Webhook payloads rejected, by reason.", p,
                       {{"reason", "store_unavailable"}})),
      messages_stored(C("parley_messages_stored_total", "Inbound messages stored.", p)),
      messages_duplicate(
          C("parley_messages_duplicate_total", "Inbound messages already stored (platform retries).", p)),
      unknown_account(
          C("parley_webhook_unknown_account_total", "Messages and statuses for accounts no channel has.", p)),
      statuses_applied(C("parley_statuses_applied_total", "Delivery statuses applied to outbound messages.", p)),
      conversations_processed(
          C("parley_conversations_processed_total", "Bursts answered (or deliberately left silent).", p)),
      conversations_failed(C("parley_conversations_failed_total", "Bursts whose processing failed; retried later.", p)),
      conversations_timed_out(
          C("parley_conversations_timed_out_total", "Claims released after the processing timeout.", p)),
      conversations_superseded(
          C("parley_conversations_superseded_total", "Replies dropped because a newer message arrived.", p)),
      responses_generated(C("parley_responses_generated_total", "Replies produced by the responder.", p)),
      sends_ok(C("parley_sends_total", "Outbound sends, by outcome.", p, {{"outcome", "ok"}})),
      sends_failed(C("parley_sends_total", "Outbound sends, by outcome.", p, {{"outcome", "failed"}})),
      indicators_failed(C("parley_indicator_failures_total", "Mark-read and typing calls that failed.", p)),
      processing_seconds(metrics::Global().GetHistogram("parley_processing_seconds",
                                                        "Claim to reply committed, per burst.",
                                                        {{"platform", std::string(ToString(p))}})),
      send_seconds(metrics::Global().GetHistogram("parley_send_seconds",
                                                  "Duration of outbound send calls, retries included.",
                                                  {{"platform", std::string(ToString(p))}})) {}

PlatformMetrics& MetricsFor(const Platform& platform) {
  static std::mutex mutex;
  // Node-based: a reference handed out stays valid as other platforms are added.
  static std::map<std::string, std::unique_ptr<PlatformMetrics>, std::less<>> by_name;  // GUARDED_BY(mutex)
  std::lock_guard lock(mutex);
  auto [it, added] = by_name.try_emplace(platform.name());
  if (added) it->second = std::make_unique<PlatformMetrics>(platform);
  return *it->second;
}

}  // namespace parley::api
