#pragma once
// Outbound webhooks in the store (migration 0021, docs/webhooks.md): the endpoints a tenant registers, the deliveries
// of its events to them, and each tenant's cursor into its event log (store/events.h). Reached through
// Store::webhooks(); thread-safe and blocking like Store. Calls that take a tenant are scoped by it: another tenant's
// ids are kNotFound.
//
// The life of a delivery: Enqueue makes it `pending` and due at once; LeaseDue hands it to one sender until its lease
// ends; RecordAttempt stores the attempt's outcome and either ends it (`succeeded`, or `failed` once the retries are
// over) or makes it due again later. A sender that dies leaves a lease that lapses, and the delivery is taken again.

#include "core/error.h"
#include "store/store.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

struct WebhookEndpoint {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string url;
  std::string description;
  std::vector<std::string> event_types;  //!< Names as store/events.h's ToString(EventType) gives them.
  bool enabled = true;
  std::string secret_sealed;  //!< The signing secret sealed by the caller (crypto::SecretBox); opaque to the store.
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct NewWebhookEndpoint {
  std::string url;
  std::string description;
  std::vector<std::string> event_types;
  bool enabled = true;
  std::string secret_sealed;
};

// What UpdateEndpoint changes: the fields that are set.
struct WebhookEndpointUpdate {
  std::optional<std::string> url;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> event_types;
  std::optional<bool> enabled;
  std::optional<std::string> secret_sealed;  //!< A rotated secret.
};

enum class DeliveryStatus { kPending, kSucceeded, kFailed };
std::string_view ToString(DeliveryStatus status);           // "pending", "succeeded", "failed"
DeliveryStatus ParseDeliveryStatus(std::string_view text);  // kPending for what it does not know.

// An endpoint's event types as stored (a JSON array of names), and read back (what is not a name is left out).
std::string EventTypesJson(const std::vector<std::string>& types);
std::vector<std::string> ParseEventTypes(std::string_view text);

struct WebhookDelivery {
  int64_t id = 0;
  int64_t tenant_id = 0;
  int64_t endpoint_id = 0;
  int64_t event_id = 0;  //!< 0 for a ping.
  std::string event_type;
  std::optional<int64_t> conversation_id;
  std::string payload;  //!< The body POSTed, the same at every attempt.
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;
  std::optional<int64_t> next_attempt_at_ms;  //!< nullopt once succeeded or failed.
  int64_t expires_at_ms = 0;                  //!< No attempt starts after this.
  std::optional<int64_t> response_status;     //!< The HTTP status of the last attempt that got an answer.
  std::string last_error;                     //!< Why the last attempt failed; empty after a success.
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct NewWebhookDelivery {
  int64_t endpoint_id = 0;
  int64_t event_id = 0;
  std::string event_type;
  std::optional<int64_t> conversation_id;
  std::string payload;
};

// A delivery leased to a sender, with where and how to send it.
struct DeliveryJob {
  WebhookDelivery delivery;
  std::string url;
  std::string secret_sealed;
  int64_t lease_until_ms = 0;  //!< The lease's token: RecordAttempt checks that it still holds.
};

// The outcome of one attempt, as RecordAttempt stores it.
struct DeliveryAttempt {
  std::optional<int64_t> response_status;
  std::string error;  //!< Empty for a success.
  // Set: the delivery is pending again and due then. nullopt: it is over, succeeded when `error` is empty, else
  // failed.
  std::optional<int64_t> next_attempt_at_ms;
};

// A tenant whose events are delivered, and how far.
struct WebhookCursor {
  int64_t tenant_id = 0;
  int64_t last_event_id = 0;
};

inline constexpr int kMaxWebhookEndpoints = 20;  //!< Per tenant.

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // The tenant's endpoints, oldest first.
  virtual Result<std::vector<WebhookEndpoint>> ListEndpoints(int64_t tenant_id) = 0;
  virtual Result<WebhookEndpoint> GetEndpoint(int64_t tenant_id, int64_t endpoint_id) = 0;
  // kConflict when the tenant has kMaxWebhookEndpoints. The tenant's first endpoint starts its cursor at its event
  // log's newest id: events before it are not delivered. The caller validates the fields.
  virtual Result<WebhookEndpoint> CreateEndpoint(int64_t tenant_id, const NewWebhookEndpoint& endpoint,
                                                 int64_t now_ms) = 0;
  virtual Result<WebhookEndpoint> UpdateEndpoint(int64_t tenant_id, int64_t endpoint_id,
                                                 const WebhookEndpointUpdate& update, int64_t now_ms) = 0;
  // Removes the endpoint and its deliveries; the tenant's last endpoint takes its cursor along.
  virtual Result<void> DeleteEndpoint(int64_t tenant_id, int64_t endpoint_id) = 0;

  // The endpoint's deliveries, newest first, in pages (`limit` clamped to 1..500). kNotFound for another tenant's
  // endpoint.
  virtual Result<Page<WebhookDelivery>> ListDeliveries(int64_t tenant_id, int64_t endpoint_id,
                                                       const std::optional<std::string>& cursor, int limit) = 0;
  virtual Result<WebhookDelivery> GetDelivery(int64_t tenant_id, int64_t delivery_id) = 0;

  // --- For the dispatcher (webhooks/dispatcher.h) ---

  // Every tenant with endpoints, and how far its events were delivered.
  virtual Result<std::vector<WebhookCursor>> Cursors() = 0;
  // In one write: moves the tenant's cursor from `from_event_id` to `to_event_id` and stores `deliveries`, pending
  // and due at `now_ms`, expiring at `expires_at_ms`. kConflict, storing nothing, when the cursor is no longer at
  // `from_event_id` (another process delivered those events) or the tenant has no cursor any more.
  virtual Result<void> Enqueue(int64_t tenant_id, int64_t from_event_id, int64_t to_event_id,
                               const std::vector<NewWebhookDelivery>& deliveries, int64_t now_ms,
                               int64_t expires_at_ms) = 0;
  // One delivery outside the event log (a ping, a redelivery), pending and due at `now_ms`. kNotFound when the
  // endpoint is not the tenant's.
  virtual Result<WebhookDelivery> EnqueueOne(int64_t tenant_id, const NewWebhookDelivery& delivery, int64_t now_ms,
                                             int64_t expires_at_ms) = 0;
  // Up to `limit` pending deliveries due at `now_ms` whose lease has lapsed, oldest due first, to enabled endpoints,
  // at most `per_endpoint` per endpoint counting the `in_flight` ones (endpoint id → deliveries being sent); each is
  // leased until `lease_until_ms`. A delivery to a disabled endpoint stays pending and goes once it is enabled again.
  virtual Result<std::vector<DeliveryJob>> LeaseDue(int64_t now_ms, int64_t lease_until_ms, int limit, int per_endpoint,
                                                    const std::map<int64_t, int>& in_flight) = 0;
  // Stores an attempt's outcome and counts it. A no-op (success) when the lease `job` holds has been taken over or
  // the delivery is gone (its endpoint deleted).
  virtual Result<void> RecordAttempt(const DeliveryJob& job, const DeliveryAttempt& attempt, int64_t now_ms) = 0;
  // When the next pending delivery is due (its lease lapsed or not), nullopt when none is pending.
  virtual Result<std::optional<int64_t>> NextDueAt() = 0;
  // Deletes deliveries that ended (succeeded or failed) before `before_ms`, in small writes; returns how many.
  virtual Result<int64_t> PruneDeliveries(int64_t before_ms) = 0;
};

}  // namespace parley::store
