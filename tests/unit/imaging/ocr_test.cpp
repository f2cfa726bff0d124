// Text recognition on pictures the tests render (tests/support/test_images.h), with Debian's Tesseract data.

#include "imaging/ocr.h"

#include "support/test_images.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace parley::imaging {
namespace {

TEST(OcrTest, ReadsAnOrderNumberAndFrenchWithItsAccents) {
  const std::string screenshot = media::testing::TextPng("ORDER #4417\nLivraison prévue le 12 décembre");
  auto text = ReadText(screenshot, {});
  ASSERT_TRUE(text.has_value()) << text.error().detail;
  EXPECT_NE(text->find("ORDER #4417"), std::string::npos) << *text;
  EXPECT_NE(text->find("Livraison prévue le 12 décembre"), std::string::npos) << *text;
  // One line per line of text: blank lines and outer spaces dropped.
  EXPECT_EQ(std::count(text->begin(), text->end(), '\n'), 1) << *text;
}

TEST(OcrTest, AnImageWithoutTextReadsNothing) {
  auto text = ReadText(media::testing::Png(400, 300), {});
  ASSERT_TRUE(text.has_value()) << text.error().detail;
  EXPECT_EQ(*text, "");
}

TEST(OcrTest, WithoutLanguagesNothingIsRead) {
  auto text = ReadText(media::testing::TextPng("ORDER #4417"), {.languages = ""});
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "");
}

TEST(OcrTest, TooManyPixelsAreRefusedBeforeDecoding) {
  auto text = ReadText(media::testing::Png(2000, 1000), {.max_pixels = 1'000'000});
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(text.error().message, "the image has too many pixels");
}

TEST(OcrTest, ALanguageWithoutDataIsUnavailable) {
  auto text = ReadText(media::testing::TextPng("ORDER #4417"), {.languages = "xyz"});
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code, ErrorCode::kUnavailable);
}

TEST(OcrTest, ALargePhotoIsShrunkBeforeRecognition) {
  // 6000 x 4000 (a phone's 24 MP photo): read at 2000 pixels wide, well within a second or two.
  auto text = ReadText(media::testing::Jpeg(6000, 4000), {});
  EXPECT_TRUE(text.has_value()) << text.error().detail;
}

}  // namespace
}  // namespace parley::imaging
