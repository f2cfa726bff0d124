#include "channels/webchat/routes.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/field.hpp>

#include "channels/registry.h"
#include "channels/webchat/file_post.h"
#include "channels/webchat/parse.h"
#include "channels/webchat/settings.h"
#include "channels/webchat/token.h"
#include "channels/webchat/visitor_message.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "http/multipart.h"
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

std::string_view Header(const http::RequestHeader& request, Field field) {
  auto value = request[field];
  return {value.data(), value.size()};
}

// The token of `Authorization: Bearer <token>`; empty when there is none.
std::string_view BearerToken(const http::RequestHeader& request) {
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

// What the file route's gate admitted (RouteContext::admission): the channel and the visitor, within their limits.
struct AdmittedUpload {
  Admitted admitted;
  std::string visitor_id;
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
                                 kVisitorsPerAddress * PerMinute(services.config, "webchat_messages_per_minute", 20))),
        files_per_visitor_(Limiter("webchat_visitor_files", PerMinute(services.config, "webchat_files_per_minute", 5))),
        files_per_ip_(Limiter("webchat_address_files",
                              kVisitorsPerAddress * PerMinute(services.config, "webchat_files_per_minute", 5))) {}

  std::vector<PublicRoute> Routes() override;

 private:
  using Handler = asio::awaitable<http::Response> (WebchatRoutes::*)(const http::Request&, const http::RouteContext&,
                                                                     const Admitted&);

  std::unique_ptr<RateLimiter> Limiter(std::string_view name, double per_minute) const {
    return services_.rate_limiters(name, per_minute / 60.0, per_minute);
  }

  // Loads the channel the path names and checks the request's Origin into `admitted`: the refusal to answer (404
  // channel_not_found, 403 origin_not_allowed), or nullopt.
  asio::awaitable<std::optional<http::Response>> AdmitChannel(const http::RequestHeader& header,
                                                              const http::RouteContext& route, Admitted& admitted);
  // AdmitChannel, then runs `handler`, whose answer gets the CORS headers.
  asio::awaitable<http::Response> Admit(const http::Request& request, const http::RouteContext& route, Handler handler);
  // The file route's gate, before the body is read: AdmitChannel, the visitor's token (401 invalid_token) and the
  // files limits (429 rate_limited), refusals with the CORS headers; leaves an AdmittedUpload in the route.
  asio::awaitable<std::optional<http::Response>> AdmitUpload(const http::RequestHeader& header,
                                                             http::RouteContext& route);
  // The visitor a token names on the channel; nullopt when it is missing, forged, another channel's or expired.
  std::optional<std::string> Visitor(std::string_view token, const Admitted& admitted) const;
  // Takes one token from `key`'s bucket in `limiter`: the 429 to answer when it is empty, or nullopt.
  asio::awaitable<std::optional<http::Response>> Limit(RateLimiter& limiter, std::string key);

  asio::awaitable<http::Response> Preflight(const http::Request&, const http::RouteContext&, const Admitted&);
  asio::awaitable<http::Response> WidgetConfigRoute(const http::Request&, const http::RouteContext&, const Admitted&);
  asio::awaitable<http::Response> OpenSession(const http::Request&, const http::RouteContext&, const Admitted&);
  asio::awaitable<http::Response> ListMessages(const http::Request&, const http::RouteContext&, const Admitted&);
  asio::awaitable<http::Response> PostMessage(const http::Request&, const http::RouteContext&, const Admitted&);
  asio::awaitable<http::Response> PostFile(const http::Request&, const http::RouteContext&);
  asio::awaitable<http::Response> OpenEvents(const http::Request&, const http::RouteContext&, const Admitted&);
  // Stores the visitor's one message `events` holds, under the id `<visitor>:<client id>`, through the webhooks' own
  // ingest path: 202 {"id", "created_at"}, the same again for a message stored already.
  asio::awaitable<http::Response> StoreVisitorMessage(const Admitted& admitted, const std::string& visitor_id,
                                                      WebhookEvents events);

  const PlatformServices services_;
  const VisitorTokens tokens_;
  std::unique_ptr<RateLimiter> sessions_per_ip_;
  std::unique_ptr<RateLimiter> messages_per_visitor_;
  std::unique_ptr<RateLimiter> messages_per_ip_;
  std::unique_ptr<RateLimiter> files_per_visitor_;
  std::unique_ptr<RateLimiter> files_per_ip_;
};

// Whether `m` carries a file still being checked and read (a visitor's upload before the media fetcher is done).
bool FileUnsettled(const store::StoredMessage& m) { return m.media && m.media->status == store::MediaStatus::kPending; }

