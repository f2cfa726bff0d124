#include "store/sqlite/access_store.h"

#include "core/time.h"

#include <algorithm>
#include "store/sqlite/cursor.h"
#include "store/sqlite/db.h"
#include "store/sqlite/read_all.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/user_row.h"

namespace parley::store::sqlite {
namespace {

constexpr const char* kTenantExists = "SELECT 1 FROM tenants WHERE id = ?1";

constexpr const char* kInsertUser =
    "INSERT INTO users (tenant_id, email, name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " RETURNING " PARLEY_USER_COLUMNS;
constexpr const char* kUserByEmail = "SELECT " PARLEY_USER_COLUMNS " FROM users WHERE email = ?1";
constexpr const char* kUserOfTenant = "SELECT " PARLEY_USER_COLUMNS " FROM users WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kUsersOfTenant = "SELECT " PARLEY_USER_COLUMNS " FROM users WHERE tenant_id = ?1 ORDER BY id";
constexpr const char* kUpdateUser =
    "UPDATE users SET name = COALESCE(?3, name), role = COALESCE(?4, role),"
    " password_hash = COALESCE(?5, password_hash) WHERE id = ?1 AND tenant_id = ?2 RETURNING " PARLEY_USER_COLUMNS;
constexpr const char* kDeleteUser = "DELETE FROM users WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kSetPassword = "UPDATE users SET password_hash = ?3 WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kEndOtherSessions = "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2";
constexpr const char* kCountRole = "SELECT COUNT(*) FROM users WHERE tenant_id = ?1 AND role = ?2";

constexpr const char* kInsertSession =
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kTouchLogin = "UPDATE users SET last_login_at = ?2 WHERE id = ?1";
constexpr const char* kPurgeExpiredSessions = "DELETE FROM sessions WHERE user_id = ?1 AND expires_at <= ?2";
constexpr const char* kFindSession =
    "SELECT u.id, u.tenant_id, u.role, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = ?1 AND s.expires_at > ?2";
constexpr const char* kDeleteSession = "DELETE FROM sessions WHERE token_hash = ?1";

constexpr const char* kReplaceReset =
    "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at,"
    " expires_at = excluded.expires_at";
constexpr const char* kUserOfReset = "SELECT " PARLEY_USER_COLUMNS
                                     " FROM users WHERE id = (SELECT user_id FROM password_resets"
                                     " WHERE token_hash = ?1 AND expires_at > ?2)";
constexpr const char* kUseReset =
    "DELETE FROM password_resets WHERE token_hash = ?1 AND expires_at > ?2 RETURNING user_id";
constexpr const char* kSetPasswordOf =
    "UPDATE users SET password_hash = ?2 WHERE id = ?1 RETURNING " PARLEY_USER_COLUMNS;
constexpr const char* kEndSessions = "DELETE FROM sessions WHERE user_id = ?1";

#define KEY_COLUMNS "id, tenant_id, name, prefix, role, created_at, last_used_at"
constexpr const char* kInsertKey =
    "INSERT INTO api_keys (tenant_id, key_hash, prefix, created_at, name, role) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " RETURNING " KEY_COLUMNS;
constexpr const char* kKeysOfTenant = "SELECT " KEY_COLUMNS " FROM api_keys WHERE tenant_id = ?1 ORDER BY id";
constexpr const char* kDeleteKey = "DELETE FROM api_keys WHERE id = ?1 AND tenant_id = ?2 RETURNING " KEY_COLUMNS;
constexpr const char* kKeyOfTenant = "SELECT " KEY_COLUMNS " FROM api_keys WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kKeyByHash = "SELECT " KEY_COLUMNS " FROM api_keys WHERE key_hash = ?1";
constexpr const char* kTouchKey = "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1";

#define AUDIT_COLUMNS "id, tenant_id, actor, action, target_type, target_id, details, created_at"
constexpr const char* kInsertAudit =
    "INSERT INTO audit_logs (tenant_id, actor, action, target_type, target_id, details, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
// ?2: the id to page after (0: first page), ?3 action or NULL, ?4 actor or NULL.
constexpr const char* kAuditPage =
    "SELECT " AUDIT_COLUMNS
    " FROM audit_logs WHERE tenant_id = ?1 AND (?2 = 0 OR id < ?2)"
    " AND (?3 IS NULL OR action = ?3) AND (?4 IS NULL OR actor = ?4) ORDER BY id DESC LIMIT ?5";

ApiKey ReadKey(const Statement& row) {
  return {row.Int(0), row.Int(1), row.String(2), row.String(3), row.String(4), row.Int(5), row.OptionalInt(6)};
}

class SqliteAccessStore final : public AccessStore {
 public:
  explicit SqliteAccessStore(SqliteStore& store) : store_(store) {}

