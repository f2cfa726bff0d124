#include "core/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  for (std::string_view good : {"", "plain ascii", "caf\xc3\xa9", "\xe2\x9c\x93 check", "\xf0\x9f\x98\x80 emoji",
                                "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_TRUE(IsValidUtf8(good)) << good;
  }
}

TEST(Utf8Test, RefusesMalformedText) {
  for (std::string_view bad :
       {"\xff.txt", "\x80", "caf\xc3", "\xc0\xaf" /* overlong '/' */, "\xe0\x80\xaf" /* overlong */,
        "\xed\xa0\x80" /* surrogate */, "\xf4\x90\x80\x80" /* above U+10FFFF */, "\xe2\x82" /* truncated */}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << testing::PrintToString(bad);
  }
}

TEST(Utf8Test, SequenceLengthIsWhatTheFirstCharacterTakes) {
  EXPECT_EQ(Utf8SequenceLength("a\xff"), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xc3\xa9t\xc3\xa9"), 2u);
  EXPECT_EQ(Utf8SequenceLength("\xe2\x9c\x93"), 3u);
  EXPECT_EQ(Utf8SequenceLength("\xf0\x9f\x98\x80!"), 4u);
  for (std::string_view bad : {"", "\xff", "\x80", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82"}) {
    EXPECT_EQ(Utf8SequenceLength(bad), 0u) << testing::PrintToString(bad);
  }
}

TEST(Utf8Test, APrefixNeverCutsACharacterInTwo) {
  const std::string text = "caf\xC3\xA9 \xF0\x9F\xA5\x90";  // "café 🥐": é is 2 bytes, the croissant 4.
  EXPECT_EQ(Utf8Prefix(text, 100), text);
  EXPECT_EQ(Utf8Prefix(text, 4), "caf");  // The cut would fall inside é.
  EXPECT_EQ(Utf8Prefix(text, 5), "caf\xC3\xA9");
  EXPECT_EQ(Utf8Prefix(text, 8), "caf\xC3\xA9 ");  // Inside the croissant.
  EXPECT_EQ(Utf8Prefix(text, 0), "");
  EXPECT_TRUE(IsValidUtf8(Utf8Prefix(text, 9)));
}

}  // namespace
}  // namespace parley
