#pragma once
// Who is calling the tenant API. `Authorization: Bearer <token>` carries either a login session token
// (`prs_…`, from POST /api/auth/login) or a tenant API key (`pk_…`). Both are looked up by their SHA-256, and the
// answers are cached briefly; logging out or revoking a key drops them from the cache at once.

#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "store/access_store.h"
#include "store/store.h"

#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::api {

inline constexpr std::string_view kSessionTokenPrefix = "prs_";
inline constexpr std::string_view kApiKeyPrefix = "pk_";

// The bearer token of the request, or empty.
std::string_view BearerToken(const http::RequestHeader& request);

class Authenticator {
 public:
  Authenticator(store::Store& store, BlockingPool& pool) : store_(store), pool_(pool) {}

  // The caller, or kUnauthenticated saying why.
  boost::asio::awaitable<Result<Principal>> Authenticate(const http::RequestHeader& request);
  // Drop cached answers at once: a session that ended, a key revoked, a user whose role changed or who left.
  void ForgetToken(const std::string& token_hash);
  void ForgetApiKey(int64_t key_id);
  void ForgetUser(int64_t user_id);

 private:
  struct Cached {
    Principal principal;
    int64_t expires_at_ms = 0;
  };
  store::Store& store_;
  BlockingPool& pool_;
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;  // GUARDED_BY(mutex_); key: SHA-256 of the token
};

// An administrative action by `caller`, for RecordAudit. `details` must hold no secret.
store::AuditEntry AuditOf(const Principal& caller, std::string action, std::string target_type, std::string target_id,
                          const boost::json::object& details = {});
// Appends `entry` to the tenant's audit log. A failure to record is logged; it never undoes the action.
// Build the entry with AuditOf in a statement of its own: g++ 12 miscompiles temporaries inside co_await.
boost::asio::awaitable<void> RecordAudit(store::Store& store, BlockingPool& pool, store::AuditEntry entry);

}  // namespace parley::api
