// Outbound webhook endpoints, deliveries and cursors on SQLite (migration 0021).

#include "store/sqlite/webhook_store.h"

#include "core/json.h"
#include "store/sqlite/cursor.h"
#include "store/sqlite/db.h"
#include "store/sqlite/read_all.h"
#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <map>

namespace parley::store::sqlite {
namespace {

#define ENDPOINT_COLUMNS "id, tenant_id, url, description, event_types, enabled, secret_sealed, created_at, updated_at"
constexpr char kEndpoints[] = "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints WHERE tenant_id = ?1 ORDER BY id";
constexpr char kEndpoint[] = "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints WHERE id = ?1 AND tenant_id = ?2";
constexpr char kCountEndpoints[] = "SELECT COUNT(*) FROM webhook_endpoints WHERE tenant_id = ?1";
constexpr char kInsertEndpoint[] =
    "INSERT INTO webhook_endpoints (tenant_id, url, description, event_types, enabled, secret_sealed, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING " ENDPOINT_COLUMNS;
constexpr char kUpdateEndpoint[] =
    "UPDATE webhook_endpoints SET url = COALESCE(?3, url), description = COALESCE(?4, description),"
    " event_types = COALESCE(?5, event_types), enabled = COALESCE(?6, enabled),"
    " secret_sealed = COALESCE(?7, secret_sealed), updated_at = ?8"
    " WHERE id = ?1 AND tenant_id = ?2 RETURNING " ENDPOINT_COLUMNS;
constexpr char kDeleteEndpoint[] = "DELETE FROM webhook_endpoints WHERE id = ?1 AND tenant_id = ?2";
// The first endpoint's cursor starts at the end of the tenant's log.
constexpr char kStartCursor[] =
    "INSERT OR IGNORE INTO webhook_cursors (tenant_id, last_event_id)"
    " SELECT ?1, COALESCE(MAX(id), 0) FROM events WHERE tenant_id = ?1";
constexpr char kDropCursorWithoutEndpoints[] =
    "DELETE FROM webhook_cursors WHERE tenant_id = ?1"
    " AND NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE tenant_id = ?1)";
constexpr char kCursors[] = "SELECT tenant_id, last_event_id FROM webhook_cursors ORDER BY tenant_id";
constexpr char kMoveCursor[] =
    "UPDATE webhook_cursors SET last_event_id = ?3 WHERE tenant_id = ?1 AND last_event_id = ?2";

#define DELIVERY_COLUMNS                                                                                       \
  "d.id, d.tenant_id, d.endpoint_id, d.event_id, d.event_type, d.conversation_id, d.payload, d.status,"        \
  " d.attempts, d.next_attempt_at, d.expires_at, d.response_status, COALESCE(d.last_error, ''), d.created_at," \
  " d.updated_at"
constexpr char kInsertDelivery[] =
    "INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, conversation_id, payload, status,"
    " next_attempt_at, expires_at, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?7, ?7)";
constexpr char kDeliveries[] = "SELECT " DELIVERY_COLUMNS
                               " FROM webhook_deliveries d WHERE d.endpoint_id = ?1 AND d.tenant_id = ?2"
                               " AND d.id < ?3 ORDER BY d.id DESC LIMIT ?4";
constexpr char kDelivery[] =
    "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries d WHERE d.id = ?1 AND d.tenant_id = ?2";
// Candidates for a lease: more than the limit, since the per-endpoint bound is applied while reading them.
constexpr char kDue[] = "SELECT " DELIVERY_COLUMNS
                        ", e.url, e.secret_sealed FROM webhook_deliveries d"
                        " JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled = 1"
                        " WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 AND d.lease_until <= ?1"
                        " ORDER BY d.next_attempt_at, d.id LIMIT ?2";
constexpr char kLease[] =
    "UPDATE webhook_deliveries SET lease_until = ?3 WHERE id = ?1 AND status = 'pending' AND lease_until <= ?2";
constexpr char kRecordAttempt[] =
    "UPDATE webhook_deliveries SET status = ?3, attempts = attempts + 1, next_attempt_at = ?4, response_status = ?5,"
    " last_error = ?6, lease_until = 0, updated_at = ?7"
    " WHERE id = ?1 AND lease_until = ?2 AND status = 'pending'";
constexpr char kNextDue[] =
    "SELECT MIN(MAX(d.next_attempt_at, d.lease_until)) FROM webhook_deliveries d"
    " JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled = 1 WHERE d.status = 'pending'";
constexpr char kPruneDeliveries[] =
    "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries"
    " WHERE status <> 'pending' AND updated_at < ?1 LIMIT 1000)";

WebhookEndpoint ReadEndpoint(const Statement& row) {
  WebhookEndpoint e;
  e.id = row.Int(0);
  e.tenant_id = row.Int(1);
  e.url = row.String(2);
  e.description = row.String(3);
  e.event_types = ParseEventTypes(row.Text(4));
  e.enabled = row.Int(5) != 0;
  e.secret_sealed = row.String(6);
  e.created_at_ms = row.Int(7);
  e.updated_at_ms = row.Int(8);
  return e;
}

WebhookDelivery ReadDelivery(const Statement& row) {
  WebhookDelivery d;
  d.id = row.Int(0);
  d.tenant_id = row.Int(1);
  d.endpoint_id = row.Int(2);
  d.event_id = row.Int(3);
  d.event_type = row.String(4);
  d.conversation_id = row.OptionalInt(5);
  d.payload = row.String(6);
  d.status = ParseDeliveryStatus(row.Text(7));
  d.attempts = static_cast<int>(row.Int(8));
  d.next_attempt_at_ms = row.OptionalInt(9);
  d.expires_at_ms = row.Int(10);
  d.response_status = row.OptionalInt(11);
  d.last_error = row.String(12);
  d.created_at_ms = row.Int(13);
  d.updated_at_ms = row.Int(14);
  return d;
}

Result<void> InsertDelivery(Database& db, int64_t tenant_id, const NewWebhookDelivery& delivery, int64_t now_ms,
                            int64_t expires_at_ms) {
  STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertDelivery));
  insert.Bind(1, tenant_id).Bind(2, delivery.endpoint_id).Bind(3, delivery.event_id).Bind(4, delivery.event_type);
  insert.Bind(5, delivery.conversation_id).Bind(6, delivery.payload).Bind(7, now_ms).Bind(8, expires_at_ms);
  return insert.Run();
}

