#include "core/time.h"

#include <cstdio>
#include <ctime>

namespace parley {

std::string FormatTimestamp(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buffer + n, sizeof buffer - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buffer;
}

std::optional<int64_t> ParseTimestamp(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  std::string copy(text);
  int consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2d%n", &year, &month, &day, &consumed) != 3 || consumed != 10) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(10);
  if (!rest.empty()) {
    int used = 0;
    if (std::sscanf(copy.c_str() + 10, "T%2d:%2d:%2d%n", &hour, &minute, &second, &used) != 3 || used != 9) {
      return std::nullopt;
    }
    rest.remove_prefix(9);
    if (rest.size() == 5 && rest[0] == '.') {
      for (char c : rest.substr(1, 3)) {
        if (c < '0' || c > '9') return std::nullopt;
        millis = millis * 10 + (c - '0');
      }
      rest.remove_prefix(4);
    }
    if (rest != "Z") return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t seconds = timegm(&tm);
  std::tm check{};
  gmtime_r(&seconds, &check);
  if (check.tm_mday != day) return std::nullopt;  // 2026-02-30 and the like
  return static_cast<int64_t>(seconds) * 1000 + millis;
}

}  // namespace parley
