// PostgresStore itself: opening and closing, migrations, tenants and the event log's appends. The rest lives by job
// beside it: channels.cpp, ingest.cpp (webhook payloads and their group commit), claims.cpp (claims and replies).

#include "store/postgres/postgres_store.h"

#include "core/time.h"
#include "store/access_store.h"
#include "store/analytics_store.h"
#include "store/billing_store.h"
#include "store/contact_store.h"
#include "store/inbox_store.h"
#include "store/knowledge_store.h"
#include "store/media_records.h"
#include "store/postgres/migrate.h"
#include "store/postgres/sub_stores.h"
#include "store/team_store.h"
#include "store/tenant_store.h"
#include "store/webhook_store.h"

namespace parley::store::postgres {
namespace {

constexpr char kInsertTenant[] = "INSERT INTO tenants (name, created_at) VALUES ($1, $2) RETURNING id";
constexpr char kInsertApiKey[] =
    "INSERT INTO api_keys (tenant_id, key_hash, prefix, created_at, name, role) VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (key_hash) DO NOTHING";
// The tenant's newest event id, its head row (made at the tenant's first event) locked until the transaction ends:
// the no-op update takes the lock and returns the row in one round trip.
constexpr char kLockEventHead[] =
    "INSERT INTO event_heads (tenant_id, last_id) VALUES ($1, 0)"
    " ON CONFLICT (tenant_id) DO UPDATE SET last_id = event_heads.last_id RETURNING last_id";
constexpr char kSetEventHead[] = "UPDATE event_heads SET last_id = $2 WHERE tenant_id = $1";
constexpr char kInsertEvents[] =
    "INSERT INTO events (tenant_id, id, type, created_at, data)"
    " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[])";

}  // namespace

Result<void> AppendEvents(Connection& connection, EventNotes& notes, const std::vector<NewEvent>& events) {
  if (events.empty()) return Ok();
  std::vector<int64_t> tenants, ids, created;
  std::vector<std::string_view> types, data;
  for (const NewEvent& event : events) {
    auto next = notes.next_.find(event.tenant_id);
    if (next == notes.next_.end()) {
      STORE_ASSIGN_OR_RETURN(auto head, connection.Query(kLockEventHead, Params(event.tenant_id)));
      if (head.empty()) return Error::Internal("event head vanished");
      next = notes.next_.emplace(event.tenant_id, head.Int(0, 0) + 1).first;
    }
    tenants.push_back(event.tenant_id);
    ids.push_back(next->second++);
    types.push_back(ToString(event.type));
    created.push_back(event.created_at_ms);
    data.push_back(event.data);
  }
  Params params;
  params.AddArray(tenants).AddArray(ids).AddArray(types).AddArray(created).AddArray(data);
  STORE_TRY(connection.Query(kInsertEvents, params));
  // Noted once written: a failed statement leaves the caller's transaction to be rolled back with its notes.
  for (size_t i = 0; i < events.size(); ++i) notes.newest_[tenants[i]] = ids[i];
  return Ok();
}

Result<int64_t> AppendEvent(Connection& connection, EventNotes& notes, int64_t tenant_id, EventType type,
                            std::string_view data, int64_t now_ms) {
  STORE_TRY(AppendEvents(connection, notes, {NewEvent{tenant_id, type, std::string(data), now_ms}}));
  return notes.newest().at(tenant_id);
}

Result<void> FlushEventHeads(Connection& connection, const EventNotes& notes) {
  for (const auto& [tenant_id, newest] : notes.newest_) {
    STORE_TRY(connection.Query(kSetEventHead, Params(tenant_id, newest)));
  }
  return Ok();
}

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PostgresOptions& options,
                                                           const crypto::SecretBox& box) {
  STORE_ASSIGN_OR_RETURN(auto pool, ConnectionPool::Open(options.url, options.connections));
  STORE_ASSIGN_OR_RETURN(auto ingest_connection, Connection::Open(options.url));
  return std::unique_ptr<PostgresStore>(new PostgresStore(options, box, std::move(pool), std::move(ingest_connection)));
}

