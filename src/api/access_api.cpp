#include "api/access_api.h"

#include "api/openapi_schemas.h"
#include "api/params.h"

#include "core/crypto.h"
#include "core/log.h"
#include "core/time.h"
#include "http/client_address.h"
#include "store/team_store.h"

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/trim.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>

namespace parley::api {
namespace {

using Verb = http::Verb;

// A login refused because the hashing pool is full may try again as soon as one hash is done.
constexpr int kHashingBusyRetryAfterS = 1;
// A refused login is answered only after this long. A script that retries at once on the same connection, as a
// spray does, then gets four answers a second per connection instead of as many as the cores can send, and the
// cores stay with everybody else; a person never notices a quarter of a second on a refusal.
constexpr std::chrono::milliseconds kRefusalDelay{250};
constexpr int kKeyVisiblePrefix = 11;  // "pk_" and 8 characters of the secret part.
// Tells a reset token apart from a session token or an API key wherever one turns up.
constexpr std::string_view kPasswordResetPrefix = "prr_";

Error Forbidden(std::string message) { return {ErrorCode::kPermissionDenied, std::move(message), {}}; }

boost::asio::awaitable<void> RefusalDelay() {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, kRefusalDelay);
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));  // Shutdown may cut it short.
}

// Verifying against a real hash when the e-mail is unknown makes both failures take the same time. Computed on
// first use, on the hashing pool.
const std::string& DecoyHash() {
  static const std::string hash = crypto::HashPassword("decoy password, never valid").value();
  return hash;
}

}  // namespace

Result<Role> RequireRole(std::string_view text) {
  auto role = ParseRole(text);
  if (!role) return Error::InvalidArgument("role must be one of: owner, admin, agent");
  return *role;
}

Principal PrincipalOf(const store::User& user) {
  return {user.tenant_id, ParseRole(user.role).value_or(Role::kAgent), user.id, std::nullopt};
}

http::Response TooManyRequests(std::string message, int64_t retry_after_ms) {
  auto response = http::ErrorResponse({ErrorCode::kRateLimited, std::move(message), {}});
  response.set(boost::beast::http::field::retry_after, std::to_string((retry_after_ms + 999) / 1000));
  return response;
}

http::Response HashingBusy() {
  auto response = http::ErrorResponse(Error::Unavailable("too many password checks at once, retry shortly"));
  response.set(boost::beast::http::field::retry_after, std::to_string(kHashingBusyRetryAfterS));
  return response;
}

Result<std::string> ValidEmail(std::string_view email) {
  std::string normalized = NormalizeEmail(email);
  auto at = normalized.find('@');
  if (normalized.size() > 254 || at == std::string::npos || at == 0 || at + 1 >= normalized.size() ||
      normalized.find_first_of(" \t\r\n<>\",;") != std::string::npos) {
    return Error::InvalidArgument("email must be an e-mail address");
  }
  return normalized;
}

Result<store::NewUser> MakeUser(int64_t tenant_id, std::string_view email, std::string_view name, std::string_view role,
                                std::string_view password) {
  auto valid = ValidEmail(email);
  if (!valid) return valid.error();
  std::string normalized = std::move(*valid);
  if (name.size() > 200) return Error::InvalidArgument("name must be at most 200 bytes");
  auto parsed_role = RequireRole(role);
  if (!parsed_role) return parsed_role.error();
  auto hash = crypto::HashPassword(password);
  if (!hash) return hash.error();
  return store::NewUser{tenant_id, std::move(normalized), std::string(name), std::string(role), std::move(*hash)};
}

std::string NormalizeEmail(std::string_view email) {
  std::string normalized(email);
  boost::algorithm::trim(normalized);
  boost::algorithm::to_lower(normalized);
  return normalized;
}

Result<PasswordResetLink> MakePasswordResetLink(store::AccessStore& access, const store::User& user,
                                                std::string_view base_url) {
  const std::string token = std::string(kPasswordResetPrefix) + crypto::RandomToken(32);
  const int64_t now = NowMs();
  PasswordResetLink link{std::string(base_url) + "/reset-password?token=" + token, now + kPasswordResetTtlMs};
  if (auto stored = access.CreatePasswordReset(user.id, crypto::Sha256Hex(token), link.expires_at_ms, now); !stored) {
    return stored.error();
  }
  return link;
}

