#include "api/api.h"

#include "api/pipeline_metrics.h"
#include "channels/registry.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "media/sniff.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <charconv>

namespace parley::api {
namespace {}  // namespace

boost::asio::awaitable<Result<store::IngestOutcome>> IngestAsync(store::Store& store, store::IngestRequest& request) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(Result<store::IngestOutcome>)>(
      [&store](auto handler, store::IngestRequest* to_store) {
        auto executor = boost::asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        store.Ingest(std::move(*to_store), [executor, shared](Result<store::IngestOutcome> result) {
          boost::asio::post(executor, [shared, result = std::move(result)]() mutable { (*shared)(std::move(result)); });
        });
      },
      boost::asio::use_awaitable, &request);
}

boost::json::object ConversationJson(const store::Conversation& c) {
  const MessagingWindow& window = channels::TraitsOf(c.platform).window;
  return {
      {"id", c.id},
      {"platform", ToString(c.platform)},
      {"channel_id", c.channel_id},
      {"contact",
       {{"platform_id", c.contact.platform_id},
        {"name", c.contact.name.empty() ? boost::json::value(nullptr) : boost::json::value(c.contact.name)}}},
      {"status", c.status},
      {"mode", c.mode},
      {"handoff_reason", c.handoff_reason.empty() ? boost::json::value(nullptr) : boost::json::value(c.handoff_reason)},
      {"human_until",
       c.human_until_ms ? boost::json::value(FormatTimestamp(*c.human_until_ms)) : boost::json::value(nullptr)},
      {"assignee_id", c.assignee_user_id ? boost::json::value(*c.assignee_user_id) : boost::json::value(nullptr)},
      {"created_at", FormatTimestamp(c.created_at_ms)},
      {"last_message_at", FormatTimestamp(c.last_message_at_ms)},
      // Free-form messages reach the customer until then (Meta: 24 hours after their last message); past it WhatsApp
      // takes only templates, and Instagram and Messenger a person's reply tagged HUMAN_AGENT for 6 more days. Null
      // on a platform without a window, or before the customer wrote.
      {"window_closes_at", c.customer_wrote_at_ms && window.free_form_ms > 0
                               ? boost::json::value(FormatTimestamp(*c.customer_wrote_at_ms + window.free_form_ms))
                               : boost::json::value(nullptr)},
      {"comment_on", c.comment_on.empty() ? boost::json::value(nullptr) : boost::json::value(c.comment_on)}};
}

boost::json::object MessageJson(const store::StoredMessage& m) {
  boost::json::object o{
      {"id", m.id},
      {"conversation_id", m.conversation_id},
      {"direction", ToString(m.direction)},
      {"type", ToString(m.type)},
      {"text", m.text ? boost::json::value(*m.text) : boost::json::value(nullptr)},
      {"platform_message_id",
       m.platform_message_id.empty() ? boost::json::value(nullptr) : boost::json::value(m.platform_message_id)},
      {"status", ToString(m.status)},
      {"created_at", FormatTimestamp(m.created_at_ms)}};
  if (m.platform_timestamp_ms > 0) o["sent_at"] = FormatTimestamp(m.platform_timestamp_ms);
  o["error"] = m.error ? boost::json::value(boost::json::object{
                             {"code", m.error->code}, {"title", m.error->title}, {"detail", m.error->detail}})
                       : boost::json::value(nullptr);
  for (const auto& [key, value] : m.details) {
    if (!o.contains(key)) o[key] = value;
  }
  return o;
}

boost::json::object QueuedReplyJson(const store::OutboundMessage& queued, std::string_view sent_by) {
  boost::json::object o{{"id", queued.id},
                        {"conversation_id", queued.conversation_id},
                        {"direction", ToString(Direction::kOut)},
                        {"type", ToString(queued.draft.type)},
                        {"text", queued.draft.text},
                        {"status", ToString(MessageStatus::kQueued)},
                        {"sent_by", sent_by}};
  if (queued.draft.whatsapp_template) o["template"] = TemplateJson(*queued.draft.whatsapp_template);
  return o;
}

Api::Api(const Config& config, store::Store& store, BlockingPool& pool, queue::Batcher& batcher,
         const channels::ChannelSet& channels, RuntimeStatus status, PlatformRouteDeps platform_deps)
    : config_(config),
      store_(store),
      pool_(pool),
      batcher_(batcher),
      channels_(channels),
      status_(std::move(status)),
      platform_deps_(std::move(platform_deps)) {}

