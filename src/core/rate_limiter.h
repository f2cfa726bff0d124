#pragma once
// Rate limits by key (a tenant, a contact, a client address): token buckets, each key holding up to `burst` tokens
// refilled at `per_second`. Two implementations behind one interface:
// - LocalRateLimiter: the buckets of this process, in memory. Cheap (a mutex and a map); enough for one process.
// - the Redis limiter (redis/rate_limiter.h): buckets shared by every process that uses the same Redis, so that two
//   gateways admit together what one would. It falls back to a LocalRateLimiter while Redis cannot be reached.
// Components that build their own limiters take a RateLimiterFactory, so that `parley serve` decides which kind.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley {

class RateLimiter {
 public:
  struct Decision {
    bool allowed = true;
    int64_t retry_after_ms = 0;  //!< When refused: how long until `cost` tokens are back.
  };

  virtual ~RateLimiter() = default;

  // Takes `cost` tokens from `key`'s bucket at `now_ms` when it holds them (allowed), else takes nothing (refused,
  // with the wait until they are back). Thread-safe; completes on the awaiting coroutine's executor and never blocks
  // it (a shared limiter's round trip is asynchronous). Never throws for a backend's failure: a limiter decides
  // anyway (see each implementation). `key` is taken by value: callers bind it to a local before `co_await` (the
  // g++ 12 rule in core/blocking_pool.h).
  virtual boost::asio::awaitable<Decision> Take(std::string key, int64_t now_ms, double cost = 1) = 0;
};

// The buckets of this process. Buckets that have refilled completely are dropped, so memory follows the active
// keys only.
class LocalRateLimiter final : public RateLimiter {
 public:
  // per_second <= 0 disables the limiter: every Take is allowed.
  LocalRateLimiter(double per_second, double burst);

  // Take, synchronously: for callers outside coroutines and for the Redis limiter's fallback.
  Decision TakeNow(std::string_view key, int64_t now_ms, double cost = 1);
  boost::asio::awaitable<Decision> Take(std::string key, int64_t now_ms, double cost = 1) override;

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
  };
  void EvictFull(int64_t now_ms);  // REQUIRES(mutex_)

  const double per_second_;
  const double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mutex_)
  int64_t next_eviction_ms_ = 0;                     // GUARDED_BY(mutex_)
};

// Makes a limiter. `name` tells one limiter's buckets from another's where they are shared (the Redis key prefix):
// two limiters of the same name and rate, in two processes, share their buckets. Thread-safe.
using RateLimiterFactory =
    std::function<std::unique_ptr<RateLimiter>(std::string_view name, double per_second, double burst)>;

// A factory of LocalRateLimiters (the name is not needed in one process).
RateLimiterFactory LocalRateLimiters();

}  // namespace parley
