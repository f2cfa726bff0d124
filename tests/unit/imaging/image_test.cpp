#include "imaging/image.h"

#include "support/test_images.h"

#include <gtest/gtest.h>

namespace parley::imaging {
namespace {

using media::testing::Jpeg;
using media::testing::Png;
using media::testing::SizeOf;

TEST(ImageTest, APhotoIsTurnedUprightAndShrunkForTheAgentAndTheDashboard) {
  // Stored 1600 × 1000 with EXIF orientation 6: a phone held upright, so the picture is 1000 × 1600.
  auto prepared = PrepareImage(Jpeg(1600, 1000, 6), {});
  ASSERT_TRUE(prepared) << prepared.error().message;
  EXPECT_EQ(prepared->width, 1000);
  EXPECT_EQ(prepared->height, 1600);
  EXPECT_EQ(SizeOf(prepared->agent_jpeg), std::make_pair(480, 768));
  EXPECT_EQ(SizeOf(prepared->thumbnail_jpeg), std::make_pair(160, 256));
  EXPECT_TRUE(prepared->agent_jpeg.starts_with("\xFF\xD8\xFF"));
}

TEST(ImageTest, ASmallImageIsNeverEnlarged) {
  auto prepared = PrepareImage(Png(300, 200), {});
  ASSERT_TRUE(prepared) << prepared.error().message;
  EXPECT_EQ(SizeOf(prepared->agent_jpeg), std::make_pair(300, 200));
  EXPECT_EQ(SizeOf(prepared->thumbnail_jpeg), std::make_pair(256, 171));
}

TEST(ImageTest, TooManyPixelsAreRefusedBeforeDecoding) {
  ImageOptions options;
  options.max_pixels = 1'000'000;
  auto refused = PrepareImage(Png(1001, 1000), options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().message, "the image has too many pixels");
  EXPECT_TRUE(PrepareImage(Png(1000, 1000), options));
}

TEST(ImageTest, BytesThatAreNoImageAreRefused) {
  auto refused = PrepareImage("\xFF\xD8\xFF\xE0 not a JPEG after its magic number", {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().message, "the image cannot be decoded");
  EXPECT_FALSE(PrepareImage("", {}));
}

}  // namespace
}  // namespace parley::imaging
