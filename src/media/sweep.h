#pragma once
// Media retention and the removal of files nothing names any more, run by the retention sweep (app/retention.h):
// records older than PARLEY_MEDIA_RETENTION_DAYS lose their files, and every file no record names (its message was
// deleted with its conversation or contact, by the tenant's retention, or by the media retention) is removed once it
// is older than `grace` (a file just written is named by its record a moment later).

#include "media/media_store.h"
#include "store/store.h"

#include <chrono>
#include <cstdint>

namespace parley::media {

struct SweepCounts {
  int64_t expired = 0;        //!< Records whose retention ended.
  int64_t files_removed = 0;  //!< Files deleted.
};

// Blocking: run it on the blocking pool. `retention_days` 0 keeps media as long as its message. A tenant whose files
// cannot be listed or removed is skipped (and counted in nothing); a store failure fails the sweep.
Result<SweepCounts> SweepMedia(store::Store& store, MediaStore& files, int64_t retention_days, int64_t now_ms,
                               std::chrono::milliseconds grace = std::chrono::minutes(10));

}  // namespace parley::media
