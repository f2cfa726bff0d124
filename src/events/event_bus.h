#pragma once
// The event bus: how the processes serving a tenant's event stream (GET /api/events) learn that the tenant's event
// log has grown. The log itself lives in the store (store/events.h): it gives every event its id, keeps events in
// order and answers catch-up reads. The bus only carries announcements, "tenant T has events up to id N"; a listener
// woken by one reads the log from the last id it sent. So an announcement lost, repeated or coalesced with another
// costs a little latency at worst, never an event, and a bus needs no storage of its own.
//
// Backends, one folder each, behind this interface:
// - memory/ (MakeInProcessEventBus): announcements within one process. Enough while one `parley serve` runs.
// - redis/ (MakeRedisEventBus): the same interface over Redis pub/sub (PUBLISH on a per-tenant channel by the process
//   whose store committed the events, SUBSCRIBE by every process holding streams of that tenant), so that several
//   processes can serve streams. Nothing else changes: the ids already come from the shared store. Announcements
//   made while Redis is unreachable are lost to the other processes; when the subscription is back, every wait
//   completes with nullopt so that its caller reads the log again (see WaitBeyond).
//
// Waiting costs no thread: a listener is a coroutine suspended on a timer of its own executor.
//
// The bus carries a second kind of announcement: cache invalidations, "forget entry K of cache C", for the caches a
// process keeps of what lives in the store (the authenticator's sessions and API keys). The store stays the source
// of truth, so an invalidation is again an announcement only: the process that changed the store announces it after
// the commit, every process (itself included) drops the entry and reads the store at its next use. Over Redis, an
// invalidation published while a process's subscription is down is lost to it; when the subscription is back, its
// caches are told to forget everything (the key is nullopt), as waits complete with nullopt.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace parley::redis {
class Client;
}

namespace parley::events {

// One listener's view of one tenant's announcements. Not thread-safe: used by one coroutine, on the executor it was
// made for. Destroying it unsubscribes.
class Subscription {
 public:
  virtual ~Subscription() = default;

  // Completes with the highest id announced for the tenant as soon as it is above `after_id` (at once when it
  // already is), or with nullopt when `timeout` passes first, when the awaiting coroutine is cancelled (through its
  // cancellation slot: the server stopping, the client gone), or when announcements may have been missed (the Redis
  // bus after its subscription was reopened): a caller reads the log again on nullopt anyway. Never throws for any
  // of these. One wait at a time.
  virtual boost::asio::awaitable<std::optional<int64_t>> WaitBeyond(int64_t after_id,
                                                                    std::chrono::milliseconds timeout) = 0;
};

// What a cache does on an invalidation: forget the entry `key` names, or, on nullopt, everything (invalidations may
// have been missed). Called on any thread (the invalidating caller's, the Redis client's strand): quick, thread-safe,
// and it must not call the bus.
using InvalidationHandler = std::function<void(std::optional<std::string_view> key)>;

// A cache's registration for its invalidations. Destroying it removes the handler: once the destructor returns, the
// handler is not running and is not called again.
class InvalidationListener {
 public:
  virtual ~InvalidationListener() = default;
};

class EventBus {
 public:
  virtual ~EventBus() = default;

  // Announces that `tenant_id`'s log holds events up to `last_id` (committed and readable). Thread-safe, never
  // blocks, may be called from any thread (the store calls it from its own after each commit). An id at or below one
  // already announced changes nothing.
  virtual void Publish(int64_t tenant_id, int64_t last_id) = 0;

  // Listens to `tenant_id`'s announcements, from now on. Waits complete on `executor`, which must run one handler at
  // a time (a strand, such as an HTTP connection's). The subscription must not outlive the bus.
  virtual std::unique_ptr<Subscription> Subscribe(int64_t tenant_id, boost::asio::any_io_executor executor) = 0;

  // Announces that entry `key` of cache `cache` changed in the store (call it after the commit): this process's
  // handlers of `cache` run before it returns, on the calling thread; the other processes' soon after (Redis bus).
  // Thread-safe; never waits for Redis (a failure to send is logged and counted). `cache` is a short name of
  // letters, digits and '_'; `key` any text the cache's handlers understand.
  virtual void Invalidate(std::string_view cache, std::string_view key) = 0;

  // Calls `handler` for every invalidation of `cache` announced from now on, by any process, until the listener is
  // destroyed (it must not outlive the bus). Thread-safe. Over Redis the subscription is confirmed asynchronously:
  // make the listener before the cache is filled (at start-up).
  virtual std::unique_ptr<InvalidationListener> ListenForInvalidations(std::string cache,
                                                                       InvalidationHandler handler) = 0;
};

// The in-process bus (events/memory): announcements reach the subscriptions of this process only.
std::unique_ptr<EventBus> MakeInProcessEventBus();

// The Redis bus (events/redis): announcements reach this process's subscriptions at once and every other process's
// through `client` (channel parley:events:<tenant id>, the id as the message; invalidations on
// parley:invalidate:<cache>, the key as the message). PUBLISH is sent from `executor`
// without waiting for it. `client` must outlive the bus and be stopped before it is destroyed; the bus sets the
// client's message handlers (one bus per client).
std::unique_ptr<EventBus> MakeRedisEventBus(redis::Client& client, boost::asio::any_io_executor executor);

}  // namespace parley::events
