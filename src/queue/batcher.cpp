#include "queue/batcher.h"

#include <algorithm>

namespace parley::queue {

int64_t DebounceDeadline(const store::PendingConversation& pending, int64_t window_ms, int64_t max_wait_ms) {
  return std::min(pending.last_inbound_at_ms + window_ms, pending.pending_since_ms + max_wait_ms);
}

int64_t DebounceSchedule::Touch(const store::PendingConversation& pending, int64_t window_ms) {
  const int64_t deadline = DebounceDeadline(pending, window_ms, policy_.max_wait_ms);
  Set(pending.conversation_id, deadline);
  return deadline;
}

void DebounceSchedule::RetryAt(int64_t conversation_id, int64_t at_ms) {
  auto it = deadline_of_.find(conversation_id);
  if (it != deadline_of_.end() && it->second <= at_ms) return;
  Set(conversation_id, at_ms);
}

void DebounceSchedule::Set(int64_t conversation_id, int64_t deadline_ms) {
  auto [it, inserted] = deadline_of_.try_emplace(conversation_id, deadline_ms);
  if (!inserted) {
    order_.erase({it->second, conversation_id});
    it->second = deadline_ms;
  }
  order_.insert({deadline_ms, conversation_id});
}

std::optional<int64_t> DebounceSchedule::NextDeadline() const {
  if (order_.empty()) return std::nullopt;
  return order_.begin()->first;
}

std::vector<int64_t> DebounceSchedule::PopDue(int64_t now_ms) {
  std::vector<int64_t> due;
  while (!order_.empty() && order_.begin()->first <= now_ms) {
    int64_t id = order_.begin()->second;
    order_.erase(order_.begin());
    deadline_of_.erase(id);
    due.push_back(id);
  }
  return due;
}

}  // namespace parley::queue
