#pragma once
// Each tenant's debounce window (its assistant's `batch_window_ms`, agent/settings.h), cached for the ingest path:
// the batcher asks it for every webhook's conversations, so a lookup is a lock and a map find, never a store read.
// A tenant not cached yet, or cached longer ago than the refresh interval, gets what is known at once (the server's
// window at first) while `fetch` reads the current value, at most one fetch per tenant at a time; the batcher is
// told when it arrives and moves the deadlines it set meanwhile. A change of the setting therefore reaches the
// debounce at the tenant's first message after the refresh interval, in every process, with no invalidation.

#include "core/clock.h"

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

namespace parley::queue {

class TenantWindows {
 public:
  // Reads the tenant's window (on whatever thread or pool it likes) and calls `done` once with it, or with nullopt
  // when it could not (the known value is kept, and asked again after the refresh interval).
  using Fetch = std::function<void(int64_t tenant_id, std::function<void(std::optional<int64_t> window_ms)> done)>;
  // Called after each fetch completes with the tenant's window then, on the thread that completed it.
  using Fetched = std::function<void(int64_t tenant_id, int64_t window_ms)>;

  TenantWindows(int64_t default_ms, Fetch fetch, Clock& clock = RealClock(), int64_t refresh_ms = 30000);

  struct Lookup {
    int64_t window_ms = 0;
    bool fetching = false;  //!< A fetch is under way: a Fetched call will follow.
  };
  // The window to use now for `tenant_id`, starting a fetch when the value is missing or old. Thread-safe.
  Lookup Get(int64_t tenant_id);
  // Who is told of fetched windows (the batcher); set once, before the first Get.
  void OnFetched(Fetched fetched) { fetched_ = std::move(fetched); }

 private:
  struct Entry {
    int64_t window_ms = 0;
    int64_t fetched_at_ms = 0;  //!< 0: never fetched.
    bool fetching = false;
  };
  void Complete(int64_t tenant_id, std::optional<int64_t> window_ms);

  const int64_t default_ms_;
  const Fetch fetch_;
  Clock& clock_;
  const int64_t refresh_ms_;
  Fetched fetched_;
  std::mutex mutex_;
  std::map<int64_t, Entry> entries_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::queue
