#pragma once
// The time components read: leases, limits, the batcher's deadlines and retry delays take a Clock instead of calling
// NowMs(), so tests move time forward by hand instead of sleeping.

#include "core/time.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace parley {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch. Thread-safe.
  virtual int64_t NowMs() const = 0;
  // Calls `jumped` after every move of time that is not its own flow (a test clock set forward), so that a timer
  // armed for a deadline read from this clock looks again. Returns an id for Unwatch. The real clock never calls
  // it. Thread-safe; `jumped` runs on the thread that moved the time, and must neither block nor call Watch or
  // Unwatch.
  virtual int Watch(std::function<void()> jumped) { return 0; }
  // Stops calling the function Watch returned `id` for; once it returns, that function is not running.
  virtual void Unwatch(int id) {}
};

// The system's wall clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override { return parley::NowMs(); }
};

// The process's system clock, for components given no other.
inline Clock& RealClock() {
  static SystemClock clock;
  return clock;
}

// A clock that moves only when told to, for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms) : now_ms_(now_ms) {}

  int64_t NowMs() const override { return now_ms_.load(); }

  // Moves time forward by `ms` (never back) and tells the watchers.
  void Advance(int64_t ms) {
    if (ms > 0) now_ms_ += ms;
    Notify();
  }

  int Watch(std::function<void()> jumped) override {
    std::lock_guard lock(mutex_);
    watchers_.emplace(++last_id_, std::move(jumped));
    return last_id_;
  }

  void Unwatch(int id) override {
    std::lock_guard lock(mutex_);
    watchers_.erase(id);
  }

 private:
  void Notify() {
    std::lock_guard lock(mutex_);
    for (auto& [id, jumped] : watchers_) jumped();
  }

  std::atomic<int64_t> now_ms_;
  std::mutex mutex_;
  std::map<int, std::function<void()>> watchers_;  // GUARDED_BY(mutex_)
  int last_id_ = 0;                                // GUARDED_BY(mutex_)
};

}  // namespace parley
