#include "queue/redis/redis_batcher.h"

#include "core/log.h"
#include "core/metrics.h"
#include "redis/client.h"
#include "redis/script.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::queue {
namespace {

constexpr std::string_view kDeadlines = "parley:debounce";
constexpr std::string_view kWakeChannel = "parley:debounce:wake";
// The longest sleep between two looks at the earliest deadline (see the header), and the pause after a failed look.
constexpr int64_t kLongestSleepMs = 1000;
// Conversations handed over per script run: a backlog of thousands is taken in rounds of this many.
constexpr int kTakeAtOnce = 256;

// KEYS[1]: the deadlines, KEYS[2]: the wake channel. ARGV: conversation, deadline (ms), how: "set" (whatever it was),
// "earlier" (only sooner; added when missing), "missing" (only when missing), "present" (only when there). Returns 1
// when the deadline changed. Announces the deadline when it became the earliest.
const redis::Script kArm(R"lua(
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local how = ARGV[3]
local changed
if how == 'set' then
  changed = redis.call('ZADD', KEYS[1], 'CH', ARGV[2], ARGV[1])
elseif how == 'earlier' then
  changed = redis.call('ZADD', KEYS[1], 'LT', 'CH', ARGV[2], ARGV[1])
elseif how == 'missing' then
  changed = redis.call('ZADD', KEYS[1], 'NX', 'CH', ARGV[2], ARGV[1])
else
  changed = redis.call('ZADD', KEYS[1], 'XX', 'CH', ARGV[2], ARGV[1])
end
if changed == 1 and (head[2] == nil or tonumber(ARGV[2]) < tonumber(head[2])) then
  redis.call('PUBLISH', KEYS[2], ARGV[2])
end
return changed
)lua");

// KEYS[1]: the deadlines. ARGV: now (ms), how many at most. Removes and returns the conversations due, earliest
// first, with the earliest deadline left (-1: none) and how many are left: {{ids...}, next, left}.
const redis::Script kTake(R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then
  redis.call('ZREM', KEYS[1], unpack(due))
end
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local next = -1
if head[2] then
  next = tonumber(head[2])
end
return {due, next, redis.call('ZCARD', KEYS[1])}
)lua");

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct Taken {
  std::vector<int64_t> due;
  int64_t next_ms = -1;
  int64_t left = 0;
};

Result<Taken> TakenOf(const Result<redis::Reply>& reply) {
  using Type = redis::Reply::Type;
  if (!reply) return reply.error();
  if (reply->is_error()) return Error::Unavailable("redis refused the debounce script", reply->text);
  if (reply->type != Type::kArray || reply->elements.size() != 3 || reply->elements[0].type != Type::kArray ||
      reply->elements[1].type != Type::kInteger || reply->elements[2].type != Type::kInteger) {
    return Error::Internal("unexpected reply to the debounce script");
  }
  Taken taken;
  for (const auto& element : reply->elements[0].elements) {
    if (auto id = ParseInt(element.text)) taken.due.push_back(*id);
  }
  taken.next_ms = reply->elements[1].integer;
  taken.left = reply->elements[2].integer;
  return taken;
}

class SharedSchedule : public std::enable_shared_from_this<SharedSchedule> {
 public:
  SharedSchedule(boost::asio::any_io_executor executor, BatchPolicy policy, redis::Client& client,
                 std::function<void()> on_lost, Clock& clock)
      : client_(client),
        clock_(clock),
        policy_(policy),
        on_lost_(std::move(on_lost)),
        strand_(boost::asio::make_strand(std::move(executor))),
        timer_(strand_),
        failures_(metrics::Global().GetCounter(
            "parley_debounce_redis_failures_total",
            "Debounce changes or hand-overs Redis could not make (the store's pending conversations are restored "
            "later).")) {}