// One visitor's event stream: their new messages, as the store holds them, from the newest at its start, and again
// each message whose file was still unsettled when last read, once it is settled (kept, with its links, or given up
// on), so the widget shows a visitor's own upload as it is once checked.
class VisitorStream {
 public:
  VisitorStream(const PlatformServices& services, std::unique_ptr<events::Subscription> subscription,
                store::Channel channel, std::string visitor_id, int64_t after_message_id, std::set<int64_t> unsettled,
                int64_t announced)
      : services_(services),
        subscription_(std::move(subscription)),
        channel_(std::move(channel)),
        visitor_id_(std::move(visitor_id)),
        cursor_(after_message_id),
        unsettled_(std::move(unsettled)),
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
  // Sends the visitor's messages after cursor_, and those of unsettled_ now settled; false when the stream must end.
  asio::awaitable<bool> SendNew(http::StreamWriter& writer) {
    const int64_t after = unsettled_.empty() ? cursor_ : std::min(cursor_, *unsettled_.begin() - 1);
    auto read = [this, after] { return ReadThread(services_.store, channel_, visitor_id_, after, kThreadLength); };
    Result<std::vector<store::StoredMessage>> messages = co_await services_.pool.Run(read);
    if (!messages) {
      log::Warn("webchat_stream_read_failed", {{"channel_id", channel_.id}, {"detail", messages.error().detail}});
      co_return false;  // The widget reconnects and fetches the thread again: nothing is lost.
    }
    std::string frames;
    // A message deleted meanwhile, or older than the last kThreadLength, is no longer followed.
    std::set<int64_t> unsettled;
    for (const store::StoredMessage& m : *messages) {
      const bool unsettled_now = FileUnsettled(m);
      if (unsettled_now) unsettled.insert(m.id);
      if (m.id <= cursor_ && (unsettled_now || !unsettled_.contains(m.id))) continue;  // Sent as it still is.
      cursor_ = std::max(cursor_, m.id);
      frames += "event: message\ndata: ";
      frames += SerializeJson(VisitorMessageJson(m, visitor_id_, services_.sign_media_link));
      frames += "\n\n";
    }
    unsettled_ = std::move(unsettled);
    if (frames.empty()) co_return true;
    co_return co_await writer.Write(frames);
  }

