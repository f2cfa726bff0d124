#include "api/events_api.h"

#include "api/api.h"
#include "api/conversations_api.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"

#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>

namespace parley::api {
namespace {

namespace asio = boost::asio;

// Events read from the log at once: a catch-up goes out in pages of this many.
constexpr int kPageSize = 200;

// The id a reconnecting client last saw: the Last-Event-ID header (what browsers send), else ?last_event_id=.
// nullopt when neither is there; kInvalidArgument for anything but a non-negative integer.
Result<std::optional<int64_t>> LastEventId(const http::Request& request, const http::RouteContext& route) {
  std::string_view text;
  if (auto header = request.find("Last-Event-ID"); header != request.end()) {
    text = std::string_view(header->value().data(), header->value().size());
  } else if (auto query = route.Query("last_event_id")) {
    text = *query;
  } else {
    return std::optional<int64_t>();
  }
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 0) {
    return Error::InvalidArgument("Last-Event-ID must be an event id");
  }
  return std::optional<int64_t>(id);
}

boost::json::object ParseData(const std::string& data) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(data, ec);
  if (ec || !parsed.is_object()) return {};
  return std::move(parsed.as_object());
}

void AppendFrame(std::string& out, int64_t id, const boost::json::object& envelope) {
  out += "id: ";
  out += std::to_string(id);
  out += "\ndata: ";
  out += SerializeJson(envelope);
  out += "\n\n";
}

// What one stream does once its head is sent: catch up from `after`, then wait for announcements and read again.
class EventStream {
 public:
  // `signer`, `public_url` and `clock` sign the media links of the events as they are written.
  EventStream(store::Store& store, BlockingPool& pool, std::unique_ptr<events::Subscription> subscription,
              int64_t tenant_id, int64_t after, bool reset, const EventsOptions& options,
              const media::UrlSigner& signer, const std::string& public_url, const Clock& clock)
      : store_(store),
        pool_(pool),
        subscription_(std::move(subscription)),
        tenant_id_(tenant_id),
        cursor_(after),
        reset_(reset),
        options_(options),
        signer_(signer),
        public_url_(public_url),
        clock_(clock) {}

  asio::awaitable<void> Run(http::StreamWriter& writer) {
    std::string hello = "retry: " + std::to_string(options_.retry_ms) + "\n\n";
    if (reset_) AppendReset(hello);
    if (!co_await writer.Write(hello)) co_return;
    int64_t announced = cursor_;
    for (;;) {
      if (!co_await CatchUp(writer)) co_return;
      // Wait beyond what was announced, not only what was read: an announcement is never taken back, so this cannot
      // spin on one whose events the log does not show yet.
      auto woken = co_await subscription_->WaitBeyond(std::max(cursor_, announced), options_.keepalive);
      if (woken) {
        announced = std::max(announced, *woken);
        continue;
      }
      auto cancelled = co_await asio::this_coro::cancellation_state;
      if (cancelled.cancelled() != asio::cancellation_type::none) co_return;
      if (!co_await writer.Write(": keepalive\n\n")) co_return;
    }
  }

 private:
  // Sends every event after cursor_ that the log holds; false when the stream must end.
  asio::awaitable<bool> CatchUp(http::StreamWriter& writer) {
    for (;;) {
      auto read_page = [this, after = cursor_] { return store_.events().Read(tenant_id_, after, kPageSize); };
      Result<store::EventRead> read = co_await pool_.Run(read_page);
      if (!read) {
        log::Warn("event_stream_read_failed", {{"tenant_id", tenant_id_}, {"detail", read.error().detail}});
        co_return false;  // The client reconnects with its Last-Event-ID and misses nothing.
      }
      std::string frames;
      const MediaLinks links{signer_, public_url_, clock_.NowMs() / 1000};
      if (read->gap) {
        // Pruned while the stream was behind (or the log was replaced): start over, as on a stale Last-Event-ID.
        cursor_ = read->last_id;
        AppendReset(frames);
        co_return co_await writer.Write(frames);
      }
      for (const store::Event& event : read->events) {
        cursor_ = event.id;
        if (auto envelope = EventEnvelope(event, links)) AppendFrame(frames, event.id, *envelope);
      }
      if (!frames.empty() && !co_await writer.Write(frames)) co_return false;
      if (static_cast<int>(read->events.size()) < kPageSize) co_return true;
    }
  }

  // {"type": "stream.reset"} with the current end as its id, which a reconnecting client resumes from.
  void AppendReset(std::string& out) const {
    AppendFrame(out, cursor_, boost::json::object{{"id", cursor_}, {"type", "stream.reset"}});
  }

