#pragma once
// The dashboard's live events: GET /api/events, server-sent events for the caller's tenant (any role).
//
//   retry: 2000                                    first, once
//   id: <id>\ndata: <envelope>\n\n                 one per event, in id order
//   : keepalive\n\n                                every `keepalive` without events
//
// Envelope: {"id": <increasing per tenant>, "type", "created_at": RFC 3339 UTC, "data"} (docs/dashboard.md, "Live
// events", lists the types and their data). The stream starts at the tenant's newest event, or after the id in
// `Last-Event-ID` (or ?last_event_id=) from the store's event log; when that log no longer holds everything after that
// id, the first event is {"type": "stream.reset"} (the client refetches what it shows), then live events. Events come
// from the log (store/events.h); the event bus (events/event_bus.h) only wakes the stream when the log grows, and the
// stream also reads the log at each keepalive, so events appended by another process arrive within one interval even
// without a bus between processes.

#include "api/media_api.h"
#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "events/event_bus.h"
#include "store/events.h"
#include "store/store.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace parley::api {

struct EventsOptions {
  std::chrono::milliseconds keepalive{15000};  //!< PARLEY_EVENTS_KEEPALIVE_MS: a comment line after this long idle.
  int retry_ms = 2000;                         //!< The reconnection delay the stream asks browsers to use.
};

class EventsApi {
 public:
  // Every reference must outlive this. `signer` and `public_url` (PARLEY_PUBLIC_URL) sign the links of the media the
  // events show, as GET /api/conversations/{id}/messages does.
  EventsApi(store::Store& store, BlockingPool& pool, events::EventBus& bus, EventsOptions options,
            const media::UrlSigner& signer, std::string public_url, const Clock& clock = RealClock())
      : store_(store),
        pool_(pool),
        bus_(bus),
        options_(options),
        signer_(signer),
        public_url_(std::move(public_url)),
        clock_(clock) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  boost::asio::awaitable<http::Response> Open(const Principal& caller, const http::Request& request,
                                              const http::RouteContext& route);

  store::Store& store_;
  BlockingPool& pool_;
  events::EventBus& bus_;
  const EventsOptions options_;
  const media::UrlSigner& signer_;
  const std::string public_url_;
  const Clock& clock_;
};

// One event as the stream and outbound webhooks send it; nullopt when the row it names is gone (a conversation or
// message erased since), in which case it is skipped. A message's media (message.created's message, and message.updated
// when its media changed) is the `media` object of GET /api/conversations/{id}/messages (MediaJson), its links signed
// with `links`: the caller signs them when it sends the event, so that an event replayed hours after it happened
// (a reconnect's catch-up) still carries links valid for their whole lifetime.
std::optional<boost::json::object> EventEnvelope(const store::Event& event, const MediaLinks& links);

}  // namespace parley::api
