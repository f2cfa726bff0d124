#include "api/login_guard.h"

namespace parley::api {

LoginGuard::LoginGuard(const LoginLimits& limits, const RateLimiterFactory& limiters)
    : per_address_(limiters("login_address", limits.per_address_per_second, limits.per_address_burst)),
      global_(limiters("login_global", limits.global_per_second, limits.global_burst)),
      account_per_address_(
          limiters("login_account_address", limits.account_per_address_per_second, limits.account_per_address_burst)),
      account_(limiters("login_account", limits.account_per_second, limits.account_burst)) {}

boost::asio::awaitable<LoginGuard::Verdict> LoginGuard::Admit(std::string address_key, std::string email,
                                                              int64_t now_ms) {
  // From the narrowest to the widest: a client over its own limit does not spend the tokens every client shares,
  // nor those of the account it is guessing at.
  auto d = co_await per_address_->Take(address_key, now_ms);
  if (!d.allowed) co_return Verdict{Refusal::kAddress, d.retry_after_ms};
  std::string pair;
  pair.reserve(address_key.size() + 1 + email.size());
  pair.append(address_key).append(1, ' ').append(email);
  d = co_await account_per_address_->Take(pair, now_ms);
  if (!d.allowed) co_return Verdict{Refusal::kAccount, d.retry_after_ms};
  d = co_await account_->Take(email, now_ms);
  if (!d.allowed) co_return Verdict{Refusal::kAccount, d.retry_after_ms};
  const std::string everyone;
  d = co_await global_->Take(everyone, now_ms);
  if (!d.allowed) co_return Verdict{Refusal::kGlobal, d.retry_after_ms};
  co_return Verdict{};
}

}  // namespace parley::api