void Api::RegisterRoutes(RouteTable& routes) {
  using http::Verb;
  for (const channels::PlatformPlugin* plugin : channels::Platforms()) {
    const std::string path = plugin->webhook_path();
    const std::string name(plugin->display_name);
    const channels::WebhookSpec& spec = plugin->webhook;
    MetricsFor(plugin->platform());  // Every platform's series shows from the start, at zero.
    if (spec.verification == channels::WebhookSpec::Verification::kNone) {
      if (plugin->make_routes == nullptr) continue;
      channels::PlatformServices services{
          config_,
          store_,
          pool_,
          platform_deps_.events,
          platform_deps_.box,
          platform_deps_.rate_limiters,
          [this](const channels::PlatformPlugin& p, WebhookEvents events) {
            return IngestEvents(p, std::move(events));
          },
          platform_deps_.keepalive,
          [this](int64_t tenant_id, std::string_view public_id, bool thumbnail) {
            const media::Variant variant = thumbnail ? media::Variant::kThumbnail : media::Variant::kOriginal;
            return config_.public_url + platform_deps_.media_signer.Sign(tenant_id, public_id, variant, NowMs() / 1000);
          },
          [&files = platform_deps_.media_files](int64_t tenant_id,
                                                std::string_view bytes) -> Result<channels::KeptUpload> {
            auto admitted = media::AdmitUpload(bytes);
            if (!admitted) return admitted.error();
            auto key = files.Put(tenant_id, bytes);
            if (!key) return key.error();
            return channels::KeptUpload{admitted->type, std::move(admitted->mime_type), std::move(*key)};
          },
          [this] {
            if (platform_deps_.upload_stored) platform_deps_.upload_stored();
          }};
      auto& owned = platform_routes_.emplace_back(plugin->make_routes(services));
      for (channels::PublicRoute& route : owned->Routes()) {
        routes.Public(route.method, std::move(route.pattern), std::move(route.doc), std::move(route.handler),
                      std::move(route.gate));
      }
      continue;
    }
    if (spec.verification == channels::WebhookSpec::Verification::kChannelSecret) {
      routes.Public(Verb::post, path,
                    {.summary = "Receive " + name + " updates for one channel (" + std::string(spec.signature_header) +
                                " carries the channel's secret)",
                     .tag = "webhooks",
                     .body = BodyKind::kJson,
                     .schema = std::string(spec.body_schema),
                     .response_schema = "WebhookAck",
                     .errors = {401, 503}},
                    [this, plugin](const http::Request& request, const http::RouteContext& route) {
                      return ReceiveChannelWebhook(*plugin, request, route);
                    });
      continue;
    }
    routes.Public(Verb::get, path,
                  {.summary = "Meta's verification handshake for the " + name + " webhook: answers hub.challenge",
                   .tag = "webhooks",
                   .query = {{"hub.mode", R"({"type": "string", "const": "subscribe"})", "Always subscribe.", true},
                             {"hub.verify_token", R"({"type": "string"})",
                              "The verify token set in Meta's configuration (" + spec.verify_token.env + ").", true},
                             {"hub.challenge", R"({"type": "string"})", "Echoed back on success.", true}},
                   .errors = {403},
                   .media_type = "text/plain"},
                  [this, plugin](const http::Request&, const http::RouteContext& route) {
                    return VerifyWebhook(*plugin, route);
                  });
    routes.Public(
        Verb::post, path,
        {.summary = "Receive " + name + " events (" + std::string(spec.signature_header) + " over the raw body)",
         .tag = "webhooks",
         .body = BodyKind::kJson,
         .schema = std::string(spec.body_schema),
         .response_schema = "WebhookAck",
         .errors = {401, 503}},
        [this, plugin](const http::Request& request, const http::RouteContext&) {
          return ReceiveWebhook(*plugin, request);
        });
  }
  RegisterProbes(routes);
}

void Api::RegisterProbes(RouteTable& routes) {
  using http::Verb;
  routes.Liveness("/health", {.summary = "Liveness", .tag = "operations", .response_schema = "Liveness"},
                  [](const http::Request&, const http::RouteContext&) -> boost::asio::awaitable<http::Response> {
                    co_return http::JsonResponse(http::Status::ok, boost::json::object{{"status", "ok"}});
                  });
  routes.Operator(Verb::get, "/api/health",
                  {.summary = "Readiness: store, batcher and pipeline figures (503 with the same answer when degraded)",
                   .tag = "operations",
                   .response_schema = "Readiness"},
                  [this](const http::Request&, const http::RouteContext&) { return Health(); });
  routes.Operator(Verb::get, "/metrics",
                  {.summary = "Prometheus metrics", .tag = "operations", .media_type = "text/plain"},
                  [](const http::Request&, const http::RouteContext&) -> boost::asio::awaitable<http::Response> {
                    co_return http::TextResponse(http::Status::ok, metrics::Global().Render(),
                                                 "text/plain; version=0.0.4; charset=utf-8");
                  });
}

