#pragma once
// Per-conversation debounce. Each new customer message moves its conversation's deadline to
// last message + window, but never past first unanswered message + max wait. The window is the conversation's
// tenant's when a TenantWindows is given (an assistant's batch_window_ms), else the server's. At the deadline the
// batcher hands the conversation to the reply worker, which claims it in the store (claims are what make a reply
// exclusive; the batcher only decides when to try). The in-process batcher (queue/memory) fires on a timer at the
// deadline; a Redis batcher for several processes will implement the same interface.

#include "core/clock.h"
#include "queue/tenant_windows.h"
#include "store/store.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

namespace parley::queue {

struct BatchPolicy {
  int64_t window_ms = 2000;  //!< The server's; a tenant's own from `tenant_windows` when given.
  int64_t max_wait_ms = 10000;
  TenantWindows* tenant_windows = nullptr;  //!< Outlives the batcher; null: every tenant has `window_ms`.
};

// A conversation's deadline for its newest unanswered message: last message + window, never past first unanswered
// message + max wait.
int64_t DebounceDeadline(const store::PendingConversation& pending, int64_t window_ms, int64_t max_wait_ms);

// The deadline arithmetic and the due-set, without clocks or threads (unit-tested on its own).
class DebounceSchedule {
 public:
  explicit DebounceSchedule(BatchPolicy policy) : policy_(policy) {}

  // Moves the conversation's deadline for its newest unanswered message; returns the deadline (ms since epoch).
  int64_t Touch(const store::PendingConversation& pending) { return Touch(pending, policy_.window_ms); }
  // The same with the conversation's tenant's window.
  int64_t Touch(const store::PendingConversation& pending, int64_t window_ms);
  bool Contains(int64_t conversation_id) const { return deadline_of_.contains(conversation_id); }
  // Schedules a retry at `at_ms`, keeping an earlier deadline if one is set.
  void RetryAt(int64_t conversation_id, int64_t at_ms);
  std::optional<int64_t> NextDeadline() const;
  // Removes and returns every conversation due at `now_ms`, earliest first.
  std::vector<int64_t> PopDue(int64_t now_ms);
  size_t size() const { return deadline_of_.size(); }

 private:
  void Set(int64_t conversation_id, int64_t deadline_ms);

  BatchPolicy policy_;
  std::map<int64_t, int64_t> deadline_of_;       // conversation → deadline
  std::set<std::pair<int64_t, int64_t>> order_;  // (deadline, conversation)
};

class Batcher {
 public:
  // Called once per due conversation, on the batcher's executor; must not block.
  using DueHandler = std::function<void(int64_t conversation_id)>;

  virtual ~Batcher() = default;
  // Records new unanswered messages for a conversation. Thread-safe.
  virtual void Arm(const store::PendingConversation& pending) = 0;
  // Asks for the conversation to be handed over again at `at_ms` (a claim was busy, a reply was superseded or
  // failed). Thread-safe.
  virtual void RetryAt(int64_t conversation_id, int64_t at_ms) = 0;
  // Arms a conversation the store says is pending unless it already waits, keeping the deadline it has: what a
  // start-up, or a sweep after deadlines may have been lost, does with ListPendingConversations. Thread-safe.
  virtual void Restore(const store::PendingConversation& pending) = 0;
  // Starts firing. Conversations armed before Start fire once started.
  virtual void Start(DueHandler on_due) = 0;
  // Stops firing; armed conversations stay in the store and are recovered at the next start.
  virtual void Stop() = 0;
  // Conversations waiting for their deadline.
  virtual size_t waiting() const = 0;
};

// The in-process batcher: one timer on `executor`, set to the earliest deadline read from `clock` (which must
// outlive the batcher).
std::unique_ptr<Batcher> MakeMemoryBatcher(boost::asio::any_io_executor executor, BatchPolicy policy,
                                           Clock& clock = RealClock());

}  // namespace parley::queue
