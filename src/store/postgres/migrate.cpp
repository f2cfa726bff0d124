#include "store/postgres/migrate.h"

#include "core/time.h"
#include "store/migration.h"

#include <map>

namespace parley::store::postgres {
namespace {

// Any constant will do, as long as every Parley process uses the same one: "parley" in ASCII.
constexpr char kLockMigrations[] = "SELECT pg_advisory_xact_lock(112971082467705)";
constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
// to_regclass follows the connection's search_path, as the migrations' CREATE TABLE does.
constexpr char kHasMigrationsTable[] = "SELECT to_regclass('schema_migrations') IS NOT NULL";
constexpr char kAppliedMigrations[] = "SELECT version, name, applied_at FROM schema_migrations ORDER BY version";
constexpr char kNewestApplied[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
constexpr char kMigrationApplied[] = "SELECT 1 FROM schema_migrations WHERE version = $1";
constexpr char kRecordMigration[] = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";

// Runs `fn` in a transaction holding the migration lock; rolls back on failure.
template <class Fn>
Result<void> Locked(Connection& connection, Fn&& fn) {
  STORE_TRY(connection.Execute(kBegin));
  Result<void> result = connection.Execute(kLockMigrations);
  if (result) result = fn();
  if (result) result = connection.Execute(kCommit);
  if (!result && connection.InTransaction()) (void)connection.Execute(kRollback);
  return result;
}

}  // namespace

int NewestKnownVersion() { return Migrations().empty() ? 0 : Migrations().back().version; }

Result<void> ApplyMigrations(Connection& connection) {
  STORE_TRY(Locked(connection, [&]() -> Result<void> {
    STORE_TRY(connection.Execute(kCreateMigrationsTable));
    STORE_ASSIGN_OR_RETURN(auto newest, connection.Query(kNewestApplied));
    const int64_t applied = newest.Int(0, 0);
    if (applied > NewestKnownVersion()) {
      return Error::Conflict("the database's schema is at version " + std::to_string(applied) +
                             ", newer than this Parley knows (" + std::to_string(NewestKnownVersion()) +
                             "): run the Parley that wrote it, or restore a backup taken before the upgrade");
    }
    return Ok();
  }));
  for (const Migration& migration : Migrations()) {
    auto applied = Locked(connection, [&]() -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto done, connection.Query(kMigrationApplied, Params(migration.version)));
      if (!done.empty()) return Ok();  // Another process applied it first.
      STORE_TRY(connection.Execute(migration.sql));
      STORE_TRY(connection.Query(kRecordMigration, Params(migration.version, migration.name, NowMs())));
      return Ok();
    });
    if (!applied) {
      Error error = applied.error();
      error.detail = "migration " + std::string(migration.name) + ": " + error.detail;
      return error;
    }
  }
  return Ok();
}

Result<std::vector<MigrationStatus>> ReadMigrationStatus(Connection& connection) {
  std::map<int, MigrationStatus> by_version;
  for (const Migration& migration : Migrations()) {
    by_version[migration.version] = {migration.version, std::string(migration.name), std::nullopt, true};
  }
  STORE_TRY(connection.Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  auto read = [&]() -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto has_table, connection.Query(kHasMigrationsTable));
    if (!has_table.Bool(0, 0)) return Ok();
    STORE_ASSIGN_OR_RETURN(auto applied, connection.Query(kAppliedMigrations));
    for (int i = 0; i < applied.size(); ++i) {
      const int version = static_cast<int>(applied.Int(i, 0));
      auto [it, inserted] = by_version.try_emplace(version, MigrationStatus{version, applied.String(i, 1), {}, false});
      it->second.applied_at_ms = applied.Int(i, 2);
    }
    return Ok();
  };
  Result<void> done = read();
  (void)connection.Execute(done ? kCommit : kRollback);
  if (!done) return done.error();
  std::vector<MigrationStatus> statuses;
  for (auto& [version, status] : by_version) statuses.push_back(std::move(status));
  return statuses;
}

}  // namespace parley::store::postgres