boost::json::object UserJson(const store::User& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"name", user.name},
          {"role", user.role},
          {"created_at", FormatTimestamp(user.created_at_ms)},
          {"last_login_at", TimestampOrNull(user.last_login_at_ms)},
          {"notify_by_email", user.notify_by_email},
          {"language", user.language}};
}

bool ValidLanguage(std::string_view language) {
  return language.size() == 2 &&
         std::all_of(language.begin(), language.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

boost::asio::awaitable<http::Response> SignIn(const Config& config, store::Store& store, BlockingPool& pool,
                                              Authenticator& auth, store::User user, http::Status status) {
  std::string token = std::string(kSessionTokenPrefix) + crypto::RandomToken(32);
  int64_t now = NowMs();
  int64_t expires_at = now + config.session_ttl_hours * 3600 * 1000;
  auto open = [&store, hash = crypto::Sha256Hex(token), user_id = user.id, expires_at, now] {
    return store.access().CreateSession(user_id, hash, expires_at, now);
  };
  auto opened = co_await pool.Run(open);
  if (!opened) co_return http::ErrorResponse(opened.error());
  const Principal who = PrincipalOf(user);
  auto audit = AuditOf(who, "user.login", "user", std::to_string(user.id));
  co_await RecordAudit(store, pool, audit);
  // Programs take the token from the answer; a browser keeps it in the cookie, out of its scripts' reach, and its
  // scripts take the CSRF token.
  auto response = http::JsonResponse(status, boost::json::object{{"token", token},
                                                                 {"token_type", "Bearer"},
                                                                 {"expires_at", FormatTimestamp(expires_at)},
                                                                 {"csrf_token", auth.CsrfToken(token)},
                                                                 {"user", UserJson(user)}});
  response.insert(boost::beast::http::field::set_cookie,
                  SessionCookie(token, config.session_ttl_hours * 3600, config.ServedOverHttps()));
  co_return response;
}

boost::json::object ApiKeyJson(const store::ApiKey& key) {
  return {{"id", key.id},
          {"name", key.name},
          {"prefix", key.prefix},
          {"role", key.role},
          {"created_at", FormatTimestamp(key.created_at_ms)},
          {"last_used_at", TimestampOrNull(key.last_used_at_ms)}};
}

LoginLimits LoginLimitsOf(const Config& config) {
  LoginLimits limits;
  limits.per_address_per_second = static_cast<double>(config.login_per_address_per_minute) / 60.0;
  limits.per_address_burst = static_cast<double>(config.login_per_address_burst);
  limits.global_per_second = static_cast<double>(config.login_per_second);
  limits.global_burst = static_cast<double>(config.login_burst);
  return limits;
}

AccessApi::AccessApi(const Config& config, store::Store& store, BlockingPool& pool, BoundedPool& hashing,
                     Authenticator& auth, const RateLimiterFactory& limiters)
    : config_(config),
      store_(store),
      pool_(pool),
      hashing_(hashing),
      auth_(auth),
      login_guard_(LoginLimitsOf(config), limiters) {}

void AccessApi::RegisterRoutes(RouteTable& routes) {
  auto add = [&](Verb verb, const char* pattern, const Roles& roles, RouteDoc doc, Handler handler) {
    routes.Tenant(
        verb, pattern, roles, std::move(doc),
        [this, handler](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
          return (this->*handler)(caller, request, route);
        });
  };
  routes.Public(
      Verb::post, "/api/auth/login",
      {.summary = "Log in with e-mail and password; answers a session token and sets the session cookie",
       .tag = "access",
       .body = BodyKind::kJson,
       .schema = "LoginRequest",
       .response_schema = "LoginResponse",
       .errors = {401, 429, 503}},
      [this](const http::Request& request, const http::RouteContext& route) { return Login(request, route); });
  routes.Public(
      Verb::post, "/api/auth/password-reset",
      {.summary = "Set a new password with a one-time reset link's token (from `parley user reset-password`); ends "
                  "the user's sessions",
       .tag = "access",
       .body = BodyKind::kJson,
       .success_status = 204,
       .schema = "PasswordResetRequest",
       .errors = {429, 503}},
      [this](const http::Request& request, const http::RouteContext& route) { return ResetPassword(request, route); });
  add(Verb::post, "/api/auth/logout", kAnyRole,
      {.summary = "End the current session and clear its cookie",
       .tag = "access",
       .success_status = 204,
       .errors = {400}},
      &AccessApi::Logout);
  add(Verb::get, "/api/auth/me", kAnyRole,
      {.summary = "Who the caller is: tenant, role, user or API key", .tag = "access", .response_schema = "Me"},
      &AccessApi::Me);
  add(Verb::get, "/api/users", kAdmins,
      {.summary = "List the tenant's users", .tag = "access", .response_schema = "UserList"}, &AccessApi::ListUsers);
  add(Verb::post, "/api/users", kAdmins,
      {.summary = "Add a user",
       .tag = "access",
       .body = BodyKind::kJson,
       .success_status = 201,
       .schema = "UserCreateRequest",
       .response_schema = "User",
       .errors = {409}},
      &AccessApi::CreateUser);
  add(Verb::patch, "/api/users/{id}", kAnyRole,
      {.summary = "Change a user's name, role, password or e-mail preferences (notify_by_email, language); anyone "
                  "may change their own name, password and preferences",
       .tag = "access",
       .body = BodyKind::kJson,
       .schema = "UserUpdateRequest",
       .response_schema = "User",
       .errors = {409}},
      &AccessApi::UpdateUser);
  add(Verb::delete_, "/api/users/{id}", kAdmins,
      {.summary = "Remove a user and end their sessions", .tag = "access", .success_status = 204, .errors = {409}},
      &AccessApi::DeleteUser);
  add(Verb::get, "/api/api-keys", kAdmins,
      {.summary = "List API keys (prefixes only)", .tag = "access", .response_schema = "ApiKeyList"},
      &AccessApi::ListKeys);
  add(Verb::post, "/api/api-keys", kAdmins,
      {.summary = "Create an API key; the key is in this answer only",
       .tag = "access",
       .body = BodyKind::kJson,
       .success_status = 201,
       .schema = "ApiKeyCreateRequest",
       .response_schema = "ApiKeyCreated"},
      &AccessApi::CreateKey);
  add(Verb::delete_, "/api/api-keys/{id}", kAdmins,
      {.summary = "Revoke an API key", .tag = "access", .success_status = 204}, &AccessApi::DeleteKey);
  add(Verb::get, "/api/audit-logs", kAdmins,
      {.summary = "Administrative actions, newest first",
       .tag = "access",
       .query = {{"action", R"({"type": "string"})", "Only this action (user.create, conversation.assign, …)."},
                 {"actor", R"({"type": "string"})",
                  "Only this actor (\"user:12\", \"api_key:3\", \"cli\", \"stripe\")."},
                 CursorParam(),
                 LimitParam()},
       .response_schema = "AuditPage"},
      &AccessApi::ListAudit);
}

boost::asio::awaitable<http::Response> AccessApi::Login(const http::Request& request, const http::RouteContext& route) {
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto email = OptionalString(*body, "email");
  auto password = OptionalString(*body, "password");
  if (!email || !*email || (*email)->empty()) {
    co_return http::ErrorResponse(Error::InvalidArgument("email is required"));
  }
  if (!password || !*password || (*password)->empty()) {
    co_return http::ErrorResponse(Error::InvalidArgument("password is required"));
  }
  std::string normalized = NormalizeEmail(**email);

  const std::string address_key = http::LimitKey(route.client_address);
  auto verdict = co_await login_guard_.Admit(address_key, normalized, NowMs());
  if (!verdict.allowed()) {
    const char* why = verdict.refusal == LoginGuard::Refusal::kAddress   ? "too many login attempts from this address"
                      : verdict.refusal == LoginGuard::Refusal::kAccount ? "too many login attempts for this account"
                                                                         : "too many login attempts";
    auto refused = TooManyRequests(std::string(why) + ", retry later", verdict.retry_after_ms);
    co_await RefusalDelay();
    co_return refused;
  }

  auto find = [this, &normalized] { return store_.access().FindUserByEmail(normalized); };
  auto user = co_await pool_.Run(find);
  if (!user && user.error().code != ErrorCode::kNotFound) co_return http::ErrorResponse(user.error());
  std::optional<std::string> hash;
  if (user) hash = user->password_hash;
  auto verify = [typed = std::move(**password), hash = std::move(hash)] {
    return crypto::VerifyPassword(typed, hash ? *hash : DecoyHash());
  };
  auto verified = co_await hashing_.TryRun(verify);
  if (!verified) {
    co_await RefusalDelay();
    co_return HashingBusy();
  }
  if (!user || !*verified) co_return http::ErrorResponse(Error::Unauthenticated("wrong e-mail or password"));
  co_return co_await SignIn(config_, store_, pool_, auth_, std::move(*user), http::Status::ok);
}

boost::asio::awaitable<http::Response> AccessApi::ResetPassword(const http::Request& request,
                                                                const http::RouteContext&) {
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  if (auto known = OnlyFields(*body, {"token", "password"}); !known) co_return http::ErrorResponse(known.error());
  auto token = OptionalString(*body, "token");
  auto password = OptionalString(*body, "password");
  if (!token || !*token || (*token)->empty())
    co_return http::ErrorResponse(Error::InvalidArgument("token is required"));
  if (!password || !*password) co_return http::ErrorResponse(Error::InvalidArgument("password is required"));

  // The token is checked before the password is hashed: without a live link nobody gets to spend the hashing
  // threads. It is used up only once the hash is ready, so that a weak password leaves the link usable.
  const std::string hash = crypto::Sha256Hex(**token);
  auto find = [this, &hash] { return store_.access().FindPasswordReset(hash, NowMs()); };
  auto found = co_await pool_.Run(find);
  if (!found) {
    if (found.error().code != ErrorCode::kNotFound) co_return http::ErrorResponse(found.error());
    co_await RefusalDelay();
    co_return http::ErrorResponse(
        Error::InvalidArgument("this password reset link is unknown, used or expired; ask for a new one"));
  }
  auto hash_new = [typed = **password] { return crypto::HashPassword(typed); };
  auto hashed = co_await hashing_.TryRun(hash_new);
  if (!hashed) co_return HashingBusy();
  if (!*hashed) co_return http::ErrorResponse(hashed->error());
  auto reset = [this, &hash, &hashed] { return store_.access().ResetPassword(hash, hashed->value(), NowMs()); };
  auto user = co_await pool_.Run(reset);
  if (!user) {
    if (user.error().code != ErrorCode::kNotFound) co_return http::ErrorResponse(user.error());
    co_return http::ErrorResponse(
        Error::InvalidArgument("this password reset link is unknown, used or expired; ask for a new one"));
  }
  auth_.ForgetUser(user->id);
  const Principal who = PrincipalOf(*user);
  auto audit = AuditOf(who, "user.password_reset", "user", std::to_string(user->id));
  co_await RecordAudit(store_, pool_, audit);
  co_return http::Response(http::Status::no_content, request.version());
}

boost::asio::awaitable<http::Response> AccessApi::Logout(const Principal& caller, const http::Request& request,
                                                         const http::RouteContext&) {
  std::string_view token = CredentialOf(request).token;
  if (!caller.user_id || !token.starts_with(kSessionTokenPrefix)) {
    co_return http::ErrorResponse(
        Error::InvalidArgument("only sessions log out; revoke an API key with DELETE /api/api-keys/{id}"));
  }
  std::string hash = crypto::Sha256Hex(token);
  auto remove = [this, &hash] { return store_.access().DeleteSession(hash); };
  auto removed = co_await pool_.Run(remove);
  if (!removed) co_return http::ErrorResponse(removed.error());
  auth_.ForgetToken(hash);
  http::Response response(http::Status::no_content, request.version());
  response.set(boost::beast::http::field::set_cookie, SessionCookie("", 0, config_.ServedOverHttps()));
  co_return response;
}

boost::asio::awaitable<http::Response> AccessApi::Me(const Principal& caller, const http::Request& request,
                                                     const http::RouteContext&) {
  boost::json::object body{{"tenant_id", caller.tenant_id}, {"role", ToString(caller.role)}};
  // A page loaded while signed in learns its CSRF token here: the cookie is out of its scripts' reach.
  if (Credential credential = CredentialOf(request); credential.from_cookie) {
    body["csrf_token"] = auth_.CsrfToken(credential.token);
  }
  body["user"] = nullptr;
  body["api_key"] = nullptr;
  if (caller.user_id) {
    auto get = [this, &caller] { return store_.access().GetUser(caller.tenant_id, *caller.user_id); };
    auto user = co_await pool_.Run(get);
    if (!user) co_return http::ErrorResponse(user.error());
    body["user"] = UserJson(*user);
  }
  if (caller.api_key_id) body["api_key"] = {{"id", *caller.api_key_id}};
  co_return http::JsonResponse(http::Status::ok, body);
}

boost::asio::awaitable<http::Response> AccessApi::ListUsers(const Principal& caller, const http::Request&,
                                                            const http::RouteContext&) {
  auto list = [this, tenant = caller.tenant_id] { return store_.access().ListUsers(tenant); };
  auto users = co_await pool_.Run(list);
  if (!users) co_return http::ErrorResponse(users.error());
  boost::json::array data;
  for (const auto& user : *users) data.push_back(UserJson(user));
  co_return http::JsonResponse(http::Status::ok, boost::json::object{{"data", std::move(data)}});
}

boost::asio::awaitable<http::Response> AccessApi::CreateUser(const Principal& caller, const http::Request& request,
                                                             const http::RouteContext&) {
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  if (auto known = OnlyFields(*body, {"email", "name", "role", "password"}); !known) {
    co_return http::ErrorResponse(known.error());
  }
  auto email = OptionalString(*body, "email");
  auto name = OptionalString(*body, "name");
  auto role = OptionalString(*body, "role");
  auto password = OptionalString(*body, "password");
  for (const auto* field : {&email, &name, &role, &password}) {
    if (!*field) co_return http::ErrorResponse(field->error());
  }
  if (!*email) co_return http::ErrorResponse(Error::InvalidArgument("email is required"));
  if (!*password) co_return http::ErrorResponse(Error::InvalidArgument("password is required"));
  std::string role_name = role->value_or("agent");
  auto parsed_role = RequireRole(role_name);
  if (!parsed_role) co_return http::ErrorResponse(parsed_role.error());
  if (!AtLeast(caller.role, *parsed_role)) {
    co_return http::ErrorResponse(Forbidden("only an owner may add an owner"));
  }
  auto make = [tenant = caller.tenant_id, email = **email, name = name->value_or(""), role_name,
               password = **password] { return MakeUser(tenant, email, name, role_name, password); };
  auto made = co_await hashing_.TryRun(make);
  if (!made) co_return HashingBusy();
  if (!*made) co_return http::ErrorResponse(made->error());
  auto create = [this, &made] { return store_.access().CreateUser(made->value()); };
  auto user = co_await pool_.Run(create);
  if (!user) co_return http::ErrorResponse(user.error());
  auto audit =
      AuditOf(caller, "user.create", "user", std::to_string(user->id), {{"email", user->email}, {"role", user->role}});
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::created, UserJson(*user));
}

boost::asio::awaitable<http::Response> AccessApi::UpdateUser(const Principal& caller, const http::Request& request,
                                                             const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such user"));
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  if (auto known = OnlyFields(*body, {"name", "role", "password", "notify_by_email", "language"}); !known) {
    co_return http::ErrorResponse(known.error());
  }
  store::UserPreferences preferences;
  if (const auto* notify = body->if_contains("notify_by_email"); notify && !notify->is_null()) {
    if (!notify->is_bool()) co_return http::ErrorResponse(Error::InvalidArgument("notify_by_email must be a boolean"));
    preferences.notify_by_email = notify->as_bool();
  }
  auto language = OptionalString(*body, "language");
  if (!language) co_return http::ErrorResponse(language.error());
  if (*language) {
    if (!ValidLanguage(**language)) {
      co_return http::ErrorResponse(Error::InvalidArgument("language must be a two-letter code such as en or fr"));
    }
    preferences.language = **language;
  }
  auto name = OptionalString(*body, "name");
  auto role = OptionalString(*body, "role");
  auto password = OptionalString(*body, "password");
  for (const auto* field : {&name, &role, &password}) {
    if (!*field) co_return http::ErrorResponse(field->error());
  }
  const bool self = caller.user_id == *id;
  if (!self && !AtLeast(caller.role, Role::kAdmin)) {
    co_return http::ErrorResponse(Forbidden("an agent may only change their own name and password"));
  }
  if (*role) {
    auto parsed = RequireRole(**role);
    if (!parsed) co_return http::ErrorResponse(parsed.error());
    if (caller.role == Role::kAgent) co_return http::ErrorResponse(Forbidden("an agent may not change roles"));
    if (!AtLeast(caller.role, *parsed)) co_return http::ErrorResponse(Forbidden("only an owner may make an owner"));
  }
  if (name->has_value() && (*name)->size() > 200) {
    co_return http::ErrorResponse(Error::InvalidArgument("name must be at most 200 bytes"));
  }

  // A new password is hashed first, on the hashing pool; the user's other sessions end with the change.
  std::optional<std::string> hash;
  if (*password) {
    auto hash_new = [typed = **password] { return crypto::HashPassword(typed); };
    auto hashed = co_await hashing_.TryRun(hash_new);
    if (!hashed) co_return HashingBusy();
    if (!*hashed) co_return http::ErrorResponse(hashed->error());
    hash = std::move(hashed->value());
  }
  std::string keep_session;
  if (std::string_view token = CredentialOf(request).token; self && token.starts_with(kSessionTokenPrefix)) {
    keep_session = crypto::Sha256Hex(token);
  }
  auto update = [this, &caller, id = *id, &name, &role, &hash, &keep_session, &preferences]() -> Result<store::User> {
    auto& access = store_.access();
    auto current = access.GetUser(caller.tenant_id, id);
    if (!current) return current.error();
    if (current->role == "owner" && caller.role != Role::kOwner) {
      return Forbidden("only an owner may change an owner");
    }
    if (current->role == "owner" && *role && **role != "owner") {
      auto owners = access.CountUsersWithRole(caller.tenant_id, "owner");
      if (!owners) return owners.error();
      if (*owners <= 1) return Error::Conflict("the tenant's last owner cannot be demoted");
    }
    auto updated = access.UpdateUser(caller.tenant_id, id, *name, *role, std::nullopt);
    if (updated && (preferences.notify_by_email || preferences.language)) {
      updated = store_.team().SetUserPreferences(caller.tenant_id, id, preferences);
    }
    if (!updated || !hash) return updated;
    if (auto changed = access.ChangePassword(caller.tenant_id, id, *hash, keep_session); !changed) {
      return changed.error();
    }
    return updated;
  };
  auto user = co_await pool_.Run(update);
  if (!user) co_return http::ErrorResponse(user.error());
  if (*role || hash) auth_.ForgetUser(user->id);
  boost::json::object details;
  if (*name) details["name"] = **name;
  if (*role) details["role"] = **role;
  if (*password) details["password"] = "changed";
  if (preferences.notify_by_email) details["notify_by_email"] = *preferences.notify_by_email;
  if (preferences.language) details["language"] = *preferences.language;
  auto audit = AuditOf(caller, "user.update", "user", std::to_string(user->id), std::move(details));
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, UserJson(*user));
}

