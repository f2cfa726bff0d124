#include "core/json.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <limits>

namespace parley {
namespace {

namespace json = boost::json;

TEST(SerializeJsonTest, PrintsDoublesAsOrdinaryDecimals) {
  EXPECT_EQ(SerializeJson(json::value(0.5)), "0.5");
  EXPECT_EQ(SerializeJson(json::value(0.0)), "0");
  EXPECT_EQ(SerializeJson(json::value(-0.25)), "-0.25");
  EXPECT_EQ(SerializeJson(json::value(1.0)), "1");
  EXPECT_EQ(SerializeJson(json::value(0.35)), "0.35");
  EXPECT_EQ(SerializeJson(json::value(123456.75)), "123456.75");
  EXPECT_EQ(SerializeJson(json::object{{"score", 0.5}, {"min", 0.0}}), R"({"score":0.5,"min":0})");
}

TEST(SerializeJsonTest, DoublesReadBackExactly) {
  for (double d :
       {0.1 + 0.2, 1.0 / 3.0, 1e-7, 6.02214076e23, 1e21, -2.5e-300, 5e-324, std::numeric_limits<double>::max()}) {
    const std::string text = SerializeJson(json::value(d));
    double read = 0;
    std::from_chars(text.data(), text.data() + text.size(), read);
    EXPECT_EQ(read, d) << text;
  }
}

TEST(SerializeJsonTest, NonFiniteDoublesAreNull) {
  EXPECT_EQ(SerializeJson(json::value(std::numeric_limits<double>::quiet_NaN())), "null");
  EXPECT_EQ(SerializeJson(json::value(std::numeric_limits<double>::infinity())), "null");
}

TEST(SerializeJsonTest, EverythingElseMatchesBoostJson) {
  const json::value value = json::parse(R"({
    "text": "quote \" backslash \\ slash / tab \t newline \n bell \u0007 del \u007f accents é ✓ 😀",
    "numbers": [0, -1, 9223372036854775807, -9223372036854775808, 18446744073709551615],
    "nested": {"empty_object": {}, "empty_array": [], "null": null, "yes": true, "no": false},
    "": "empty key"
  })");
  EXPECT_EQ(SerializeJson(value), json::serialize(value));
}

TEST(SerializeJsonTest, InvalidUtf8BecomesReplacementCharactersSoTheDocumentStaysValid) {
  const std::string bad = "\xff.txt caf\xc3\xa9 \xc0\xaf \xed\xa0\x80 \xe2\x82";
  const std::string text = SerializeJson(json::object{{"file_name", bad}});
  EXPECT_EQ(text,
            "{\"file_name\":\"\xEF\xBF\xBD.txt caf\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD "
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\"}");
  boost::system::error_code ec;
  json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message();
}

}  // namespace
}  // namespace parley
