#pragma once
// Who may act for a tenant, and the record of what they did:
//   login                POST /api/auth/login {"email", "password"} → {"token", "expires_at", "csrf_token", "user"}
//                        (public) and the session cookie (api/auth.h)
//                        POST /api/auth/logout (clears the cookie)   GET /api/auth/me (+ csrf_token with the cookie)
//   password resets      POST /api/auth/password-reset {"token", "password"}   (public; the token comes from a
//                        one-time link, see MakePasswordResetLink)
//   users                GET/POST /api/users   PATCH/DELETE /api/users/{id} (also one's e-mail preferences)
//   API keys             GET/POST /api/api-keys   DELETE /api/api-keys/{id}   (the key is shown once)
//   audit log            GET /api/audit-logs?action=&actor=&cursor=&limit=
// Nobody grants more than they hold: an admin cannot create, change or remove owners, nor make owner keys, and a
// tenant always keeps at least one owner. Changing a password ends the user's other sessions.
//
// Logins are limited before any password is hashed (api/login_guard.h: per client address, over all clients,
// per account and address, per account), and hashing runs on its own small pool (`hashing`): when that pool is
// full a login answers 503 with Retry-After instead of waiting, so a spray of logins never delays other work.

#include "api/auth.h"
#include "api/login_guard.h"
#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "core/bounded_pool.h"
#include "core/config.h"
#include "store/access_store.h"

namespace parley::api {

class AccessApi {
 public:
  // Every reference must outlive this. Password hashes are computed and checked on `hashing` alone.
  // `limiters` makes the login guard's buckets.
  AccessApi(const Config& config, store::Store& store, BlockingPool& pool, BoundedPool& hashing, Authenticator& auth,
            const RateLimiterFactory& limiters);

  void RegisterRoutes(RouteTable& routes);

 private:
  using Handler = boost::asio::awaitable<http::Response> (AccessApi::*)(const Principal& caller,
                                                                        const http::Request& request,
                                                                        const http::RouteContext& route);
  boost::asio::awaitable<http::Response> Login(const http::Request& request, const http::RouteContext& route);
  boost::asio::awaitable<http::Response> ResetPassword(const http::Request& request, const http::RouteContext& route);
  boost::asio::awaitable<http::Response> Logout(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Me(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListUsers(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> CreateUser(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> UpdateUser(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> DeleteUser(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListKeys(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> CreateKey(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> DeleteKey(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListAudit(const Principal&, const http::Request&, const http::RouteContext&);

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  BoundedPool& hashing_;
  Authenticator& auth_;
  LoginGuard login_guard_;
};

// The login limits the configuration sets.
LoginLimits LoginLimitsOf(const Config& config);

// A user for an e-mail and password, for the CLI and the API alike: validates and hashes. kInvalidArgument with
// the reason for a bad e-mail, role or password.
Result<store::NewUser> MakeUser(int64_t tenant_id, std::string_view email, std::string_view name, std::string_view role,
                                std::string_view password);

// An e-mail address as users are found by it: trimmed, lower-case.
std::string NormalizeEmail(std::string_view email);
// NormalizeEmail's result when it looks like an address (one that fits in an e-mail header), else kInvalidArgument.
Result<std::string> ValidEmail(std::string_view email);
// A language of e-mails and of the dashboard: two lower-case letters (ISO 639-1).
bool ValidLanguage(std::string_view language);

// Opens a session for `user` and answers as POST /api/auth/login does ({"token", "token_type", "expires_at",
// "csrf_token", "user"} and the session cookie), with `status`; audit-logged as user.login.
boost::asio::awaitable<http::Response> SignIn(const Config& config, store::Store& store, BlockingPool& pool,
                                              Authenticator& auth, store::User user, http::Status status);

// A one-time link that lets `user` set a new password: `<base_url>/reset-password?token=…`, valid for an hour and
// for one use (POST /api/auth/password-reset). Only the token's hash is stored; a new link replaces the user's
// previous one. `base_url` is PARLEY_PUBLIC_URL (or, without it, the listener's own address).
struct PasswordResetLink {
  std::string url;
  int64_t expires_at_ms = 0;
};
inline constexpr int64_t kPasswordResetTtlMs = 3600 * 1000;
Result<PasswordResetLink> MakePasswordResetLink(store::AccessStore& access, const store::User& user,
                                                std::string_view base_url);

// What the access routes and the invitation routes (api/team_api.h) share:
// the role named `text`, or kInvalidArgument saying which roles there are;
Result<Role> RequireRole(std::string_view text);
// who a signed-in user acts as, for the audit log;
Principal PrincipalOf(const store::User& user);
// 429 with `message` and Retry-After in whole seconds;
http::Response TooManyRequests(std::string message, int64_t retry_after_ms);
// 503 with Retry-After when the hashing pool is full.
http::Response HashingBusy();

boost::json::object UserJson(const store::User& user);
boost::json::object ApiKeyJson(const store::ApiKey& key);

}  // namespace parley::api
