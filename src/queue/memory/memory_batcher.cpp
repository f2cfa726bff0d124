#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <map>

#include "core/clock.h"
#include "core/log.h"
#include "queue/batcher.h"

namespace parley::queue {
namespace {

// The schedule and its timer. Everything runs on one strand, so the schedule needs no lock; calls from other threads
// post onto it. Pending waits hold a shared_ptr, so the state outlives the batcher until they have completed.
class TimerState : public std::enable_shared_from_this<TimerState> {
 public:
  TimerState(boost::asio::any_io_executor executor, BatchPolicy policy, Clock& clock)
      : clock_(clock),
        windows_(policy.tenant_windows),
        default_window_ms_(policy.window_ms),
        strand_(boost::asio::make_strand(std::move(executor))),
        timer_(strand_),
        schedule_(policy) {}

  // A clock set forward (in tests) re-arms the timer for the new time.
  void WatchClock() {
    watch_id_ = clock_.Watch([weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        boost::asio::post(self->strand_, [self] {
          self->armed_for_.reset();
          self->Reschedule();
        });
      }
    });
  }
  void UnwatchClock() { clock_.Unwatch(watch_id_); }

  // A tenant's window read after its conversations were armed with the one known then moves their deadlines.
  void ListenForWindows() {
    if (windows_ == nullptr) return;
    windows_->OnFetched([weak = weak_from_this()](int64_t tenant_id, int64_t window_ms) {
      if (auto self = weak.lock()) {
        boost::asio::post(self->strand_, [self, tenant_id, window_ms] { self->WindowFetched(tenant_id, window_ms); });
      }
    });
  }

  void Arm(const store::PendingConversation& pending) {
    boost::asio::dispatch(strand_, [self = shared_from_this(), pending] {
      // Looked up on the strand, so that the fetch this may start is answered (WindowFetched) after it.
      TenantWindows::Lookup window{self->default_window_ms_, false};
      if (self->windows_ != nullptr) window = self->windows_->Get(pending.tenant_id);
      self->schedule_.Touch(pending, window.window_ms);
      if (window.fetching) self->awaiting_window_[pending.tenant_id][pending.conversation_id] = pending;
      self->Reschedule();
    });
  }

  void Restore(const store::PendingConversation& pending) {
    boost::asio::dispatch(strand_, [self = shared_from_this(), pending] {
      if (!self->schedule_.Contains(pending.conversation_id)) self->Arm(pending);
    });
  }

  void RetryAt(int64_t conversation_id, int64_t at_ms) {
    boost::asio::dispatch(strand_, [self = shared_from_this(), conversation_id, at_ms] {
      self->schedule_.RetryAt(conversation_id, at_ms);
      self->Reschedule();
    });
  }

  void Start(Batcher::DueHandler on_due) {
    boost::asio::dispatch(strand_, [self = shared_from_this(), on_due = std::move(on_due)]() mutable {
      self->on_due_ = std::move(on_due);
      self->running_ = true;
      self->Reschedule();
    });
  }

  void Stop() {
    boost::asio::dispatch(strand_, [self = shared_from_this()] {
      self->running_ = false;
      self->timer_.cancel();
    });
  }

  size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }

 private:
  void WindowFetched(int64_t tenant_id, int64_t window_ms) {
    auto awaiting = awaiting_window_.find(tenant_id);
    if (awaiting == awaiting_window_.end()) return;
    for (const auto& [conversation_id, pending] : awaiting->second) {
      // One already handed over keeps its turn: touching it again would hand it over twice.
      if (schedule_.Contains(conversation_id)) schedule_.Touch(pending, window_ms);
    }
    awaiting_window_.erase(awaiting);
    Reschedule();
  }

  // Sets the timer to the earliest deadline when it moved earlier than the pending wait (or none is pending).
  void Reschedule() {
    waiting_.store(schedule_.size(), std::memory_order_relaxed);
    if (!running_) return;
    auto next = schedule_.NextDeadline();
    if (!next) return;
    if (armed_for_ && *armed_for_ <= *next) return;
    armed_for_ = *next;
    // Re-arming cancels the previous wait; its handler sees a stale generation and does nothing.
    uint64_t generation = ++generation_;
    timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(0, *next - clock_.NowMs())));
    timer_.async_wait(
        boost::asio::bind_executor(strand_, [self = shared_from_this(), generation](boost::system::error_code) {
          if (generation != self->generation_) return;
          self->armed_for_.reset();
          if (!self->running_) return;
          for (int64_t id : self->schedule_.PopDue(self->clock_.NowMs())) {
            try {
              self->on_due_(id);
            } catch (const std::exception& e) {
              log::Error("batcher_handler_failed", {{"conversation_id", id}, {"error", e.what()}});
            }
          }
          self->Reschedule();
        }));
  }

  Clock& clock_;
  TenantWindows* const windows_;
  const int64_t default_window_ms_;
  int watch_id_ = 0;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  DebounceSchedule schedule_;         // GUARDED_BY(strand_)
  Batcher::DueHandler on_due_;        // GUARDED_BY(strand_)
  bool running_ = false;              // GUARDED_BY(strand_)
  std::optional<int64_t> armed_for_;  // GUARDED_BY(strand_)
  uint64_t generation_ = 0;           // GUARDED_BY(strand_)
  // Conversations armed while their tenant's window was being read, newest arming per conversation.
  std::map<int64_t, std::map<int64_t, store::PendingConversation>> awaiting_window_;  // GUARDED_BY(strand_)
  std::atomic<size_t> waiting_{0};
};

class MemoryBatcher final : public Batcher {
 public:
  MemoryBatcher(boost::asio::any_io_executor executor, BatchPolicy policy, Clock& clock)
      : state_(std::make_shared<TimerState>(std::move(executor), policy, clock)) {
    state_->WatchClock();
    state_->ListenForWindows();
  }
  ~MemoryBatcher() override {
    state_->UnwatchClock();
    state_->Stop();
  }

  void Arm(const store::PendingConversation& pending) override { state_->Arm(pending); }
  void RetryAt(int64_t conversation_id, int64_t at_ms) override { state_->RetryAt(conversation_id, at_ms); }
  void Restore(const store::PendingConversation& pending) override { state_->Restore(pending); }
  void Start(DueHandler on_due) override { state_->Start(std::move(on_due)); }
  void Stop() override { state_->Stop(); }
  size_t waiting() const override { return state_->waiting(); }

 private:
  std::shared_ptr<TimerState> state_;
};

}  // namespace

std::unique_ptr<Batcher> MakeMemoryBatcher(boost::asio::any_io_executor executor, BatchPolicy policy, Clock& clock) {
  return std::make_unique<MemoryBatcher>(std::move(executor), policy, clock);
}

}  // namespace parley::queue
