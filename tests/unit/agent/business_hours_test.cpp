// Business hours read in the business's time zone: weekly intervals, the clocks changing, intervals past midnight,
// closed dates, and the JSON form's validation.

#include "agent/business_hours.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <string>

namespace parley::agent {
namespace {

// Milliseconds since the epoch of a UTC date and time (days_from_civil, H. Hinnant).
int64_t Utc(int year, int month, int day, int hour, int minute = 0) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468;
  return ((days * 24 + hour) * 60 + minute) * 60 * 1000;
}

BusinessHours Parse(std::string_view json) {
  auto hours = ParseBusinessHours(boost::json::parse(json));
  EXPECT_TRUE(hours) << (hours ? "" : hours.error().message);
  return hours ? *hours : BusinessHours{};
}

std::string ErrorOf(std::string_view json) {
  auto hours = ParseBusinessHours(boost::json::parse(json));
  return hours ? "" : hours.error().message;
}

TEST(BusinessHoursTest, OffMeansAlwaysOpen) {
  BusinessHours hours;  // Not enabled, no intervals at all.
  EXPECT_TRUE(IsOpen(hours, "Europe/Paris", Utc(2026, 1, 4, 3)));
  hours.enabled = true;  // Enabled without a single interval: always closed.
  EXPECT_FALSE(IsOpen(hours, "Europe/Paris", Utc(2026, 1, 4, 3)));
}

TEST(BusinessHoursTest, TheLocalClockInWinterAndSummer) {
  auto hours = Parse(R"({"enabled": true, "weekly": {"monday": [{"open": "09:00", "close": "17:00"}]}})");
  // Monday 5 January 2026: Paris is UTC+1.
  EXPECT_FALSE(IsOpen(hours, "Europe/Paris", Utc(2026, 1, 5, 7, 59)));
  EXPECT_TRUE(IsOpen(hours, "Europe/Paris", Utc(2026, 1, 5, 8, 0)));
  EXPECT_TRUE(IsOpen(hours, "Europe/Paris", Utc(2026, 1, 5, 15, 59)));
  EXPECT_FALSE(IsOpen(hours, "Europe/Paris", Utc(2026, 1, 5, 16, 0)));
  // Monday 6 July 2026: UTC+2, the same local hours.
  EXPECT_FALSE(IsOpen(hours, "Europe/Paris", Utc(2026, 7, 6, 6, 59)));
  EXPECT_TRUE(IsOpen(hours, "Europe/Paris", Utc(2026, 7, 6, 7, 0)));
  EXPECT_FALSE(IsOpen(hours, "Europe/Paris", Utc(2026, 7, 6, 15, 0)));
  // The same instant is Monday morning in Paris and still Sunday night in New York.
  EXPECT_FALSE(IsOpen(hours, "America/New_York", Utc(2026, 1, 5, 10, 0)));
  EXPECT_TRUE(IsOpen(hours, "America/New_York", Utc(2026, 1, 5, 14, 0)));
  // Tuesday is not open.
  EXPECT_FALSE(IsOpen(hours, "Europe/Paris", Utc(2026, 1, 6, 10, 0)));
}

TEST(BusinessHoursTest, TheNightsTheClocksChange) {
  // Sunday 29 March 2026, Paris: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
  auto spring = Parse(R"({"enabled": true, "weekly": {"sunday": [{"open": "01:00", "close": "04:00"}]}})");
  EXPECT_TRUE(IsOpen(spring, "Europe/Paris", Utc(2026, 3, 29, 0, 30)));  // 01:30 CET
  EXPECT_TRUE(IsOpen(spring, "Europe/Paris", Utc(2026, 3, 29, 1, 30)));  // 03:30 CEST
  EXPECT_FALSE(IsOpen(spring, "Europe/Paris", Utc(2026, 3, 29, 2, 0)));  // 04:00 CEST: one hour less open
  // An interval inside the skipped hour never happens.
  auto skipped = Parse(R"({"enabled": true, "weekly": {"sunday": [{"open": "02:00", "close": "03:00"}]}})");
  EXPECT_FALSE(IsOpen(skipped, "Europe/Paris", Utc(2026, 3, 29, 0, 59)));  // 01:59 CET
  EXPECT_FALSE(IsOpen(skipped, "Europe/Paris", Utc(2026, 3, 29, 1, 0)));   // 03:00 CEST
  // Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00 UTC, so 02:15 happens twice: open both times.
  auto autumn = Parse(R"({"enabled": true, "weekly": {"sunday": [{"open": "02:00", "close": "02:30"}]}})");
  EXPECT_TRUE(IsOpen(autumn, "Europe/Paris", Utc(2026, 10, 25, 0, 15)));   // 02:15 CEST
  EXPECT_FALSE(IsOpen(autumn, "Europe/Paris", Utc(2026, 10, 25, 0, 45)));  // 02:45 CEST
  EXPECT_TRUE(IsOpen(autumn, "Europe/Paris", Utc(2026, 10, 25, 1, 15)));   // 02:15 CET
  EXPECT_FALSE(IsOpen(autumn, "Europe/Paris", Utc(2026, 10, 25, 1, 45)));  // 02:45 CET
}

TEST(BusinessHoursTest, AnIntervalPastMidnightBelongsToTheDayItOpensOn) {
  auto hours = Parse(R"({"enabled": true, "weekly": {"friday": [{"open": "22:00", "close": "02:00"}]}})");
  // Friday 9 January 2026, UTC.
  EXPECT_FALSE(IsOpen(hours, "UTC", Utc(2026, 1, 9, 21, 59)));
  EXPECT_TRUE(IsOpen(hours, "UTC", Utc(2026, 1, 9, 22, 0)));
  EXPECT_TRUE(IsOpen(hours, "UTC", Utc(2026, 1, 10, 1, 59)));  // Saturday, from Friday's interval.
  EXPECT_FALSE(IsOpen(hours, "UTC", Utc(2026, 1, 10, 2, 0)));
  EXPECT_FALSE(IsOpen(hours, "UTC", Utc(2026, 1, 10, 22, 30)));  // Saturday has no interval of its own.
  EXPECT_FALSE(IsOpen(hours, "UTC", Utc(2026, 1, 9, 1, 0)));     // Nor has Thursday night.
  // "00:00" as a close is the end of the day, not an interval of 24 hours.
  auto evening = Parse(R"({"enabled": true, "weekly": {"friday": [{"open": "18:00", "close": "00:00"}]}})");
  EXPECT_TRUE(IsOpen(evening, "UTC", Utc(2026, 1, 9, 23, 59)));
  EXPECT_FALSE(IsOpen(evening, "UTC", Utc(2026, 1, 10, 0, 0)));
  EXPECT_EQ(ToJson(evening).at("weekly").at("friday").as_array()[0].at("close"), "24:00");
}

TEST(BusinessHoursTest, ClosedDatesInTheBusinessesZone) {
  auto hours = Parse(R"({"enabled": true,
      "weekly": {"monday": [{"open": "09:00", "close": "17:00"}], "thursday": [{"open": "22:00", "close": "02:00"}],
                 "friday": [{"open": "22:00", "close": "02:00"}]},
      "closed_dates": ["2026-01-09", "2026-01-05", "2026-01-05"]})");
  EXPECT_EQ(hours.closed_dates, (std::vector<std::string>{"2026-01-05", "2026-01-09"}));
  EXPECT_FALSE(IsOpen(hours, "UTC", Utc(2026, 1, 5, 10, 0)));  // A closed Monday.
  EXPECT_TRUE(IsOpen(hours, "UTC", Utc(2026, 1, 12, 10, 0)));  // The next one is open.
  // Thursday night runs into the closed Friday: it opened on Thursday.
  EXPECT_TRUE(IsOpen(hours, "UTC", Utc(2026, 1, 9, 1, 0)));
  // The closed Friday's own night does not open, nor does its tail on Saturday.
  EXPECT_FALSE(IsOpen(hours, "UTC", Utc(2026, 1, 9, 23, 0)));
  EXPECT_FALSE(IsOpen(hours, "UTC", Utc(2026, 1, 10, 1, 0)));
  // The date is the zone's: Christmas in New York starts five hours after Christmas in London.
  auto christmas = Parse(R"({"enabled": true, "closed_dates": ["2026-12-25"], "weekly": {
      "monday": [{"open": "00:00", "close": "24:00"}], "tuesday": [{"open": "00:00", "close": "24:00"}],
      "wednesday": [{"open": "00:00", "close": "24:00"}], "thursday": [{"open": "00:00", "close": "24:00"}],
      "friday": [{"open": "00:00", "close": "24:00"}], "saturday": [{"open": "00:00", "close": "24:00"}],
      "sunday": [{"open": "00:00", "close": "24:00"}]}})");
  EXPECT_TRUE(IsOpen(christmas, "America/New_York", Utc(2026, 12, 25, 3, 0)));   // 24 December, 22:00
  EXPECT_FALSE(IsOpen(christmas, "America/New_York", Utc(2026, 12, 25, 6, 0)));  // 25 December, 01:00
  EXPECT_FALSE(IsOpen(christmas, "UTC", Utc(2026, 12, 25, 3, 0)));
}