  const PlatformServices& services_;
  std::unique_ptr<events::Subscription> subscription_;
  const store::Channel channel_;
  const std::string visitor_id_;
  int64_t cursor_;               //!< The newest message id sent.
  std::set<int64_t> unsettled_;  //!< Messages sent (or read at the start) while their file was unsettled.
  int64_t announced_;            //!< The newest event id of the tenant's log announced.
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
      {Verb::post,
       base + "/files",
       {.summary = "Post the visitor's file (Authorization: Bearer <visitor token>), checked as every customer's file "
                   "is; the same client_id again is answered alike and stored once (rate-limited per visitor and per "
                   "address)",
        .tag = kTag,
        .body = http::BodyKind::kMultipart,
        .success_status = 202,
        .form_schema = "WebchatFileForm",
        .response_schema = "WebchatMessageAccepted",
        .errors = {401, 403, 413, 415, 429, 503}},
       [this](const http::Request& request, const http::RouteContext& context) { return PostFile(request, context); },
       [this](const http::RequestHeader& header, http::RouteContext& context) { return AdmitUpload(header, context); }},
      {Verb::get,
       base + "/events",
       {.summary = "The visitor's new messages as server-sent events (event: message, data: a WebchatMessage)",
        .tag = kTag,
        .query = {{"token", R"({"type": "string"})", "The visitor token (EventSource cannot send headers).", true}},
        .response_schema = "WebchatMessage",
        .errors = {401, 403},
        .media_type = "text/event-stream"},
       route(&WebchatRoutes::OpenEvents)}};
  for (const std::string suffix : {"/config", "/sessions", "/messages", "/files", "/events"}) {
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

asio::awaitable<std::optional<http::Response>> WebchatRoutes::AdmitChannel(const http::RequestHeader& header,
                                                                           const http::RouteContext& route,
                                                                           Admitted& admitted) {
  auto load = [this, public_id = std::string(route.Param("public_id").value_or(""))] {
    return services_.store.GetChannelByPublicId(public_id);
  };
  Result<store::Channel> channel = co_await services_.pool.Run(load);
  if (!channel && channel.error().code != ErrorCode::kNotFound) co_return http::ErrorResponse(channel.error());
  if (!channel || channel->platform != Platform(kName) || !channel->enabled) {
    co_return Refuse(Status::not_found, "channel_not_found", "no such web chat channel");
  }
  admitted = Admitted{std::move(*channel), std::string(Header(header, Field::origin))};
  if (!admitted.origin.empty() && !OriginAllowed(admitted.channel.settings, admitted.origin)) {
    log::Info("webchat_origin_refused", {{"channel_id", admitted.channel.id}, {"origin", admitted.origin}});
    co_return Refuse(Status::forbidden, "origin_not_allowed", "this site may not use this chat");
  }
  co_return std::nullopt;
}

asio::awaitable<http::Response> WebchatRoutes::Admit(const http::Request& request, const http::RouteContext& route,
                                                     Handler handler) {
  Admitted admitted;
  if (auto refused = co_await AdmitChannel(request, route, admitted)) co_return std::move(*refused);
  auto handled = (this->*handler)(request, route, admitted);
  http::Response response = co_await std::move(handled);
  co_return admitted.Cors(std::move(response));
}

asio::awaitable<std::optional<http::Response>> WebchatRoutes::AdmitUpload(const http::RequestHeader& header,
                                                                          http::RouteContext& route) {
  AdmittedUpload upload;
  if (auto refused = co_await AdmitChannel(header, route, upload.admitted)) co_return std::move(*refused);
  std::optional<std::string> visitor = Visitor(BearerToken(header), upload.admitted);
  if (!visitor) {
    co_return upload.admitted.Cors(Refuse(Status::unauthorized, "invalid_token", "invalid or expired visitor token"));
  }
  std::string visitor_key = upload.admitted.channel.public_id + ":" + *visitor;
  if (auto refused = co_await Limit(*files_per_visitor_, std::move(visitor_key))) {
    co_return upload.admitted.Cors(std::move(*refused));
  }
  std::string address = "ip:" + route.client_address.to_string();
  if (auto refused = co_await Limit(*files_per_ip_, std::move(address))) {
    co_return upload.admitted.Cors(std::move(*refused));
  }
  upload.visitor_id = std::move(*visitor);
  route.admission = std::move(upload);
  co_return std::nullopt;
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
  json::object config = WidgetConfig(admitted.channel.display_name, admitted.channel.settings);
  // The server reads no larger upload (PARLEY_MAX_UPLOAD_BYTES), and answers a larger one before the route can give
  // it CORS headers: the widget refuses such a file itself.
  config["max_file_bytes"] = services_.config.max_upload_bytes;
  http::Response response = http::JsonResponse(Status::ok, config);
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
  co_return co_await StoreVisitorMessage(admitted, *visitor, std::move(*events));
}

asio::awaitable<http::Response> WebchatRoutes::PostFile(const http::Request& request, const http::RouteContext& route) {
  const auto* upload = std::any_cast<AdmittedUpload>(&route.admission);
  // The router runs the gate before the handler, always; reaching this is a bug.
  if (upload == nullptr) co_return http::ErrorResponse(Error::Internal("file route reached without its gate"));
  const Admitted& admitted = upload->admitted;
  auto form = http::ReadForm(request, route);
  if (!form) co_return admitted.Cors(http::ErrorResponse(form.error()));
  auto post = ReadFilePost(form->parts);
  if (!post) co_return admitted.Cors(http::ErrorResponse(post.error()));
  // Checked before anything is kept: a refused file leaves nothing behind.
  auto keep = [this, tenant_id = admitted.channel.tenant_id, bytes = post->bytes] {
    return services_.keep_upload(tenant_id, bytes);
  };
  Result<KeptUpload> kept = co_await services_.pool.Run(keep);
  if (!kept) {
    log::Info("webchat_file_refused", {{"channel_id", admitted.channel.id},
                                       {"bytes", static_cast<int64_t>(post->bytes.size())},
                                       {"reason", kept.error().message}});
    co_return admitted.Cors(http::ErrorResponse(kept.error()));
  }
  http::Response stored = co_await StoreVisitorMessage(admitted, upload->visitor_id, FileMessage(*post, *kept));
  if (stored.result() == Status::accepted) services_.upload_stored();
  co_return admitted.Cors(std::move(stored));
}

asio::awaitable<http::Response> WebchatRoutes::StoreVisitorMessage(const Admitted& admitted,
                                                                   const std::string& visitor_id,
                                                                   WebhookEvents events) {
  UnifiedMessage& message = events.messages.front();
  // The client id is the visitor's own: prefixed with the visitor, one visitor cannot collide with another's.
  const std::string platform_message_id = visitor_id + ":" + message.platform_message_id;
  message.platform_message_id = platform_message_id;
  message.account_id = admitted.channel.account_id;
  message.contact_id = visitor_id;
  message.timestamp_ms = NowMs();
  const PlatformPlugin* plugin = FindPlatform(kName);
  auto stored = co_await services_.ingest(*plugin, std::move(events));
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
  // The thread as the widget's list read on (re)connection gives it: followed from its newest message, and its files
  // still unsettled until they settle.
  auto thread = [this, &admitted, visitor_id = *visitor] {
    return ReadThread(services_.store, admitted.channel, visitor_id, 0, kThreadLength);
  };
  auto read = co_await services_.pool.Run(thread);
  if (!read) co_return http::ErrorResponse(read.error());
  const int64_t after = read->empty() ? 0 : read->back().id;
  std::set<int64_t> unsettled;
  for (const store::StoredMessage& m : *read) {
    if (FileUnsettled(m)) unsettled.insert(m.id);
  }
  auto stream = std::make_shared<VisitorStream>(services_, std::move(subscription), admitted.channel,
                                                std::move(*visitor), after, std::move(unsettled), *announced);
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
