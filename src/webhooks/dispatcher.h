#pragma once
// The dispatcher: turns each tenant's events into deliveries, and sends them (webhooks/webhooks.h says what a
// delivery is; docs/webhooks.md how a customer verifies one).
//
// Two steps, both durable in the store (store/webhook_store.h):
// 1. Fan-out. Each tenant with endpoints has a cursor into its event log. The dispatcher reads the events after it,
//    renders each one's envelope once, and in one write stores a delivery per subscribed, enabled endpoint and moves
//    the cursor. The ingest path is not involved: the webhook's transaction appends its event as before, and the
//    fan-out reads the log afterwards, when the event bus announces that such a tenant's log grew (the store
//    announces each commit's events), and every `poll` besides, for events another process committed (the
//    in-process bus does not carry them).
// 2. Sending. Due deliveries are leased (a lease per delivery, so several processes never send one twice at once, and
//    one whose sender died is taken again), at most `concurrency` at a time and `per_endpoint` per endpoint, and
//    POSTed through the one HTTP client with the address policy of tenant URLs, one attempt each; the outcome is
//    recorded, with the next attempt's time after a failure (backoff with jitter) until the retry window closes.
// A restart loses nothing: the cursor, the deliveries and their schedule are rows.

#include "core/blocking_pool.h"
#include "core/crypto.h"
#include "events/event_bus.h"
#include "http/client.h"
#include "store/events.h"
#include "store/store.h"
#include "store/webhook_store.h"
#include "webhooks/webhooks.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace parley::webhooks {

struct DispatcherOptions {
  int concurrency = 8;                        //!< PARLEY_WEBHOOK_CONCURRENCY: deliveries being sent at once…
  int per_endpoint = 2;                       //!< …of which one endpoint gets at most this many.
  std::chrono::milliseconds timeout{10000};   //!< PARLEY_WEBHOOK_TIMEOUT_MS: to read an endpoint's answer.
  RetryOptions retry;                         //!< PARLEY_WEBHOOK_RETRY_*.
  std::chrono::milliseconds poll{5000};       //!< Looks for new events unannounced on the bus this often.
  std::chrono::milliseconds fan_out_gap{50};  //!< Fan-outs are at least this far apart, however often woken.
  int64_t keep_finished_ms = int64_t{30} * 24 * 3600 * 1000;  //!< Ended deliveries are listed this long.
};

class Dispatcher {
 public:
  // The envelope GET /api/events sends for `event` (api::EventEnvelope, serialized); nullopt when the rows it names
  // are gone, and the event is skipped. Called on the blocking pool.
  using Envelope = std::function<std::optional<std::string>(const store::Event& event)>;

  // Every reference must outlive the dispatcher. `box` opens the endpoints' sealed secrets; `bus` announces the
  // tenants' new events. Runs on a strand of `executor`.
  Dispatcher(boost::asio::any_io_executor executor, store::Store& store, BlockingPool& pool, http::Client& client,
             const crypto::SecretBox& box, events::EventBus& bus, Envelope envelope, DispatcherOptions options);

  // Starts the loop: fan-out, sending, and pruning of deliveries ended more than keep_finished_ms ago.
  void Start();
  // A delivery was made or may go (a ping, a redelivery, an endpoint enabled): look now rather than at the next
  // poll. Thread-safe, never blocks.
  void Wake();
  // Thread-safe. Nothing is leased after it; deliveries being sent finish (or their lease lapses if the process ends
  // first, and they are sent again by the next run).
  void Stop();

 private:
  boost::asio::awaitable<void> Run();
  boost::asio::awaitable<void> FanOut();
  // Wakes the loop whenever `subscription` (to `tenant_id`) announces events past `after_id`, while the tenant has
  // endpoints (a cursor) and `watch` is its latest watch.
  boost::asio::awaitable<void> Watch(int64_t tenant_id, uint64_t watch, int64_t after_id,
                                     std::unique_ptr<events::Subscription> subscription);
  // Leases due deliveries into the free slots and starts sending each.
  boost::asio::awaitable<void> FillSlots();
  boost::asio::awaitable<void> Deliver(store::DeliveryJob job);
  // One attempt's outcome for `job`, sent or not.
  boost::asio::awaitable<store::DeliveryAttempt> Attempt(const store::DeliveryJob& job);
  boost::asio::awaitable<void> Sleep(std::chrono::milliseconds longest);
  void Notify();  //!< On the strand: wakes Sleep, now or at its next call.

  store::Store& store_;
  BlockingPool& pool_;
  http::Client& client_;
  const crypto::SecretBox& box_;
  events::EventBus& bus_;
  const Envelope envelope_;
  const DispatcherOptions options_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::atomic<bool> stopped_{false};
  // Used on strand_ only.
  boost::asio::steady_timer wake_;
  bool wake_pending_ = false;
  int in_flight_ = 0;
  bool filling_ = false;  //!< A FillSlots is leasing.
  std::map<int64_t, int> in_flight_per_endpoint_;
  std::map<int64_t, uint64_t> watches_;  //!< Per tenant with a cursor, its Watch's number.
  uint64_t next_watch_ = 0;
  std::chrono::steady_clock::time_point last_fan_out_{};
  std::chrono::steady_clock::time_point last_prune_{};
};

}  // namespace parley::webhooks
