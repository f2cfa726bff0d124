#include "webhooks/dispatcher.h"

#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <random>

namespace parley::webhooks {
namespace {

namespace asio = boost::asio;

// Events read from a tenant's log per fan-out write.
constexpr int kFanOutPage = 200;
// A lease covers the longest attempt (connect, write, read) and some slack before another sender may take it.
constexpr int64_t kLeaseSlackMs = 30000;
constexpr auto kPruneEvery = std::chrono::hours(1);

metrics::Counter& AttemptCounter(const char* outcome) {
  return metrics::Global().GetCounter("parley_webhook_attempts_total",
                                      "Outbound webhook delivery attempts by outcome (success: a 2xx answer).",
                                      {{"outcome", outcome}});
}
metrics::Counter& FinishedCounter(const char* status) {
  return metrics::Global().GetCounter("parley_webhook_deliveries_total",
                                      "Outbound webhook deliveries that ended, by status.", {{"status", status}});
}
metrics::Counter& EnqueuedCounter() {
  return metrics::Global().GetCounter("parley_webhook_deliveries_enqueued_total",
                                      "Outbound webhook deliveries made from the event log.");
}

double Jitter() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(random);
}

std::optional<int64_t> ConversationOf(const store::Event& event) {
  if (event.conversation) return event.conversation->id;
  boost::system::error_code ec;
  boost::json::value data = boost::json::parse(event.data, ec);
  if (ec || !data.is_object()) return std::nullopt;
  const auto* id = data.as_object().if_contains("conversation_id");
  if (id == nullptr || !id->is_int64()) return std::nullopt;
  return id->as_int64();
}

// An endpoint receives the events of its types that happen while it exists and is enabled (the tenant's cursor may
// be behind the endpoint's creation by a poll).
bool Subscribes(const store::WebhookEndpoint& endpoint, const store::Event& event) {
  const std::string_view type = store::ToString(event.type);
  return endpoint.enabled && event.created_at_ms >= endpoint.created_at_ms &&
         std::find(endpoint.event_types.begin(), endpoint.event_types.end(), type) != endpoint.event_types.end();
}

// Fans out one page of `cursor`'s tenant's events; true when a full page was read (more may follow). Blocking.
Result<bool> FanOutPage(store::Store& store, const Dispatcher::Envelope& envelope, const RetryOptions& retry,
                        store::WebhookCursor& cursor) {
  auto read = store.events().Read(cursor.tenant_id, cursor.last_event_id, kFanOutPage);
  if (!read) return read.error();
  const int64_t now = NowMs();
  if (read->gap) {
    // The log was pruned past the cursor (the dispatcher stopped for longer than the log keeps events): what it
    // dropped cannot be delivered; go on from its end.
    log::Warn(
        "webhook_events_skipped",
        {{"tenant_id", cursor.tenant_id}, {"from_event_id", cursor.last_event_id}, {"to_event_id", read->last_id}});
    auto moved = store.webhooks().Enqueue(cursor.tenant_id, cursor.last_event_id, read->last_id, {}, now, now);
    if (!moved) return moved.error();
    cursor.last_event_id = read->last_id;
    return false;
  }
  if (read->events.empty()) return false;
  auto endpoints = store.webhooks().ListEndpoints(cursor.tenant_id);
  if (!endpoints) return endpoints.error();
  std::vector<store::NewWebhookDelivery> deliveries;
  std::vector<int64_t> subscribed;
  for (const store::Event& event : read->events) {
    subscribed.clear();
    for (const auto& endpoint : *endpoints) {
      if (Subscribes(endpoint, event)) subscribed.push_back(endpoint.id);
    }
    if (subscribed.empty()) continue;
    std::optional<std::string> payload = envelope(event);
    if (!payload) continue;
    const std::optional<int64_t> conversation_id = ConversationOf(event);
    const std::string type(store::ToString(event.type));
    for (int64_t endpoint_id : subscribed) {
      deliveries.push_back({endpoint_id, event.id, type, conversation_id, *payload});
    }
  }
  const int64_t to = read->events.back().id;
  auto enqueued =
      store.webhooks().Enqueue(cursor.tenant_id, cursor.last_event_id, to, deliveries, now, now + retry.window_ms);
  if (!enqueued) return enqueued.error();
  EnqueuedCounter().Inc(deliveries.size());
  cursor.last_event_id = to;
  return static_cast<int>(read->events.size()) == kFanOutPage;
}

}  // namespace

Dispatcher::Dispatcher(asio::any_io_executor executor, store::Store& store, BlockingPool& pool, http::Client& client,
                       const crypto::SecretBox& box, events::EventBus& bus, Envelope envelope,
                       DispatcherOptions options)
    : store_(store),
      pool_(pool),
      client_(client),
      box_(box),
      bus_(bus),
      envelope_(std::move(envelope)),
      options_(options),
      strand_(asio::make_strand(executor)),
      wake_(strand_) {}

