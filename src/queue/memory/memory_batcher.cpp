#include "core/log.h"
#include "queue/batcher.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>

namespace parley::queue {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Everything runs on one strand, so the schedule needs no lock; Arm() from other threads posts onto it.
class MemoryBatcher final : public Batcher, public std::enable_shared_from_this<MemoryBatcher> {
 public:
  MemoryBatcher(boost::asio::any_io_executor executor, BatchPolicy policy)
      : strand_(boost::asio::make_strand(executor)), timer_(strand_), schedule_(policy) {}

  void Arm(const store::PendingConversation& pending) override {
    boost::asio::dispatch(strand_, [self = shared_from_this(), pending] {
      self->schedule_.Touch(pending);
      self->Reschedule();
    });
  }

  void RetryAt(int64_t conversation_id, int64_t at_ms) override {
    boost::asio::dispatch(strand_, [self = shared_from_this(), conversation_id, at_ms] {
      self->schedule_.RetryAt(conversation_id, at_ms);
      self->Reschedule();
    });
  }

  void Start(DueHandler on_due) override {
    boost::asio::dispatch(strand_, [self = shared_from_this(), on_due = std::move(on_due)]() mutable {
      self->on_due_ = std::move(on_due);
      self->running_ = true;
      self->Reschedule();
    });
  }

  void Stop() override {
    boost::asio::dispatch(strand_, [self = shared_from_this()] {
      self->running_ = false;
      self->timer_.cancel();
    });
  }

  size_t waiting() const override { return waiting_.load(std::memory_order_relaxed); }

 private:
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
    timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(0, *next - NowMs())));
    timer_.async_wait(
        boost::asio::bind_executor(strand_, [self = shared_from_this(), generation](boost::system::error_code) {
          if (generation != self->generation_) return;
          self->armed_for_.reset();
          if (!self->running_) return;
          for (int64_t id : self->schedule_.PopDue(NowMs())) {
            try {
              self->on_due_(id);
            } catch (const std::exception& e) {
              log::Error("batcher_handler_failed", {{"conversation_id", id}, {"error", e.what()}});
            }
          }
          self->Reschedule();
        }));
  }

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  DebounceSchedule schedule_;         // GUARDED_BY(strand_)
  DueHandler on_due_;                 // GUARDED_BY(strand_)
  bool running_ = false;              // GUARDED_BY(strand_)
  std::optional<int64_t> armed_for_;  // GUARDED_BY(strand_)
  uint64_t generation_ = 0;           // GUARDED_BY(strand_)
  std::atomic<size_t> waiting_{0};
};

}  // namespace

std::unique_ptr<Batcher> MakeMemoryBatcher(boost::asio::any_io_executor executor, BatchPolicy policy) {
  // shared_from_this keeps the batcher alive while a wait is pending; the unique_ptr owner holds one reference.
  struct Owner final : Batcher {
    std::shared_ptr<MemoryBatcher> impl;
    void Arm(const store::PendingConversation& p) override { impl->Arm(p); }
    void RetryAt(int64_t id, int64_t at) override { impl->RetryAt(id, at); }
    void Start(DueHandler h) override { impl->Start(std::move(h)); }
    void Stop() override { impl->Stop(); }
    size_t waiting() const override { return impl->waiting(); }
    ~Owner() override { impl->Stop(); }
  };
  auto owner = std::make_unique<Owner>();
  owner->impl = std::make_shared<MemoryBatcher>(std::move(executor), policy);
  return owner;
}

}  // namespace parley::queue
