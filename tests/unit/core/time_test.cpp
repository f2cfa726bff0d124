#include "core/time.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(TimeTest, ParsesUtcDatesAndRfc3339TimesAndRoundTripsFormatTimestamp) {
  EXPECT_EQ(ParseTimestamp("1970-01-01"), 0);
  EXPECT_EQ(ParseTimestamp("2026-11-22"), int64_t{1795305600} * 1000);
  EXPECT_EQ(ParseTimestamp("2026-11-22T04:21:31Z"), int64_t{1795321291} * 1000);
  EXPECT_EQ(ParseTimestamp("2026-11-22T04:21:31.123Z"), int64_t{1795321291} * 1000 + 123);
  EXPECT_EQ(ParseTimestamp(FormatTimestamp(1'795'321'291'456)), 1'795'321'291'456);
}

TEST(TimeTest, RefusesAnythingElse) {
  for (const char* bad :
       {"", "yesterday", "2026-11", "2026-13-01", "2026-02-30", "2026-11-22T04:21:31", "2026-11-22T04:21:31+02:00",
        "2026-11-22T25:00:00Z", "2026-11-22 04:21:31Z", "2026-11-22T04:21:31.12Z", "2026-11-22Tgarbage"}) {
    EXPECT_EQ(ParseTimestamp(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace parley
