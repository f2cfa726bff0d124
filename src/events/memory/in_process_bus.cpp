// The in-process EventBus: a table of subscriptions per tenant under one mutex. Publishing raises each
// subscription's announced id and, when its coroutine is waiting, posts the cancellation of its timer to the
// subscription's executor, which wakes it there. Invalidations call each handler of the cache in turn, under a lock
// of their own.

#include "events/memory/in_process_bus.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>

namespace parley::events {

namespace asio = boost::asio;

namespace memory_detail {

// What a subscription shares with the bus. `timer` is touched only on its executor; the atomics by both sides.
struct Listener {
  explicit Listener(asio::any_io_executor executor, int64_t announced_at_start)
      : timer(std::move(executor)), announced(announced_at_start) {}

  asio::steady_timer timer;
  std::atomic<int64_t> announced;
  // True while a WaitBeyond is suspended (or about to be) on `timer`: only then does a publisher post a wake-up.
  std::atomic<bool> waiting{false};
  // Set by Resync: the next wake-up (or wait) completes with nullopt.
  std::atomic<bool> resync{false};

  void Raise(int64_t id) {
    int64_t current = announced.load();
    while (current < id && !announced.compare_exchange_weak(current, id)) {
    }
  }
};

}  // namespace memory_detail

namespace {

using memory_detail::Listener;

class InProcessSubscription final : public Subscription {
 public:
  InProcessSubscription(InProcessEventBus& bus, int64_t tenant_id, std::shared_ptr<Listener> listener)
      : bus_(bus), tenant_id_(tenant_id), listener_(std::move(listener)) {}
  ~InProcessSubscription() override;

  asio::awaitable<std::optional<int64_t>> WaitBeyond(int64_t after_id, std::chrono::milliseconds timeout) override {
    Listener& l = *listener_;
    const auto deadline = asio::steady_timer::clock_type::now() + timeout;
    for (;;) {
      // `waiting` is raised before `announced` is read, and a publisher raises `announced` before reading
      // `waiting`: either this read sees the new id, or the publisher sees the wait and wakes it.
      l.waiting.store(true);
      if (l.resync.exchange(false)) {
        l.waiting.store(false);
        co_return std::nullopt;
      }
      if (const int64_t announced = l.announced.load(); announced > after_id) {
        l.waiting.store(false);
        co_return announced;
      }
      l.timer.expires_at(deadline);
      auto [ec] = co_await l.timer.async_wait(asio::as_tuple(asio::use_awaitable));
      l.waiting.store(false);
      if (!ec) co_return std::nullopt;  // Timed out.
      auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) co_return std::nullopt;
      // Woken by a publisher (or by a wake-up posted for an earlier wait): look again.
    }
  }

 private:
  InProcessEventBus& bus_;
  const int64_t tenant_id_;
  std::shared_ptr<Listener> listener_;
};

InProcessSubscription::~InProcessSubscription() { bus_.Unsubscribe(tenant_id_, listener_); }

class InProcessInvalidationListener final : public InvalidationListener {
 public:
  InProcessInvalidationListener(InProcessEventBus& bus, std::string cache, uint64_t id)
      : bus_(bus), cache_(std::move(cache)), id_(id) {}
  ~InProcessInvalidationListener() override { bus_.StopListening(cache_, id_); }

 private:
  InProcessEventBus& bus_;
  const std::string cache_;
  const uint64_t id_;
};

void Wake(const std::shared_ptr<Listener>& listener) {
  asio::post(listener->timer.get_executor(), [listener] { listener->timer.cancel(); });
}

}  // namespace

void InProcessEventBus::Publish(int64_t tenant_id, int64_t last_id) {
  std::vector<std::shared_ptr<Listener>> to_wake;
  {
    std::lock_guard lock(mutex_);
    Tenant& tenant = tenants_[tenant_id];
    if (last_id <= tenant.last_id) return;
    tenant.last_id = last_id;
    for (const auto& listener : tenant.listeners) {
      listener->Raise(last_id);
      if (listener->waiting.exchange(false)) to_wake.push_back(listener);
    }
  }
  for (auto& listener : to_wake) Wake(listener);
}

std::unique_ptr<Subscription> InProcessEventBus::Subscribe(int64_t tenant_id, asio::any_io_executor executor) {
  std::lock_guard lock(mutex_);
  Tenant& tenant = tenants_[tenant_id];
  auto listener = std::make_shared<Listener>(std::move(executor), tenant.last_id);
  tenant.listeners.push_back(listener);
  return std::make_unique<InProcessSubscription>(*this, tenant_id, std::move(listener));
}

void InProcessEventBus::Invalidate(std::string_view cache, std::string_view key) {
  std::lock_guard lock(invalidation_mutex_);
  auto it = invalidation_handlers_.find(cache);
  if (it == invalidation_handlers_.end()) return;
  for (const auto& [id, handler] : it->second) handler(key);
}

std::unique_ptr<InvalidationListener> InProcessEventBus::ListenForInvalidations(std::string cache,
                                                                                InvalidationHandler handler) {
  std::lock_guard lock(invalidation_mutex_);
  const uint64_t id = ++next_listener_id_;
  invalidation_handlers_[cache].emplace(id, std::move(handler));
  return std::make_unique<InProcessInvalidationListener>(*this, std::move(cache), id);
}

void InProcessEventBus::StopListening(const std::string& cache, uint64_t listener_id) {
  std::lock_guard lock(invalidation_mutex_);
  auto it = invalidation_handlers_.find(cache);
  if (it == invalidation_handlers_.end()) return;
  it->second.erase(listener_id);
  if (it->second.empty()) invalidation_handlers_.erase(it);
}

void InProcessEventBus::Resync() {
  {
    std::lock_guard lock(invalidation_mutex_);
    for (const auto& [cache, handlers] : invalidation_handlers_) {
      for (const auto& [id, handler] : handlers) handler(std::nullopt);
    }
  }
  std::vector<std::shared_ptr<Listener>> to_wake;
  {
    std::lock_guard lock(mutex_);
    for (auto& [tenant_id, tenant] : tenants_) {
      for (const auto& listener : tenant.listeners) {
        listener->resync.store(true);
        if (listener->waiting.exchange(false)) to_wake.push_back(listener);
      }
    }
  }
  for (auto& listener : to_wake) Wake(listener);
}

void InProcessEventBus::Unsubscribe(int64_t tenant_id, const std::shared_ptr<Listener>& listener) {
  std::lock_guard lock(mutex_);
  auto it = tenants_.find(tenant_id);
  if (it == tenants_.end()) return;
  auto& listeners = it->second.listeners;
  listeners.erase(std::remove(listeners.begin(), listeners.end(), listener), listeners.end());
}

std::unique_ptr<EventBus> MakeInProcessEventBus() { return std::make_unique<InProcessEventBus>(); }

}  // namespace parley::events
