#pragma once
// Outbound webhooks (docs/webhooks.md): what a delivery carries and how it is signed, and when a failed one is tried
// again. Pure functions; the dispatcher (webhooks/dispatcher.h) sends, the store (store/webhook_store.h) keeps.
//
// A delivery is a POST of the event's envelope, {"id", "type", "created_at", "data"} exactly as GET /api/events sends
// it, with
//   X-Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//   X-Parley-Event: <type>            X-Parley-Delivery: <delivery id>
// A 2xx answer is a success; anything else (or no answer) is retried with exponential backoff and jitter until the
// delivery is 24 hours old, and then it has failed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::webhooks {

// The event types an endpoint may subscribe to: those of the event log (store/events.h), in its order. An endpoint
// created without a list receives them all.
const std::vector<std::string>& EventTypes();
bool IsEventType(std::string_view type);

// A new signing secret: "whsec_" and 32 random bytes, base64url.
std::string NewSecret();

// The X-Parley-Signature value for `body` signed at `unix_seconds`.
std::string SignatureHeader(std::string_view secret, int64_t unix_seconds, std::string_view body);

// The body of a `ping`: {"id": 0, "type": "ping", "created_at", "data": {"endpoint_id"}} (0: it is not an event of
// the log).
std::string PingPayload(int64_t endpoint_id, int64_t now_ms);

struct RetryOptions {
  int64_t base_ms = 30000;       //!< The wait after the first failure…
  int64_t max_ms = 3600000;      //!< …doubling after each one, up to this.
  int64_t window_ms = 86400000;  //!< No attempt starts later than this after the delivery was made.
};

// When to try again after the `attempts`-th failed attempt (1 for the first), made at `now_ms`: the backoff
// base × 2^(attempts-1), capped at max_ms, of which the upper half is scaled by `jitter` (0 to 1, random in
// production), so that deliveries failing together do not come back together. nullopt when that falls after
// `expires_at_ms`: the delivery has failed.
std::optional<int64_t> NextAttemptAt(int attempts, int64_t now_ms, int64_t expires_at_ms, const RetryOptions& options,
                                     double jitter);

}  // namespace parley::webhooks
