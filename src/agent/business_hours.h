#pragma once
// A business's opening hours, in its own time zone (the tenant's `time_zone`, core/time_zone.h): for each weekday,
// the intervals it is open, plus dates it is closed all day (holidays). Outside them the bot still answers what it
// can, and hands the rest off with the out-of-hours message instead of the hand-off one (agent/messages.h).
//
// Times are local wall-clock times, read at the instant through the zone's offset then, so the hours follow the
// clock through daylight-saving changes: 09:00–17:00 stays 09:00–17:00 local in summer and winter; on the night the
// clocks go forward a time that does not exist is never open, and on the night they go back a time that happens
// twice is open both times when its interval covers it. An interval whose close is not after its open runs past
// midnight (22:00–02:00) and belongs to the day it opens on: a closed date cancels the intervals that open on it,
// not the tail of the night before.

#include "core/error.h"

#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

struct OpenInterval {
  int open_minute = 0;   //!< Minutes after local midnight, 0..1439.
  int close_minute = 0;  //!< 1..1440; not after open_minute: the interval ends the next day.
  auto operator<=>(const OpenInterval&) const = default;
};

struct BusinessHours {
  bool enabled = false;  //!< False: always open (the bot hands off as usual at any hour).
  //! Monday first, as ISO 8601 numbers days; a day without intervals is closed.
  std::array<std::vector<OpenInterval>, 7> week;
  std::vector<std::string> closed_dates;  //!< "YYYY-MM-DD" in the business's zone, sorted, unique.
  bool operator==(const BusinessHours&) const = default;
};

inline constexpr size_t kMaxIntervalsPerDay = 6;
inline constexpr size_t kMaxClosedDates = 400;  //!< More than a year's holidays, a bound on what one tenant stores.

// The weekday keys of the JSON form: "monday" … "sunday".
std::string_view WeekdayKey(int iso_weekday);

// Whether the business is open at `utc_ms`, read in `time_zone` (an IANA name; an unknown one counts as UTC, which
// the tenant settings' validation never lets in). Always true when the hours are not enabled.
bool IsOpen(const BusinessHours& hours, std::string_view time_zone, int64_t utc_ms);

// Reads the JSON form {"enabled": bool, "weekly": {"monday": [{"open": "09:00", "close": "17:30"}], …},
// "closed_dates": ["2026-12-25"]} over `hours`: a field left out keeps its value there (so {"enabled": false} keeps
// the schedule for later), while `weekly` replaces the whole week (a day it leaves out is closed). Times as HH:MM
// (close may be "24:00"), at most kMaxIntervalsPerDay intervals a day that do not overlap, at most kMaxClosedDates
// real dates. kInvalidArgument naming the field (business_hours.weekly.monday[0].close, …).
Result<BusinessHours> ParseBusinessHours(const boost::json::value& json, BusinessHours hours = {});
// The JSON form, every weekday present.
boost::json::object ToJson(const BusinessHours& hours);
// The JSON Schema of that form, for the API reference.
boost::json::object BusinessHoursJsonSchema();

}  // namespace parley::agent
