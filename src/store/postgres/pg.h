#pragma once
// A thin RAII layer over libpq, private to the PostgreSQL backend: one connection, statements prepared once per
// connection and run with positional parameters ($1, $2, …) sent apart from the SQL text (never spliced into it),
// and PostgreSQL's SQLSTATE codes mapped to parley::Error. A Connection is not thread-safe: one thread uses it at a
// time (whoever holds its lease from the pool, pool.h).

#include "core/error.h"
#include "store/try.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace parley::store::postgres {

// PostgreSQL's text form of an array of ids, {1,2,3}: a statement's parameter to cast ($1::bigint[]).
std::string IdArray(const std::vector<int64_t>& ids);

// The parameters of one statement, in order ($1 first), in PostgreSQL's text format. Values are copied.
class Params {
 public:
  Params() = default;
  template <class... Values>
  explicit Params(const Values&... values) {
    (Add(values), ...);
  }

  Params& Add(int64_t value) { return AddText(std::to_string(value)); }
  Params& Add(int value) { return Add(static_cast<int64_t>(value)); }
  Params& Add(bool value) { return AddText(value ? "t" : "f"); }
  Params& Add(double value);
  Params& Add(std::string_view value) { return AddText(std::string(value)); }
  Params& Add(const std::string& value) { return AddText(value); }
  Params& Add(const char* value) { return AddText(value); }
  Params& Add(std::nullopt_t) { return AddNull(); }
  template <class T>
  Params& Add(const std::optional<T>& value) {
    return value ? Add(*value) : AddNull();
  }
  Params& AddNull();
  // A BYTEA value, sent in PostgreSQL's hex text form.
  Params& AddBytes(std::string_view bytes);
  // Arrays, in PostgreSQL's text form of one ({1,2} or {"a","b\"c"}): cast the parameter in the SQL
  // ($1::bigint[], $1::text[], $1::bytea[]) and read it with unnest(), so that a statement takes any number of rows.
  Params& AddArray(const std::vector<int64_t>& values);
  Params& AddArray(const std::vector<std::string_view>& values);
  // Elements may be NULL; also for the arrays of other types a statement casts from text ($1::int[],
  // $1::boolean[], $1::jsonb[]).
  Params& AddArray(const std::vector<std::optional<std::string>>& values);
  Params& AddArray(const std::vector<std::optional<int64_t>>& values);
  Params& AddBytesArray(const std::vector<std::string_view>& values);  //!< Each element as AddBytes sends it.

  int size() const { return static_cast<int>(values_.size()); }
  // For libpq: the values (nullptr for NULL).
  std::vector<const char*> Pointers() const;

 private:
  Params& AddText(std::string value);
  std::vector<std::optional<std::string>> values_;
};

// The rows a statement returned (possibly none). Columns are read in text format and converted.
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* result);
  Rows(Rows&&) noexcept = default;
  Rows& operator=(Rows&&) noexcept = default;

  int size() const;
  bool empty() const { return size() == 0; }
  // Rows an INSERT, UPDATE or DELETE touched (what RETURNING would have listed).
  int64_t affected() const;

  bool IsNull(int row, int column) const;
  std::string_view Text(int row, int column) const;
  std::string String(int row, int column) const { return std::string(Text(row, column)); }
  std::optional<std::string> OptionalString(int row, int column) const;
  int64_t Int(int row, int column) const;
  std::optional<int64_t> OptionalInt(int row, int column) const;
  bool Bool(int row, int column) const;  //!< A BOOLEAN column ('t' or 'f').
  double Double(int row, int column) const;
  std::string Bytes(int row, int column) const;  //!< A BYTEA column, decoded.

 private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

// SQLSTATE codes the backend acts on.
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kUniqueViolation = "23505";

// How long opening a connection may take when the URL sets no connect_timeout (libpq's default is to wait forever,
// so an unreachable host blocked opening the store, and a pool's borrower, for as long as TCP retries). A server that
// answers at all does so in milliseconds; 5 s leaves room for one that is starting or swamped. libpq applies it to
// each of a host name's addresses in turn.
inline constexpr int kDefaultConnectTimeoutSeconds = 5;

class Connection {
 public:
  // Connects to `url` (postgresql://user@host:port/database?options…), giving up after the URL's connect_timeout or
  // else kDefaultConnectTimeoutSeconds. kUnavailable when the server cannot be reached in time or refuses.
  static Result<std::unique_ptr<Connection>> Open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql`, a statement of the backend's own (a constant: it is prepared on this connection on first use and
  // kept by its text), with `params`. Errors: kConflict for a constraint violated (unique, check, foreign key),
  // kUnavailable for a lost connection, a serialization failure or a deadlock (LastSqlState tells which),
  // kInternal otherwise; the detail names the SQLSTATE and PostgreSQL's message, never a parameter's value.
  Result<Rows> Query(std::string_view sql, const Params& params = Params());
  // Runs `sql` with no parameters, possibly several statements (migrations, BEGIN, COMMIT).
  Result<void> Execute(std::string_view sql);

  // The SQLSTATE of the last failed call, empty after a success.
  const std::string& LastSqlState() const { return last_sql_state_; }
  // False once the connection to the server is lost: the pool then drops it.
  bool Healthy() const;
  // In a transaction block (or a failed one): a lease returned in this state is rolled back first.
  bool InTransaction() const;

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  Result<Rows> Check(pg_result* result, std::string_view what);

  pg_conn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name on this connection.
  std::string last_sql_state_;
};

// Transaction control.
inline constexpr char kBegin[] = "BEGIN";
inline constexpr char kCommit[] = "COMMIT";
inline constexpr char kRollback[] = "ROLLBACK";

}  // namespace parley::store::postgres
