// What the fetcher makes of downloaded bytes (Fetcher::Keep, Fetcher::Store): the network side is tested against the
// fake Graph API in tests/integration/media_test.cpp.

#include "media/fetcher.h"

#include "core/crypto.h"
#include "support/temp_dir.h"
#include "support/test_images.h"

#include <gtest/gtest.h>

namespace parley::media {
namespace {

class KeepTest : public ::testing::Test {
 protected:
  store::MediaRecord Record(MessageType type) {
    store::MediaRecord record;
    record.id = 1;
    record.tenant_id = 5;
    record.type = type;
    return record;
  }

  parley::testing::TempDir dir_{"parley-keep"};
  std::unique_ptr<MediaStore> files_ = MakeFileMediaStore((dir_.path() / "media").string());
};

TEST_F(KeepTest, APhotoIsKeptWithItsAgentCopyAndThumbnail) {
  const std::string photo = testing::Jpeg(2000, 1000);
  store::MediaOutcome outcome = Fetcher::Keep(Record(MessageType::kImage), photo, *files_, {});
  EXPECT_EQ(outcome.status, store::MediaStatus::kReady);
  EXPECT_EQ(outcome.mime_type, "image/jpeg");
  EXPECT_EQ(outcome.bytes, static_cast<int64_t>(photo.size()));
  EXPECT_EQ(files_->Get(5, outcome.file_key).value(), photo);
  EXPECT_EQ(testing::SizeOf(files_->Get(5, outcome.agent_key).value()), std::make_pair(768, 384));
  EXPECT_EQ(testing::SizeOf(files_->Get(5, outcome.thumbnail_key).value()), std::make_pair(256, 128));
}

// A web chat visitor's upload was admitted and kept by its route: the fetcher makes its previews under the key its
// record names, without putting (and hashing) the original again.
TEST_F(KeepTest, AFileKeptAlreadyGetsItsPreviewsWithoutBeingStoredAgain) {
  const std::string photo = testing::Jpeg(2000, 1000);
  store::MediaOutcome outcome =
      Fetcher::Store(Record(MessageType::kImage), photo, "image/jpeg", *files_, {}, "the-upload's-key");
  EXPECT_EQ(outcome.status, store::MediaStatus::kReady);
  EXPECT_EQ(outcome.file_key, "the-upload's-key");
  EXPECT_EQ(outcome.mime_type, "image/jpeg");
  EXPECT_EQ(outcome.bytes, static_cast<int64_t>(photo.size()));
  EXPECT_EQ(testing::SizeOf(files_->Get(5, outcome.thumbnail_key).value()), std::make_pair(256, 128));
  EXPECT_EQ(files_->Get(5, crypto::Sha256Hex(photo)).error().code, ErrorCode::kNotFound);
}

TEST_F(KeepTest, AnImageTooLargeToDecodeIsKeptWithoutPreviews) {
  imaging::ImageOptions options;
  options.max_pixels = 1'000'000;
  store::MediaOutcome outcome = Fetcher::Keep(Record(MessageType::kImage), testing::Png(2000, 1000), *files_, options);
  EXPECT_EQ(outcome.status, store::MediaStatus::kReady);
  EXPECT_EQ(outcome.mime_type, "image/png");
  EXPECT_FALSE(outcome.file_key.empty());
  EXPECT_TRUE(outcome.thumbnail_key.empty());
  EXPECT_TRUE(outcome.agent_key.empty());
}

TEST_F(KeepTest, WhatTheMessageCannotCarryIsRefusedAndNotStored) {
  store::MediaOutcome wrong = Fetcher::Keep(Record(MessageType::kImage), "%PDF-1.7 a document", *files_, {});
  EXPECT_EQ(wrong.status, store::MediaStatus::kRefused);
  EXPECT_EQ(wrong.error, "image messages cannot carry application/pdf");
  std::string huge_sticker = "RIFF1234WEBP";
  huge_sticker.resize(600 * 1024, 'x');
  store::MediaOutcome large = Fetcher::Keep(Record(MessageType::kSticker), huge_sticker, *files_, {});
  EXPECT_EQ(large.status, store::MediaStatus::kRefused);
  EXPECT_EQ(large.error, "too large: sticker files are limited to 500 KB");
  EXPECT_EQ(files_->UsageBytes(5).value(), 0);
  // A voice note is kept as it is: no previews for audio.
  store::MediaOutcome voice = Fetcher::Keep(Record(MessageType::kAudio), "OggS\x00\x02 opus", *files_, {});
  EXPECT_EQ(voice.status, store::MediaStatus::kReady);
  EXPECT_EQ(voice.mime_type, "audio/ogg");
  EXPECT_TRUE(voice.thumbnail_key.empty());
}

}  // namespace
}  // namespace parley::media
