#pragma once
// The in-process EventBus (MakeInProcessEventBus), declared here for the Redis bus (events/redis), which fans the
// announcements it receives out to this process's subscriptions through one of these.

#include "events/event_bus.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::events {

namespace memory_detail {
struct Listener;
}

class InProcessEventBus final : public EventBus {
 public:
  void Publish(int64_t tenant_id, int64_t last_id) override;
  std::unique_ptr<Subscription> Subscribe(int64_t tenant_id, boost::asio::any_io_executor executor) override;
  void Invalidate(std::string_view cache, std::string_view key) override;
  std::unique_ptr<InvalidationListener> ListenForInvalidations(std::string cache, InvalidationHandler handler) override;

  // Completes every wait in progress, and the next wait of every other subscription, with nullopt, and tells every
  // cache to forget everything: announcements and invalidations may have been missed (the Redis bus's subscriber
  // connection was reopened), so that streams read the log again and caches the store. Thread-safe.
  void Resync();

  void Unsubscribe(int64_t tenant_id, const std::shared_ptr<memory_detail::Listener>& listener);
  void StopListening(const std::string& cache, uint64_t listener_id);

 private:
  struct Tenant {
    int64_t last_id = 0;  //!< The highest id announced; kept when the last listener leaves (one entry per tenant).
    std::vector<std::shared_ptr<memory_detail::Listener>> listeners;
  };
  std::mutex mutex_;
  std::unordered_map<int64_t, Tenant> tenants_;  // GUARDED_BY(mutex_)

  // Handlers run under this lock, so that a listener destroyed is no longer running when StopListening returns.
  std::mutex invalidation_mutex_;
  uint64_t next_listener_id_ = 0;  // GUARDED_BY(invalidation_mutex_)
  // Per cache, its handlers by listener id.
  std::map<std::string, std::map<uint64_t, InvalidationHandler>, std::less<>>
      invalidation_handlers_;  // GUARDED_BY(invalidation_mutex_)
};

}  // namespace parley::events
