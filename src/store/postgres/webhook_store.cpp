// Outbound webhook endpoints, deliveries and cursors on PostgreSQL, by the SQLite backend's rules
// (sqlite/webhook_store.cpp). Dispatchers in several processes share them: a cursor moves only from where it was
// read, and a delivery is leased by a conditional UPDATE, so one of them sends it.

#include "store/webhook_store.h"
#include "store/page_cursor.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/postgres/sub_stores.h"

#include <limits>
#include <map>

namespace parley::store::postgres {
namespace {

#define ENDPOINT_COLUMNS "id, tenant_id, url, description, event_types, enabled, secret_sealed, created_at, updated_at"
constexpr char kEndpoints[] = "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY id";
constexpr char kEndpoint[] = "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2";
// Locked: two creations racing past the cap would otherwise both see room for one more.
constexpr char kLockTenant[] = "SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE";
constexpr char kCountEndpoints[] = "SELECT COUNT(*) FROM webhook_endpoints WHERE tenant_id = $1";
constexpr char kInsertEndpoint[] =
    "INSERT INTO webhook_endpoints (tenant_id, url, description, event_types, enabled, secret_sealed, created_at,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING " ENDPOINT_COLUMNS;
constexpr char kUpdateEndpoint[] =
    "UPDATE webhook_endpoints SET url = COALESCE($3, url), description = COALESCE($4, description),"
    " event_types = COALESCE($5, event_types), enabled = COALESCE($6::boolean, enabled),"
    " secret_sealed = COALESCE($7, secret_sealed), updated_at = $8"
    " WHERE id = $1 AND tenant_id = $2 RETURNING " ENDPOINT_COLUMNS;
#undef ENDPOINT_COLUMNS
constexpr char kDeleteEndpoint[] = "DELETE FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2";
// The first endpoint's cursor starts at the end of the tenant's log.
constexpr char kStartCursor[] =
    "INSERT INTO webhook_cursors (tenant_id, last_event_id)"
    " SELECT $1, COALESCE(MAX(id), 0) FROM events WHERE tenant_id = $1 ON CONFLICT (tenant_id) DO NOTHING";
constexpr char kDropCursorWithoutEndpoints[] =
    "DELETE FROM webhook_cursors WHERE tenant_id = $1"
    " AND NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = $1)";
constexpr char kCursors[] = "SELECT tenant_id, last_event_id FROM webhook_cursors ORDER BY tenant_id";
constexpr char kMoveCursor[] =
    "UPDATE webhook_cursors SET last_event_id = $3 WHERE tenant_id = $1 AND last_event_id = $2";

#define DELIVERY_COLUMNS                                                                                       \
  "d.id, d.tenant_id, d.endpoint_id, d.event_id, d.event_type, d.conversation_id, d.payload, d.status,"        \
  " d.attempts, d.next_attempt_at, d.expires_at, d.response_status, COALESCE(d.last_error, ''), d.created_at," \
  " d.updated_at"
constexpr char kInsertDelivery[] =
    "INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, conversation_id, payload, status,"
    " next_attempt_at, expires_at, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $7, $7) RETURNING id";
constexpr char kDeliveries[] = "SELECT " DELIVERY_COLUMNS
                               " FROM webhook_deliveries d WHERE d.endpoint_id = $1 AND d.tenant_id = $2"
                               " AND d.id < $3 ORDER BY d.id DESC LIMIT $4";
constexpr char kDelivery[] =
    "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries d WHERE d.id = $1 AND d.tenant_id = $2";
// Candidates for a lease: more than the limit, since the per-endpoint bound is applied while reading them.
constexpr char kDue[] = "SELECT " DELIVERY_COLUMNS
                        ", e.url, e.secret_sealed FROM webhook_deliveries d"
                        " JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled"
                        " WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND d.lease_until <= $1"
                        " ORDER BY d.next_attempt_at, d.id LIMIT $2";
#undef DELIVERY_COLUMNS
constexpr char kLease[] =
    "UPDATE webhook_deliveries SET lease_until = $3 WHERE id = $1 AND status = 'pending' AND lease_until <= $2";
constexpr char kRecordAttempt[] =
    "UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, next_attempt_at = $4, response_status = $5,"
    " last_error = $6, lease_until = 0, updated_at = $7"
    " WHERE id = $1 AND lease_until = $2 AND status = 'pending'";
constexpr char kNextDue[] =
    "SELECT MIN(GREATEST(d.next_attempt_at, d.lease_until)) FROM webhook_deliveries d"
    " JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled WHERE d.status = 'pending'";
constexpr char kPruneDeliveries[] =
    "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries"
    " WHERE status <> 'pending' AND updated_at < $1 LIMIT 1000)";

WebhookEndpoint ReadEndpoint(const Rows& rows, int i) {
  WebhookEndpoint e;
  e.id = rows.Int(i, 0);
  e.tenant_id = rows.Int(i, 1);
  e.url = rows.String(i, 2);
  e.description = rows.String(i, 3);
  e.event_types = ParseEventTypes(rows.Text(i, 4));
  e.enabled = rows.Bool(i, 5);
  e.secret_sealed = rows.String(i, 6);
  e.created_at_ms = rows.Int(i, 7);
  e.updated_at_ms = rows.Int(i, 8);
  return e;
}

WebhookDelivery ReadDelivery(const Rows& rows, int i) {
  WebhookDelivery d;
  d.id = rows.Int(i, 0);
  d.tenant_id = rows.Int(i, 1);
  d.endpoint_id = rows.Int(i, 2);
  d.event_id = rows.Int(i, 3);
  d.event_type = rows.String(i, 4);
  d.conversation_id = rows.OptionalInt(i, 5);
  d.payload = rows.String(i, 6);
  d.status = ParseDeliveryStatus(rows.Text(i, 7));
  d.attempts = static_cast<int>(rows.Int(i, 8));
  d.next_attempt_at_ms = rows.OptionalInt(i, 9);
  d.expires_at_ms = rows.Int(i, 10);
  d.response_status = rows.OptionalInt(i, 11);
  d.last_error = rows.String(i, 12);
  d.created_at_ms = rows.Int(i, 13);
  d.updated_at_ms = rows.Int(i, 14);
  return d;
}

Result<int64_t> InsertDelivery(Connection& db, int64_t tenant_id, const NewWebhookDelivery& delivery, int64_t now_ms,
                               int64_t expires_at_ms) {
  STORE_ASSIGN_OR_RETURN(
      auto inserted,
      db.Query(kInsertDelivery, Params(tenant_id, delivery.endpoint_id, delivery.event_id, delivery.event_type,
                                       delivery.conversation_id, delivery.payload, now_ms, expires_at_ms)));
  return inserted.Int(0, 0);
}

class PostgresWebhookStore final : public WebhookStore {
 public:
  explicit PostgresWebhookStore(PostgresStore& store) : store_(store) {}

