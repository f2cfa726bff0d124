#include "app/webhook_dispatcher.h"

#include "api/events_api.h"
#include "core/json.h"
#include "core/time.h"

namespace parley::app {

std::unique_ptr<webhooks::Dispatcher> MakeWebhookDispatcher(boost::asio::any_io_executor executor, const Config& config,
                                                            store::Store& store, BlockingPool& pool,
                                                            http::Client& client, const crypto::SecretBox& box,
                                                            events::EventBus& bus,
                                                            const media::UrlSigner& media_signer) {
  webhooks::DispatcherOptions options;
  options.concurrency = static_cast<int>(config.webhook_concurrency);
  options.timeout = std::chrono::milliseconds(config.webhook_timeout_ms);
  options.retry.base_ms = config.webhook_retry_base_ms;
  options.retry.max_ms = std::max(config.webhook_retry_max_ms, config.webhook_retry_base_ms);
  options.retry.window_ms = config.webhook_retry_hours * 3600 * 1000;
  auto envelope = [&config, &media_signer](const store::Event& event) -> std::optional<std::string> {
    const api::MediaLinks links{media_signer, config.public_url, NowMs() / 1000};
    std::optional<boost::json::object> rendered = api::EventEnvelope(event, links);
    if (!rendered) return std::nullopt;
    return SerializeJson(*rendered);
  };
  return std::make_unique<webhooks::Dispatcher>(executor, store, pool, client, box, bus, envelope, options);
}

}  // namespace parley::app
