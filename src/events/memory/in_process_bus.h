#pragma once
// The in-process EventBus (MakeInProcessEventBus), declared here for the Redis bus (events/redis), which fans the
// announcements it receives out to this process's subscriptions through one of these.

#include "events/event_bus.h"

#include <memory>
#include <mutex>
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

  // Completes every wait in progress, and the next wait of every other subscription, with nullopt: announcements may
  // have been missed (the Redis bus's subscriber connection was reopened), so that their callers read the log again.
  // Thread-safe.
  void Resync();

  void Unsubscribe(int64_t tenant_id, const std::shared_ptr<memory_detail::Listener>& listener);

 private:
  struct Tenant {
    int64_t last_id = 0;  //!< The highest id announced; kept when the last listener leaves (one entry per tenant).
    std::vector<std::shared_ptr<memory_detail::Listener>> listeners;
  };
  std::mutex mutex_;
  std::unordered_map<int64_t, Tenant> tenants_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::events
