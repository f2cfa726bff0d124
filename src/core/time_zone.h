#pragma once
// IANA time zones ("Europe/Paris", "America/New_York", "UTC") from the system's tzdata (/usr/share/zoneinfo, read
// by Howard Hinnant's date/tz.h built with USE_OS_TZDB): a tenant's days, business hours and reports are in its
// zone. tz.h stays behind this header, so that only time_zone.cpp compiles against it.

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::tz {

// Whether the system's tzdata knows `name` (exact spelling, as IANA writes it; links such as "US/Eastern" too).
bool IsValid(std::string_view name);

// A civil date in a zone, and the instants around it.
struct LocalDate {
  int year = 1970;
  int month = 1;  //!< 1..12
  int day = 1;    //!< 1..31
  auto operator<=>(const LocalDate&) const = default;
};

// The zone's date at the instant `utc_ms`. kInvalidArgument for an unknown zone.
Result<LocalDate> DateAt(std::string_view zone, int64_t utc_ms);
// The instant the zone's `date` starts (its first local minute: midnight, or the end of a gap when a transition
// skips midnight). kInvalidArgument for an unknown zone or a date that does not exist.
Result<int64_t> StartOfDay(std::string_view zone, const LocalDate& date);
// The zone's offset from UTC at `utc_ms`, in seconds (east positive: Paris in winter is 3600).
Result<int64_t> OffsetSeconds(std::string_view zone, int64_t utc_ms);

// Calendar helpers that need no zone.
LocalDate AddDays(const LocalDate& date, int days);
int Weekday(const LocalDate& date);             //!< ISO: 1 Monday … 7 Sunday.
std::string FormatDate(const LocalDate& date);  //!< 2026-12-06
// "2026-12-06" only; nullopt-like error for anything else (kInvalidArgument).
Result<LocalDate> ParseDate(std::string_view text);

}  // namespace parley::tz
