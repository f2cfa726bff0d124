#include "store/sqlite/db.h"

#include <sqlite3.h>

#include <string>

namespace parley::store::sqlite {

Error SqliteError(int rc, sqlite3* db) {
  std::string detail = std::string("sqlite: ") + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return {ErrorCode::kConflict, "conflicts with existing data", std::move(detail)};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
      return Error::Unavailable("storage unavailable", std::move(detail));
    default:
      return Error::Internal(std::move(detail));
  }
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(other.stmt_), db_(other.db_), owned_(other.owned_), bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  // SQLITE_STATIC: no copy; the class contract makes the caller keep `value` alive.
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, std::string_view(*value)) : BindNull(index);
}

Statement& Statement::Bind(int index, std::optional<int64_t> value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return SqliteError(bind_rc_, db_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(rc, db_);
}

Result<void> Statement::Run() {
  while (true) {
    auto row = Step();
    if (!row) return row.error();
    if (!*row) return Ok();
  }
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

Statement& Statement::Bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::BindBlob(int index, const void* data, size_t size) {
  int rc = sqlite3_bind_blob64(stmt_, index, data, size, SQLITE_STATIC);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string_view Statement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  if (blob == nullptr) return {};
  return {static_cast<const char*>(blob), static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string_view Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::optional<std::string> Statement::OptionalString(int column) const {
  if (IsNull(column)) return std::nullopt;
  return String(column);
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, const ConnectionOptions& options) {
  const std::string& sync = options.synchronous;
  if (sync != "off" && sync != "normal" && sync != "full" && sync != "extra") {
    return Error::InvalidArgument("sqlite synchronous must be off, normal, full or extra");
  }
  sqlite3* raw = nullptr;
  // NOMUTEX: each connection is used by one thread at a time (the class contract), so SQLite's own locking
  // would be pure overhead.
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error error = SqliteError(rc, raw);
    sqlite3_close_v2(raw);
    return error;
  }
  std::unique_ptr<Database> db(new Database(raw));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // temp_store = MEMORY keeps savepoint sub-journals (one per grouped write) off temporary files. The page cache
  // (64 MiB instead of SQLite's 2 MiB) keeps the hot indexes of a busy inbox in memory.
  std::string pragmas =
      "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
      " PRAGMA cache_size = -65536; PRAGMA synchronous = " +
      sync + ";";
  if (options.query_only) pragmas += " PRAGMA query_only = ON;";
  if (auto r = db->Exec(pragmas.c_str()); !r) return r.error();
  return db;
}

Database::~Database() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void Database::OnWalCommit(std::function<void(int frames)> on_commit) {
  on_wal_commit_ = std::move(on_commit);
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int frames) {
        static_cast<Database*>(self)->on_wal_commit_(frames);
        return SQLITE_OK;
      },
      this);
}

Result<void> Database::Checkpoint() {
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  // BUSY: another process's checkpoint holds the lock; it does the same work.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return SqliteError(rc, db_);
  return Ok();
}

Result<void> Database::Exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  sqlite3_free(message);  // The same text is available from sqlite3_errmsg.
  if (rc != SQLITE_OK) return SqliteError(rc, db_);
  return Ok();
}

Result<Statement> Database::Prepare(const char* sql) {
  const std::string_view text(sql);
  if (auto it = statements_.find(text); it != statements_.end()) return Statement(it->second, db_, false);
  const bool cached = statements_.size() < kMaxCachedStatements;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, text.data(), static_cast<int>(text.size()), cached ? SQLITE_PREPARE_PERSISTENT : 0,
                              &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, db_);
  if (cached) statements_.emplace(text, stmt);
  return Statement(stmt, db_, !cached);
}

Result<void> Database::Run(const char* sql) {
  STORE_ASSIGN_OR_RETURN(auto stmt, Prepare(sql));
  return stmt.Run();
}

int64_t Database::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

int64_t Database::TotalChanges() const { return sqlite3_total_changes64(db_); }

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace parley::store::sqlite