TEST(BusinessHoursTest, TheJsonFormIsCheckedFieldByField) {
  EXPECT_EQ(ErrorOf(R"([])"), "business_hours must be an object {\"enabled\", \"weekly\", \"closed_dates\"}");
  EXPECT_EQ(ErrorOf(R"({"enabled": "yes"})"), "business_hours.enabled must be true or false");
  EXPECT_EQ(ErrorOf(R"({"timezone": "UTC"})"), "unknown field business_hours.timezone");
  EXPECT_EQ(ErrorOf(R"({"weekly": {"mon": []}})"),
            "business_hours.weekly.mon must be named monday, tuesday, … or sunday");
  EXPECT_EQ(ErrorOf(R"({"weekly": {"monday": [{"open": "9:00", "close": "17:00"}]}})"),
            "business_hours.weekly.monday[0].open must be a time HH:MM from 00:00 to 23:59");
  EXPECT_EQ(ErrorOf(R"({"weekly": {"monday": [{"open": "24:00", "close": "17:00"}]}})"),
            "business_hours.weekly.monday[0].open must be a time HH:MM from 00:00 to 23:59");
  EXPECT_EQ(ErrorOf(R"({"weekly": {"monday": [{"open": "09:00", "close": "17:60"}]}})"),
            "business_hours.weekly.monday[0].close must be a time HH:MM from 00:00 to 24:00");
  EXPECT_EQ(ErrorOf(R"({"weekly": {"monday": [{"open": "09:00", "close": "09:00"}]}})"),
            "business_hours.weekly.monday[0].close must be another time than open");
  EXPECT_EQ(ErrorOf(R"({"weekly": {"monday": [{"open": "09:00"}]}})"),
            "business_hours.weekly.monday[0].close must be a time HH:MM from 00:00 to 24:00");
  EXPECT_EQ(
      ErrorOf(R"({"weekly": {"monday": [{"open": "13:00", "close": "18:00"}, {"open": "09:00", "close": "13:30"}]}})"),
      "business_hours.weekly.monday must be intervals that do not overlap");
  EXPECT_EQ(
      ErrorOf(R"({"weekly": {"friday": [{"open": "22:00", "close": "02:00"}, {"open": "23:00", "close": "23:30"}]}})"),
      "business_hours.weekly.friday must be intervals that do not overlap");
  EXPECT_EQ(ErrorOf(R"({"closed_dates": ["2026-02-30"]})"), "business_hours.closed_dates[0] must be a date YYYY-MM-DD");
  EXPECT_EQ(ErrorOf(R"({"closed_dates": ["25/12/2026"]})"), "business_hours.closed_dates[0] must be a date YYYY-MM-DD");
  std::string many = R"({"weekly": {"monday": [)";
  for (int i = 0; i < 7; ++i)
    many += (i ? "," : "") + std::string(R"({"open": "0)") + std::to_string(i) + R"(:00", "close": "0)" +
            std::to_string(i) + R"(:30"})";
  EXPECT_NE(ErrorOf(many + "]}}").find("at most 6 intervals"), std::string::npos);
  // Two intervals of a day, given out of order, come back sorted; every weekday is listed.
  auto hours = Parse(R"({"enabled": true, "weekly": {"monday": [{"open": "14:00", "close": "18:00"},
      {"open": "09:00", "close": "12:30"}]}})");
  auto json = ToJson(hours);
  EXPECT_EQ(json.at("weekly").at("monday").as_array()[0].at("open"), "09:00");
  EXPECT_EQ(json.at("weekly").at("monday").as_array()[1].at("close"), "18:00");
  EXPECT_EQ(json.at("weekly").as_object().size(), 7u);
  EXPECT_EQ(*ParseBusinessHours(json), hours);
}

}  // namespace
}  // namespace parley::agent