  store::Store& store_;
  BlockingPool& pool_;
  std::unique_ptr<events::Subscription> subscription_;
  const int64_t tenant_id_;
  int64_t cursor_;  //!< The newest id sent (or skipped).
  const bool reset_;
  const EventsOptions& options_;
  const media::UrlSigner& signer_;
  const std::string& public_url_;
  const Clock& clock_;
};

// The message's `media` object as the thread shows it; null when its details name none.
boost::json::value EventMedia(const store::StoredMessage& message, const MediaLinks& links) {
  const auto* details = message.details.if_contains("media");
  if (details == nullptr || !details->is_object()) return nullptr;
  return MediaJson(message.media ? &*message.media : nullptr, details->as_object(), links);
}

}  // namespace

std::optional<boost::json::object> EventEnvelope(const store::Event& event, const MediaLinks& links) {
  boost::json::object data;
  switch (event.type) {
    case store::EventType::kMessageCreated: {
      if (!event.message) return std::nullopt;
      boost::json::object message = MessageJson(*event.message);
      if (message.contains("media")) message["media"] = EventMedia(*event.message, links);
      data = {{"conversation_id", event.message->conversation_id}, {"message", std::move(message)}};
      break;
    }
    case store::EventType::kMessageUpdated:
      data = ParseData(event.data);
      // Its media kept or given up on: the media as it is now (read with the event).
      if (event.message) data["media"] = EventMedia(*event.message, links);
      break;
    case store::EventType::kConversationCreated:
    case store::EventType::kConversationUpdated:
      if (!event.conversation) return std::nullopt;
      data = {{"conversation", ConversationJson(*event.conversation)}};
      break;
    case store::EventType::kSupportOpened:
    case store::EventType::kSupportResolved:
      if (!event.support_item) return std::nullopt;
      data = SupportItemJson(*event.support_item);
      break;
    case store::EventType::kConversationDeleted:
    case store::EventType::kDocumentProgress:
      data = ParseData(event.data);
      break;
  }
  return boost::json::object{{"id", event.id},
                             {"type", store::ToString(event.type)},
                             {"created_at", FormatTimestamp(event.created_at_ms)},
                             {"data", std::move(data)}};
}

void EventsApi::RegisterRoutes(RouteTable& routes) {
  routes.Tenant(http::Verb::get, "/api/events", kAnyRole,
                {.summary = "Live events of the tenant (text/event-stream; Last-Event-ID resumes after an id); each "
                            "data: line is an Event",
                 .tag = "events",
                 .query = {{"last_event_id", R"({"type": "integer", "minimum": 0})",
                            "Resume after this id when the Last-Event-ID header cannot be set (EventSource)."}},
                 .response_schema = "Event",
                 .media_type = "text/event-stream"},
                [this](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
                  return Open(caller, request, route);
                });
}

asio::awaitable<http::Response> EventsApi::Open(const Principal& caller, const http::Request& request,
                                                const http::RouteContext& route) {
  auto last_seen = LastEventId(request, route);
  if (!last_seen) co_return http::ErrorResponse(last_seen.error());
  // Subscribed before the log is read: whatever commits in between is announced to this subscription.
  auto subscription = bus_.Subscribe(caller.tenant_id, co_await asio::this_coro::executor);
  const int64_t tenant_id = caller.tenant_id;
  int64_t after = 0;
  bool reset = false;
  if (*last_seen) {
    // Checked here, so that a stale id is answered by the first event rather than after a round of waiting.
    auto probe = [this, tenant_id, seen = **last_seen] { return store_.events().Read(tenant_id, seen, 1); };
    Result<store::EventRead> read = co_await pool_.Run(probe);
    if (!read) co_return http::ErrorResponse(read.error());
    reset = read->gap;
    after = read->gap ? read->last_id : **last_seen;
  } else {
    auto newest = [this, tenant_id] { return store_.events().LastId(tenant_id); };
    Result<int64_t> last = co_await pool_.Run(newest);
    if (!last) co_return http::ErrorResponse(last.error());
    after = *last;
  }
  auto stream = std::make_shared<EventStream>(store_, pool_, std::move(subscription), tenant_id, after, reset, options_,
                                              signer_, public_url_, clock_);
  http::Response head = http::StreamResponse(
      route, "text/event-stream",
      [stream](http::StreamWriter& writer) -> asio::awaitable<void> { co_await stream->Run(writer); });
  head.set(boost::beast::http::field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");  // Proxies such as nginx pass each event on at once.
  co_return head;
}

}  // namespace parley::api