boost::asio::awaitable<http::Response> AccessApi::DeleteUser(const Principal& caller, const http::Request& request,
                                                             const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such user"));
  auto remove = [this, &caller, id = *id]() -> Result<store::User> {
    auto& access = store_.access();
    auto current = access.GetUser(caller.tenant_id, id);
    if (!current) return current.error();
    if (current->role == "owner") {
      if (caller.role != Role::kOwner) return Forbidden("only an owner may remove an owner");
      auto owners = access.CountUsersWithRole(caller.tenant_id, "owner");
      if (!owners) return owners.error();
      if (*owners <= 1) return Error::Conflict("the tenant's last owner cannot be removed");
    }
    auto removed = access.DeleteUser(caller.tenant_id, id);
    if (!removed) return removed.error();
    return current;
  };
  auto user = co_await pool_.Run(remove);
  if (!user) co_return http::ErrorResponse(user.error());
  auth_.ForgetUser(user->id);
  auto audit = AuditOf(caller, "user.delete", "user", std::to_string(user->id), {{"email", user->email}});
  co_await RecordAudit(store_, pool_, audit);
  co_return http::Response(http::Status::no_content, request.version());
}

boost::asio::awaitable<http::Response> AccessApi::ListKeys(const Principal& caller, const http::Request&,
                                                           const http::RouteContext&) {
  auto list = [this, tenant = caller.tenant_id] { return store_.access().ListApiKeys(tenant); };
  auto keys = co_await pool_.Run(list);
  if (!keys) co_return http::ErrorResponse(keys.error());
  boost::json::array data;
  for (const auto& key : *keys) data.push_back(ApiKeyJson(key));
  co_return http::JsonResponse(http::Status::ok, boost::json::object{{"data", std::move(data)}});
}

