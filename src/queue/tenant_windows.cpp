#include "queue/tenant_windows.h"

namespace parley::queue {

TenantWindows::TenantWindows(int64_t default_ms, Fetch fetch, Clock& clock, int64_t refresh_ms)
    : default_ms_(default_ms), fetch_(std::move(fetch)), clock_(clock), refresh_ms_(refresh_ms) {}

TenantWindows::Lookup TenantWindows::Get(int64_t tenant_id) {
  Lookup lookup;
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = entries_.try_emplace(tenant_id, Entry{default_ms_, 0, false});
    Entry& entry = it->second;
    lookup.window_ms = entry.window_ms;
    const bool stale = entry.fetched_at_ms == 0 || clock_.NowMs() - entry.fetched_at_ms >= refresh_ms_;
    if (!stale || entry.fetching) {
      lookup.fetching = entry.fetching;
      return lookup;
    }
    entry.fetching = true;
    lookup.fetching = true;
  }
  // Outside the lock: a fetch that completes at once (a test's) takes it again.
  fetch_(tenant_id, [this, tenant_id](std::optional<int64_t> window_ms) { Complete(tenant_id, window_ms); });
  return lookup;
}

void TenantWindows::Complete(int64_t tenant_id, std::optional<int64_t> window_ms) {
  int64_t window = 0;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[tenant_id];
    if (window_ms) entry.window_ms = *window_ms;
    entry.fetched_at_ms = clock_.NowMs();
    entry.fetching = false;
    window = entry.window_ms;
  }
  if (fetched_) fetched_(tenant_id, window);
}

}  // namespace parley::queue
