#include "fakes/fake_batcher.h"

namespace parley::fakes {

void FakeBatcher::Arm(const store::PendingConversation& pending) {
  std::lock_guard lock(mutex_);
  ++arms_;
  schedule_.Touch(pending);
}

void FakeBatcher::Restore(const store::PendingConversation& pending) {
  std::lock_guard lock(mutex_);
  if (!schedule_.Contains(pending.conversation_id)) schedule_.Touch(pending);
}

void FakeBatcher::RetryAt(int64_t conversation_id, int64_t at_ms) {
  std::lock_guard lock(mutex_);
  retries_.emplace_back(conversation_id, at_ms);
  schedule_.RetryAt(conversation_id, at_ms);
}

void FakeBatcher::Start(DueHandler on_due) {
  std::lock_guard lock(mutex_);
  on_due_ = std::move(on_due);
  running_ = true;
}

void FakeBatcher::Stop() {
  std::lock_guard lock(mutex_);
  running_ = false;
}

size_t FakeBatcher::waiting() const {
  std::lock_guard lock(mutex_);
  return schedule_.size();
}

int FakeBatcher::FireDue() {
  std::vector<int64_t> due;
  DueHandler on_due;
  {
    std::lock_guard lock(mutex_);
    if (!running_) return 0;
    due = schedule_.PopDue(clock_.NowMs());
    on_due = on_due_;
  }
  // Outside the lock: the handler may call RetryAt.
  for (int64_t id : due) on_due(id);
  return static_cast<int>(due.size());
}

std::optional<int64_t> FakeBatcher::next_deadline() const {
  std::lock_guard lock(mutex_);
  return schedule_.NextDeadline();
}

std::vector<std::pair<int64_t, int64_t>> FakeBatcher::retries() const {
  std::lock_guard lock(mutex_);
  return retries_;
}

int FakeBatcher::arms() const {
  std::lock_guard lock(mutex_);
  return arms_;
}

}  // namespace parley::fakes