boost::asio::awaitable<http::Response> AccessApi::CreateKey(const Principal& caller, const http::Request& request,
                                                            const http::RouteContext&) {
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  if (auto known = OnlyFields(*body, {"name", "role"}); !known) co_return http::ErrorResponse(known.error());
  auto name = OptionalString(*body, "name");
  auto role = OptionalString(*body, "role");
  if (!name) co_return http::ErrorResponse(name.error());
  if (!role) co_return http::ErrorResponse(role.error());
  std::string key_name = name->value_or("");
  boost::algorithm::trim(key_name);
  if (key_name.empty() || key_name.size() > 100) {
    co_return http::ErrorResponse(Error::InvalidArgument("name is required (at most 100 bytes)"));
  }
  std::string role_name = role->value_or("admin");
  auto parsed_role = RequireRole(role_name);
  if (!parsed_role) co_return http::ErrorResponse(parsed_role.error());
  if (!AtLeast(caller.role, *parsed_role)) {
    co_return http::ErrorResponse(Forbidden("a key cannot have more rights than its creator"));
  }
  std::string secret = std::string(kApiKeyPrefix) + crypto::RandomToken(32);
  store::NewApiKey key{caller.tenant_id, key_name, secret.substr(0, kKeyVisiblePrefix), role_name,
                       crypto::Sha256Hex(secret)};
  auto create = [this, &key] { return store_.access().CreateApiKey(key); };
  auto created = co_await pool_.Run(create);
  if (!created) co_return http::ErrorResponse(created.error());
  auto audit = AuditOf(caller, "api_key.create", "api_key", std::to_string(created->id),
                       {{"name", created->name}, {"prefix", created->prefix}, {"role", created->role}});
  co_await RecordAudit(store_, pool_, audit);
  boost::json::object answer = ApiKeyJson(*created);
  answer["key"] = secret;
  co_return http::JsonResponse(http::Status::created, answer);
}

