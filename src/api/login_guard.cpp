#include "api/login_guard.h"

namespace parley::api {

LoginGuard::LoginGuard(const LoginLimits& limits)
    : per_address_(limits.per_address_per_second, limits.per_address_burst),
      global_(limits.global_per_second, limits.global_burst),
      account_per_address_(limits.account_per_address_per_second, limits.account_per_address_burst),
      account_(limits.account_per_second, limits.account_burst) {}

LoginGuard::Verdict LoginGuard::Admit(std::string_view address_key, std::string_view email, int64_t now_ms) {
  // From the narrowest to the widest: a client over its own limit does not spend the tokens every client shares,
  // nor those of the account it is guessing at.
  if (auto d = per_address_.Take(address_key, now_ms); !d.allowed) return {Refusal::kAddress, d.retry_after_ms};
  std::string pair;
  pair.reserve(address_key.size() + 1 + email.size());
  pair.append(address_key).append(1, ' ').append(email);
  if (auto d = account_per_address_.Take(pair, now_ms); !d.allowed) return {Refusal::kAccount, d.retry_after_ms};
  if (auto d = account_.Take(email, now_ms); !d.allowed) return {Refusal::kAccount, d.retry_after_ms};
  if (auto d = global_.Take("", now_ms); !d.allowed) return {Refusal::kGlobal, d.retry_after_ms};
  return {};
}

}  // namespace parley::api
