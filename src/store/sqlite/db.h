#pragma once
// A thin RAII layer over the SQLite C API, private to the SQLite backend: one connection with a cache of
// persistent prepared statements, positional binding, and SQLite result codes mapped to parley::Error.
// A Database is not thread-safe: one thread uses it at a time (the writer thread, or the holder of a pooled
// reader).

#include "core/error.h"
#include "store/try.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace parley::store::sqlite {

// Transaction control, for the writer's groups and for migrations.
inline constexpr char kBegin[] = "BEGIN IMMEDIATE";
inline constexpr char kCommit[] = "COMMIT";
inline constexpr char kRollback[] = "ROLLBACK";

// A prepared statement borrowed from a Database's cache. Destruction resets it and clears its bindings, so the
// next borrower starts clean (or finalizes it, for one the cache had no room for). Text is bound without copying:
// bound strings must outlive the Statement.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, std::string&& value) = delete;  // Would dangle: binding does not copy.
  Statement& Bind(int index, const std::optional<std::string>& value);
  Statement& Bind(int index, std::optional<int64_t> value);
  Statement& BindNull(int index);
  Statement& Bind(int index, double value);
  // A BLOB, without copying (same lifetime rule as text).
  Statement& BindBlob(int index, const void* data, size_t size);

  // Advances to the next row. true: a row is available through the column accessors; false: done.
  // Fails with the mapped SQLite error (kConflict for a constraint, kUnavailable for busy/full/I/O).
  Result<bool> Step();
  // Steps to completion, ignoring any rows.
  Result<void> Run();

  int64_t Int(int column) const;
  bool IsNull(int column) const;
  std::optional<int64_t> OptionalInt(int column) const;
  // Valid until the next Step or the Statement's destruction.
  std::string_view Text(int column) const;
  std::string String(int column) const { return std::string(Text(column)); }
  std::optional<std::string> OptionalString(int column) const;
  double Double(int column) const;
  // Valid until the next Step or the Statement's destruction.
  std::string_view Blob(int column) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, sqlite3* db, bool owned) : stmt_(stmt), db_(db), owned_(owned) {}

  sqlite3_stmt* stmt_;
  sqlite3* db_;
  bool owned_;       //!< Not in the cache: finalized on destruction.
  int bind_rc_ = 0;  //!< First binding failure, reported by Step(): binding fails only on a programming error.
};

struct ConnectionOptions {
  std::string synchronous = "full";  //!< off, normal, full or extra.
  int busy_timeout_ms = 5000;        //!< How long to wait for another process's write lock.
  bool query_only = false;           //!< Readers: refuse writes at the SQLite level.
};

class Database {
 public:
  // Opens (creating if needed) the database file in WAL mode with foreign keys on and `options` applied.
  // Fails with kUnavailable when the file cannot be opened, kInvalidArgument for a bad `synchronous` value.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, const ConnectionOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL without parameters or results (pragmas, DDL); several statements allowed; nothing cached.
  Result<void> Exec(const char* sql);
  // Runs one cached statement without parameters, ignoring rows (transaction control on the hot path).
  Result<void> Run(const char* sql);
  // The prepared statement for `sql`, ready to bind. Statements are cached by their text, so the same SQL from
  // any buffer shares one statement, and a buffer reused for other SQL never gets a stale one. Past
  // kMaxCachedStatements distinct texts, a new text gets a statement of its own, finalized with the Statement:
  // SQL built at run time cannot grow the cache without bound. Fails when the SQL does not compile (e.g. the
  // schema is not migrated yet).
  Result<Statement> Prepare(const char* sql);
  // Distinct statements held by the cache.
  size_t CachedStatements() const { return statements_.size(); }
  static constexpr size_t kMaxCachedStatements = 1024;
  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  int64_t Changes() const;
  // Rows changed on this connection since it opened, those of triggers and of virtual tables' own tables included.
  int64_t TotalChanges() const;
  // Row id of the last row inserted on this connection. Hot paths read it (and Changes()) instead of using
  // RETURNING, which SQLite runs through an ephemeral table opened and freed for every statement.
  int64_t LastInsertRowid() const;
  // False once SQLite has rolled a transaction back on its own (after I/O errors or SQLITE_FULL).
  bool InTransaction() const;
  // Replaces SQLite's automatic checkpoint, which runs inside the commit that crosses its threshold, with a call to
  // `on_commit(frames)` after every commit, `frames` being the WAL's length in pages: another thread checkpoints
  // instead (Checkpoint). `on_commit` must be quick and must not use this connection.
  void OnWalCommit(std::function<void(int frames)> on_commit);
  // A PASSIVE checkpoint: copies into the database file the committed WAL frames that no reader still needs,
  // without blocking this process's writer or readers. kUnavailable on an I/O error.
  Result<void> Checkpoint();
  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}

  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> statements_;
  std::function<void(int)> on_wal_commit_;
};

// Maps a SQLite result code (and the connection's message) to a parley::Error.
Error SqliteError(int rc, sqlite3* db);

}  // namespace parley::store::sqlite
