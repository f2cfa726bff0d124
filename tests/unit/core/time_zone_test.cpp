#include "core/time_zone.h"

#include "core/time.h"

#include <gtest/gtest.h>

namespace parley::tz {
namespace {

int64_t At(const char* rfc3339) { return ParseTimestamp(rfc3339).value(); }

TEST(TimeZoneTest, KnowsIanaNamesOnly) {
  for (const char* name : {"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Adelaide"}) {
    EXPECT_TRUE(IsValid(name)) << name;
  }
  for (const char* name : {"", "Mars/Olympus", "europe/paris", "Europe/Paris ", "../etc/passwd", "+02:00"}) {
    EXPECT_FALSE(IsValid(name)) << name;
  }
}

TEST(TimeZoneTest, DaysStartAtLocalMidnight) {
  // Paris is UTC+1 in winter, UTC+2 in summer.
  EXPECT_EQ(StartOfDay("Europe/Paris", {2026, 12, 6}).value(), At("2026-12-05T23:00:00Z"));
  EXPECT_EQ(StartOfDay("Europe/Paris", {2026, 7, 1}).value(), At("2026-06-30T22:00:00Z"));
  // Half-hour zones: India is UTC+5:30, Adelaide UTC+10:30 in its summer.
  EXPECT_EQ(StartOfDay("Asia/Kolkata", {2026, 12, 6}).value(), At("2026-12-05T18:30:00Z"));
  EXPECT_EQ(StartOfDay("Australia/Adelaide", {2026, 12, 6}).value(), At("2026-12-05T13:30:00Z"));
  EXPECT_EQ(StartOfDay("UTC", {2026, 12, 6}).value(), At("2026-12-06T00:00:00Z"));
  EXPECT_FALSE(StartOfDay("Nowhere/Else", {2026, 12, 6}));
}

TEST(TimeZoneTest, ADayWhoseMidnightIsSkippedStartsWhenTheGapEnds) {
  // Santiago moved its clocks from 00:00 to 01:00 on 2026-09-06 (UTC-4 → UTC-3).
  EXPECT_EQ(StartOfDay("America/Santiago", {2026, 9, 6}).value(), At("2026-09-06T04:00:00Z"));
}

TEST(TimeZoneTest, DateAtAnInstant) {
  EXPECT_EQ(DateAt("Europe/Paris", At("2026-12-05T23:30:00Z")).value(), (LocalDate{2026, 12, 6}));
  EXPECT_EQ(DateAt("America/New_York", At("2026-12-06T03:00:00Z")).value(), (LocalDate{2026, 12, 5}));
  EXPECT_EQ(OffsetSeconds("Asia/Kolkata", At("2026-12-06T00:00:00Z")).value(), 19800);
}

TEST(TimeZoneTest, CalendarHelpers) {
  EXPECT_EQ(AddDays({2026, 12, 31}, 1), (LocalDate{2027, 1, 1}));
  EXPECT_EQ(AddDays({2028, 3, 1}, -1), (LocalDate{2028, 2, 29}));
  EXPECT_EQ(Weekday({2026, 12, 7}), 1);  // A Monday.
  EXPECT_EQ(Weekday({2026, 12, 6}), 7);
  EXPECT_EQ(FormatDate({2026, 1, 2}), "2026-01-02");
  EXPECT_EQ(ParseDate("2026-02-28").value(), (LocalDate{2026, 2, 28}));
  for (const char* bad : {"2026-02-30", "2026-2-28", "26-02-28", "2026-02-28T00:00:00Z", ""}) {
    EXPECT_FALSE(ParseDate(bad)) << bad;
  }
}

}  // namespace
}  // namespace parley::tz
