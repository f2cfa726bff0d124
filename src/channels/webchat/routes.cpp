#include "channels/webchat/routes.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/field.hpp>

#include "channels/registry.h"
#include "channels/webchat/parse.h"
#include "channels/webchat/settings.h"
#include "channels/webchat/token.h"
#include "channels/webchat/visitor_message.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "store/events.h"
#include "store/message_media.h"

namespace parley::channels::webchat {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Status;
using Field = boost::beast::http::field;

constexpr char kTag[] = "webchat";
constexpr int kThreadLength = 100;
//! Several visitors may share one address (an office, a mobile carrier): an address may post this many times what
//! one visitor may.
constexpr double kVisitorsPerAddress = 5;

// `name`'s value as a positive count per minute, or `fallback` when unset.
double PerMinute(const Config& config, std::string_view name, double fallback) {
  const std::string_view text = config.PlatformSetting(name);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && value > 0 ? static_cast<double>(value) : fallback;
}

http::Response Refuse(Status status, std::string_view code, std::string message) {
  return http::JsonResponse(status, json::object{{"error", {{"code", code}, {"message", std::move(message)}}}});
}

http::Response RateLimited(const RateLimiter::Decision& decision) {
  http::Response response = Refuse(Status::too_many_requests, "rate_limited", "too many requests, retry later");
  response.set(Field::retry_after, std::to_string((decision.retry_after_ms + 999) / 1000));
  return response;
}

std::string_view Header(const http::Request& request, Field field) {
  auto value = request[field];
  return {value.data(), value.size()};
}

// The token of `Authorization: Bearer <token>`; empty when there is none.
std::string_view BearerToken(const http::Request& request) {
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view authorization = Header(request, Field::authorization);
  return authorization.starts_with(kBearer) ? authorization.substr(kBearer.size()) : std::string_view();
}

// The newest `limit` messages of the visitor's thread after message `after_id`, oldest first, each with its file's
// media record. Blocking.
Result<std::vector<store::StoredMessage>> ReadThread(store::Store& store, const store::Channel& channel,
                                                     const std::string& visitor_id, int64_t after_id, int limit) {
  auto messages = store.ListContactThread(channel.id, visitor_id, after_id, limit);
  if (!messages) return messages.error();
  if (auto attached = store::AttachMediaRecords(store, channel.tenant_id, *messages, &store::ShowsMedia); !attached) {
    return attached.error();
  }
  return messages;
}

// The channel a request names, and the CORS headers its answers carry.
struct Admitted {
  store::Channel channel;
  std::string origin;  //!< The request's Origin when allowed; empty without one.

  // Adds Access-Control-Allow-Origin, Vary and Access-Control-Expose-Headers to `response` for a browser's request.
  http::Response Cors(http::Response response) const {
    if (!origin.empty()) {
      response.set(Field::access_control_allow_origin, origin);
      response.set(Field::vary, "Origin");
      // Not a CORS-safelisted header: without this the widget could not read how long to wait after a 429.
      response.set(Field::access_control_expose_headers, "Retry-After");
    }
    return response;
  }
};

class WebchatRoutes final : public PlatformRoutes {
 public:
  explicit WebchatRoutes(const PlatformServices& services)
      : services_(services),
        tokens_(VisitorTokens::FromMasterKey(services.box)),
        sessions_per_ip_(Limiter("webchat_sessions", PerMinute(services.config, "webchat_sessions_per_minute", 10))),
        messages_per_visitor_(
            Limiter("webchat_visitor_messages", PerMinute(services.config, "webchat_messages_per_minute", 20))),
        messages_per_ip_(Limiter("webchat_address_messages",
                                 kVisitorsPerAddress * PerMinute(services.config, "webchat_messages_per_minute", 20))) {
  }

  std::vector<PublicRoute> Routes() override;

 private:
  using Handler = asio::awaitable<http::Response> (WebchatRoutes::*)(const http::Request&, const http::RouteContext&,
                                                                     const Admitted&);

