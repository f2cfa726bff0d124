#include "store/sqlite/maintenance.h"

#include "store/migration.h"

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <memory>

namespace parley::store::sqlite {
namespace {

constexpr char kHasMigrationsTable[] =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
constexpr char kAppliedMigrations[] = "SELECT version, name, applied_at FROM schema_migrations ORDER BY version";
constexpr char kNewestApplied[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, Closer>;

// Opens `path` without creating it and without changing it (no journal-mode or other pragma writes).
Result<Connection> OpenReadOnly(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection db(raw);
  if (rc != SQLITE_OK) return Error::Unavailable("cannot open " + path + ": " + sqlite3_errstr(rc));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

}  // namespace

int NewestKnownVersion() { return Migrations().empty() ? 0 : Migrations().back().version; }

Result<std::vector<MigrationStatus>> ReadMigrationStatus(const std::string& path) {
  std::map<int, MigrationStatus> by_version;
  for (const Migration& migration : Migrations()) {
    by_version[migration.version] = {migration.version, std::string(migration.name), std::nullopt, true};
  }
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto db = Database::Open(path, {.busy_timeout_ms = 5000, .query_only = true});
    if (!db) return db.error();
    auto has_table = (*db)->Prepare(kHasMigrationsTable);
    if (!has_table) return has_table.error();
    auto found = has_table->Step();
    if (!found) return found.error();
    if (*found) {
      auto applied = (*db)->Prepare(kAppliedMigrations);
      if (!applied) return applied.error();
      while (true) {
        auto row = applied->Step();
        if (!row) return row.error();
        if (!*row) break;
        const int version = static_cast<int>(applied->Int(0));
        auto [it, inserted] = by_version.try_emplace(version, MigrationStatus{version, applied->String(1), {}, false});
        it->second.applied_at_ms = applied->Int(2);
      }
    }
  }
  std::vector<MigrationStatus> statuses;
  for (auto& [version, status] : by_version) statuses.push_back(std::move(status));
  return statuses;
}

Result<void> RefuseNewerSchema(Database& db) {
  auto newest = db.Prepare(kNewestApplied);
  if (!newest) return newest.error();
  auto row = newest->Step();
  if (!row) return row.error();
  const int64_t applied = newest->Int(0);
  if (applied > NewestKnownVersion()) {
    return Error::Conflict("the database's schema is at version " + std::to_string(applied) +
                           ", newer than this Parley knows (" + std::to_string(NewestKnownVersion()) +
                           "): run the Parley that wrote it, or restore a backup taken before the upgrade");
  }
  return Ok();
}

Result<int64_t> BackupDatabase(const std::string& source, const std::string& destination) {
  std::error_code ec;
  if (!std::filesystem::exists(source, ec)) return Error::NotFound("there is no database at " + source);
  if (std::filesystem::exists(destination, ec)) return Error::Conflict(destination + " already exists");
  auto from = OpenReadOnly(source);
  if (!from) return from.error();
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(destination.c_str(), &raw,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection to(raw);
  if (opened != SQLITE_OK) return Error::Unavailable("cannot create " + destination + ": " + sqlite3_errstr(opened));
  sqlite3_backup* backup = sqlite3_backup_init(to.get(), "main", from->get(), "main");
  if (backup == nullptr) return Error::Unavailable(std::string("cannot start the backup: ") + sqlite3_errmsg(to.get()));
  // One step copies every page inside one read transaction of the source: the copy is the database as it was when
  // the step began, and in WAL mode the server's writer is never blocked by it.
  const int stepped = sqlite3_backup_step(backup, -1);
  const int finished = sqlite3_backup_finish(backup);
  if (stepped != SQLITE_DONE || finished != SQLITE_OK) {
    to.reset();
    std::filesystem::remove(destination, ec);
    return Error::Unavailable(std::string("the backup failed: ") +
                              sqlite3_errstr(stepped != SQLITE_DONE ? stepped : finished));
  }
  to.reset();
  const auto bytes = std::filesystem::file_size(destination, ec);
  if (ec) return Error::Unavailable("cannot read the size of " + destination + ": " + ec.message());
  return static_cast<int64_t>(bytes);
}

Result<void> CheckIntegrity(const std::string& path) {
  auto db = OpenReadOnly(path);
  if (!db) return db.error();
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db->get(), "PRAGMA quick_check", -1, &raw, nullptr) != SQLITE_OK) {
    return Error::InvalidArgument(path + " is not a SQLite database: " + sqlite3_errmsg(db->get()));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> check(raw, sqlite3_finalize);
  if (sqlite3_step(check.get()) != SQLITE_ROW) {
    return Error::InvalidArgument(path + " cannot be checked: " + sqlite3_errmsg(db->get()));
  }
  const std::string verdict(reinterpret_cast<const char*>(sqlite3_column_text(check.get(), 0)));
  if (verdict != "ok") return Error::InvalidArgument(path + " is damaged: " + verdict);
  return Ok();
}

}  // namespace parley::store::sqlite
