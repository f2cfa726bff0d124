#pragma once
// A Batcher without a timer, for unit tests of what the batcher drives (app::ReplyWorker). It keeps the real
// deadline arithmetic (queue::DebounceSchedule: window, max wait, retries keeping an earlier deadline) but fires
// only when the test calls FireDue(), handing over every conversation due by the clock at that moment. It records
// each Arm and RetryAt, so a test can check when the worker asked to be called again.

#include "core/clock.h"
#include "queue/batcher.h"

#include <mutex>
#include <utility>
#include <vector>

namespace parley::fakes {

class FakeBatcher final : public queue::Batcher {
 public:
  // `clock` must outlive the batcher.
  FakeBatcher(const Clock& clock, queue::BatchPolicy policy) : clock_(clock), schedule_(policy) {}

  void Arm(const store::PendingConversation& pending) override;
  void RetryAt(int64_t conversation_id, int64_t at_ms) override;
  void Restore(const store::PendingConversation& pending) override;
  void Start(DueHandler on_due) override;
  void Stop() override;
  size_t waiting() const override;

  // Hands every conversation due now (by the clock) to the handler given to Start, earliest first; returns how many.
  // Nothing fires before Start or after Stop.
  int FireDue();
  // The earliest deadline, if any conversation waits.
  std::optional<int64_t> next_deadline() const;
  // Every RetryAt call so far: (conversation, at_ms).
  std::vector<std::pair<int64_t, int64_t>> retries() const;
  int arms() const;

 private:
  const Clock& clock_;
  mutable std::mutex mutex_;
  queue::DebounceSchedule schedule_;                  // GUARDED_BY(mutex_)
  DueHandler on_due_;                                 // GUARDED_BY(mutex_)
  bool running_ = false;                              // GUARDED_BY(mutex_)
  std::vector<std::pair<int64_t, int64_t>> retries_;  // GUARDED_BY(mutex_)
  int arms_ = 0;                                      // GUARDED_BY(mutex_)
};

}  // namespace parley::fakes
