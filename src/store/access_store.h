#pragma once
// Who may act for a tenant, and what they did: users (Argon2id password hashes), login sessions, API keys and the
// audit log. Same rules as store.h: every method blocks (call from the blocking pool), is thread-safe, and every
// method taking a tenant id is scoped by it. Tokens and keys are only ever stored as SHA-256 hashes; roles are
// the strings "owner", "admin" and "agent".

#include "core/error.h"
#include "store/store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::store {

struct User {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string email;  //!< Lower-cased; unique across tenants, so that login needs nothing else.
  std::string name;
  std::string role;
  std::string password_hash;  //!< libsodium's Argon2id string; never leaves the server.
  int64_t created_at_ms = 0;
  std::optional<int64_t> last_login_at_ms;
  bool notify_by_email = false;  //!< Wants escalations by e-mail (store/team_store.h).
  std::string language = "en";   //!< Of the e-mails they receive.
};

struct NewUser {
  int64_t tenant_id = 0;
  std::string email;
  std::string name;
  std::string role;
  std::string password_hash;
};

struct SessionInfo {
  int64_t user_id = 0;
  int64_t tenant_id = 0;
  std::string role;
  int64_t expires_at_ms = 0;
};

struct ApiKey {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string name;
  std::string prefix;  //!< The first characters of the key, shown so that people can tell keys apart.
  std::string role;
  int64_t created_at_ms = 0;
  std::optional<int64_t> last_used_at_ms;
};

struct AuditEntry {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string actor;        //!< "user:12", "api_key:3", "cli", "stripe".
  std::string action;       //!< "api_key.create", "channel.delete", …
  std::string target_type;  //!< "api_key", "channel", "conversation", …
  std::string target_id;
  std::string details;  //!< A JSON object, free of secrets.
  int64_t created_at_ms = 0;
};

struct AuditFilter {
  std::optional<std::string> action;
  std::optional<std::string> actor;
};

class AccessStore {
 public:
  virtual ~AccessStore() = default;

  // --- Users ---
  // kConflict when the e-mail is taken, kNotFound for an unknown tenant.
  virtual Result<User> CreateUser(const NewUser& user) = 0;
  // Any tenant's user, for login. kNotFound when none.
  virtual Result<User> FindUserByEmail(const std::string& email) = 0;
  virtual Result<User> GetUser(int64_t tenant_id, int64_t user_id) = 0;
  virtual Result<std::vector<User>> ListUsers(int64_t tenant_id) = 0;
  // Empty optionals leave the field as it is.
  virtual Result<User> UpdateUser(int64_t tenant_id, int64_t user_id, const std::optional<std::string>& name,
                                  const std::optional<std::string>& role,
                                  const std::optional<std::string>& password_hash) = 0;
  // Sets the user's password hash and, in the same transaction, ends every session of theirs but the one whose
  // token hash is `keep_session_hash` (none when empty): whoever knew the old password is logged out.
  // kNotFound when the user is not the tenant's.
  virtual Result<void> ChangePassword(int64_t tenant_id, int64_t user_id, const std::string& password_hash,
                                      const std::string& keep_session_hash) = 0;
  // Removes the user and their sessions.
  virtual Result<void> DeleteUser(int64_t tenant_id, int64_t user_id) = 0;
  virtual Result<int> CountUsersWithRole(int64_t tenant_id, const std::string& role) = 0;

  // --- Sessions ---
  virtual Result<void> CreateSession(int64_t user_id, const std::string& token_hash, int64_t expires_at_ms,
                                     int64_t now_ms) = 0;
  // The live session with this token hash, with its user's current role. kNotFound when unknown or expired.
  virtual Result<SessionInfo> FindSession(const std::string& token_hash, int64_t now_ms) = 0;
  virtual Result<void> DeleteSession(const std::string& token_hash) = 0;

  // --- Password resets ---
  // Records a one-time reset token (its hash) for the user, replacing any earlier one of theirs.
  virtual Result<void> CreatePasswordReset(int64_t user_id, const std::string& token_hash, int64_t expires_at_ms,
                                           int64_t now_ms) = 0;
  // The user a live reset token belongs to, leaving the token as it is. kNotFound when unknown, used or expired.
  virtual Result<User> FindPasswordReset(const std::string& token_hash, int64_t now_ms) = 0;
  // Uses the token up: in one transaction deletes it, sets its user's password hash and ends all their sessions.
  // kNotFound when the token is unknown, used (by a concurrent call too) or expired.
  virtual Result<User> ResetPassword(const std::string& token_hash, const std::string& password_hash,
                                     int64_t now_ms) = 0;

  // --- API keys ---
  virtual Result<ApiKey> CreateApiKey(const NewApiKey& key) = 0;
  virtual Result<std::vector<ApiKey>> ListApiKeys(int64_t tenant_id) = 0;
  // kNotFound when not the tenant's.
  virtual Result<ApiKey> GetApiKey(int64_t tenant_id, int64_t key_id) = 0;
  // Revokes the key for good. kNotFound when not the tenant's.
  virtual Result<ApiKey> DeleteApiKey(int64_t tenant_id, int64_t key_id) = 0;
  // The key with this hash, from any tenant. kNotFound when none.
  virtual Result<ApiKey> FindApiKey(const std::string& key_hash) = 0;
  virtual Result<void> TouchApiKey(int64_t key_id, int64_t now_ms) = 0;

  // --- Audit log ---
  virtual Result<void> AppendAudit(const AuditEntry& entry) = 0;
  // Newest first.
  virtual Result<Page<AuditEntry>> ListAudit(int64_t tenant_id, const AuditFilter& filter,
                                             const std::optional<std::string>& cursor, int limit) = 0;
};

}  // namespace parley::store
