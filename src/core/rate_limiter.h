#pragma once
// Token buckets by key (a tenant, a contact): each key holds up to `burst` tokens, refilled at `per_second`.
// Thread-safe. Buckets that have refilled completely are dropped, so memory follows the active keys only.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley {

class RateLimiter {
 public:
  // per_second <= 0 disables the limiter: every Take is allowed.
  RateLimiter(double per_second, double burst);

  struct Decision {
    bool allowed = true;
    int64_t retry_after_ms = 0;  //!< When refused: how long until `cost` tokens are back.
  };
  Decision Take(std::string_view key, int64_t now_ms, double cost = 1);

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

}  // namespace parley
