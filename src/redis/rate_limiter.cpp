#include "redis/rate_limiter.h"

#include "core/log.h"
#include "core/metrics.h"
#include "redis/script.h"

#include <atomic>
#include <cstdio>

namespace parley::redis {
namespace {

// KEYS[1]: the bucket. ARGV: tokens per second, burst, now (ms), cost. Returns {allowed (0|1), retry after (ms)}.
// The same arithmetic as LocalRateLimiter; the hash holds t (tokens) and u (when they were counted).
const Script kTokenBucket(R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local bucket = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(bucket[1])
local updated = tonumber(bucket[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
elseif now > updated then
  tokens = math.min(burst, tokens + (now - updated) * rate / 1000)
  updated = now
end
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.max(1, math.ceil((cost - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'u', string.format('%d', updated))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {allowed, retry}
)lua");

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

Result<RateLimiter::Decision> DecisionOf(const Result<Reply>& reply) {
  if (!reply) return reply.error();
  if (reply->is_error()) return Error::Unavailable("redis refused the rate limit script", reply->text);
  if (reply->type != Reply::Type::kArray || reply->elements.size() != 2 ||
      reply->elements[0].type != Reply::Type::kInteger || reply->elements[1].type != Reply::Type::kInteger) {
    return Error::Internal("unexpected reply to the rate limit script");
  }
  return RateLimiter::Decision{reply->elements[0].integer == 1, reply->elements[1].integer};
}

class SharedRateLimiter final : public RateLimiter {
 public:
  SharedRateLimiter(Client& client, std::string name, double per_second, double burst)
      : client_(client),
        name_(std::move(name)),
        prefix_("parley:rate:" + name_ + ":"),
        per_second_(Number(per_second)),
        burst_(Number(std::max(burst, 1.0))),
        enabled_(per_second > 0),
        local_(per_second, burst),
        fallbacks_(metrics::Global().GetCounter(
            "parley_rate_limit_fallbacks_total",
            "Rate limit decisions taken by a process alone because Redis could not answer.", {{"limiter", name_}})) {}

  boost::asio::awaitable<Decision> Take(std::string key, int64_t now_ms, double cost) override {
    if (!enabled_) co_return Decision{};
    const std::vector<std::string> keys{prefix_ + key};
    const std::vector<std::string> args{per_second_, burst_, std::to_string(now_ms), Number(cost)};
    const Result<Reply> reply = co_await kTokenBucket.Run(client_, keys, args);
    Result<Decision> decision = DecisionOf(reply);
    if (!decision) {
      fallbacks_.Inc();
      if (!local_only_.exchange(true)) {
        log::Warn("rate_limits_local", {{"limiter", name_},
                                        {"error", decision.error().message},
                                        {"detail", decision.error().detail},
                                        {"until", "redis answers again"}});
      }
      co_return local_.TakeNow(key, now_ms, cost);
    }
    if (local_only_.exchange(false)) log::Info("rate_limits_shared", {{"limiter", name_}});
    co_return *decision;
  }

 private:
  Client& client_;
  const std::string name_;
  const std::string prefix_;
  const std::string per_second_;
  const std::string burst_;
  const bool enabled_;
  LocalRateLimiter local_;  //!< Decides while Redis cannot.
  metrics::Counter& fallbacks_;
  std::atomic<bool> local_only_{false};  //!< The last decision was local: logged once per switch.
};

}  // namespace

RateLimiterFactory SharedRateLimiters(Client& client) {
  return [&client](std::string_view name, double per_second, double burst) -> std::unique_ptr<RateLimiter> {
    return std::make_unique<SharedRateLimiter>(client, std::string(name), per_second, burst);
  };
}

}  // namespace parley::redis