boost::asio::awaitable<http::Response> Api::VerifyWebhook(const channels::PlatformPlugin& plugin,
                                                          const http::RouteContext& route) {
  const Platform platform = plugin.platform();
  const channels::Channel* channel = channels_.Get(platform);
  auto challenge =
      channel->VerifyHandshake(route.Query("hub.mode").value_or(""), route.Query("hub.verify_token").value_or(""),
                               route.Query("hub.challenge").value_or(""));
  if (!challenge) {
    log::Warn("webhook_verification_refused", {{"platform", ToString(platform)}});
    co_return http::ErrorResponse(
        {ErrorCode::kPermissionDenied, "verification failed: wrong mode or verify token", {}});
  }
  log::Info("webhook_verified", {{"platform", ToString(platform)}});
  co_return http::TextResponse(http::Status::ok, *challenge);
}

boost::asio::awaitable<http::Response> Api::ReceiveWebhook(const channels::PlatformPlugin& plugin,
                                                           const http::Request& request) {
  const Platform platform = plugin.platform();
  PlatformMetrics& m = MetricsFor(platform);
  const channels::Channel* channel = channels_.Get(platform);
  const std::string_view header = plugin.webhook.signature_header;
  auto signature = request[boost::beast::string_view(header.data(), header.size())];
  if (!channel->VerifySignature(request.body(), std::string_view(signature.data(), signature.size()))) {
    m.rejected_signature.Inc();
    log::Warn("webhook_rejected", {{"platform", ToString(platform)}, {"reason", "signature"}});
    co_return http::ErrorResponse(Error::Unauthenticated(signature.empty()
                                                             ? "missing " + std::string(header) + " header"
                                                             : std::string(header) + " does not match the body"));
  }
  co_return co_await StoreWebhook(plugin, *channel, request.body(), {});
}

boost::asio::awaitable<http::Response> Api::ReceiveChannelWebhook(const channels::PlatformPlugin& plugin,
                                                                  const http::Request& request,
                                                                  const http::RouteContext& route) {
  const Platform platform = plugin.platform();
  const channels::Channel* channel = channels_.Get(platform);
  const std::string_view header = plugin.webhook.signature_header;
  auto secret = request[boost::beast::string_view(header.data(), header.size())];
  auto load = [this, public_id = std::string(route.Param("public_id").value_or(""))] {
    return store_.GetChannelByPublicId(public_id);
  };
  Result<store::Channel> stored = co_await pool_.Run(load);
  std::string_view refused;
  if (!stored) {
    if (stored.error().code != ErrorCode::kNotFound) {
      MetricsFor(platform).rejected_store.Inc();
      log::Error("webhook_store_failed", {{"platform", ToString(platform)}, {"error", stored.error().detail}});
      co_return http::ErrorResponse(Error::Unavailable("storage unavailable, retry later"));
    }
    refused = "unknown channel";
  } else if (stored->platform != platform) {
    refused = "unknown channel";
  } else {
    const std::string expected = channel->WebhookSecret(stored->access_token, stored->public_id);
    if (expected.empty() || !crypto::ConstantTimeEquals(std::string_view(secret.data(), secret.size()), expected)) {
      refused = "secret";
    }
  }
  if (!refused.empty()) {
    MetricsFor(platform).rejected_signature.Inc();
    log::Warn("webhook_rejected", {{"platform", ToString(platform)}, {"reason", refused}});
    co_return http::ErrorResponse(Error::Unauthenticated(secret.empty()
                                                             ? "missing " + std::string(header) + " header"
                                                             : std::string(header) + " is not this channel's secret"));
  }
  co_return co_await StoreWebhook(plugin, *channel, request.body(), stored->account_id);
}

boost::asio::awaitable<http::Response> Api::StoreWebhook(const channels::PlatformPlugin& plugin,
                                                         const channels::Channel& channel, std::string_view body,
                                                         const std::string& account_id) {
  const Platform platform = plugin.platform();
  PlatformMetrics& m = MetricsFor(platform);
  auto events = channel.Parse(body);
  if (!events) {
    m.rejected_malformed.Inc();
    log::Warn("webhook_rejected", {{"platform", ToString(platform)}, {"reason", events.error().message}});
    co_return http::ErrorResponse(events.error());
  }
  m.webhooks_received.Inc();
  if (!account_id.empty()) {
    for (auto& message : events->messages) message.account_id = account_id;
    for (auto& status : events->statuses) status.account_id = account_id;
    for (auto& deletion : events->deletions) deletion.account_id = account_id;
    for (auto& echo : events->echoes) echo.account_id = account_id;
  }
  std::optional<boost::json::object> answer = channel.WebhookAnswer(*events);
  auto outcome = co_await IngestEvents(plugin, std::move(*events));
  // 503 makes the platform deliver the payload again later: nothing is lost.
  if (!outcome) co_return http::ErrorResponse(outcome.error());
  boost::json::object ack{
      {"stored", outcome->stored}, {"duplicates", outcome->duplicates}, {"unknown_account", outcome->unknown_account}};
  if (answer) {
    for (auto& [key, value] : *answer) ack[key] = std::move(value);
  }
  co_return http::JsonResponse(http::Status::ok, ack);
}

