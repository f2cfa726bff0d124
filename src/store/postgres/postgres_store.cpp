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
#include "store/oauth_flow_store.h"
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
// Each tenant's head advanced by its number of events, rows locked in tenant order (so that two transactions
// writing events of the same tenants wait for each other rather than deadlock) until the transaction ends; the head
// row is made at a tenant's first event.
constexpr char kAdvanceEventHeads[] =
    "INSERT INTO event_heads AS h (tenant_id, last_id)"
    " SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS u(tenant_id, added) ORDER BY tenant_id"
    " ON CONFLICT (tenant_id) DO UPDATE SET last_id = h.last_id + EXCLUDED.last_id RETURNING tenant_id, last_id";
constexpr char kInsertEvents[] =
    "INSERT INTO events (tenant_id, id, type, created_at, data)"
    " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[])";

}  // namespace

void AppendEvents(EventNotes& notes, std::vector<NewEvent> events) {
  notes.pending_.insert(notes.pending_.end(), std::make_move_iterator(events.begin()),
                        std::make_move_iterator(events.end()));
}

void AppendEvent(EventNotes& notes, int64_t tenant_id, EventType type, std::string_view data, int64_t now_ms) {
  notes.pending_.push_back(NewEvent{tenant_id, type, std::string(data), now_ms});
}

Result<void> WriteEvents(Connection& connection, EventNotes& notes) {
  if (notes.pending_.empty()) return Ok();
  std::map<int64_t, int64_t> added;  // Tenant -> its events, in tenant order.
  for (const NewEvent& event : notes.pending_) ++added[event.tenant_id];
  std::vector<int64_t> head_tenants, counts;
  for (const auto& [tenant_id, count] : added) {
    head_tenants.push_back(tenant_id);
    counts.push_back(count);
  }
  Params heads;
  heads.AddArray(head_tenants).AddArray(counts);
  STORE_ASSIGN_OR_RETURN(auto advanced, connection.Query(kAdvanceEventHeads, heads));
  if (advanced.size() != static_cast<int>(added.size())) return Error::Internal("event heads not advanced");
  std::map<int64_t, int64_t> next;  // Tenant -> the id its next event takes.
  for (int i = 0; i < advanced.size(); ++i) {
    const int64_t tenant_id = advanced.Int(i, 0);
    next[tenant_id] = advanced.Int(i, 1) - added.at(tenant_id) + 1;
  }
  std::vector<int64_t> tenants, ids, created;
  std::vector<std::string_view> types, data;
  for (const NewEvent& event : notes.pending_) {
    tenants.push_back(event.tenant_id);
    ids.push_back(next.at(event.tenant_id)++);
    types.push_back(ToString(event.type));
    created.push_back(event.created_at_ms);
    data.push_back(event.data);
  }
  Params params;
  params.AddArray(tenants).AddArray(ids).AddArray(types).AddArray(created).AddArray(data);
  STORE_TRY(connection.Query(kInsertEvents, params));
  // Noted once written: a failed statement leaves the caller's transaction to be rolled back with its notes.
  for (const auto& [tenant_id, after_last] : next) notes.newest_[tenant_id] = after_last - 1;
  notes.pending_.clear();
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
      oauth_flows_(MakePostgresOAuthFlowStore(*this)),
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
OAuthFlowStore& PostgresStore::oauth_flows() { return *oauth_flows_; }

}  // namespace parley::store::postgres
