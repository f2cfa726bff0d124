#pragma once
// What stands between POST /api/auth/login and the password hash, which costs tens of milliseconds of a core and
// tens of megabytes (Argon2id): every attempt is counted before any hashing, by four token buckets.
//   - the client address (http::LimitKey of the resolved client): one client cannot spray;
//   - every client together: many clients cannot queue more hashing than the server does;
//   - the client address and the e-mail together: guessing one account's password from one place stops soon;
//   - the e-mail alone, with a much higher threshold: guessing from many places stops too, but a few wrong
//     attempts from one address never lock the owner out when they log in from another.
// A refusal says which bucket refused and when to retry; the buckets taken before it stay spent. The buckets are
// the factory's: shared by every process through Redis when `parley serve` has PARLEY_REDIS_URL.

#include "core/rate_limiter.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace parley::api {

struct LoginLimits {
  double per_address_per_second = 0.5;  //!< 0 disables the per-address bucket.
  double per_address_burst = 10;
  double global_per_second = 10;  //!< 0 disables the global bucket.
  double global_burst = 20;
  //! One account from one address: 10 attempts at once, then one every 6 seconds.
  double account_per_address_per_second = 1.0 / 6;
  double account_per_address_burst = 10;
  //! One account from anywhere: ten times as many before it slows down.
  double account_per_second = 1.0;
  double account_burst = 100;
};

class LoginGuard {
 public:
  LoginGuard(const LoginLimits& limits, const RateLimiterFactory& limiters);

  enum class Refusal { kNone, kAddress, kGlobal, kAccount };
  struct Verdict {
    Refusal refusal = Refusal::kNone;
    int64_t retry_after_ms = 0;  //!< When refused: how long until the refusing bucket has a token again.
    bool allowed() const { return refusal == Refusal::kNone; }
  };

  // Counts one attempt to log in as `email` (normalized) from `address_key` at `now_ms`. Thread-safe; completes on
  // the awaiting coroutine's executor.
  boost::asio::awaitable<Verdict> Admit(std::string address_key, std::string email, int64_t now_ms);

 private:
  std::unique_ptr<RateLimiter> per_address_;
  std::unique_ptr<RateLimiter> global_;
  std::unique_ptr<RateLimiter> account_per_address_;
  std::unique_ptr<RateLimiter> account_;
};

}  // namespace parley::api
