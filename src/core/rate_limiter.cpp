#include "core/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace parley {
namespace {
// A full sweep of idle buckets at most this often keeps Take() O(1) amortised.
constexpr int64_t kEvictionIntervalMs = 60'000;
}  // namespace

LocalRateLimiter::LocalRateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(burst, 1.0)) {}

RateLimiter::Decision LocalRateLimiter::TakeNow(std::string_view key, int64_t now_ms, double cost) {
  if (per_second_ <= 0) return {};
  std::lock_guard lock(mutex_);
  if (now_ms >= next_eviction_ms_) EvictFull(now_ms);
  auto [it, inserted] = buckets_.try_emplace(std::string(key), Bucket{burst_, now_ms});
  Bucket& bucket = it->second;
  if (!inserted && now_ms > bucket.updated_ms) {
    bucket.tokens = std::min(burst_, bucket.tokens + (now_ms - bucket.updated_ms) * per_second_ / 1000.0);
    bucket.updated_ms = now_ms;
  }
  if (bucket.tokens >= cost) {
    bucket.tokens -= cost;
    return {};
  }
  double missing = cost - bucket.tokens;
  return {false, std::max<int64_t>(1, static_cast<int64_t>(std::ceil(missing * 1000.0 / per_second_)))};
}

boost::asio::awaitable<RateLimiter::Decision> LocalRateLimiter::Take(std::string key, int64_t now_ms, double cost) {
  co_return TakeNow(key, now_ms, cost);
}

void LocalRateLimiter::EvictFull(int64_t now_ms) {
  std::erase_if(buckets_, [&](const auto& entry) {
    const Bucket& b = entry.second;
    return b.tokens + (now_ms - b.updated_ms) * per_second_ / 1000.0 >= burst_;
  });
  next_eviction_ms_ = now_ms + kEvictionIntervalMs;
}

RateLimiterFactory LocalRateLimiters() {
  return [](std::string_view, double per_second, double burst) -> std::unique_ptr<RateLimiter> {
    return std::make_unique<LocalRateLimiter>(per_second, burst);
  };
}

}  // namespace parley
