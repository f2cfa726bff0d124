#pragma once
// Public routes of a platform's own (PlatformPlugin::make_routes), for a platform whose customers reach Parley
// directly instead of through the platform's webhooks: the web chat's widget. The API registers them beside the
// webhooks, documents them in the API reference and gives them what they need here, so that such a platform stays
// one folder and one line of platforms.inc.

#include "core/blocking_pool.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/message.h"
#include "core/rate_limiter.h"
#include "events/event_bus.h"
#include "http/http.h"
#include "http/route_doc.h"
#include "store/store.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::channels {

struct PlatformPlugin;

// A customer's file uploaded to Parley (PlatformTraits::MediaSource::kUploaded), checked and kept.
struct KeptUpload {
  MessageType type = MessageType::kDocument;  //!< kImage, kAudio, kVideo or kDocument, from its bytes.
  std::string mime_type;                      //!< Sniffed from its bytes.
  std::string key;  //!< Its key in the tenant's media store: the media id its message carries (Media::id).
};

// What a platform's routes are built with. Every reference outlives the routes.
struct PlatformServices {
  const Config& config;
  store::Store& store;
  BlockingPool& pool;  //!< Where store calls run.
  //! Announces each tenant's new events (the store's event log): a route streaming a customer's new messages waits
  //! on it, in every process (over Redis in scale-out).
  events::EventBus& events;
  const crypto::SecretBox& box;  //!< Derives the platform's signing keys (SecretBox::DeriveKey).
  RateLimiterFactory rate_limiters;
  //! Stores what a customer sent through the webhooks' own path (de-duplicated by platform message id, batched,
  //! answered by the agent, handed off), and resumes on the caller's executor after the commit. kUnavailable when
  //! the store failed: nothing is stored then.
  std::function<boost::asio::awaitable<Result<store::IngestOutcome>>(const PlatformPlugin& plugin,
                                                                     WebhookEvents events)>
      ingest;
  std::chrono::milliseconds keepalive{15000};  //!< A stream's comment line after this long idle.
  //! A link to the tenant's stored media `public_id` (a media record's, store/media_records.h): to the original, or
  //! with `thumbnail` to an image's thumbnail. Signed with the server's media key and valid for
  //! PARLEY_MEDIA_URL_TTL_HOURS from now (media/signed_url.h), so it needs no session and opens nothing else;
  //! absolute under PARLEY_PUBLIC_URL, a path on the server's origin without it.
  std::function<std::string(int64_t tenant_id, std::string_view public_id, bool thumbnail)> sign_media_link;
  //! Checks a file a customer uploaded as every customer's file is checked (its type sniffed from its bytes, never
  //! from its name or Content-Type, within its kind's limit: media::AdmitUpload), then keeps it in the tenant's media
  //! store, where the media fetcher reads it once a message naming its key is stored (the fetcher makes its previews
  //! and reads its text as for a download). kPayloadTooLarge or kUnsupportedMediaType with a reason safe to show,
  //! and nothing kept; kUnavailable when it cannot be written. Blocking: on `pool`.
  std::function<Result<KeptUpload>(int64_t tenant_id, std::string_view bytes)> keep_upload;
  //! Says that a message naming a kept upload was stored: this process's media fetcher looks for it at once rather
  //! than at its next poll (a gateway runs no fetcher: a worker's poll finds it). Thread-safe; returns at once.
  std::function<void()> upload_stored;
};

// One public route, registered as the API's (RouteTable::Public) and documented in the API reference.
struct PublicRoute {
  http::Verb method;
  std::string pattern;
  http::RouteDoc doc;
  http::Handler handler;
  //! Refuses a request from its header, before its body is read (a file upload's); empty lets every request through.
  //! A route documented with a multipart body (http::BodyKind::kMultipart) receives it in a file
  //! (RouteContext::body_file), within the server's upload limit.
  http::Gate gate = {};
};

class PlatformRoutes {
 public:
  virtual ~PlatformRoutes() = default;
  // The routes, whose handlers may use this object as long as it lives (the API keeps it as long as its router).
  virtual std::vector<PublicRoute> Routes() = 0;
};

}  // namespace parley::channels
