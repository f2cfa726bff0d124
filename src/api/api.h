#pragma once
// Parley's HTTP routes: Meta webhooks (inbound pipeline), the tenant read API, health and metrics. Handlers are
// coroutines on the I/O executor; store calls run on the blocking pool, ingestion on the store's group-commit
// writer.

#include "api/route_table.h"
#include "channels/channel.h"
#include "channels/platform_routes.h"
#include "channels/registry.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/rate_limiter.h"
#include "events/event_bus.h"
#include "http/http.h"
#include "media/media_store.h"
#include "media/signed_url.h"
#include "queue/batcher.h"
#include "store/store.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace parley::api {

// Live figures the health route reports besides the store's and the batcher's.
struct RuntimeStatus {
  std::function<int64_t()> active_connections;
  std::function<int64_t()> replies_in_flight;
  int64_t started_at_ms = 0;
  //! Redis's state ({"ok", "endpoint", "detail", "fallback"}) when PARLEY_REDIS_URL is set; empty otherwise.
  std::function<boost::json::object()> redis;
};

// What the platforms' own public routes are built with besides the Api's (channels/platform_routes.h).
struct PlatformRouteDeps {
  const crypto::SecretBox& box;
  events::EventBus& events;
  RateLimiterFactory rate_limiters;
  std::chrono::milliseconds keepalive{15000};
  const media::UrlSigner& media_signer;  //!< Signs the links of the files a platform's routes show (the web chat's).
  media::MediaStore& media_files;        //!< Keeps the files customers upload (the web chat's visitors').
  std::function<void()> upload_stored;   //!< See channels::PlatformServices::upload_stored; may be empty.
};

class Api {
 public:
  // Every reference must outlive the Api.
  Api(const Config& config, store::Store& store, BlockingPool& pool, queue::Batcher& batcher,
      const channels::ChannelSet& channels, RuntimeStatus status, PlatformRouteDeps platform_deps);

  // The webhooks, the public routes of platforms without webhooks (PlatformPlugin::make_routes), and the probes.
  void RegisterRoutes(RouteTable& routes);
  // Liveness (/health), readiness (/api/health) and /metrics: what a worker process (PARLEY_ROLE=worker) serves.
  void RegisterProbes(RouteTable& routes);

  // The inbound pipeline for one webhook POST: verify, parse, store durably, arm the batcher, then 200.
  boost::asio::awaitable<http::Response> ReceiveWebhook(const channels::PlatformPlugin& plugin,
                                                        const http::Request& request);
  // The same for a per-channel webhook (WebhookSpec::Verification::kChannelSecret) of the channel whose public id
  // the path names: 401 unless the platform's secret header carries that channel's secret (an unknown or removed
  // channel is refused alike); its events are the channel's account's.
  boost::asio::awaitable<http::Response> ReceiveChannelWebhook(const channels::PlatformPlugin& plugin,
                                                               const http::Request& request,
                                                               const http::RouteContext& route);
  boost::asio::awaitable<http::Response> VerifyWebhook(const channels::PlatformPlugin& plugin,
                                                       const http::RouteContext& route);

 private:
  boost::asio::awaitable<http::Response> Health();
  // Parses, stores and arms what a verified webhook carries; `account_id`, when not empty, is the account of every
  // event (a per-channel webhook's, whose payloads do not name it).
  boost::asio::awaitable<http::Response> StoreWebhook(const channels::PlatformPlugin& plugin,
                                                      const channels::Channel& channel, std::string_view body,
                                                      const std::string& account_id);
  // Stores parsed events durably and arms the batcher for what they leave unanswered: the path every platform's
  // inbound messages take. kUnavailable when the store failed (nothing stored).
  boost::asio::awaitable<Result<store::IngestOutcome>> IngestEvents(const channels::PlatformPlugin& plugin,
                                                                    WebhookEvents events);

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  queue::Batcher& batcher_;
  const channels::ChannelSet& channels_;
  RuntimeStatus status_;
  PlatformRouteDeps platform_deps_;
  std::vector<std::unique_ptr<channels::PlatformRoutes>> platform_routes_;  // Used by the routes they registered.
};

// Stores `request` (moved from) through Store::Ingest and resumes on the caller's executor after the commit.
boost::asio::awaitable<Result<store::IngestOutcome>> IngestAsync(store::Store& store, store::IngestRequest& request);

// JSON shapes of the read API.
boost::json::object ConversationJson(const store::Conversation& c);
boost::json::object MessageJson(const store::StoredMessage& m);
// A person's reply as POST /api/conversations/{id}/messages answers it (QueuedReply): stored, queued, sent by
// `sent_by` (Principal::Actor), with its template when it is one. A file's "media" needs signed links: the caller's.
boost::json::object QueuedReplyJson(const store::OutboundMessage& queued, std::string_view sent_by);

}  // namespace parley::api
