#include "api/auth.h"

#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "store/access_store.h"

#include <charconv>

namespace parley::api {
namespace {
// A revoked key or an ended session is forgotten at once by every process through the bus's invalidations; this
// bounds what a process can miss (an invalidation Redis did not carry, a user's session changed by the CLI).
constexpr int64_t kCacheTtlMs = 30'000;
// The cache's name on the event bus, and its keys: "token:<SHA-256 of the token>", "api_key:<id>", "user:<id>".
constexpr std::string_view kCacheName = "auth";
constexpr std::string_view kTokenKey = "token:";
constexpr std::string_view kApiKeyKey = "api_key:";
constexpr std::string_view kUserKey = "user:";
// last_used_at is informative: written at most this often per key.
constexpr int64_t kTouchIntervalMs = 60'000;
// Changing the purpose changes every CSRF token: signed-in pages then need GET /api/auth/me again.
constexpr std::string_view kCsrfKeyPurpose = "parley csrf token v1";

// Methods that must not change anything, and so need no CSRF token.
bool IsSafeMethod(http::Verb method) {
  return method == http::Verb::get || method == http::Verb::head || method == http::Verb::options;
}

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view BearerToken(const http::RequestHeader& request) {
  auto header = request[boost::beast::http::field::authorization];
  std::string_view value(header.data(), header.size());
  constexpr std::string_view kBearer = "Bearer ";
  if (value.size() <= kBearer.size() || value.substr(0, kBearer.size()) != kBearer) return {};
  return value.substr(kBearer.size());
}

std::string_view CookieValue(const http::RequestHeader& request, std::string_view name) {
  // "a=1; b=2", possibly over several Cookie lines (HTTP/2 proxies split them); the first match wins.
  auto [begin, end] = request.equal_range(boost::beast::http::field::cookie);
  for (auto line = begin; line != end; ++line) {
    std::string_view rest(line->value().data(), line->value().size());
    while (!rest.empty()) {
      const size_t semicolon = rest.find(';');
      std::string_view pair = TrimSpaces(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      const size_t equals = pair.find('=');
      if (equals == std::string_view::npos || TrimSpaces(pair.substr(0, equals)) != name) continue;
      std::string_view value = TrimSpaces(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return value;
    }
  }
  return {};
}

Credential CredentialOf(const http::RequestHeader& request) {
  // An Authorization header, even a malformed one, is what the caller meant to authenticate with: a program's
  // wrong token must not fall back on a cookie the same client happens to hold.
  if (request.find(boost::beast::http::field::authorization) != request.end()) return {BearerToken(request), false};
  return {CookieValue(request, kSessionCookie), true};
}

std::string SessionCookie(std::string_view token, int64_t max_age_s, bool secure) {
  std::string cookie = std::string(kSessionCookie) + "=" + std::string(token) +
                       "; Max-Age=" + std::to_string(max_age_s) + "; Path=/; HttpOnly; SameSite=Lax";
  if (secure) cookie += "; Secure";
  return cookie;
}

Authenticator::Authenticator(store::Store& store, BlockingPool& pool, const crypto::SecretBox& box,
                             events::EventBus& bus)
    : store_(store),
      pool_(pool),
      bus_(bus),
      csrf_key_(box.DeriveKey(kCsrfKeyPurpose)),
      listener_(bus.ListenForInvalidations(std::string(kCacheName),
                                           [this](std::optional<std::string_view> key) { Drop(key); })) {}

std::string Authenticator::CsrfToken(std::string_view session_token) const {
  return crypto::HmacSha256Hex(csrf_key_, session_token);
}

bool Authenticator::CsrfTokenMatches(const http::RequestHeader& request, std::string_view session_token) const {
  auto given = request[kCsrfHeader];
  return crypto::ConstantTimeEquals(std::string_view(given.data(), given.size()), CsrfToken(session_token));
}

boost::asio::awaitable<Result<Principal>> Authenticator::Authenticate(const http::RequestHeader& request) {
  const Credential credential = CredentialOf(request);
  const std::string_view token = credential.token;
  if (token.empty()) {
    co_return Error::Unauthenticated(
        "missing Authorization: Bearer <session token or API key> (or the session cookie of a signed-in browser)");
  }
  // A cookie only ever holds a session; an API key belongs in the Authorization header of a program.
  if (credential.from_cookie && !token.starts_with(kSessionTokenPrefix)) {
    co_return Error::Unauthenticated("the session cookie holds no session; sign in again");
  }
  // The CSRF verdict is settled from the request before the session look-up suspends, so that only a bool, not
  // views into the request, has to survive the suspension. It is reported after the look-up, so that an expired
  // session answers 401 (sign in again) first.
  const bool csrf_refused =
      credential.from_cookie && !IsSafeMethod(request.method()) && !CsrfTokenMatches(request, token);
  auto principal = co_await Lookup(std::string(token));
  if (principal && csrf_refused) {
    co_return Error{ErrorCode::kPermissionDenied, "missing or wrong X-CSRF-Token header", {}};
  }
  co_return principal;
}

boost::asio::awaitable<Result<Principal>> Authenticator::Lookup(std::string token) {
  std::string hash = crypto::Sha256Hex(token);
  int64_t now = NowMs();
  uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && it->second.expires_at_ms > now) co_return it->second.principal;
    generation = generation_;
  }

  Principal principal;
  int64_t valid_until = now + kCacheTtlMs;
  if (token.starts_with(kSessionTokenPrefix)) {
    auto find = [this, hash, now] { return store_.access().FindSession(hash, now); };
    auto session = co_await pool_.Run(find);
    if (!session) {
      if (session.error().code == ErrorCode::kNotFound) co_return Error::Unauthenticated("session expired or unknown");
      co_return session.error();
    }
    principal.tenant_id = session->tenant_id;
    principal.role = ParseRole(session->role).value_or(Role::kAgent);
    principal.user_id = session->user_id;
    valid_until = std::min(valid_until, session->expires_at_ms);
  } else {
    auto find = [this, hash] { return store_.access().FindApiKey(hash); };
    auto key = co_await pool_.Run(find);
    if (!key) {
      if (key.error().code == ErrorCode::kNotFound) co_return Error::Unauthenticated("invalid API key");
      co_return key.error();
    }
    principal.tenant_id = key->tenant_id;
    principal.role = ParseRole(key->role).value_or(Role::kAgent);
    principal.api_key_id = key->id;
    if (!key->last_used_at_ms || *key->last_used_at_ms + kTouchIntervalMs <= now) {
      auto touch = [this, id = key->id, now] { return store_.access().TouchApiKey(id, now); };
      co_await pool_.Run(touch);
    }
  }
  std::lock_guard lock(mutex_);
  if (generation_ == generation) cache_[hash] = {principal, valid_until};
  co_return principal;
}

void Authenticator::ForgetToken(const std::string& token_hash) {
  bus_.Invalidate(kCacheName, std::string(kTokenKey) + token_hash);
}

void Authenticator::ForgetApiKey(int64_t key_id) {
  bus_.Invalidate(kCacheName, std::string(kApiKeyKey) + std::to_string(key_id));
}

void Authenticator::ForgetUser(int64_t user_id) {
  bus_.Invalidate(kCacheName, std::string(kUserKey) + std::to_string(user_id));
}

void Authenticator::Drop(std::optional<std::string_view> key) {
  std::lock_guard lock(mutex_);
  ++generation_;
  if (!key) {
    cache_.clear();
  } else if (key->starts_with(kTokenKey)) {
    cache_.erase(std::string(key->substr(kTokenKey.size())));
  } else if (key->starts_with(kApiKeyKey)) {
    const auto id = ParseId(key->substr(kApiKeyKey.size()));
    std::erase_if(cache_, [&](const auto& entry) { return id && entry.second.principal.api_key_id == id; });
  } else if (key->starts_with(kUserKey)) {
    const auto id = ParseId(key->substr(kUserKey.size()));
    std::erase_if(cache_, [&](const auto& entry) { return id && entry.second.principal.user_id == id; });
  } else {
    // A key this version does not know (a newer process beside it): forgetting everything is always safe.
    cache_.clear();
  }
}

store::AuditEntry AuditOf(const Principal& caller, std::string action, std::string target_type, std::string target_id,
                          const boost::json::object& details) {
  return {0,
          caller.tenant_id,
          caller.Actor(),
          std::move(action),
          std::move(target_type),
          std::move(target_id),
          SerializeJson(details),
          NowMs()};
}

boost::asio::awaitable<void> RecordAudit(store::Store& store, BlockingPool& pool, store::AuditEntry entry) {
  auto append = [&store, &entry] { return store.access().AppendAudit(entry); };
  auto recorded = co_await pool.Run(append);
  if (!recorded) {
    log::Error("audit_record_failed",
               {{"tenant_id", entry.tenant_id},
                {"action", entry.action},
                {"error", recorded.error().detail.empty() ? recorded.error().message : recorded.error().detail}});
  }
}

}  // namespace parley::api