class SqliteWebhookStore final : public WebhookStore {
 public:
  explicit SqliteWebhookStore(SqliteStore& store) : store_(store) {}

  Result<std::vector<WebhookEndpoint>> ListEndpoints(int64_t tenant_id) override {
    return ReadAll<WebhookEndpoint>(store_, kEndpoints, ReadEndpoint, [&](Statement& s) { s.Bind(1, tenant_id); });
  }

  Result<WebhookEndpoint> GetEndpoint(int64_t tenant_id, int64_t endpoint_id) override {
    WebhookEndpoint endpoint;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kEndpoint));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, endpoint_id).Bind(2, tenant_id).Step());
      if (!found) return Error::NotFound("no such webhook endpoint");
      endpoint = ReadEndpoint(select);
      return Ok();
    }));
    return endpoint;
  }

  Result<WebhookEndpoint> CreateEndpoint(int64_t tenant_id, const NewWebhookEndpoint& endpoint,
                                         int64_t now_ms) override {
    const std::string types = EventTypesJson(endpoint.event_types);
    WebhookEndpoint created;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto count, db.Prepare(kCountEndpoints));
      STORE_TRY(count.Bind(1, tenant_id).Step());
      if (count.Int(0) >= kMaxWebhookEndpoints) {
        return Error::Conflict("a tenant has at most " + std::to_string(kMaxWebhookEndpoints) + " webhook endpoints");
      }
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertEndpoint));
      insert.Bind(1, tenant_id).Bind(2, endpoint.url).Bind(3, endpoint.description).Bind(4, types);
      insert.Bind(5, int64_t{endpoint.enabled ? 1 : 0}).Bind(6, endpoint.secret_sealed).Bind(7, now_ms);
      STORE_TRY(insert.Step());
      created = ReadEndpoint(insert);
      STORE_ASSIGN_OR_RETURN(auto cursor, db.Prepare(kStartCursor));
      return cursor.Bind(1, tenant_id).Run();
    }));
    return created;
  }

  Result<WebhookEndpoint> UpdateEndpoint(int64_t tenant_id, int64_t endpoint_id, const WebhookEndpointUpdate& update,
                                         int64_t now_ms) override {
    std::optional<std::string> types;
    if (update.event_types) types = EventTypesJson(*update.event_types);
    std::optional<int64_t> enabled;
    if (update.enabled) enabled = *update.enabled ? 1 : 0;
    WebhookEndpoint updated;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto statement, db.Prepare(kUpdateEndpoint));
      statement.Bind(1, endpoint_id).Bind(2, tenant_id).Bind(3, update.url).Bind(4, update.description);
      statement.Bind(5, types).Bind(6, enabled).Bind(7, update.secret_sealed).Bind(8, now_ms);
      STORE_ASSIGN_OR_RETURN(bool found, statement.Step());
      if (!found) return Error::NotFound("no such webhook endpoint");
      updated = ReadEndpoint(statement);
      return Ok();
    }));
    return updated;
  }

  Result<void> DeleteEndpoint(int64_t tenant_id, int64_t endpoint_id) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto remove, db.Prepare(kDeleteEndpoint));
      STORE_TRY(remove.Bind(1, endpoint_id).Bind(2, tenant_id).Run());
      if (db.Changes() == 0) return Error::NotFound("no such webhook endpoint");
      STORE_ASSIGN_OR_RETURN(auto cursor, db.Prepare(kDropCursorWithoutEndpoints));
      return cursor.Bind(1, tenant_id).Run();
    });
  }

  Result<Page<WebhookDelivery>> ListDeliveries(int64_t tenant_id, int64_t endpoint_id,
                                               const std::optional<std::string>& cursor, int limit) override {
    limit = ClampPageSize(limit);
    int64_t before = INT64_MAX;
    if (cursor) {
      STORE_ASSIGN_OR_RETURN(before, ParseIdCursor('w', *cursor));
    }
    Page<WebhookDelivery> page;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto endpoint, db.Prepare(kEndpoint));
      STORE_ASSIGN_OR_RETURN(bool found, endpoint.Bind(1, endpoint_id).Bind(2, tenant_id).Step());
      if (!found) return Error::NotFound("no such webhook endpoint");
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kDeliveries));
      select.Bind(1, endpoint_id).Bind(2, tenant_id).Bind(3, before).Bind(4, limit + 1);
      STORE_ASSIGN_OR_RETURN(page, ReadIdPage<WebhookDelivery>(select, 'w', limit, ReadDelivery));
      return Ok();
    }));
    return page;
  }

  Result<WebhookDelivery> GetDelivery(int64_t tenant_id, int64_t delivery_id) override {
    WebhookDelivery delivery;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kDelivery));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, delivery_id).Bind(2, tenant_id).Step());
      if (!found) return Error::NotFound("no such webhook delivery");
      delivery = ReadDelivery(select);
      return Ok();
    }));
    return delivery;
  }

  Result<std::vector<WebhookCursor>> Cursors() override {
    return ReadAll<WebhookCursor>(
        store_, kCursors,
        [](const Statement& row) {
          return WebhookCursor{row.Int(0), row.Int(1)};
        },
        [](Statement&) {});
  }

  Result<void> Enqueue(int64_t tenant_id, int64_t from_event_id, int64_t to_event_id,
                       const std::vector<NewWebhookDelivery>& deliveries, int64_t now_ms,
                       int64_t expires_at_ms) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto move, db.Prepare(kMoveCursor));
      STORE_TRY(move.Bind(1, tenant_id).Bind(2, from_event_id).Bind(3, to_event_id).Run());
      if (db.Changes() == 0) return Error::Conflict("the webhook cursor moved");
      for (const auto& delivery : deliveries) {
        STORE_TRY(InsertDelivery(db, tenant_id, delivery, now_ms, expires_at_ms));
      }
      return Ok();
    });
  }

  Result<WebhookDelivery> EnqueueOne(int64_t tenant_id, const NewWebhookDelivery& delivery, int64_t now_ms,
                                     int64_t expires_at_ms) override {
    int64_t id = 0;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto endpoint, db.Prepare(kEndpoint));
      STORE_ASSIGN_OR_RETURN(bool found, endpoint.Bind(1, delivery.endpoint_id).Bind(2, tenant_id).Step());
      if (!found) return Error::NotFound("no such webhook endpoint");
      STORE_TRY(InsertDelivery(db, tenant_id, delivery, now_ms, expires_at_ms));
      id = db.LastInsertRowid();
      return Ok();
    }));
    return GetDelivery(tenant_id, id);
  }

  Result<std::vector<DeliveryJob>> LeaseDue(int64_t now_ms, int64_t lease_until_ms, int limit, int per_endpoint,
                                            const std::map<int64_t, int>& in_flight) override {
    std::vector<DeliveryJob> leased;
    if (limit <= 0) return leased;
    STORE_TRY(store_.Write(
        [&](Database& db) -> Result<void> {
          leased.clear();
          std::map<int64_t, int> taken = in_flight;
          STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kDue));
          select.Bind(1, now_ms).Bind(2, int64_t{limit} * 4);
          std::vector<DeliveryJob> candidates;
          while (static_cast<int>(candidates.size()) < limit) {
            STORE_ASSIGN_OR_RETURN(bool row, select.Step());
            if (!row) break;
            DeliveryJob job;
            job.delivery = ReadDelivery(select);
            if (taken[job.delivery.endpoint_id] >= per_endpoint) continue;
            ++taken[job.delivery.endpoint_id];
            job.url = select.String(15);
            job.secret_sealed = select.String(16);
            job.lease_until_ms = lease_until_ms;
            candidates.push_back(std::move(job));
          }
          for (auto& job : candidates) {
            STORE_ASSIGN_OR_RETURN(auto lease, db.Prepare(kLease));
            STORE_TRY(lease.Bind(1, job.delivery.id).Bind(2, now_ms).Bind(3, lease_until_ms).Run());
            if (db.Changes() == 1) leased.push_back(std::move(job));
          }
          return Ok();
        },
        // A lease lost to a power cut lapses like the lease of a sender that died.
        /*durable=*/false));
    return leased;
  }

  Result<void> RecordAttempt(const DeliveryJob& job, const DeliveryAttempt& attempt, int64_t now_ms) override {
    const char* status = attempt.next_attempt_at_ms ? "pending" : (attempt.error.empty() ? "succeeded" : "failed");
    std::optional<std::string> error;
    if (!attempt.error.empty()) error = attempt.error;
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto record, db.Prepare(kRecordAttempt));
      record.Bind(1, job.delivery.id).Bind(2, job.lease_until_ms).Bind(3, status).Bind(4, attempt.next_attempt_at_ms);
      return record.Bind(5, attempt.response_status).Bind(6, error).Bind(7, now_ms).Run();
    });
  }

  Result<std::optional<int64_t>> NextDueAt() override {
    std::optional<int64_t> due;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kNextDue));
      STORE_TRY(select.Step());
      due = select.OptionalInt(0);
      return Ok();
    }));
    return due;
  }

  Result<int64_t> PruneDeliveries(int64_t before_ms) override {
    int64_t removed = 0;
    for (;;) {
      int64_t changes = 0;
      STORE_TRY(store_.Write(
          [&](Database& db) -> Result<void> {
            STORE_ASSIGN_OR_RETURN(auto prune, db.Prepare(kPruneDeliveries));
            STORE_TRY(prune.Bind(1, before_ms).Run());
            changes = db.Changes();
            return Ok();
          },
          /*durable=*/false));
      removed += changes;
      if (changes == 0) return removed;
    }
  }

 private:
  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<WebhookStore> MakeSqliteWebhookStore(SqliteStore& store) {
  return std::make_unique<SqliteWebhookStore>(store);
}

}  // namespace parley::store::sqlite
