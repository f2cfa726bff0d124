#include "store/postgres/pg.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdio>

namespace parley::store::postgres {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// PostgreSQL's message for a failed result or connection, on one line.
std::string OneLine(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

// BYTEA's hex text form: \x and two hex digits a byte.
std::string HexBytes(std::string_view bytes) {
  std::string hex = "\\x";
  hex.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    hex += kHexDigits[c >> 4];
    hex += kHexDigits[c & 0xf];
  }
  return hex;
}

// One element of an array's text form, double-quoted so that commas, braces, spaces and the word NULL are plain
// text; a backslash or a double quote inside is escaped with a backslash.
void AppendQuotedElement(std::string& text, std::string_view element) {
  text += '"';
  for (char c : element) {
    if (c == '"' || c == '\\') text += '\\';
    text += c;
  }
  text += '"';
}

}  // namespace

Params& Params::Add(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return AddText(std::string(buffer, end));
}

Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::AddBytes(std::string_view bytes) { return AddText(HexBytes(bytes)); }

std::string IdArray(const std::vector<int64_t>& ids) {
  std::string text = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(ids[i]);
  }
  text += '}';
  return text;
}

Params& Params::AddArray(const std::vector<int64_t>& values) { return AddText(IdArray(values)); }

Params& Params::AddArray(const std::vector<std::string_view>& values) {
  std::string text = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ',';
    AppendQuotedElement(text, values[i]);
  }
  text += '}';
  return AddText(std::move(text));
}

Params& Params::AddArray(const std::vector<std::optional<std::string>>& values) {
  std::string text = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ',';
    if (values[i]) {
      AppendQuotedElement(text, *values[i]);
    } else {
      text += "NULL";
    }
  }
  text += '}';
  return AddText(std::move(text));
}

Params& Params::AddArray(const std::vector<std::optional<int64_t>>& values) {
  std::vector<std::optional<std::string>> texts;
  texts.reserve(values.size());
  for (const std::optional<int64_t>& value : values) {
    texts.push_back(value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt);
  }
  return AddArray(texts);
}

Params& Params::AddBytesArray(const std::vector<std::string_view>& values) {
  std::string text = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ',';
    AppendQuotedElement(text, HexBytes(values[i]));
  }
  text += '}';
  return AddText(std::move(text));
}

Params& Params::AddText(std::string value) {
  values_.emplace_back(std::move(value));
  return *this;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
  return pointers;
}

void Rows::Clear::operator()(pg_result* result) const { PQclear(result); }

Rows::Rows(pg_result* result) : result_(result) {}

int Rows::size() const { return result_ ? PQntuples(result_.get()) : 0; }

int64_t Rows::affected() const {
  if (!result_) return 0;
  const char* count = PQcmdTuples(result_.get());
  int64_t n = 0;
  std::from_chars(count, count + std::char_traits<char>::length(count), n);
  return n;
}

bool Rows::IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }

std::string_view Rows::Text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column), static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

std::optional<std::string> Rows::OptionalString(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return String(row, column);
}

int64_t Rows::Int(int row, int column) const {
  std::string_view text = Text(row, column);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::optional<int64_t> Rows::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

bool Rows::Bool(int row, int column) const { return Text(row, column) == "t"; }

double Rows::Double(int row, int column) const {
  std::string text = String(row, column);
  return std::strtod(text.c_str(), nullptr);
}

std::string Rows::Bytes(int row, int column) const {
  std::string_view text = Text(row, column);
  std::string bytes;
  if (!text.starts_with("\\x")) return bytes;  // bytea_output = hex is PostgreSQL's default since 9.0.
  bytes.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i + 1 < text.size(); i += 2) {
    bytes += static_cast<char>(HexValue(text[i]) << 4 | HexValue(text[i + 1]));
  }
  return bytes;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  // The default connect_timeout comes before the URL, which overrides it when it sets one (expand_dbname).
  const std::string timeout = std::to_string(kDefaultConnectTimeoutSeconds);
  const char* const keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* const values[] = {timeout.c_str(), url.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Error::Unavailable("cannot connect to PostgreSQL", "out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string detail = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return Error::Unavailable("cannot connect to PostgreSQL", detail);
  }
  // Notices (e.g. "relation already exists, skipping") are of no use to a server's log.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

bool Connection::InTransaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

Result<Rows> Connection::Check(pg_result* raw, std::string_view what) {
  Rows rows(raw);
  const ExecStatusType status = raw != nullptr ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    last_sql_state_.clear();
    return rows;
  }
  const char* state = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  last_sql_state_ = state != nullptr ? state : "";
  // The primary message only: DETAIL may quote the values of a violated key.
  std::string detail =
      std::string(what) + ": " +
      (raw != nullptr ? OneLine(PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY)) : OneLine(PQerrorMessage(conn_)));
  if (!last_sql_state_.empty()) detail += " (SQLSTATE " + last_sql_state_ + ")";
  if (last_sql_state_.starts_with("23")) return Error{ErrorCode::kConflict, "constraint violated", detail};
  if (!Healthy() || last_sql_state_.starts_with("08") || last_sql_state_ == kSerializationFailure ||
      last_sql_state_ == kDeadlockDetected || last_sql_state_.starts_with("53") || last_sql_state_.starts_with("57")) {
    return Error::Unavailable("the database is unavailable", detail);
  }
  return Error::Internal(detail);
}

Result<Rows> Connection::Query(std::string_view sql, const Params& params) {
  std::string key(sql);
  auto it = prepared_.find(key);
  if (it == prepared_.end()) {
    // Appended rather than "s" + …: g++ 12 at -O3 warns on the concatenation (a -Wrestrict false positive).
    std::string name = "s";
    name += std::to_string(prepared_.size() + 1);
    STORE_TRY(Check(PQprepare(conn_, name.c_str(), key.c_str(), 0, nullptr), "prepare"));
    it = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  std::vector<const char*> values = params.Pointers();
  return Check(PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(), nullptr, nullptr, 0), "query");
}

Result<void> Connection::Execute(std::string_view sql) {
  std::string text(sql);
  STORE_TRY(Check(PQexec(conn_, text.c_str()), "execute"));
  return Ok();
}

}  // namespace parley::store::postgres