  // Before the client's first subscription (redis::Client's handlers are added once, up front).
  void Listen() {
    client_.AddMessageHandler([weak = weak_from_this()](const std::string& channel, const std::string& payload) {
      if (channel != kWakeChannel) return;
      auto self = weak.lock();
      auto deadline = ParseInt(payload);
      if (!self || !deadline) return;
      boost::asio::post(self->strand_, [self, at_ms = *deadline] { self->Announced(at_ms); });
    });
    client_.AddResubscribedHandler([weak = weak_from_this()] {
      auto self = weak.lock();
      if (!self || !self->firing_) return;
      boost::asio::post(self->strand_, [self] { self->Announced(0); });
      if (self->on_lost_) self->on_lost_();
    });
    if (policy_.tenant_windows == nullptr) return;
    policy_.tenant_windows->OnFetched([weak = weak_from_this()](int64_t tenant_id, int64_t window_ms) {
      if (auto self = weak.lock()) {
        boost::asio::post(self->strand_, [self, tenant_id, window_ms] { self->WindowFetched(tenant_id, window_ms); });
      }
    });
  }

  void Arm(const store::PendingConversation& pending, std::string_view how) {
    boost::asio::dispatch(strand_, [self = shared_from_this(), pending, how] {
      TenantWindows::Lookup window{self->policy_.window_ms, false};
      if (self->policy_.tenant_windows != nullptr) window = self->policy_.tenant_windows->Get(pending.tenant_id);
      if (window.fetching) self->awaiting_window_[pending.tenant_id][pending.conversation_id] = pending;
      self->Send(pending.conversation_id, DebounceDeadline(pending, window.window_ms, self->policy_.max_wait_ms), how);
    });
  }

  void RetryAt(int64_t conversation_id, int64_t at_ms) {
    boost::asio::dispatch(strand_, [self = shared_from_this(), conversation_id, at_ms] {
      self->Send(conversation_id, at_ms, "earlier");
    });
  }

  void Start(Batcher::DueHandler on_due) {
    boost::asio::dispatch(strand_, [self = shared_from_this(), on_due = std::move(on_due)]() mutable {
      if (self->firing_) return;
      self->on_due_ = std::move(on_due);
      self->firing_ = true;
      self->client_.Subscribe(std::string(kWakeChannel));
      boost::asio::co_spawn(self->strand_, self->Fire(), [](std::exception_ptr e) {
        if (e) log::Error("debounce_loop_failed", {});
      });
    });
  }

  void Stop() {
    boost::asio::dispatch(strand_, [self = shared_from_this()] {
      if (!self->firing_) return;
      self->firing_ = false;
      self->timer_.cancel();
      self->client_.Unsubscribe(std::string(kWakeChannel));
    });
  }

  size_t waiting() const { return static_cast<size_t>(std::max<int64_t>(0, left_.load(std::memory_order_relaxed))); }

 private:
  // On the strand: moves one deadline in Redis, on its own (arming never waits for Redis).
  void Send(int64_t conversation_id, int64_t deadline_ms, std::string_view how) {
    auto send = [self = shared_from_this(), conversation_id, deadline_ms, how]() -> boost::asio::awaitable<void> {
      const std::vector<std::string> keys{std::string(kDeadlines), std::string(kWakeChannel)};
      const std::vector<std::string> args{std::to_string(conversation_id), std::to_string(deadline_ms),
                                          std::string(how)};
      const Result<redis::Reply> reply = co_await kArm.Run(self->client_, keys, args);
      if (reply && !reply->is_error()) co_return;
      self->failures_.Inc();
      log::Warn("debounce_not_shared", {{"conversation_id", conversation_id},
                                        {"error", reply ? reply->text : reply.error().message},
                                        {"then", "restored from the store by the next sweep"}});
    };
    boost::asio::co_spawn(strand_, std::move(send), [](std::exception_ptr e) {
      if (e) log::Error("debounce_arm_failed", {});
    });
  }

  void WindowFetched(int64_t tenant_id, int64_t window_ms) {
    auto awaiting = awaiting_window_.find(tenant_id);
    if (awaiting == awaiting_window_.end()) return;
    // Only those still waiting move ("present"): one already handed over keeps its turn.
    for (const auto& [conversation_id, pending] : awaiting->second) {
      Send(conversation_id, DebounceDeadline(pending, window_ms, policy_.max_wait_ms), "present");
    }
    awaiting_window_.erase(awaiting);
  }

