// Users, sessions, password resets, API keys and the audit log on PostgreSQL. The rules are the SQLite backend's
// (sqlite/access_store.cpp).

#include "store/access_store.h"
#include "core/time.h"
#include "store/page_cursor.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/postgres/sub_stores.h"

namespace parley::store::postgres {
namespace {

constexpr char kInsertUser[] =
    "INSERT INTO users (tenant_id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    " RETURNING " PG_USER_COLUMNS;
constexpr char kUserByEmail[] = "SELECT " PG_USER_COLUMNS " FROM users WHERE email = $1";
constexpr char kUserOfTenant[] = "SELECT " PG_USER_COLUMNS " FROM users WHERE id = $1 AND tenant_id = $2";
constexpr char kUsersOfTenant[] = "SELECT " PG_USER_COLUMNS " FROM users WHERE tenant_id = $1 ORDER BY id";
constexpr char kUpdateUser[] =
    "UPDATE users SET name = COALESCE($3, name), role = COALESCE($4, role),"
    " password_hash = COALESCE($5, password_hash) WHERE id = $1 AND tenant_id = $2 RETURNING " PG_USER_COLUMNS;
constexpr char kDeleteUser[] = "DELETE FROM users WHERE id = $1 AND tenant_id = $2";
constexpr char kSetPassword[] = "UPDATE users SET password_hash = $3 WHERE id = $1 AND tenant_id = $2";
constexpr char kEndOtherSessions[] = "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2";
constexpr char kCountRole[] = "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND role = $2";

constexpr char kInsertSession[] =
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";
constexpr char kTouchLogin[] = "UPDATE users SET last_login_at = $2 WHERE id = $1";
constexpr char kPurgeExpiredSessions[] = "DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2";
constexpr char kFindSession[] =
    "SELECT u.id, u.tenant_id, u.role, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = $1 AND s.expires_at > $2";
constexpr char kDeleteSession[] = "DELETE FROM sessions WHERE token_hash = $1";

constexpr char kReplaceReset[] =
    "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at,"
    " expires_at = excluded.expires_at";
constexpr char kUserOfReset[] = "SELECT " PG_USER_COLUMNS
                                " FROM users WHERE id = (SELECT user_id FROM password_resets"
                                " WHERE token_hash = $1 AND expires_at > $2)";
// The DELETE takes the row: of two concurrent resets with one token, the second finds nothing.
constexpr char kUseReset[] = "DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id";
constexpr char kSetPasswordOf[] = "UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING " PG_USER_COLUMNS;
constexpr char kEndSessions[] = "DELETE FROM sessions WHERE user_id = $1";

#define KEY_COLUMNS "id, tenant_id, name, prefix, role, created_at, last_used_at"
constexpr char kInsertKey[] =
    "INSERT INTO api_keys (tenant_id, key_hash, prefix, created_at, name, role) VALUES ($1, $2, $3, $4, $5, $6)"
    " RETURNING " KEY_COLUMNS;
constexpr char kKeysOfTenant[] = "SELECT " KEY_COLUMNS " FROM api_keys WHERE tenant_id = $1 ORDER BY id";
constexpr char kDeleteKey[] = "DELETE FROM api_keys WHERE id = $1 AND tenant_id = $2 RETURNING " KEY_COLUMNS;
constexpr char kKeyOfTenant[] = "SELECT " KEY_COLUMNS " FROM api_keys WHERE id = $1 AND tenant_id = $2";
constexpr char kKeyByHash[] = "SELECT " KEY_COLUMNS " FROM api_keys WHERE key_hash = $1";
constexpr char kTouchKey[] = "UPDATE api_keys SET last_used_at = $2 WHERE id = $1";
#undef KEY_COLUMNS

constexpr char kInsertAudit[] =
    "INSERT INTO audit_logs (tenant_id, actor, action, target_type, target_id, details, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";
// $2: the id to page after (0: first page), $3 action or NULL, $4 actor or NULL.
constexpr char kAuditPage[] =
    "SELECT id, tenant_id, actor, action, target_type, target_id, details, created_at"
    " FROM audit_logs WHERE tenant_id = $1 AND ($2::bigint = 0 OR id < $2)"
    " AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR actor = $4) ORDER BY id DESC LIMIT $5";

ApiKey ReadKey(const Rows& rows, int row) {
  return {rows.Int(row, 0),    rows.Int(row, 1), rows.String(row, 2),     rows.String(row, 3),
          rows.String(row, 4), rows.Int(row, 5), rows.OptionalInt(row, 6)};
}

AuditEntry ReadAudit(const Rows& rows, int row) {
  return {rows.Int(row, 0),    rows.Int(row, 1),    rows.String(row, 2), rows.String(row, 3),
          rows.String(row, 4), rows.String(row, 5), rows.String(row, 6), rows.Int(row, 7)};
}

class PostgresAccessStore final : public AccessStore {
 public:
  explicit PostgresAccessStore(PostgresStore& store) : store_(store) {}

