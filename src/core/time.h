#pragma once
// Wall-clock helpers. Stored times are milliseconds since the Unix epoch (UTC).

#include <chrono>
#include <cstdint>
#include <string>

namespace parley {

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RFC 3339 / ISO 8601 in UTC with milliseconds: 2026-11-22T04:21:31.123Z.
std::string FormatTimestamp(int64_t ms_since_epoch);

}  // namespace parley
