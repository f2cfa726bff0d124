#include "api/auth.h"

#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "store/access_store.h"

namespace parley::api {
namespace {
// A revoked key or an ended session is forgotten at once by this process; other processes sharing the database
// notice within this long.
constexpr int64_t kCacheTtlMs = 30'000;
// last_used_at is informative: written at most this often per key.
constexpr int64_t kTouchIntervalMs = 60'000;
}  // namespace

std::string_view BearerToken(const http::RequestHeader& request) {
  auto header = request[boost::beast::http::field::authorization];
  std::string_view value(header.data(), header.size());
  constexpr std::string_view kBearer = "Bearer ";
  if (value.size() <= kBearer.size() || value.substr(0, kBearer.size()) != kBearer) return {};
  return value.substr(kBearer.size());
}

boost::asio::awaitable<Result<Principal>> Authenticator::Authenticate(const http::RequestHeader& request) {
  std::string_view token = BearerToken(request);
  if (token.empty()) co_return Error::Unauthenticated("missing Authorization: Bearer <session token or API key>");
  std::string hash = crypto::Sha256Hex(token);
  int64_t now = NowMs();
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && it->second.expires_at_ms > now) co_return it->second.principal;
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
  cache_[hash] = {principal, valid_until};
  co_return principal;
}

void Authenticator::ForgetToken(const std::string& token_hash) {
  std::lock_guard lock(mutex_);
  cache_.erase(token_hash);
}

void Authenticator::ForgetApiKey(int64_t key_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(cache_, [&](const auto& entry) { return entry.second.principal.api_key_id == key_id; });
}

void Authenticator::ForgetUser(int64_t user_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(cache_, [&](const auto& entry) { return entry.second.principal.user_id == user_id; });
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
