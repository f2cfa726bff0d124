#pragma once
// Wall-clock helpers. Stored times are milliseconds since the Unix epoch (UTC).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RFC 3339 / ISO 8601 in UTC with milliseconds: 2026-11-22T04:21:31.123Z.
std::string FormatTimestamp(int64_t ms_since_epoch);

// The instant a query parameter names: a UTC date (2026-11-22, its midnight) or an RFC 3339 time in UTC
// (2026-11-22T04:21:31Z, optionally with milliseconds). nullopt for anything else.
std::optional<int64_t> ParseTimestamp(std::string_view text);

}  // namespace parley