  std::unique_ptr<RateLimiter> Limiter(std::string_view name, double per_minute) const {
    return services_.rate_limiters(name, per_minute / 60.0, per_minute);
  }

  // Loads the channel and checks the Origin, then runs `handler`: 404 channel_not_found, 403 origin_not_allowed.
  asio::awaitable<http::Response> Admit(const http::Request& request, const http::RouteContext& route, Handler handler);
  // The visitor a token names on the channel; nullopt when it is missing, forged, another channel's or expired.
  std::optional<std::string> Visitor(std::string_view token, const Admitted& admitted) const;
  // Takes one token from `key`'s bucket in `limiter`: the 429 to answer when it is empty, or nullopt.
  asio::awaitable<std::optional<http::Response>> Limit(RateLimiter& limiter, std::string key);

  asio::awaitable<http::Response> Preflight(const http::Request&, const http::RouteContext&, const Admitted&);
  asio::awaitable<http::Response> WidgetConfigRoute(const http::Request&, const http::RouteContext&, const Admitted&);
  asio::awaitable<http::Response> OpenSession(const http::Request&, const http::RouteContext&, const Admitted&);
  asio::awaitable<http::Response> ListMessages(const http::Request&, const http::RouteContext&, const Admitted&);
  asio::awaitable<http::Response> PostMessage(const http::Request&, const http::RouteContext&, const Admitted&);
  asio::awaitable<http::Response> OpenEvents(const http::Request&, const http::RouteContext&, const Admitted&);

  const PlatformServices services_;
  const VisitorTokens tokens_;
  std::unique_ptr<RateLimiter> sessions_per_ip_;
  std::unique_ptr<RateLimiter> messages_per_visitor_;
  std::unique_ptr<RateLimiter> messages_per_ip_;
};

// One visitor's event stream: their new messages, as the store holds them, from the newest at its start.
class VisitorStream {
 public:
  VisitorStream(const PlatformServices& services, std::unique_ptr<events::Subscription> subscription,
                store::Channel channel, std::string visitor_id, int64_t after_message_id, int64_t announced)
      : services_(services),
        subscription_(std::move(subscription)),
        channel_(std::move(channel)),
        visitor_id_(std::move(visitor_id)),
        cursor_(after_message_id),
        announced_(announced) {}

  asio::awaitable<void> Run(http::StreamWriter& writer) {
    const std::string retry = "retry: 2000\n\n";
    if (!co_await writer.Write(retry)) co_return;
    for (;;) {
      if (!co_await SendNew(writer)) co_return;
      auto woken = co_await subscription_->WaitBeyond(announced_, services_.keepalive);
      if (woken) {
        announced_ = std::max(announced_, *woken);
        continue;
      }
      auto cancelled = co_await asio::this_coro::cancellation_state;
      if (cancelled.cancelled() != asio::cancellation_type::none) co_return;
      const std::string keep_alive = ": keep-alive\n\n";
      if (!co_await writer.Write(keep_alive)) co_return;
    }
  }

 private:
  // Sends the visitor's messages after cursor_; false when the stream must end.
  asio::awaitable<bool> SendNew(http::StreamWriter& writer) {
    auto read = [this, after = cursor_] {
      return ReadThread(services_.store, channel_, visitor_id_, after, kThreadLength);
    };
    Result<std::vector<store::StoredMessage>> messages = co_await services_.pool.Run(read);
    if (!messages) {
      log::Warn("webchat_stream_read_failed", {{"channel_id", channel_.id}, {"detail", messages.error().detail}});
      co_return false;  // The widget reconnects and fetches the thread again: nothing is lost.
    }
    std::string frames;
    for (const store::StoredMessage& m : *messages) {
      cursor_ = std::max(cursor_, m.id);
      frames += "event: message\ndata: ";
      frames += SerializeJson(VisitorMessageJson(m, visitor_id_, services_.sign_media_link));
      frames += "\n\n";
    }
    if (frames.empty()) co_return true;
    co_return co_await writer.Write(frames);
  }