  Result<User> CreateUser(const NewUser& user) override {
    User created;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Prepare(kTenantExists));
      STORE_ASSIGN_OR_RETURN(bool exists, tenant.Bind(1, user.tenant_id).Step());
      if (!exists) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertUser));
      insert.Bind(1, user.tenant_id).Bind(2, user.email).Bind(3, user.name).Bind(4, user.role);
      auto row = insert.Bind(5, user.password_hash).Bind(6, NowMs()).Step();
      if (!row && row.error().code == ErrorCode::kConflict) {
        return Error::Conflict("a user with this e-mail already exists");
      }
      if (!row) return row.error();
      created = ReadUser(insert);
      return Ok();
    }));
    return created;
  }

  Result<User> FindUserByEmail(const std::string& email) override {
    return ReadOne<User>(kUserByEmail, "no such user", ReadUser, [&](Statement& s) { s.Bind(1, email); });
  }

  Result<User> GetUser(int64_t tenant_id, int64_t user_id) override {
    return ReadOne<User>(kUserOfTenant, "no such user", ReadUser,
                         [&](Statement& s) { s.Bind(1, user_id).Bind(2, tenant_id); });
  }

  Result<std::vector<User>> ListUsers(int64_t tenant_id) override {
    return sqlite::ReadAll<User>(store_, kUsersOfTenant, ReadUser, [&](Statement& s) { s.Bind(1, tenant_id); });
  }

  Result<User> UpdateUser(int64_t tenant_id, int64_t user_id, const std::optional<std::string>& name,
                          const std::optional<std::string>& role,
                          const std::optional<std::string>& password_hash) override {
    User updated;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kUpdateUser));
      update.Bind(1, user_id).Bind(2, tenant_id).Bind(3, name).Bind(4, role).Bind(5, password_hash);
      STORE_ASSIGN_OR_RETURN(bool found, update.Step());
      if (!found) return Error::NotFound("no such user");
      updated = ReadUser(update);
      return Ok();
    }));
    return updated;
  }

  Result<void> ChangePassword(int64_t tenant_id, int64_t user_id, const std::string& password_hash,
                              const std::string& keep_session_hash) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kSetPassword));
      STORE_TRY(update.Bind(1, user_id).Bind(2, tenant_id).Bind(3, password_hash).Run());
      if (db.Changes() == 0) return Error::NotFound("no such user");
      STORE_ASSIGN_OR_RETURN(auto end, db.Prepare(kEndOtherSessions));
      return end.Bind(1, user_id).Bind(2, keep_session_hash).Run();
    });
  }

  Result<void> DeleteUser(int64_t tenant_id, int64_t user_id) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto remove, db.Prepare(kDeleteUser));
      STORE_TRY(remove.Bind(1, user_id).Bind(2, tenant_id).Run());
      if (db.Changes() == 0) return Error::NotFound("no such user");
      return Ok();
    });
  }

  Result<int> CountUsersWithRole(int64_t tenant_id, const std::string& role) override {
    int count = 0;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kCountRole));
      STORE_TRY(select.Bind(1, tenant_id).Bind(2, role).Step());
      count = static_cast<int>(select.Int(0));
      return Ok();
    }));
    return count;
  }

  Result<void> CreateSession(int64_t user_id, const std::string& token_hash, int64_t expires_at_ms,
                             int64_t now_ms) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto purge, db.Prepare(kPurgeExpiredSessions));
      STORE_TRY(purge.Bind(1, user_id).Bind(2, now_ms).Run());
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertSession));
      STORE_TRY(insert.Bind(1, token_hash).Bind(2, user_id).Bind(3, now_ms).Bind(4, expires_at_ms).Run());
      STORE_ASSIGN_OR_RETURN(auto touch, db.Prepare(kTouchLogin));
      return touch.Bind(1, user_id).Bind(2, now_ms).Run();
    });
  }

  Result<SessionInfo> FindSession(const std::string& token_hash, int64_t now_ms) override {
    auto read = [](const Statement& row) { return SessionInfo{row.Int(0), row.Int(1), row.String(2), row.Int(3)}; };
    return ReadOne<SessionInfo>(kFindSession, "no such session", read,
                                [&](Statement& s) { s.Bind(1, token_hash).Bind(2, now_ms); });
  }

  Result<void> DeleteSession(const std::string& token_hash) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto remove, db.Prepare(kDeleteSession));
      return remove.Bind(1, token_hash).Run();
    });
  }

  Result<void> CreatePasswordReset(int64_t user_id, const std::string& token_hash, int64_t expires_at_ms,
                                   int64_t now_ms) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto upsert, db.Prepare(kReplaceReset));
      return upsert.Bind(1, token_hash).Bind(2, user_id).Bind(3, now_ms).Bind(4, expires_at_ms).Run();
    });
  }

  Result<User> FindPasswordReset(const std::string& token_hash, int64_t now_ms) override {
    return ReadOne<User>(kUserOfReset, "no such password reset", ReadUser,
                         [&](Statement& s) { s.Bind(1, token_hash).Bind(2, now_ms); });
  }

  Result<User> ResetPassword(const std::string& token_hash, const std::string& password_hash, int64_t now_ms) override {
    User user;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto use, db.Prepare(kUseReset));
      STORE_ASSIGN_OR_RETURN(bool found, use.Bind(1, token_hash).Bind(2, now_ms).Step());
      if (!found) return Error::NotFound("no such password reset");
      const int64_t user_id = use.Int(0);
      STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kSetPasswordOf));
      STORE_ASSIGN_OR_RETURN(bool updated, update.Bind(1, user_id).Bind(2, password_hash).Step());
      if (!updated) return Error::NotFound("no such user");
      user = ReadUser(update);
      STORE_ASSIGN_OR_RETURN(auto end, db.Prepare(kEndSessions));
      return end.Bind(1, user_id).Run();
    }));
    return user;
  }

  Result<ApiKey> CreateApiKey(const NewApiKey& key) override {
    ApiKey created;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Prepare(kTenantExists));
      STORE_ASSIGN_OR_RETURN(bool exists, tenant.Bind(1, key.tenant_id).Step());
      if (!exists) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertKey));
      insert.Bind(1, key.tenant_id).Bind(2, key.key_hash).Bind(3, key.prefix).Bind(4, NowMs());
      auto row = insert.Bind(5, key.name).Bind(6, key.role).Step();
      if (!row && row.error().code == ErrorCode::kConflict) return Error::Conflict("API key already in use");
      if (!row) return row.error();
      created = ReadKey(insert);
      return Ok();
    }));
    return created;
  }

  Result<std::vector<ApiKey>> ListApiKeys(int64_t tenant_id) override {
    return sqlite::ReadAll<ApiKey>(store_, kKeysOfTenant, ReadKey, [&](Statement& s) { s.Bind(1, tenant_id); });
  }

  Result<ApiKey> GetApiKey(int64_t tenant_id, int64_t key_id) override {
    return ReadOne<ApiKey>(kKeyOfTenant, "no such API key", ReadKey,
                           [&](Statement& s) { s.Bind(1, key_id).Bind(2, tenant_id); });
  }

  Result<ApiKey> DeleteApiKey(int64_t tenant_id, int64_t key_id) override {
    ApiKey removed;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto remove, db.Prepare(kDeleteKey));
      STORE_ASSIGN_OR_RETURN(bool found, remove.Bind(1, key_id).Bind(2, tenant_id).Step());
      if (!found) return Error::NotFound("no such API key");
      removed = ReadKey(remove);
      return Ok();
    }));
    return removed;
  }

  Result<ApiKey> FindApiKey(const std::string& key_hash) override {
    return ReadOne<ApiKey>(kKeyByHash, "no such API key", ReadKey, [&](Statement& s) { s.Bind(1, key_hash); });
  }

  Result<void> TouchApiKey(int64_t key_id, int64_t now_ms) override {
    return store_.Write(
        [&](Database& db) -> Result<void> {
          STORE_ASSIGN_OR_RETURN(auto touch, db.Prepare(kTouchKey));
          return touch.Bind(1, key_id).Bind(2, now_ms).Run();
        },
        /*durable=*/false);
  }

  Result<void> AppendAudit(const AuditEntry& entry) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertAudit));
      insert.Bind(1, entry.tenant_id).Bind(2, entry.actor).Bind(3, entry.action).Bind(4, entry.target_type);
      const std::string& details = entry.details.empty() ? kEmptyObject : entry.details;
      return insert.Bind(5, entry.target_id).Bind(6, details).Bind(7, entry.created_at_ms).Run();
    });
  }

  Result<Page<AuditEntry>> ListAudit(int64_t tenant_id, const AuditFilter& filter,
                                     const std::optional<std::string>& cursor, int limit) override {
    limit = ClampPageSize(limit);
    int64_t after = 0;
    if (cursor) {
      STORE_ASSIGN_OR_RETURN(after, ParseIdCursor('a', *cursor));
    }
    auto read = [](const Statement& row) {
      return AuditEntry{row.Int(0),    row.Int(1),    row.String(2), row.String(3),
                        row.String(4), row.String(5), row.String(6), row.Int(7)};
    };
    Page<AuditEntry> page;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kAuditPage));
      select.Bind(1, tenant_id).Bind(2, after).Bind(3, filter.action).Bind(4, filter.actor);
      select.Bind(5, static_cast<int64_t>(limit) + 1);
      STORE_ASSIGN_OR_RETURN(page, ReadIdPage<AuditEntry>(select, 'a', limit, read));
      return Ok();
    }));
    return page;
  }

 private:
  inline static const std::string kEmptyObject = "{}";

  template <class T, class ReadRow, class BindArgs>
  Result<T> ReadOne(const char* sql, const char* not_found, ReadRow read, BindArgs bind) {
    std::optional<T> found;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(sql));
      bind(select);
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (row) found = read(select);
      return Ok();
    }));
    if (!found) return Error::NotFound(not_found);
    return std::move(*found);
  }

  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<AccessStore> MakeSqliteAccessStore(SqliteStore& store) {
  return std::make_unique<SqliteAccessStore>(store);
}

}  // namespace parley::store::sqlite
