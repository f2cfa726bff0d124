#pragma once
// Rate limits shared by every process that uses one Redis (PARLEY_REDIS_URL): a token bucket per key in a Redis
// hash, `parley:rate:<limiter name>:<key>`, read, refilled and taken in one atomic Lua script (EVALSHA), so that two
// gateways admit together what one process would. The script sets the hash to expire when the bucket would be full
// again: an idle key costs Redis nothing, and a bucket found missing is a full one.
//
// When Redis cannot answer (unreachable, an answer past the client's command timeout, an error), the limiter fails
// open to a local bucket of the same rate (core/rate_limiter.h's LocalRateLimiter): each process then limits on its
// own, so the limit is at most the number of processes times the shared one for the duration of the outage, and
// logins and the API keep working. A limiter that refused everyone while Redis is down would turn a Redis outage into
// a full one, and one that admitted everyone would leave password guessing unlimited. The switch is logged once each
// way (rate_limits_local, rate_limits_shared) and every fallen-back decision counted in
// parley_rate_limit_fallbacks_total{limiter}.
//
// The time is the caller's `now_ms` (each process's clock): a clock behind another's refills nothing until it
// catches up, never more than the burst.

#include "core/rate_limiter.h"
#include "redis/client.h"

namespace parley::redis {

// Makes limiters whose buckets live on `client`'s server. `client` must outlive them; they work from the moment
// they are made (falling back until the client is connected).
RateLimiterFactory SharedRateLimiters(Client& client);

}  // namespace parley::redis