void Dispatcher::Start() {
  asio::co_spawn(strand_, Run(), [](std::exception_ptr error) {
    if (error) log::Error("webhook_dispatcher_failed", {});
  });
}

void Dispatcher::Wake() {
  asio::post(strand_, [this] { Notify(); });
}

void Dispatcher::Stop() {
  stopped_ = true;
  Wake();
}

void Dispatcher::Notify() {
  wake_pending_ = true;
  wake_.cancel();
}

asio::awaitable<void> Dispatcher::Sleep(std::chrono::milliseconds longest) {
  if (!wake_pending_) {
    wake_.expires_after(longest);
    boost::system::error_code ignored;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  wake_pending_ = false;
}

asio::awaitable<void> Dispatcher::Run() {
  while (!stopped_) {
    // Each commit of a watched tenant's events wakes this: fan-outs stay spaced however many arrive.
    const auto since = std::chrono::steady_clock::now() - last_fan_out_;
    if (since < options_.fan_out_gap) {
      asio::steady_timer gap(strand_, options_.fan_out_gap - since);
      boost::system::error_code ignored;
      co_await gap.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (stopped_) break;
    }
    last_fan_out_ = std::chrono::steady_clock::now();
    co_await FanOut();
    co_await FillSlots();
    if (std::chrono::steady_clock::now() - last_prune_ > kPruneEvery) {
      last_prune_ = std::chrono::steady_clock::now();
      auto prune = [this] { return store_.webhooks().PruneDeliveries(NowMs() - options_.keep_finished_ms); };
      Result<int64_t> pruned = co_await pool_.Run(prune);
      if (!pruned) log::Warn("webhook_prune_failed", {{"detail", pruned.error().detail}});
    }
    // Until the next delivery is due, the next poll, or a wake (new events, the API).
    auto next_due = [this] { return store_.webhooks().NextDueAt(); };
    Result<std::optional<int64_t>> due = co_await pool_.Run(next_due);
    std::chrono::milliseconds wait = options_.poll;
    if (due && *due) {
      const int64_t until = **due - NowMs();
      if (until > 0) wait = std::min(wait, std::chrono::milliseconds(until));
    }
    co_await Sleep(wait);
  }
}

asio::awaitable<void> Dispatcher::FanOut() {
  auto list = [this] { return store_.webhooks().Cursors(); };
  Result<std::vector<store::WebhookCursor>> cursors = co_await pool_.Run(list);
  if (!cursors) {
    log::Warn("webhook_fan_out_failed", {{"detail", cursors.error().detail}});
    co_return;
  }
  // Tenants that gained endpoints are watched from their cursor on; those that lost them are not any more. A watch
  // subscribes before the tenant's log is read below, so that no event committed after that read goes unannounced.
  std::map<int64_t, uint64_t> watches;
  for (const store::WebhookCursor& cursor : *cursors) {
    auto watched = watches_.find(cursor.tenant_id);
    if (watched != watches_.end()) {
      watches.insert(*watched);
      continue;
    }
    const uint64_t watch = ++next_watch_;
    watches.emplace(cursor.tenant_id, watch);
    asio::co_spawn(strand_,
                   Watch(cursor.tenant_id, watch, cursor.last_event_id, bus_.Subscribe(cursor.tenant_id, strand_)),
                   [](std::exception_ptr error) {
                     if (error) log::Error("webhook_watch_failed", {});
                   });
  }
  watches_ = std::move(watches);
  for (store::WebhookCursor& cursor : *cursors) {
    auto page = [this, &cursor] { return FanOutPage(store_, envelope_, options_.retry, cursor); };
    for (;;) {
      Result<bool> more = co_await pool_.Run(page);
      if (!more) {
        // kConflict: another process moved the cursor; the next pass starts from where it is.
        if (more.error().code != ErrorCode::kConflict) {
          log::Warn("webhook_fan_out_failed", {{"tenant_id", cursor.tenant_id}, {"detail", more.error().detail}});
        }
        break;
      }
      if (!*more || stopped_) break;
    }
  }
}

asio::awaitable<void> Dispatcher::Watch(int64_t tenant_id, uint64_t watch, int64_t after_id,
                                        std::unique_ptr<events::Subscription> subscription) {
  auto current = [&] {
    auto found = watches_.find(tenant_id);
    return !stopped_ && found != watches_.end() && found->second == watch;
  };
  while (current()) {
    // The timeout only lets a stopped dispatcher or a tenant without endpoints end this watch.
    std::optional<int64_t> announced = co_await subscription->WaitBeyond(after_id, options_.poll);
    if (!announced || !current()) continue;
    after_id = *announced;
    Notify();
  }
}

asio::awaitable<void> Dispatcher::FillSlots() {
  const int free = options_.concurrency - in_flight_;
  // One fill leases at a time: two would both count the same free slots.
  if (free <= 0 || stopped_ || filling_) co_return;
  filling_ = true;
  const int64_t now = NowMs();
  const int64_t lease_until = now + 2 * options_.timeout.count() + kLeaseSlackMs;
  auto lease = [this, now, lease_until, free, busy = in_flight_per_endpoint_] {
    return store_.webhooks().LeaseDue(now, lease_until, free, options_.per_endpoint, busy);
  };
  Result<std::vector<store::DeliveryJob>> jobs = co_await pool_.Run(lease);
  filling_ = false;
  if (!jobs) {
    log::Warn("webhook_lease_failed", {{"detail", jobs.error().detail}});
    co_return;
  }
  for (store::DeliveryJob& job : *jobs) {
    ++in_flight_;
    ++in_flight_per_endpoint_[job.delivery.endpoint_id];
    asio::co_spawn(strand_, Deliver(std::move(job)), [](std::exception_ptr error) {
      if (error) log::Error("webhook_delivery_failed", {});
    });
  }
}

asio::awaitable<void> Dispatcher::Deliver(store::DeliveryJob job) {
  store::DeliveryAttempt attempt = co_await Attempt(job);
  if (attempt.error.empty()) {
    AttemptCounter("success").Inc();
    FinishedCounter("succeeded").Inc();
  } else {
    AttemptCounter("failure").Inc();
    if (!attempt.next_attempt_at_ms) FinishedCounter("failed").Inc();
    log::Info("webhook_attempt_failed", {{"tenant_id", job.delivery.tenant_id},
                                         {"delivery_id", job.delivery.id},
                                         {"endpoint_id", job.delivery.endpoint_id},
                                         {"attempt", job.delivery.attempts + 1},
                                         {"error", attempt.error},
                                         {"retry", attempt.next_attempt_at_ms.has_value()}});
  }
  auto record = [this, &job, &attempt] { return store_.webhooks().RecordAttempt(job, attempt, NowMs()); };
  Result<void> recorded = co_await pool_.Run(record);
  if (!recorded) log::Warn("webhook_record_failed", {{"detail", recorded.error().detail}});
  --in_flight_;
  if (--in_flight_per_endpoint_[job.delivery.endpoint_id] <= 0) {
    in_flight_per_endpoint_.erase(job.delivery.endpoint_id);
  }
  // The loop sleeps until the next delivery it knew of: a retry due sooner must wake it, or it would wait a poll.
  if (recorded && attempt.next_attempt_at_ms) Notify();
  // The freed slot is filled at once, apart from the fan-out's pace.
  co_await FillSlots();
}

asio::awaitable<store::DeliveryAttempt> Dispatcher::Attempt(const store::DeliveryJob& job) {
  const store::WebhookDelivery& delivery = job.delivery;
  store::DeliveryAttempt attempt;
  auto fail = [&](std::string error) {
    attempt.error = std::move(error);
    attempt.next_attempt_at_ms =
        NextAttemptAt(delivery.attempts + 1, NowMs(), delivery.expires_at_ms, options_.retry, Jitter());
  };
  if (NowMs() > delivery.expires_at_ms) {
    // Its endpoint was disabled until after the retry window closed.
    attempt.error = "not sent within the retry window";
    co_return attempt;
  }
  Result<std::string> secret = box_.Open(job.secret_sealed);
  if (!secret) {
    fail("the endpoint's secret cannot be read (the server's master key changed)");
    co_return attempt;
  }
  const int64_t t = NowMs() / 1000;
  http::ClientRequest request;
  request.method = "POST";
  request.url = job.url;
  request.url_source = http::UrlSource::kTenant;
  request.max_attempts = 1;  // Retries are this dispatcher's, spread over hours.
  request.read_timeout = options_.timeout;
  request.headers = {{"Content-Type", "application/json"},
                     {"User-Agent", "Parley-Webhooks/1"},
                     {"X-Parley-Event", delivery.event_type},
                     {"X-Parley-Delivery", std::to_string(delivery.id)},
                     {"X-Parley-Signature", SignatureHeader(*secret, t, delivery.payload)}};
  request.body = delivery.payload;
  Result<http::ClientResponse> response = co_await client_.Send(std::move(request));
  if (!response) {
    // The address policy's refusal says why and is safe to show; a network failure is told in general terms.
    if (response.error().code == ErrorCode::kInvalidArgument) {
      fail(response.error().message);
    } else if (response.error().code == ErrorCode::kTimeout) {
      fail("the endpoint did not answer in time");
    } else {
      fail("the endpoint could not be reached");
    }
    co_return attempt;
  }
  attempt.response_status = response->status;
  if (response->status < 200 || response->status >= 300) {
    fail("the endpoint answered " + std::to_string(response->status));
  }
  co_return attempt;
}

}  // namespace parley::webhooks
