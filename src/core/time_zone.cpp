#include "core/time_zone.h"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace parley::tz {
namespace {

using Ms = std::chrono::milliseconds;

// nullptr for an unknown zone. date::locate_zone throws for those; the database is loaded once, on first use.
const date::time_zone* Find(std::string_view name) {
  if (name.empty() || name.size() > 64) return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

Error UnknownZone(std::string_view name) {
  return Error::InvalidArgument("unknown time zone '" + std::string(name) + "' (an IANA name such as Europe/Paris)");
}

date::year_month_day ToYmd(const LocalDate& date) {
  return date::year{date.year} / date::month{static_cast<unsigned>(date.month)} /
         date::day{static_cast<unsigned>(date.day)};
}

LocalDate FromYmd(const date::year_month_day& ymd) {
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

}  // namespace

bool IsValid(std::string_view name) { return Find(name) != nullptr; }

Result<LocalDate> DateAt(std::string_view zone, int64_t utc_ms) {
  const date::time_zone* found = Find(zone);
  if (found == nullptr) return UnknownZone(zone);
  const auto local = found->to_local(date::sys_time<Ms>{Ms{utc_ms}});
  return FromYmd(date::year_month_day{date::floor<date::days>(local)});
}

Result<int64_t> StartOfDay(std::string_view zone, const LocalDate& date) {
  const date::time_zone* found = Find(zone);
  if (found == nullptr) return UnknownZone(zone);
  const auto ymd = ToYmd(date);
  if (!ymd.ok()) return Error::InvalidArgument("no such date: " + FormatDate(date));
  const date::local_days midnight{ymd};
  const date::local_info info = found->get_info(midnight);
  date::sys_seconds start;
  switch (info.result) {
    case date::local_info::unique:
      start = date::sys_seconds{midnight.time_since_epoch()} - info.first.offset;
      break;
    case date::local_info::ambiguous:  // Midnight happens twice: the day starts at the first.
      start = date::sys_seconds{midnight.time_since_epoch()} - info.first.offset;
      break;
    case date::local_info::nonexistent:  // Midnight is skipped: the day starts where the gap ends.
      start = info.second.begin;
      break;
  }
  return std::chrono::duration_cast<Ms>(start.time_since_epoch()).count();
}

Result<int64_t> OffsetSeconds(std::string_view zone, int64_t utc_ms) {
  const date::time_zone* found = Find(zone);
  if (found == nullptr) return UnknownZone(zone);
  return found->get_info(date::sys_time<Ms>{Ms{utc_ms}}).offset.count();
}

LocalDate AddDays(const LocalDate& date, int days) {
  return FromYmd(date::year_month_day{date::sys_days{ToYmd(date)} + date::days{days}});
}

int Weekday(const LocalDate& date) { return static_cast<int>(date::weekday{ToYmd(date)}.iso_encoding()); }

std::string FormatDate(const LocalDate& date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year, date.month, date.day);
  return text;
}

Result<LocalDate> ParseDate(std::string_view text) {
  auto invalid = [&] { return Error::InvalidArgument("'" + std::string(text) + "' is not a date (YYYY-MM-DD)"); };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return invalid();
  LocalDate date;
  auto number = [&](size_t at, size_t length, int& out) {
    auto [end, error] = std::from_chars(text.data() + at, text.data() + at + length, out);
    return error == std::errc{} && end == text.data() + at + length;
  };
  if (!number(0, 4, date.year) || !number(5, 2, date.month) || !number(8, 2, date.day)) return invalid();
  if (!ToYmd(date).ok()) return invalid();
  return date;
}

}  // namespace parley::tz
