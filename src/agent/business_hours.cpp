#include "agent/business_hours.h"

#include "core/time_zone.h"

#include <algorithm>
#include <optional>

namespace parley::agent {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr int64_t kMsPerDay = int64_t{kMinutesPerDay} * 60 * 1000;

constexpr std::array<std::string_view, 7> kWeekdayKeys = {"monday", "tuesday",  "wednesday", "thursday",
                                                          "friday", "saturday", "sunday"};

Error FieldError(const std::string& field, std::string_view expected) {
  return Error::InvalidArgument(field + " must be " + std::string(expected));
}

// "HH:MM", 00:00..23:59, and 24:00 where `allow_end_of_day`.
std::optional<int> ParseMinute(const boost::json::value& value, bool allow_end_of_day) {
  if (!value.is_string()) return std::nullopt;
  std::string_view text = value.as_string();
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59 || hours > 24 || (hours == 24 && (minutes != 0 || !allow_end_of_day))) return std::nullopt;
  return hours * 60 + minutes;
}

std::string FormatMinute(int minute) {
  char text[6];
  std::snprintf(text, sizeof(text), "%02d:%02d", minute / 60, minute % 60);
  return text;
}

// The end of the interval counted from its day's midnight: past 1440 when it runs into the next day.
int EffectiveClose(const OpenInterval& interval) {
  return interval.close_minute > interval.open_minute ? interval.close_minute : interval.close_minute + kMinutesPerDay;
}

Result<std::vector<OpenInterval>> ParseDay(const boost::json::value& value, const std::string& field) {
  if (!value.is_array() || value.as_array().size() > kMaxIntervalsPerDay) {
    return FieldError(field, "an array of at most " + std::to_string(kMaxIntervalsPerDay) +
                                 " intervals {\"open\": \"HH:MM\", \"close\": \"HH:MM\"}");
  }
  std::vector<OpenInterval> intervals;
  for (size_t i = 0; i < value.as_array().size(); ++i) {
    const std::string item_field = field + "[" + std::to_string(i) + "]";
    const auto& item = value.as_array()[i];
    if (!item.is_object()) return FieldError(item_field, "an object {\"open\": \"HH:MM\", \"close\": \"HH:MM\"}");
    for (const auto& [key, unused] : item.as_object()) {
      if (key != "open" && key != "close")
        return Error::InvalidArgument("unknown field " + item_field + "." + std::string(key));
    }
    const auto* open_value = item.as_object().if_contains("open");
    const auto* close_value = item.as_object().if_contains("close");
    auto open = open_value != nullptr ? ParseMinute(*open_value, false) : std::nullopt;
    if (!open) return FieldError(item_field + ".open", "a time HH:MM from 00:00 to 23:59");
    auto close = close_value != nullptr ? ParseMinute(*close_value, true) : std::nullopt;
    if (!close) return FieldError(item_field + ".close", "a time HH:MM from 00:00 to 24:00");
    if (*close == 0) close = kMinutesPerDay;  // "00:00" as a close is the end of the day.
    if (*close == *open) return FieldError(item_field + ".close", "another time than open");
    intervals.push_back({*open, *close});
  }
  std::sort(intervals.begin(), intervals.end());
  for (size_t i = 1; i < intervals.size(); ++i) {
    if (intervals[i].open_minute < EffectiveClose(intervals[i - 1])) {
      return FieldError(field, "intervals that do not overlap");
    }
  }
  return intervals;
}

bool Covers(const std::vector<OpenInterval>& day, int minute_of_day, bool from_previous_day) {
  for (const auto& interval : day) {
    const int close = EffectiveClose(interval);
    if (from_previous_day) {
      if (close > kMinutesPerDay && minute_of_day < close - kMinutesPerDay) return true;
    } else if (minute_of_day >= interval.open_minute && minute_of_day < close) {
      return true;
    }
  }
  return false;
}

bool IsClosedDate(const BusinessHours& hours, const tz::LocalDate& date) {
  return std::binary_search(hours.closed_dates.begin(), hours.closed_dates.end(), tz::FormatDate(date));
}

}  // namespace

std::string_view WeekdayKey(int iso_weekday) { return kWeekdayKeys.at(static_cast<size_t>(iso_weekday - 1)); }

bool IsOpen(const BusinessHours& hours, std::string_view time_zone, int64_t utc_ms) {
  if (!hours.enabled) return true;
  auto offset = tz::OffsetSeconds(time_zone, utc_ms);
  auto today = tz::DateAt(time_zone, utc_ms);
  if (!offset || !today) {
    offset = int64_t{0};
    today = tz::DateAt("UTC", utc_ms);
    if (!today) return true;
  }
  // The wall clock's minute: the instant shifted by the zone's offset then, within its local day.
  const int64_t local_ms = utc_ms + *offset * 1000;
  const int minute = static_cast<int>(((local_ms % kMsPerDay) + kMsPerDay) % kMsPerDay / 60000);
  const int weekday = tz::Weekday(*today);
  if (!IsClosedDate(hours, *today) && Covers(hours.week[weekday - 1], minute, false)) return true;
  const tz::LocalDate yesterday = tz::AddDays(*today, -1);
  return !IsClosedDate(hours, yesterday) && Covers(hours.week[tz::Weekday(yesterday) - 1], minute, true);
}