PostgresStore::PostgresStore(const PostgresOptions& options, const crypto::SecretBox& box,
                             std::unique_ptr<ConnectionPool> pool, std::unique_ptr<Connection> ingest_connection)
    : options_(options),
      box_(box),
      pool_(std::move(pool)),
      ingest_connection_(std::move(ingest_connection)),
      knowledge_(MakePostgresKnowledgeStore(*this)),
      billing_(MakePostgresBillingStore(*this)),
      access_(MakePostgresAccessStore(*this)),
      inbox_(MakePostgresInboxStore(*this)),
      contacts_(MakePostgresContactStore(*this)),
      tenants_(MakePostgresTenantStore(*this)),
      analytics_(MakePostgresAnalyticsStore(*this)),
      team_(MakePostgresTeamStore(*this)),
      events_(MakePostgresEventLog(*this)),
      webhooks_(MakePostgresWebhookStore(*this)),
      media_(MakePostgresMediaRecords(*this)),
      ingest_thread_([this] { IngestLoop(); }) {}

PostgresStore::~PostgresStore() { Close(); }

void PostgresStore::Close() {
  std::lock_guard close_lock(close_mutex_);
  {
    std::lock_guard lock(queue_mutex_);
    closed_ = true;
  }
  queue_cv_.notify_all();
  if (ingest_thread_.joinable()) ingest_thread_.join();  // Drains the queue first.
  ingest_connection_.reset();
  pool_->Close();
}

Result<void> PostgresStore::Migrate() {
  {
    std::lock_guard lock(queue_mutex_);
    if (closed_) return Error::Unavailable("store is closed");
  }
  STORE_ASSIGN_OR_RETURN(auto connection, Connection::Open(options_.url));
  return ApplyMigrations(*connection);
}

void PostgresStore::Announce(const EventNotes& notes) {
  if (!options_.on_events) return;
  for (const auto& [tenant_id, last_id] : notes.newest()) options_.on_events(tenant_id, last_id);
}

Result<Tenant> PostgresStore::CreateTenant(const std::string& name, const NewApiKey& first_key) {
  if (first_key.key_hash.empty()) return Error::InvalidArgument("an API key hash is required");
  Tenant tenant{0, name, NowMs()};
  return Write<Tenant>([&](Connection& db, EventNotes&) -> Result<Tenant> {
    STORE_ASSIGN_OR_RETURN(auto inserted, db.Query(kInsertTenant, Params(tenant.name, tenant.created_at_ms)));
    tenant.id = inserted.Int(0, 0);
    STORE_ASSIGN_OR_RETURN(
        auto key, db.Query(kInsertApiKey, Params(tenant.id, first_key.key_hash, first_key.prefix, tenant.created_at_ms,
                                                 first_key.name, first_key.role)));
    // The tenant's row goes with the rollback.
    if (key.affected() == 0) return Error::Conflict("API key already in use");
    return tenant;
  });
}

StoreHealth PostgresStore::Health() {
  StoreHealth health;
  health.backend = "postgres";
  health.pending_writes = in_flight_.load();
  {
    std::lock_guard lock(queue_mutex_);
    health.pending_writes += static_cast<int64_t>(queue_.size());
  }
  auto alive = Read<void>([](Connection& db) -> Result<void> {
    STORE_TRY(db.Query("SELECT 1"));
    return Ok();
  });
  if (!alive) {
    health.ok = false;
    health.detail = alive.error().message;
  }
  return health;
}

KnowledgeStore& PostgresStore::knowledge() { return *knowledge_; }
BillingStore& PostgresStore::billing() { return *billing_; }
AccessStore& PostgresStore::access() { return *access_; }
InboxStore& PostgresStore::inbox() { return *inbox_; }
ContactStore& PostgresStore::contacts() { return *contacts_; }
TenantStore& PostgresStore::tenants() { return *tenants_; }
AnalyticsStore& PostgresStore::analytics() { return *analytics_; }
TeamStore& PostgresStore::team() { return *team_; }
EventLog& PostgresStore::events() { return *events_; }
WebhookStore& PostgresStore::webhooks() { return *webhooks_; }
MediaRecords& PostgresStore::media() { return *media_; }

}  // namespace parley::store::postgres