  // An earlier deadline was announced (0: anything may have changed): look again now if the sleep lasts past it.
  void Announced(int64_t at_ms) {
    if (firing_ && at_ms < wake_at_ms_) timer_.cancel();
  }

  boost::asio::awaitable<void> Fire() {
    auto self = shared_from_this();
    bool failing = false;
    while (firing_) {
      const int64_t now_ms = clock_.NowMs();
      const std::vector<std::string> keys{std::string(kDeadlines)};
      const std::vector<std::string> args{std::to_string(now_ms), std::to_string(kTakeAtOnce)};
      const Result<redis::Reply> reply = co_await kTake.Run(client_, keys, args);
      Result<Taken> taken = TakenOf(reply);
      int64_t sleep_ms = kLongestSleepMs;
      if (!taken) {
        failures_.Inc();
        if (!failing) {
          log::Warn("debounce_unreachable", {{"error", taken.error().message}, {"detail", taken.error().detail}});
        }
        failing = true;
      } else {
        if (failing) log::Info("debounce_reachable", {});
        failing = false;
        left_.store(taken->left, std::memory_order_relaxed);
        for (int64_t id : taken->due) {
          if (!firing_) break;
          try {
            on_due_(id);
          } catch (const std::exception& e) {
            log::Error("batcher_handler_failed", {{"conversation_id", id}, {"error", e.what()}});
          }
        }
        if (taken->due.size() == static_cast<size_t>(kTakeAtOnce)) continue;
        if (taken->next_ms >= 0) sleep_ms = std::clamp<int64_t>(taken->next_ms - now_ms, 0, kLongestSleepMs);
      }
      if (!firing_) break;
      wake_at_ms_ = now_ms + sleep_ms;
      timer_.expires_after(std::chrono::milliseconds(sleep_ms));
      boost::system::error_code ec;
      co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    wake_at_ms_ = 0;
  }

  redis::Client& client_;
  Clock& clock_;
  BatchPolicy policy_;
  const std::function<void()> on_lost_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  metrics::Counter& failures_;
  Batcher::DueHandler on_due_;  // GUARDED_BY(strand_)
  bool firing_ = false;         // GUARDED_BY(strand_)
  int64_t wake_at_ms_ = 0;      // GUARDED_BY(strand_): when the firing loop looks again.
  // Conversations armed while their tenant's window was being read, newest arming per conversation.
  std::map<int64_t, std::map<int64_t, store::PendingConversation>> awaiting_window_;  // GUARDED_BY(strand_)
  std::atomic<int64_t> left_{0};  //!< Conversations waiting, as the last look saw them.
};

class RedisBatcher final : public Batcher {
 public:
  RedisBatcher(boost::asio::any_io_executor executor, BatchPolicy policy, redis::Client& client,
               std::function<void()> on_lost, Clock& clock)
      : schedule_(std::make_shared<SharedSchedule>(std::move(executor), policy, client, std::move(on_lost), clock)) {
    schedule_->Listen();
  }
  ~RedisBatcher() override { schedule_->Stop(); }

  void Arm(const store::PendingConversation& pending) override { schedule_->Arm(pending, "set"); }
  void RetryAt(int64_t conversation_id, int64_t at_ms) override { schedule_->RetryAt(conversation_id, at_ms); }
  void Restore(const store::PendingConversation& pending) override { schedule_->Arm(pending, "missing"); }
  void Start(DueHandler on_due) override { schedule_->Start(std::move(on_due)); }
  void Stop() override { schedule_->Stop(); }
  size_t waiting() const override { return schedule_->waiting(); }

 private:
  std::shared_ptr<SharedSchedule> schedule_;
};

}  // namespace

std::unique_ptr<Batcher> MakeRedisBatcher(boost::asio::any_io_executor executor, BatchPolicy policy,
                                          redis::Client& client, std::function<void()> on_lost, Clock& clock) {
  return std::make_unique<RedisBatcher>(std::move(executor), policy, client, std::move(on_lost), clock);
}

}  // namespace parley::queue
