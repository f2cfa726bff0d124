#pragma once
// Who is calling the tenant API. `Authorization: Bearer <token>` carries either a login session token
// (`prs_…`, from POST /api/auth/login) or a tenant API key (`pk_…`). Both are looked up by their SHA-256, and the
// answers are cached briefly; logging out or revoking a key drops them from the cache at once.
//
// A browser carries its session in the `parley_session` cookie instead (HttpOnly, SameSite=Lax), which is read only
// when the request has no Authorization header. Because a browser sends cookies by itself, a request authenticated by
// the cookie with a method that changes state (anything but GET, HEAD and OPTIONS) must also carry
// `X-CSRF-Token: <CsrfToken(session token)>`, which only a page that read the login's or GET /api/auth/me's answer
// knows. The CSRF token is an HMAC of the session token under a key derived from the master key: nothing to store,
// the same in every process, and void when the session ends.

#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "core/crypto.h"
#include "events/event_bus.h"
#include "store/access_store.h"
#include "store/store.h"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace parley::api {

inline constexpr std::string_view kSessionTokenPrefix = "prs_";
inline constexpr std::string_view kApiKeyPrefix = "pk_";
inline constexpr std::string_view kSessionCookie = "parley_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// The bearer token of the request, or empty.
std::string_view BearerToken(const http::RequestHeader& request);
// The value of cookie `name` in the request's Cookie header(s), or empty.
std::string_view CookieValue(const http::RequestHeader& request, std::string_view name);

// What a request authenticates with: its bearer token, or, without an Authorization header, its session cookie.
struct Credential {
  std::string_view token;    //!< Empty: none.
  bool from_cookie = false;  //!< The browser sent it by itself: state-changing requests need the CSRF token.
};
Credential CredentialOf(const http::RequestHeader& request);

// The Set-Cookie value that keeps session `token` in the browser for `max_age_s` seconds; an empty token and 0
// clear it. `secure` adds Secure (Parley served over https).
std::string SessionCookie(std::string_view token, int64_t max_age_s, bool secure);

class Authenticator {
 public:
  // The CSRF key is derived from `box`'s master key. Listens on `bus` for the invalidations of its cache, its own
  // and other processes'; `bus` must outlive it.
  Authenticator(store::Store& store, BlockingPool& pool, const crypto::SecretBox& box, events::EventBus& bus);

  // The caller, or kUnauthenticated saying why; kPermissionDenied for a cookie-authenticated request that changes
  // state without the right X-CSRF-Token.
  boost::asio::awaitable<Result<Principal>> Authenticate(const http::RequestHeader& request);
  // The X-CSRF-Token that goes with a session token (lower-case hex).
  std::string CsrfToken(std::string_view session_token) const;
  // Drop cached answers at once, in this process before returning and in the others as soon as the bus carries the
  // invalidation: a session that ended, a key revoked, a user whose role changed or who left. Call after the
  // store's change is committed.
  void ForgetToken(const std::string& token_hash);
  void ForgetApiKey(int64_t key_id);
  void ForgetUser(int64_t user_id);

 private:
  bool CsrfTokenMatches(const http::RequestHeader& request, std::string_view session_token) const;
  struct Cached {
    Principal principal;
    int64_t expires_at_ms = 0;
  };
  // The session or API key `token` names, from the cache or the store.
  // By value: a coroutine's parameter must own what it reads after suspending.
  boost::asio::awaitable<Result<Principal>> Lookup(std::string token);
  // What an invalidation of the cache drops: the entries `key` names, or every entry on nullopt.
  void Drop(std::optional<std::string_view> key);

  store::Store& store_;
  BlockingPool& pool_;
  events::EventBus& bus_;
  const std::string csrf_key_;  // Secret: never logged.
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;  // GUARDED_BY(mutex_); key: SHA-256 of the token
  // Counts invalidations: a look-up that read the store before one arrived does not cache what it read, which the
  // invalidation may have made stale (a key revoked between the read and the caching).
  uint64_t generation_ = 0;  // GUARDED_BY(mutex_)
  // Last: removed before the cache it drops from.
  std::unique_ptr<events::InvalidationListener> listener_;
};

// An administrative action by `caller`, for RecordAudit. `details` must hold no secret.
store::AuditEntry AuditOf(const Principal& caller, std::string action, std::string target_type, std::string target_id,
                          const boost::json::object& details = {});
// Appends `entry` to the tenant's audit log. A failure to record is logged; it never undoes the action.
// Build the entry with AuditOf in a statement of its own: g++ 12 miscompiles temporaries inside co_await.
boost::asio::awaitable<void> RecordAudit(store::Store& store, BlockingPool& pool, store::AuditEntry entry);

}  // namespace parley::api