boost::asio::awaitable<http::Response> AccessApi::DeleteKey(const Principal& caller, const http::Request& request,
                                                            const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such API key"));
  auto revoke = [this, &caller, id = *id]() -> Result<store::ApiKey> {
    auto& access = store_.access();
    // A key's role never changes, so checking it before the delete cannot race.
    auto key = access.GetApiKey(caller.tenant_id, id);
    if (!key) return key.error();
    if (!AtLeast(caller.role, ParseRole(key->role).value_or(Role::kOwner))) {
      return Forbidden("only an owner may revoke an owner key");
    }
    return access.DeleteApiKey(caller.tenant_id, id);
  };
  auto revoked = co_await pool_.Run(revoke);
  if (!revoked) co_return http::ErrorResponse(revoked.error());
  auth_.ForgetApiKey(revoked->id);
  auto audit = AuditOf(caller, "api_key.delete", "api_key", std::to_string(revoked->id),
                       {{"name", revoked->name}, {"prefix", revoked->prefix}});
  co_await RecordAudit(store_, pool_, audit);
  co_return http::Response(http::Status::no_content, request.version());
}

boost::asio::awaitable<http::Response> AccessApi::ListAudit(const Principal& caller, const http::Request&,
                                                            const http::RouteContext& route) {
  auto limit = PageLimit(route);
  if (!limit) co_return http::ErrorResponse(limit.error());
  store::AuditFilter filter;
  if (auto action = route.Query("action"); action && !action->empty()) filter.action = std::string(*action);
  if (auto actor = route.Query("actor"); actor && !actor->empty()) filter.actor = std::string(*actor);
  std::optional<std::string> cursor = PageCursor(route);
  auto list = [this, tenant = caller.tenant_id, &filter, &cursor, limit = *limit] {
    return store_.access().ListAudit(tenant, filter, cursor, limit);
  };
  auto page = co_await pool_.Run(list);
  if (!page) co_return http::ErrorResponse(page.error());
  boost::json::array data;
  for (const auto& entry : page->data) {
    // One row the server cannot read back (written by an older version, or by hand) must not hide the others.
    boost::system::error_code unreadable;
    boost::json::value details = boost::json::parse(entry.details, unreadable);
    if (unreadable) {
      log::Warn("audit_details_unreadable", {{"tenant_id", caller.tenant_id}, {"audit_id", entry.id}});
      details = nullptr;
    }
    data.push_back({{"id", entry.id},
                    {"actor", entry.actor},
                    {"action", entry.action},
                    {"target_type", entry.target_type},
                    {"target_id", entry.target_id},
                    {"details", std::move(details)},
                    {"created_at", FormatTimestamp(entry.created_at_ms)}});
  }
  co_return http::JsonResponse(
      http::Status::ok, boost::json::object{{"data", std::move(data)},
                                            {"next_cursor", page->next_cursor ? boost::json::value(*page->next_cursor)
                                                                              : boost::json::value(nullptr)}});
}

}  // namespace parley::api
