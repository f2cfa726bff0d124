// SqliteStore itself: opening and closing the connections and threads, the pool of readers, migrations, tenants.
// The rest of the backend lives by job beside it: group_commit.cpp (the writer, syncer and checkpointer threads),
// ingest.cpp (webhook payloads), claims.cpp (claims and replies), outbox.cpp (sending), inbox.cpp,
// channel_store.cpp and the knowledge, billing and access stores.

#include "store/sqlite/sqlite_store.h"

#include "store/sqlite/access_store.h"
#include "store/sqlite/analytics_store.h"
#include "store/sqlite/billing_store.h"
#include "store/sqlite/contact_store.h"
#include "store/sqlite/event_log.h"
#include "store/sqlite/inbox_store.h"
#include "store/sqlite/knowledge_store.h"
#include "store/sqlite/media_records.h"
#include "store/sqlite/oauth_flow_store.h"
#include "store/sqlite/search_indexer.h"
#include "store/sqlite/team_store.h"
#include "store/sqlite/tenant_store.h"
#include "store/sqlite/webhook_store.h"
#include "store/sqlite/writer.h"

#include "core/time.h"
#include "store/migration.h"
#include "store/sqlite/maintenance.h"

#include <unistd.h>

#include <mutex>
#include <utility>

namespace parley::store::sqlite {
namespace {

constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";
constexpr char kMigrationApplied[] = "SELECT 1 FROM schema_migrations WHERE version = ?1";
constexpr char kRecordMigration[] = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";
constexpr char kForeignKeysOff[] = "PRAGMA foreign_keys = OFF";
constexpr char kForeignKeyCheck[] = "PRAGMA foreign_key_check";

constexpr char kInsertTenant[] = "INSERT INTO tenants (name, created_at) VALUES (?1, ?2) RETURNING id";
constexpr char kInsertApiKey[] =
    "INSERT INTO api_keys (tenant_id, key_hash, prefix, created_at, name, role) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

// Runs `fn` in a BEGIN IMMEDIATE transaction on `db`, rolling back on failure.
template <class Fn>
Result<void> InTransaction(Database& db, Fn&& fn) {
  if (auto begin = db.Run(kBegin); !begin) return begin.error();
  Result<void> result = fn();
  if (result) result = db.Run(kCommit);
  if (!result && db.InTransaction()) (void)db.Run(kRollback);
  return result;
}

}  // namespace

SqliteStore::ReaderLease::~ReaderLease() {
  if (!db_) return;
  std::lock_guard lock(store_->readers_mutex_);
  store_->idle_readers_.push_back(std::move(db_));
  --store_->readers_out_;
  store_->readers_cv_.notify_all();
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options, const crypto::SecretBox& box) {
  if (options.readers < 1) return Error::InvalidArgument("the sqlite store needs at least one reader");
  // The writer opens first: it switches the file to WAL mode, which the readers then share. With full
  // durability the writer commits at NORMAL and the syncer thread adds the fsync (see SyncerLoop).
  const bool deferred_sync = options.synchronous == "full" || options.synchronous == "extra";
  ConnectionOptions write_options{deferred_sync ? std::string("normal") : options.synchronous, options.busy_timeout_ms,
                                  false};
  STORE_ASSIGN_OR_RETURN(auto write_db, Database::Open(options.path, write_options));
  STORE_ASSIGN_OR_RETURN(auto checkpoint_db, Database::Open(options.path, write_options));
  std::vector<std::unique_ptr<Database>> readers;
  ConnectionOptions read_options{options.synchronous, options.busy_timeout_ms, true};
  for (int i = 0; i < options.readers; ++i) {
    STORE_ASSIGN_OR_RETURN(auto reader, Database::Open(options.path, read_options));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(options, box, std::make_unique<Writer>(std::move(write_db)),
                                                      std::move(checkpoint_db), std::move(readers)));
}

SqliteStore::SqliteStore(const SqliteOptions& options, const crypto::SecretBox& box, std::unique_ptr<Writer> writer,
                         std::unique_ptr<Database> checkpoint_db, std::vector<std::unique_ptr<Database>> readers)
    : options_(options),
      box_(box),
      idle_readers_(std::move(readers)),
      deferred_sync_(options.synchronous == "full" || options.synchronous == "extra"),
      checkpoint_db_(std::move(checkpoint_db)),
      writer_(std::move(writer)),
      knowledge_(MakeSqliteKnowledgeStore(*this)),
      billing_(MakeSqliteBillingStore(*this)),
      access_(MakeSqliteAccessStore(*this)),
      inbox_(MakeSqliteInboxStore(*this)),
      contacts_(MakeSqliteContactStore(*this)),
      tenants_(MakeSqliteTenantStore(*this)),
      analytics_(MakeSqliteAnalyticsStore(*this)),
      team_(MakeSqliteTeamStore(*this)),
      events_(MakeSqliteEventLog(*this)),
      webhooks_(MakeSqliteWebhookStore(*this)),
      media_(MakeSqliteMediaRecords(*this)),
      oauth_flows_(MakeSqliteOAuthFlowStore(*this)),
      search_indexer_(std::make_unique<SearchIndexer>(*this)),
      checkpointer_thread_([this] { CheckpointerLoop(); }),
      syncer_thread_([this] { SyncerLoop(); }),
      writer_thread_([this] { WriterLoop(); }) {}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Close() {
  std::lock_guard close_lock(close_mutex_);
  search_indexer_->Stop();  // It writes through the writer, which closes next.
  {
    std::lock_guard lock(queue_mutex_);
    closed_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();  // Drains the queue first.
  {
    std::lock_guard lock(sync_mutex_);
    sync_closed_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_thread_.joinable()) syncer_thread_.join();  // Acknowledges what the writer committed last.
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_closed_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpointer_thread_.joinable()) checkpointer_thread_.join();
  checkpoint_db_.reset();
  if (wal_fd_ >= 0) ::close(wal_fd_);
  wal_fd_ = -1;
  writer_.reset();
  std::unique_lock lock(readers_mutex_);
  readers_closed_ = true;
  readers_cv_.wait(lock, [&] { return readers_out_ == 0; });
  idle_readers_.clear();
}

Result<void> SqliteStore::Read(const std::function<Result<void>(Database&)>& fn) {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  return fn(*reader);
}

KnowledgeStore& SqliteStore::knowledge() { return *knowledge_; }
AccessStore& SqliteStore::access() { return *access_; }
InboxStore& SqliteStore::inbox() { return *inbox_; }
ContactStore& SqliteStore::contacts() { return *contacts_; }
WebhookStore& SqliteStore::webhooks() { return *webhooks_; }
MediaRecords& SqliteStore::media() { return *media_; }
OAuthFlowStore& SqliteStore::oauth_flows() { return *oauth_flows_; }
TenantStore& SqliteStore::tenants() { return *tenants_; }
AnalyticsStore& SqliteStore::analytics() { return *analytics_; }
TeamStore& SqliteStore::team() { return *team_; }

BillingStore& SqliteStore::billing() { return *billing_; }

Result<SqliteStore::ReaderLease> SqliteStore::AcquireReader() {
  std::unique_lock lock(readers_mutex_);
  readers_cv_.wait(lock, [&] { return !idle_readers_.empty() || readers_closed_; });
  if (readers_closed_) return ClosedError();
  std::unique_ptr<Database> db = std::move(idle_readers_.back());
  idle_readers_.pop_back();
  ++readers_out_;
  return ReaderLease(this, std::move(db));
}

Result<void> SqliteStore::Migrate() {
  {
    std::lock_guard lock(queue_mutex_);
    if (closed_) return ClosedError();
  }
  ConnectionOptions connection_options{options_.synchronous, options_.busy_timeout_ms, false};
  STORE_ASSIGN_OR_RETURN(auto db, Database::Open(options_.path, connection_options));
  // A migration that rebuilds a table (create the new one, copy, drop the old, rename) must not have the DROP
  // cascade into the rows that reference it: foreign keys are enforced on this connection only at the end of each
  // migration, by foreign_key_check, before it commits.
  STORE_TRY(db->Exec(kForeignKeysOff));
  STORE_TRY(db->Exec(kCreateMigrationsTable));
  STORE_TRY(RefuseNewerSchema(*db));
  for (const Migration& migration : Migrations()) {
    auto applied = InTransaction(*db, [&]() -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto check, db->Prepare(kMigrationApplied));
      check.Bind(1, migration.version);
      STORE_ASSIGN_OR_RETURN(bool done, check.Step());
      if (done) return Ok();  // Another process applied it first.
      std::string sql(migration.sql);
      STORE_TRY(db->Exec(sql.c_str()));
      STORE_ASSIGN_OR_RETURN(auto keys, db->Prepare(kForeignKeyCheck));
      STORE_ASSIGN_OR_RETURN(bool violated, keys.Step());
      if (violated) return Error::Internal("foreign key violated in table " + keys.String(0));
      STORE_ASSIGN_OR_RETURN(auto record, db->Prepare(kRecordMigration));
      return record.Bind(1, migration.version).Bind(2, migration.name).Bind(3, NowMs()).Run();
    });
    if (!applied) {
      Error error = applied.error();
      error.detail = "migration " + std::string(migration.name) + ": " + error.detail;
      return error;
    }
  }
  search_indexer_->Start();  // Needs the schema: messages written before (or by another process) are caught up.
  return Ok();
}

Result<Tenant> SqliteStore::CreateTenant(const std::string& name, const NewApiKey& first_key) {
  if (first_key.key_hash.empty()) return Error::InvalidArgument("an API key hash is required");
  Tenant tenant{0, name, NowMs()};
  return WriteSync<Tenant>([&](Writer& w) -> Result<Tenant> {
    STORE_ASSIGN_OR_RETURN(auto insert, w.db().Prepare(kInsertTenant));
    STORE_TRY(insert.Bind(1, tenant.name).Bind(2, tenant.created_at_ms).Step());
    tenant.id = insert.Int(0);
    STORE_ASSIGN_OR_RETURN(auto key, w.db().Prepare(kInsertApiKey));
    key.Bind(1, tenant.id).Bind(2, first_key.key_hash).Bind(3, first_key.prefix).Bind(4, tenant.created_at_ms);
    auto stored = key.Bind(5, first_key.name).Bind(6, first_key.role).Run();
    if (!stored && stored.error().code == ErrorCode::kConflict) return Error::Conflict("API key already in use");
    if (!stored) return stored.error();
    return tenant;
  });
}

}  // namespace parley::store::sqlite
