#include "app/webhook_dispatcher.h"

#include "api/events_api.h"
#include "core/json.h"

namespace parley::app {

std::unique_ptr<webhooks::Dispatcher> MakeWebhookDispatcher(boost::asio::any_io_executor executor, const Config& config,
                                                            store::Store& store, BlockingPool& pool,
                                                            http::Client& client, const crypto::SecretBox& box,
                                                            events::EventBus& bus) {
  webhooks::DispatcherOptions options;
  options.concurrency = static_cast<int>(config.webhook_concurrency);
  options.timeout = std::chrono::milliseconds(config.webhook_timeout_ms);
  options.retry.base_ms = config.webhook_retry_base_ms;
  options.retry.max_ms = std::max(config.webhook_retry_max_ms, config.webhook_retry_base_ms);
  options.retry.window_ms = config.webhook_retry_hours * 3600 * 1000;
  auto envelope = [](const store::Event& event) -> std::optional<std::string> {
    std::optional<boost::json::object> rendered = api::EventEnvelope(event);
    if (!rendered) return std::nullopt;
    return SerializeJson(*rendered);
  };
  return std::make_unique<webhooks::Dispatcher>(executor, store, pool, client, box, bus, envelope, options);
}

}  // namespace parley::app