  Result<std::vector<WebhookEndpoint>> ListEndpoints(int64_t tenant_id) override {
    return store_.ReadAll<WebhookEndpoint>(kEndpoints, Params(tenant_id), ReadEndpoint);
  }

  Result<WebhookEndpoint> GetEndpoint(int64_t tenant_id, int64_t endpoint_id) override {
    return store_.ReadOne<WebhookEndpoint>(kEndpoint, Params(endpoint_id, tenant_id), "no such webhook endpoint",
                                           ReadEndpoint);
  }

  Result<WebhookEndpoint> CreateEndpoint(int64_t tenant_id, const NewWebhookEndpoint& endpoint,
                                         int64_t now_ms) override {
    const std::string types = EventTypesJson(endpoint.event_types);
    return store_.Write<WebhookEndpoint>([&](Connection& db, EventNotes&) -> Result<WebhookEndpoint> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Query(kLockTenant, Params(tenant_id)));
      if (tenant.empty()) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto count, db.Query(kCountEndpoints, Params(tenant_id)));
      if (count.Int(0, 0) >= kMaxWebhookEndpoints) {
        return Error::Conflict("a tenant has at most " + std::to_string(kMaxWebhookEndpoints) + " webhook endpoints");
      }
      STORE_ASSIGN_OR_RETURN(auto inserted,
                             db.Query(kInsertEndpoint, Params(tenant_id, endpoint.url, endpoint.description, types,
                                                              endpoint.enabled, endpoint.secret_sealed, now_ms)));
      STORE_TRY(db.Query(kStartCursor, Params(tenant_id)));
      return ReadEndpoint(inserted, 0);
    });
  }

  Result<WebhookEndpoint> UpdateEndpoint(int64_t tenant_id, int64_t endpoint_id, const WebhookEndpointUpdate& update,
                                         int64_t now_ms) override {
    std::optional<std::string> types;
    if (update.event_types) types = EventTypesJson(*update.event_types);
    return store_.Write<WebhookEndpoint>([&](Connection& db, EventNotes&) -> Result<WebhookEndpoint> {
      STORE_ASSIGN_OR_RETURN(
          auto rows, db.Query(kUpdateEndpoint, Params(endpoint_id, tenant_id, update.url, update.description, types,
                                                      update.enabled, update.secret_sealed, now_ms)));
      if (rows.empty()) return Error::NotFound("no such webhook endpoint");
      return ReadEndpoint(rows, 0);
    });
  }

  Result<void> DeleteEndpoint(int64_t tenant_id, int64_t endpoint_id) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto removed, db.Query(kDeleteEndpoint, Params(endpoint_id, tenant_id)));
      if (removed.affected() == 0) return Error::NotFound("no such webhook endpoint");
      STORE_TRY(db.Query(kDropCursorWithoutEndpoints, Params(tenant_id)));
      return Ok();
    });
  }

  Result<Page<WebhookDelivery>> ListDeliveries(int64_t tenant_id, int64_t endpoint_id,
                                               const std::optional<std::string>& cursor, int limit) override {
    limit = ClampPageSize(limit);
    int64_t before = std::numeric_limits<int64_t>::max();
    if (cursor) {
      STORE_ASSIGN_OR_RETURN(before, ParseIdCursor('w', *cursor));
    }
    return store_.Read<Page<WebhookDelivery>>([&](Connection& db) -> Result<Page<WebhookDelivery>> {
      STORE_ASSIGN_OR_RETURN(auto endpoint, db.Query(kEndpoint, Params(endpoint_id, tenant_id)));
      if (endpoint.empty()) return Error::NotFound("no such webhook endpoint");
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kDeliveries, Params(endpoint_id, tenant_id, before, limit + 1)));
      return IdPage<WebhookDelivery>(rows, 'w', limit, ReadDelivery);
    });
  }

  Result<WebhookDelivery> GetDelivery(int64_t tenant_id, int64_t delivery_id) override {
    return store_.ReadOne<WebhookDelivery>(kDelivery, Params(delivery_id, tenant_id), "no such webhook delivery",
                                           ReadDelivery);
  }

  Result<std::vector<WebhookCursor>> Cursors() override {
    return store_.ReadAll<WebhookCursor>(kCursors, Params(), [](const Rows& rows, int i) {
      return WebhookCursor{rows.Int(i, 0), rows.Int(i, 1)};
    });
  }

  Result<void> Enqueue(int64_t tenant_id, int64_t from_event_id, int64_t to_event_id,
                       const std::vector<NewWebhookDelivery>& deliveries, int64_t now_ms,
                       int64_t expires_at_ms) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto moved, db.Query(kMoveCursor, Params(tenant_id, from_event_id, to_event_id)));
      if (moved.affected() == 0) return Error::Conflict("the webhook cursor moved");
      for (const auto& delivery : deliveries) {
        STORE_TRY(InsertDelivery(db, tenant_id, delivery, now_ms, expires_at_ms));
      }
      return Ok();
    });
  }

  Result<WebhookDelivery> EnqueueOne(int64_t tenant_id, const NewWebhookDelivery& delivery, int64_t now_ms,
                                     int64_t expires_at_ms) override {
    auto id = store_.Write<int64_t>([&](Connection& db, EventNotes&) -> Result<int64_t> {
      STORE_ASSIGN_OR_RETURN(auto endpoint, db.Query(kEndpoint, Params(delivery.endpoint_id, tenant_id)));
      if (endpoint.empty()) return Error::NotFound("no such webhook endpoint");
      return InsertDelivery(db, tenant_id, delivery, now_ms, expires_at_ms);
    });
    if (!id) return id.error();
    return GetDelivery(tenant_id, *id);
  }

  Result<std::vector<DeliveryJob>> LeaseDue(int64_t now_ms, int64_t lease_until_ms, int limit, int per_endpoint,
                                            const std::map<int64_t, int>& in_flight) override {
    if (limit <= 0) return std::vector<DeliveryJob>();
    return store_.Write<std::vector<DeliveryJob>>([&](Connection& db, EventNotes&) -> Result<std::vector<DeliveryJob>> {
      std::map<int64_t, int> taken = in_flight;
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kDue, Params(now_ms, int64_t{limit} * 4)));
      std::vector<DeliveryJob> leased;
      for (int i = 0; i < rows.size() && static_cast<int>(leased.size()) < limit; ++i) {
        DeliveryJob job;
        job.delivery = ReadDelivery(rows, i);
        if (taken[job.delivery.endpoint_id] >= per_endpoint) continue;
        // Taken only if no other dispatcher leased it since it was read.
        STORE_ASSIGN_OR_RETURN(auto lease, db.Query(kLease, Params(job.delivery.id, now_ms, lease_until_ms)));
        if (lease.affected() == 0) continue;
        ++taken[job.delivery.endpoint_id];
        job.url = rows.String(i, 15);
        job.secret_sealed = rows.String(i, 16);
        job.lease_until_ms = lease_until_ms;
        leased.push_back(std::move(job));
      }
      return leased;
    });
  }

  Result<void> RecordAttempt(const DeliveryJob& job, const DeliveryAttempt& attempt, int64_t now_ms) override {
    const char* status = attempt.next_attempt_at_ms ? "pending" : (attempt.error.empty() ? "succeeded" : "failed");
    std::optional<std::string> error;
    if (!attempt.error.empty()) error = attempt.error;
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_TRY(db.Query(kRecordAttempt, Params(job.delivery.id, job.lease_until_ms, status, attempt.next_attempt_at_ms,
                                                attempt.response_status, error, now_ms)));
      return Ok();
    });
  }

  Result<std::optional<int64_t>> NextDueAt() override {
    return store_.Read<std::optional<int64_t>>([&](Connection& db) -> Result<std::optional<int64_t>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kNextDue));
      return rows.OptionalInt(0, 0);
    });
  }

  Result<int64_t> PruneDeliveries(int64_t before_ms) override {
    int64_t removed = 0;
    for (;;) {
      auto changes = store_.Write<int64_t>([&](Connection& db, EventNotes&) -> Result<int64_t> {
        STORE_ASSIGN_OR_RETURN(auto pruned, db.Query(kPruneDeliveries, Params(before_ms)));
        return pruned.affected();
      });
      if (!changes) return changes.error();
      removed += *changes;
      if (*changes == 0) return removed;
    }
  }

 private:
  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<WebhookStore> MakePostgresWebhookStore(PostgresStore& store) {
  return std::make_unique<PostgresWebhookStore>(store);
}

}  // namespace parley::store::postgres
