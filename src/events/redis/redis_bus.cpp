// The Redis EventBus: this process's subscriptions are an in-process bus's, and Redis carries announcements between
// processes. A process publishes to its own subscriptions at once and to Redis for the others (its own announcement
// comes back from Redis too: an id already announced changes nothing). Each tenant's channel is subscribed while at
// least one of this process's subscriptions listens to it. Invalidations go the same way on a channel per cache,
// subscribed while a listener of this process is registered for it.

#include "core/log.h"
#include "core/metrics.h"
#include "events/event_bus.h"
#include "events/memory/in_process_bus.h"
#include "redis/client.h"

#include <boost/asio/co_spawn.hpp>

#include <charconv>
#include <string_view>

namespace parley::events {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kChannelPrefix = "parley:events:";
constexpr std::string_view kInvalidationPrefix = "parley:invalidate:";

std::string ChannelOf(int64_t tenant_id) { return std::string(kChannelPrefix) + std::to_string(tenant_id); }
std::string InvalidationChannelOf(std::string_view cache) {
  return std::string(kInvalidationPrefix) + std::string(cache);
}

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// PUBLISHes `payload` on `channel`; a failure is counted in `unsent` and logged as `event` at `level`.
asio::awaitable<void> Announce(redis::Client& client, std::string channel, std::string payload,
                               metrics::Counter& unsent, std::string_view event, log::Level level) {
  std::vector<std::string> command{"PUBLISH", std::move(channel), std::move(payload)};
  Result<redis::Reply> sent = co_await client.Command(command);
  if (!sent || sent->is_error()) {
    unsent.Inc();
    log::Write(level, event, {{"detail", sent ? sent->text : sent.error().message + " " + sent.error().detail}});
  }
}

class RedisSubscription final : public Subscription {
 public:
  RedisSubscription(redis::Client& client, std::string channel, std::unique_ptr<Subscription> local)
      : client_(client), channel_(std::move(channel)), local_(std::move(local)) {}
  ~RedisSubscription() override { client_.Unsubscribe(channel_); }

  asio::awaitable<std::optional<int64_t>> WaitBeyond(int64_t after_id, std::chrono::milliseconds timeout) override {
    return local_->WaitBeyond(after_id, timeout);
  }

 private:
  redis::Client& client_;
  const std::string channel_;
  std::unique_ptr<Subscription> local_;
};

class RedisInvalidationListener final : public InvalidationListener {
 public:
  RedisInvalidationListener(redis::Client& client, std::string channel, std::unique_ptr<InvalidationListener> local)
      : client_(client), channel_(std::move(channel)), local_(std::move(local)) {}
  ~RedisInvalidationListener() override { client_.Unsubscribe(channel_); }

 private:
  redis::Client& client_;
  const std::string channel_;
  std::unique_ptr<InvalidationListener> local_;
};

class RedisEventBus final : public EventBus {
 public:
  RedisEventBus(redis::Client& client, asio::any_io_executor executor)
      : client_(client),
        executor_(std::move(executor)),
        announcements_unsent_(metrics::Global().GetCounter(
            "parley_event_announcements_unsent_total",
            "Live event announcements that Redis did not take (the other processes' streams catch up later).")),
        invalidations_unsent_(metrics::Global().GetCounter(
            "parley_cache_invalidations_unsent_total",
            "Cache invalidations that Redis did not take (the other processes keep the entry until it expires).")) {
    client_.AddMessageHandler([this](const std::string& channel, const std::string& payload) {
      if (channel.starts_with(kInvalidationPrefix)) {
        local_.Invalidate(std::string_view(channel).substr(kInvalidationPrefix.size()), payload);
        return;
      }
      if (!channel.starts_with(kChannelPrefix)) return;
      auto tenant_id = ParseId(std::string_view(channel).substr(kChannelPrefix.size()));
      auto last_id = ParseId(payload);
      if (tenant_id && last_id) local_.Publish(*tenant_id, *last_id);
    });
    // Announcements and invalidations published while the subscription was down were missed: every stream reads its
    // log again, every cache forgets everything.
    client_.AddResubscribedHandler([this] { local_.Resync(); });
  }

  void Publish(int64_t tenant_id, int64_t last_id) override {
    local_.Publish(tenant_id, last_id);
    // The other processes' streams read the log at their next keepalive, or when their subscription is back.
    Send(ChannelOf(tenant_id), std::to_string(last_id), announcements_unsent_, "event_announcement_unsent",
         log::Level::kDebug);
  }

  std::unique_ptr<Subscription> Subscribe(int64_t tenant_id, asio::any_io_executor executor) override {
    std::string channel = ChannelOf(tenant_id);
    client_.Subscribe(channel);
    return std::make_unique<RedisSubscription>(client_, std::move(channel),
                                               local_.Subscribe(tenant_id, std::move(executor)));
  }

  void Invalidate(std::string_view cache, std::string_view key) override {
    local_.Invalidate(cache, key);
    // The other processes keep the entry until it expires: worth a warning, since it can be a revoked credential.
    Send(InvalidationChannelOf(cache), std::string(key), invalidations_unsent_, "cache_invalidation_unsent",
         log::Level::kWarn);
  }

  std::unique_ptr<InvalidationListener> ListenForInvalidations(std::string cache,
                                                               InvalidationHandler handler) override {
    std::string channel = InvalidationChannelOf(cache);
    client_.Subscribe(channel);
    return std::make_unique<RedisInvalidationListener>(
        client_, std::move(channel), local_.ListenForInvalidations(std::move(cache), std::move(handler)));
  }

 private:
  void Send(std::string channel, std::string payload, metrics::Counter& unsent, std::string_view event,
            log::Level level) {
    asio::co_spawn(executor_, Announce(client_, std::move(channel), std::move(payload), unsent, event, level),
                   [](std::exception_ptr error) {
                     if (error) log::Error("event_announcement_failed", {});
                   });
  }

  redis::Client& client_;
  asio::any_io_executor executor_;
  metrics::Counter& announcements_unsent_;
  metrics::Counter& invalidations_unsent_;
  InProcessEventBus local_;
};

}  // namespace

std::unique_ptr<EventBus> MakeRedisEventBus(redis::Client& client, asio::any_io_executor executor) {
  return std::make_unique<RedisEventBus>(client, std::move(executor));
}

}  // namespace parley::events