  Result<User> CreateUser(const NewUser& user) override {
    return store_.Write<User>([&](Connection& db, EventNotes&) -> Result<User> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Query(kTenantExists, Params(user.tenant_id)));
      if (tenant.empty()) return Error::NotFound("no such tenant");
      auto rows =
          db.Query(kInsertUser, Params(user.tenant_id, user.email, user.name, user.role, user.password_hash, NowMs()));
      if (!rows && rows.error().code == ErrorCode::kConflict) {
        return Error::Conflict("a user with this e-mail already exists");
      }
      if (!rows) return rows.error();
      return ReadUser(*rows, 0);
    });
  }

  Result<User> FindUserByEmail(const std::string& email) override {
    return store_.ReadOne<User>(kUserByEmail, Params(email), "no such user", ReadUser);
  }

  Result<User> GetUser(int64_t tenant_id, int64_t user_id) override {
    return store_.ReadOne<User>(kUserOfTenant, Params(user_id, tenant_id), "no such user", ReadUser);
  }

  Result<std::vector<User>> ListUsers(int64_t tenant_id) override {
    return store_.ReadAll<User>(kUsersOfTenant, Params(tenant_id), ReadUser);
  }

  Result<User> UpdateUser(int64_t tenant_id, int64_t user_id, const std::optional<std::string>& name,
                          const std::optional<std::string>& role,
                          const std::optional<std::string>& password_hash) override {
    return store_.Write<User>([&](Connection& db, EventNotes&) -> Result<User> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kUpdateUser, Params(user_id, tenant_id, name, role, password_hash)));
      if (rows.empty()) return Error::NotFound("no such user");
      return ReadUser(rows, 0);
    });
  }

  Result<void> ChangePassword(int64_t tenant_id, int64_t user_id, const std::string& password_hash,
                              const std::string& keep_session_hash) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto changed, db.Query(kSetPassword, Params(user_id, tenant_id, password_hash)));
      if (changed.affected() == 0) return Error::NotFound("no such user");
      STORE_TRY(db.Query(kEndOtherSessions, Params(user_id, keep_session_hash)));
      return Ok();
    });
  }

  Result<void> DeleteUser(int64_t tenant_id, int64_t user_id) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto removed, db.Query(kDeleteUser, Params(user_id, tenant_id)));
      if (removed.affected() == 0) return Error::NotFound("no such user");
      return Ok();
    });
  }

  Result<int> CountUsersWithRole(int64_t tenant_id, const std::string& role) override {
    return store_.Read<int>([&](Connection& db) -> Result<int> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kCountRole, Params(tenant_id, role)));
      return static_cast<int>(rows.Int(0, 0));
    });
  }

  Result<void> CreateSession(int64_t user_id, const std::string& token_hash, int64_t expires_at_ms,
                             int64_t now_ms) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_TRY(db.Query(kPurgeExpiredSessions, Params(user_id, now_ms)));
      STORE_TRY(db.Query(kInsertSession, Params(token_hash, user_id, now_ms, expires_at_ms)));
      STORE_TRY(db.Query(kTouchLogin, Params(user_id, now_ms)));
      return Ok();
    });
  }

  Result<SessionInfo> FindSession(const std::string& token_hash, int64_t now_ms) override {
    return store_.ReadOne<SessionInfo>(
        kFindSession, Params(token_hash, now_ms), "no such session", [](const Rows& rows, int i) {
          return SessionInfo{rows.Int(i, 0), rows.Int(i, 1), rows.String(i, 2), rows.Int(i, 3)};
        });
  }

  Result<void> DeleteSession(const std::string& token_hash) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_TRY(db.Query(kDeleteSession, Params(token_hash)));
      return Ok();
    });
  }

  Result<void> CreatePasswordReset(int64_t user_id, const std::string& token_hash, int64_t expires_at_ms,
                                   int64_t now_ms) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_TRY(db.Query(kReplaceReset, Params(token_hash, user_id, now_ms, expires_at_ms)));
      return Ok();
    });
  }

  Result<User> FindPasswordReset(const std::string& token_hash, int64_t now_ms) override {
    return store_.ReadOne<User>(kUserOfReset, Params(token_hash, now_ms), "no such password reset", ReadUser);
  }

  Result<User> ResetPassword(const std::string& token_hash, const std::string& password_hash, int64_t now_ms) override {
    return store_.Write<User>([&](Connection& db, EventNotes&) -> Result<User> {
      STORE_ASSIGN_OR_RETURN(auto used, db.Query(kUseReset, Params(token_hash, now_ms)));
      if (used.empty()) return Error::NotFound("no such password reset");
      const int64_t user_id = used.Int(0, 0);
      STORE_ASSIGN_OR_RETURN(auto updated, db.Query(kSetPasswordOf, Params(user_id, password_hash)));
      if (updated.empty()) return Error::NotFound("no such user");
      STORE_TRY(db.Query(kEndSessions, Params(user_id)));
      return ReadUser(updated, 0);
    });
  }

  Result<ApiKey> CreateApiKey(const NewApiKey& key) override {
    return store_.Write<ApiKey>([&](Connection& db, EventNotes&) -> Result<ApiKey> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Query(kTenantExists, Params(key.tenant_id)));
      if (tenant.empty()) return Error::NotFound("no such tenant");
      auto rows = db.Query(kInsertKey, Params(key.tenant_id, key.key_hash, key.prefix, NowMs(), key.name, key.role));
      if (!rows && rows.error().code == ErrorCode::kConflict) return Error::Conflict("API key already in use");
      if (!rows) return rows.error();
      return ReadKey(*rows, 0);
    });
  }

  Result<std::vector<ApiKey>> ListApiKeys(int64_t tenant_id) override {
    return store_.ReadAll<ApiKey>(kKeysOfTenant, Params(tenant_id), ReadKey);
  }

  Result<ApiKey> GetApiKey(int64_t tenant_id, int64_t key_id) override {
    return store_.ReadOne<ApiKey>(kKeyOfTenant, Params(key_id, tenant_id), "no such API key", ReadKey);
  }

  Result<ApiKey> DeleteApiKey(int64_t tenant_id, int64_t key_id) override {
    return store_.Write<ApiKey>([&](Connection& db, EventNotes&) -> Result<ApiKey> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kDeleteKey, Params(key_id, tenant_id)));
      if (rows.empty()) return Error::NotFound("no such API key");
      return ReadKey(rows, 0);
    });
  }

  Result<ApiKey> FindApiKey(const std::string& key_hash) override {
    return store_.ReadOne<ApiKey>(kKeyByHash, Params(key_hash), "no such API key", ReadKey);
  }

  Result<void> TouchApiKey(int64_t key_id, int64_t now_ms) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_TRY(db.Query(kTouchKey, Params(key_id, now_ms)));
      return Ok();
    });
  }

  Result<void> AppendAudit(const AuditEntry& entry) override {
    const std::string details = entry.details.empty() ? std::string("{}") : entry.details;
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_TRY(db.Query(kInsertAudit, Params(entry.tenant_id, entry.actor, entry.action, entry.target_type,
                                              entry.target_id, details, entry.created_at_ms)));
      return Ok();
    });
  }

  Result<Page<AuditEntry>> ListAudit(int64_t tenant_id, const AuditFilter& filter,
                                     const std::optional<std::string>& cursor, int limit) override {
    limit = ClampPageSize(limit);
    int64_t after = 0;
    if (cursor) {
      STORE_ASSIGN_OR_RETURN(after, ParseIdCursor('a', *cursor));
    }
    return store_.Read<Page<AuditEntry>>([&](Connection& db) -> Result<Page<AuditEntry>> {
      STORE_ASSIGN_OR_RETURN(
          auto rows, db.Query(kAuditPage, Params(tenant_id, after, filter.action, filter.actor, int64_t{limit} + 1)));
      return IdPage<AuditEntry>(rows, 'a', limit, ReadAudit);
    });
  }

 private:
  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<AccessStore> MakePostgresAccessStore(PostgresStore& store) {
  return std::make_unique<PostgresAccessStore>(store);
}

}  // namespace parley::store::postgres