boost::asio::awaitable<Result<store::IngestOutcome>> Api::IngestEvents(const channels::PlatformPlugin& plugin,
                                                                       WebhookEvents events) {
  const Platform platform = plugin.platform();
  PlatformMetrics& m = MetricsFor(platform);
  store::IngestRequest ingest;
  ingest.platform = platform;
  ingest.received_at_ms = NowMs();
  const int64_t cutoff_ms = ingest.received_at_ms - config_.answer_cutoff_s * 1000;
  ingest.messages.reserve(events.messages.size());
  for (auto& message : events.messages) {
    // A backlog that Meta redelivers after an outage is shown, not answered: the moment has passed. Reactions and
    // platform notices ask for nothing. A public comment is answered in its own thread, under the comment or
    // privately as the assistant's settings say (app/comment_replies.h).
    bool fresh = message.timestamp_ms == 0 || message.timestamp_ms >= cutoff_ms;
    bool answerable = fresh && !message.platform_notice && message.type != MessageType::kReaction;
    ingest.messages.push_back({std::move(message), answerable});
  }
  ingest.statuses = std::move(events.statuses);
  ingest.deletions = std::move(events.deletions);
  ingest.echoes = std::move(events.echoes);
  ingest.human_idle_ms = config_.human_idle_minutes * 60 * 1000;

  auto outcome = co_await IngestAsync(store_, ingest);
  if (!outcome) {
    m.rejected_store.Inc();
    log::Error("webhook_store_failed",
               {{"platform", ToString(platform)},
                {"error", outcome.error().detail.empty() ? outcome.error().message : outcome.error().detail}});
    co_return Error::Unavailable("storage unavailable, retry later");
  }
  m.messages_stored.Inc(outcome->stored);
  m.messages_duplicate.Inc(outcome->duplicates);
  m.statuses_applied.Inc(outcome->statuses_applied);
  if (outcome->unknown_account > 0) {
    m.unknown_account.Inc(outcome->unknown_account);
    log::Warn("webhook_unknown_account", {{"platform", ToString(platform)}, {"events", outcome->unknown_account}});
  }
  if (outcome->takeovers > 0) {
    log::Info("conversation_taken_over", {{"platform", ToString(platform)}, {"conversations", outcome->takeovers}});
  }
  for (const auto& pending : outcome->pending) batcher_.Arm(pending);
  if (log::Enabled(log::Level::kDebug)) {
    boost::json::array tenants;
    for (int64_t t : outcome->tenant_ids) tenants.push_back(t);
    log::Debug("webhook_stored", {{"platform", ToString(platform)},
                                  {"tenant_ids", tenants},
                                  {"stored", outcome->stored},
                                  {"duplicates", outcome->duplicates}});
  }
  co_return outcome;
}

boost::asio::awaitable<http::Response> Api::Health() {
  auto check = [this] { return store_.Health(); };
  auto store_health = co_await pool_.Run(check);
  auto& registry = metrics::Global();
  auto total = [&registry](const char* name) { return static_cast<int64_t>(registry.CounterTotal(name)); };
  boost::json::object body{
      {"status", store_health.ok ? "ok" : "degraded"},
      {"role", config_.role},
      {"uptime_s", (NowMs() - status_.started_at_ms) / 1000},
      {"store",
       {{"ok", store_health.ok},
        {"backend", store_health.backend},
        {"detail", store_health.detail},
        {"pending_writes", store_health.pending_writes}}},
      {"batcher", {{"waiting_conversations", static_cast<int64_t>(batcher_.waiting())}}},
      {"http", {{"active_connections", status_.active_connections ? status_.active_connections() : 0}}},
      {"pipeline",
       {{"webhooks_received", total("parley_webhooks_received_total")},
        {"webhooks_rejected", total("parley_webhooks_rejected_total")},
        {"messages_stored", total("parley_messages_stored_total")},
        {"messages_duplicate", total("parley_messages_duplicate_total")},
        {"conversations_processed", total("parley_conversations_processed_total")},
        {"conversations_failed", total("parley_conversations_failed_total")},
        {"conversations_timed_out", total("parley_conversations_timed_out_total")},
        {"responses_generated", total("parley_responses_generated_total")},
        {"sends", total("parley_sends_total")},
        {"replies_in_flight", status_.replies_in_flight ? status_.replies_in_flight() : 0}}}};
  // Reported, not a reason to answer 503: every use of Redis falls back to the process's own (docs/scaling.md).
  if (status_.redis) body["redis"] = status_.redis();
  co_return http::JsonResponse(store_health.ok ? http::Status::ok : http::Status::service_unavailable, body);
}

}  // namespace parley::api