Result<BusinessHours> ParseBusinessHours(const boost::json::value& json, BusinessHours hours) {
  const std::string field = "business_hours";
  if (!json.is_object()) return FieldError(field, "an object {\"enabled\", \"weekly\", \"closed_dates\"}");
  for (const auto& [key, value] : json.as_object()) {
    const std::string key_field = field + "." + std::string(key);
    if (key == "enabled") {
      if (!value.is_bool()) return FieldError(key_field, "true or false");
      hours.enabled = value.as_bool();
    } else if (key == "weekly") {
      if (!value.is_object()) return FieldError(key_field, "an object of intervals by weekday (monday … sunday)");
      hours.week = {};
      for (const auto& [day, intervals] : value.as_object()) {
        auto found = std::find(kWeekdayKeys.begin(), kWeekdayKeys.end(), std::string_view(day));
        if (found == kWeekdayKeys.end()) {
          return FieldError(key_field + "." + std::string(day), "named monday, tuesday, … or sunday");
        }
        auto parsed = ParseDay(intervals, key_field + "." + std::string(day));
        if (!parsed) return parsed.error();
        hours.week[static_cast<size_t>(found - kWeekdayKeys.begin())] = std::move(*parsed);
      }
    } else if (key == "closed_dates") {
      if (!value.is_array() || value.as_array().size() > kMaxClosedDates) {
        return FieldError(key_field, "an array of at most " + std::to_string(kMaxClosedDates) + " dates YYYY-MM-DD");
      }
      hours.closed_dates.clear();
      for (size_t i = 0; i < value.as_array().size(); ++i) {
        const auto& date = value.as_array()[i];
        if (!date.is_string() || !tz::ParseDate(date.as_string())) {
          return FieldError(key_field + "[" + std::to_string(i) + "]", "a date YYYY-MM-DD");
        }
        hours.closed_dates.push_back(tz::FormatDate(*tz::ParseDate(date.as_string())));
      }
      std::sort(hours.closed_dates.begin(), hours.closed_dates.end());
      hours.closed_dates.erase(std::unique(hours.closed_dates.begin(), hours.closed_dates.end()),
                               hours.closed_dates.end());
    } else {
      return Error::InvalidArgument("unknown field " + key_field);
    }
  }
  return hours;
}

boost::json::object ToJson(const BusinessHours& hours) {
  boost::json::object weekly;
  for (size_t day = 0; day < hours.week.size(); ++day) {
    boost::json::array intervals;
    for (const auto& interval : hours.week[day]) {
      intervals.push_back(
          {{"open", FormatMinute(interval.open_minute)}, {"close", FormatMinute(interval.close_minute)}});
    }
    weekly[kWeekdayKeys[day]] = std::move(intervals);
  }
  boost::json::array closed;
  for (const auto& date : hours.closed_dates) closed.push_back(boost::json::string(date));
  return {{"enabled", hours.enabled}, {"weekly", std::move(weekly)}, {"closed_dates", std::move(closed)}};
}

boost::json::object BusinessHoursJsonSchema() {
  const boost::json::object time{{"type", "string"}, {"pattern", "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"}};
  boost::json::object interval{
      {"type", "object"},
      {"additionalProperties", false},
      {"required", boost::json::array{"open", "close"}},
      {"properties",
       {{"open", {{"type", "string"}, {"pattern", "^([01][0-9]|2[0-3]):[0-5][0-9]$"}, {"description", "HH:MM, local"}}},
        {"close", boost::json::object(time)}}},
      {"description",
       "Open from `open` to `close`, local time; a close not after the open runs past midnight and belongs to the "
       "day it opens on. \"00:00\" or \"24:00\" as a close is the end of the day."}};
  boost::json::object day{{"type", "array"}, {"maxItems", kMaxIntervalsPerDay}, {"items", interval}};
  boost::json::object days;
  for (auto key : kWeekdayKeys) days[key] = day;
  return {{"type", "object"},
          {"additionalProperties", false},
          {"description",
           "Business hours in the tenant's time zone (GET /api/tenant): outside them, what the bot cannot answer is "
           "handed off with the out_of_hours message. Off by default (always open). A field left out keeps its value; "
           "`weekly` replaces the whole week, and a day it leaves out is closed."},
          {"properties",
           {{"enabled", {{"type", "boolean"}, {"description", "False: always open."}}},
            {"weekly", {{"type", "object"}, {"additionalProperties", false}, {"properties", std::move(days)}}},
            {"closed_dates",
             {{"type", "array"},
              {"maxItems", kMaxClosedDates},
              {"items", {{"type", "string"}, {"format", "date"}}},
              {"description", "Dates closed all day (holidays), YYYY-MM-DD in the tenant's time zone."}}}}}};
}

}  // namespace parley::agent
