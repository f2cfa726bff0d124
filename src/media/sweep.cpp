#include "media/sweep.h"

#include "core/log.h"
#include "store/media_records.h"

namespace parley::media {

Result<SweepCounts> SweepMedia(store::Store& store, MediaStore& files, int64_t retention_days, int64_t now_ms,
                               std::chrono::milliseconds grace) {
  constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;
  SweepCounts counts;
  if (retention_days > 0) {
    auto expired = store.media().ExpireBefore(now_ms - retention_days * kDayMs, now_ms);
    if (!expired) return expired.error();
    counts.expired = *expired;
  }
  auto tenants = files.Tenants();
  if (!tenants) return tenants.error();
  const auto written_before = std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms)) - grace;
  for (int64_t tenant_id : *tenants) {
    // The keys are read before the files are listed: a file written after this read is younger than `grace`.
    auto keep = store.media().FileKeys(tenant_id);
    if (!keep) return keep.error();
    auto removed = files.RemoveUnreferenced(tenant_id, *keep, written_before);
    if (!removed) {
      log::Warn("media_sweep_failed", {{"tenant_id", tenant_id}, {"detail", removed.error().detail}});
      continue;
    }
    counts.files_removed += *removed;
  }
  if (counts.expired > 0 || counts.files_removed > 0) {
    log::Info("media_swept", {{"expired", counts.expired}, {"files_removed", counts.files_removed}});
  }
  return counts;
}

}  // namespace parley::media