  const PlatformServices& services_;
  std::unique_ptr<events::Subscription> subscription_;
  const store::Channel channel_;
  const std::string visitor_id_;
  int64_t cursor_;     //!< The newest message id sent.
  int64_t announced_;  //!< The newest event id of the tenant's log announced.
};

std::vector<PublicRoute> WebchatRoutes::Routes() {
  using http::Verb;
  auto route = [this](Handler handler) -> http::Handler {
    return [this, handler](const http::Request& request, const http::RouteContext& context) {
      return Admit(request, context, handler);
    };
  };
  const std::string base = "/api/webchat/{public_id}";
  std::vector<PublicRoute> routes{
      {Verb::get,
       base + "/config",
       {.summary = "The web chat widget's settings: the channel's name, colour and texts per language",
        .tag = kTag,
        .response_schema = "WebchatConfig",
        .errors = {403}},
       route(&WebchatRoutes::WidgetConfigRoute)},
      {Verb::post,
       base + "/sessions",
       {.summary = "Open a visitor's session: a signed token for 30 days (rate-limited per address)",
        .tag = kTag,
        .body = http::BodyKind::kJson,
        .success_status = 201,
        .schema = "WebchatSessionRequest",
        .response_schema = "WebchatSession",
        .errors = {403, 429}},
       route(&WebchatRoutes::OpenSession)},
      {Verb::get,
       base + "/messages",
       {.summary = "The visitor's thread (Authorization: Bearer <visitor token>): the last 100 messages, oldest first",
        .tag = kTag,
        .response_schema = "WebchatMessageList",
        .errors = {401, 403}},
       route(&WebchatRoutes::ListMessages)},
      {Verb::post,
       base + "/messages",
       {.summary = "Post the visitor's message (Authorization: Bearer <visitor token>); the same client_id again is "
                   "answered alike and stored once",
        .tag = kTag,
        .body = http::BodyKind::kJson,
        .success_status = 202,
        .schema = "WebchatMessageRequest",
        .response_schema = "WebchatMessageAccepted",
        .errors = {401, 403, 429, 503}},
       route(&WebchatRoutes::PostMessage)},
      {Verb::get,
       base + "/events",
       {.summary = "The visitor's new messages as server-sent events (event: message, data: a WebchatMessage)",
        .tag = kTag,
        .query = {{"token", R"({"type": "string"})", "The visitor token (EventSource cannot send headers).", true}},
        .response_schema = "WebchatMessage",
        .errors = {401, 403},
        .media_type = "text/event-stream"},
       route(&WebchatRoutes::OpenEvents)}};
  for (const std::string suffix : {"/config", "/sessions", "/messages", "/events"}) {
    routes.push_back({Verb::options,
                      base + suffix,
                      {.summary = "CORS preflight for the widget's origin (204; 403 for an origin not allowed)",
                       .tag = kTag,
                       .success_status = 204,
                       .errors = {403}},
                      route(&WebchatRoutes::Preflight)});
  }
  return routes;
}

asio::awaitable<http::Response> WebchatRoutes::Admit(const http::Request& request, const http::RouteContext& route,
                                                     Handler handler) {
  auto load = [this, public_id = std::string(route.Param("public_id").value_or(""))] {
    return services_.store.GetChannelByPublicId(public_id);
  };
  Result<store::Channel> channel = co_await services_.pool.Run(load);
  if (!channel && channel.error().code != ErrorCode::kNotFound) co_return http::ErrorResponse(channel.error());
  if (!channel || channel->platform != Platform(kName) || !channel->enabled) {
    co_return Refuse(Status::not_found, "channel_not_found", "no such web chat channel");
  }
  Admitted admitted{std::move(*channel), std::string(Header(request, Field::origin))};
  if (!admitted.origin.empty() && !OriginAllowed(admitted.channel.settings, admitted.origin)) {
    log::Info("webchat_origin_refused", {{"channel_id", admitted.channel.id}, {"origin", admitted.origin}});
    co_return Refuse(Status::forbidden, "origin_not_allowed", "this site may not use this chat");
  }
  auto handled = (this->*handler)(request, route, admitted);
  http::Response response = co_await std::move(handled);
  co_return admitted.Cors(std::move(response));
}

std::optional<std::string> WebchatRoutes::Visitor(std::string_view token, const Admitted& admitted) const {
  auto visitor = tokens_.Verify(token, admitted.channel.public_id, NowMs() / 1000);
  if (!visitor) return std::nullopt;
  return std::move(*visitor);
}

asio::awaitable<std::optional<http::Response>> WebchatRoutes::Limit(RateLimiter& limiter, std::string key) {
  RateLimiter::Decision decision = co_await limiter.Take(std::move(key), NowMs());
  if (decision.allowed) co_return std::nullopt;
  co_return RateLimited(decision);
}

asio::awaitable<http::Response> WebchatRoutes::Preflight(const http::Request& request, const http::RouteContext&,
                                                         const Admitted& admitted) {
  http::Response response(Status::no_content, request.version());
  if (admitted.origin.empty()) co_return response;
  response.set(Field::access_control_allow_methods, "GET, POST, OPTIONS");
  response.set(Field::access_control_allow_headers, "Authorization, Content-Type");
  response.set(Field::access_control_max_age, "600");
  co_return response;
}

asio::awaitable<http::Response> WebchatRoutes::WidgetConfigRoute(const http::Request&, const http::RouteContext&,
                                                                 const Admitted& admitted) {
  http::Response response =
      http::JsonResponse(Status::ok, WidgetConfig(admitted.channel.display_name, admitted.channel.settings));
  response.set(Field::cache_control, "no-cache");
  co_return response;
}

asio::awaitable<http::Response> WebchatRoutes::OpenSession(const http::Request& request,
                                                           const http::RouteContext& route, const Admitted& admitted) {
  std::string address = "ip:" + route.client_address.to_string();
  if (auto refused = co_await Limit(*sessions_per_ip_, std::move(address))) co_return std::move(*refused);
  auto wanted = ParseSessionRequest(request.body());
  if (!wanted) co_return http::ErrorResponse(wanted.error());
  VisitorSession session = tokens_.Open(admitted.channel.public_id, NowMs() / 1000);
  if (!wanted->name.empty() || !wanted->email.empty()) {
    auto save = [this, channel_id = admitted.channel.id, &session, &wanted] {
      return services_.store.SaveContactProfile(channel_id, session.visitor_id, wanted->name, wanted->email);
    };
    if (auto saved = co_await services_.pool.Run(save); !saved) co_return http::ErrorResponse(saved.error());
  }
  co_return http::JsonResponse(Status::created,
                               json::object{{"token", session.token},
                                            {"visitor_id", session.visitor_id},
                                            {"expires_at", FormatTimestamp(session.expires_s * 1000)}});
}

asio::awaitable<http::Response> WebchatRoutes::ListMessages(const http::Request& request, const http::RouteContext&,
                                                            const Admitted& admitted) {
  std::optional<std::string> visitor = Visitor(BearerToken(request), admitted);
  if (!visitor) co_return Refuse(Status::unauthorized, "invalid_token", "invalid or expired visitor token");
  auto read = [this, &admitted, &visitor] {
    return ReadThread(services_.store, admitted.channel, *visitor, 0, kThreadLength);
  };
  auto messages = co_await services_.pool.Run(read);
  if (!messages) co_return http::ErrorResponse(messages.error());
  json::array data;
  for (const store::StoredMessage& m : *messages) {
    data.push_back(VisitorMessageJson(m, *visitor, services_.sign_media_link));
  }
  co_return http::JsonResponse(Status::ok, json::object{{"data", std::move(data)}});
}

asio::awaitable<http::Response> WebchatRoutes::PostMessage(const http::Request& request,
                                                           const http::RouteContext& route, const Admitted& admitted) {
  std::optional<std::string> visitor = Visitor(BearerToken(request), admitted);
  if (!visitor) co_return Refuse(Status::unauthorized, "invalid_token", "invalid or expired visitor token");
  std::string visitor_key = admitted.channel.public_id + ":" + *visitor;
  if (auto refused = co_await Limit(*messages_per_visitor_, std::move(visitor_key))) co_return std::move(*refused);
  std::string address = "ip:" + route.client_address.to_string();
  if (auto refused = co_await Limit(*messages_per_ip_, std::move(address))) co_return std::move(*refused);
  auto events = ParseMessagePost(request.body());
  if (!events) co_return http::ErrorResponse(events.error());
  UnifiedMessage& message = events->messages.front();
  // The client id is the visitor's own: prefixed with the visitor, one visitor cannot collide with another's.
  const std::string platform_message_id = *visitor + ":" + message.platform_message_id;
  message.platform_message_id = platform_message_id;
  message.account_id = admitted.channel.account_id;
  message.contact_id = *visitor;
  message.timestamp_ms = NowMs();
  const PlatformPlugin* plugin = FindPlatform(kName);
  auto stored = co_await services_.ingest(*plugin, std::move(*events));
  if (!stored) co_return http::ErrorResponse(stored.error());
  if (stored->unknown_account > 0) {
    co_return Refuse(Status::not_found, "channel_not_found", "no such web chat channel");  // Removed meanwhile.
  }
  auto find = [this, channel_id = admitted.channel.id, &platform_message_id] {
    return services_.store.GetMessageByPlatformId(channel_id, platform_message_id);
  };
  auto saved = co_await services_.pool.Run(find);
  if (!saved) co_return http::ErrorResponse(saved.error());
  co_return http::JsonResponse(Status::accepted, json::object{{"id", std::to_string(saved->id)},
                                                              {"created_at", FormatTimestamp(saved->created_at_ms)}});
}

asio::awaitable<http::Response> WebchatRoutes::OpenEvents(const http::Request&, const http::RouteContext& route,
                                                          const Admitted& admitted) {
  std::optional<std::string> visitor = Visitor(route.Query("token").value_or(""), admitted);
  if (!visitor) co_return Refuse(Status::unauthorized, "invalid_token", "invalid or expired visitor token");
  const int64_t tenant_id = admitted.channel.tenant_id;
  // Subscribed before the log and the thread are read: whatever commits in between is announced to it.
  auto subscription = services_.events.Subscribe(tenant_id, co_await asio::this_coro::executor);
  auto newest_event = [this, tenant_id] { return services_.store.events().LastId(tenant_id); };
  Result<int64_t> announced = co_await services_.pool.Run(newest_event);
  if (!announced) co_return http::ErrorResponse(announced.error());
  auto newest_message = [this, channel_id = admitted.channel.id, visitor_id = *visitor] {
    return services_.store.ListContactThread(channel_id, visitor_id, 0, 1);
  };
  auto last = co_await services_.pool.Run(newest_message);
  if (!last) co_return http::ErrorResponse(last.error());
  const int64_t after = last->empty() ? 0 : last->back().id;
  auto stream = std::make_shared<VisitorStream>(services_, std::move(subscription), admitted.channel,
                                                std::move(*visitor), after, *announced);
  http::Response head = http::StreamResponse(
      route, "text/event-stream",
      [stream](http::StreamWriter& writer) -> asio::awaitable<void> { co_await stream->Run(writer); });
  head.set(Field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");  // Proxies such as nginx pass each event on at once.
  co_return head;
}

}  // namespace

std::unique_ptr<PlatformRoutes> MakeRoutes(const PlatformServices& services) {
  return std::make_unique<WebchatRoutes>(services);
}

}  // namespace parley::channels::webchat
