#include "media/sniff.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::media {
namespace {

std::string Bytes(std::string_view magic, size_t size = 64) {
  std::string bytes(magic);
  bytes.resize(std::max(size, bytes.size()), '\x01');
  return bytes;
}

TEST(SniffTest, MagicNumbersNameTheType) {
  EXPECT_EQ(SniffContentType(Bytes("\xFF\xD8\xFF\xE0")), "image/jpeg");
  EXPECT_EQ(SniffContentType(Bytes("\x89PNG\r\n\x1A\n")), "image/png");
  EXPECT_EQ(SniffContentType(Bytes("GIF89a")), "image/gif");
  EXPECT_EQ(SniffContentType(Bytes("RIFF1234WEBPVP8 ")), "image/webp");
  EXPECT_EQ(SniffContentType(Bytes("OggS\x00\x02")), "audio/ogg");
  EXPECT_EQ(SniffContentType(Bytes("#!AMR\n")), "audio/amr");
  EXPECT_EQ(SniffContentType(Bytes("ID3\x03")), "audio/mpeg");
  EXPECT_EQ(SniffContentType(Bytes("\xFF\xFB\x90")), "audio/mpeg");
  EXPECT_EQ(SniffContentType(Bytes("\xFF\xF1\x50")), "audio/aac");
  EXPECT_EQ(SniffContentType(Bytes(std::string_view("\x00\x00\x00\x20"
                                                    "ftypM4A ",
                                                    12))),
            "audio/mp4");
  EXPECT_EQ(SniffContentType(Bytes(std::string_view("\x00\x00\x00\x20"
                                                    "ftypisom",
                                                    12))),
            "video/mp4");
  EXPECT_EQ(SniffContentType(Bytes(std::string_view("\x00\x00\x00\x20"
                                                    "ftyp3gp4",
                                                    12))),
            "video/3gpp");
  EXPECT_EQ(SniffContentType(Bytes("%PDF-1.7\n")), "application/pdf");
  EXPECT_EQ(SniffContentType(Bytes(std::string_view("PK\x03\x04....word/document.xml", 28))),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(SniffContentType(Bytes(std::string_view("PK\x03\x04....other", 13))), "application/zip");
  EXPECT_EQ(SniffContentType(Bytes("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")), "application/x-ole-storage");
  EXPECT_EQ(SniffContentType("Order 1234, café crème\r\n"), "text/plain");
}

TEST(SniffTest, UnknownBytesAreNoType) {
  EXPECT_EQ(SniffContentType(""), std::nullopt);
  EXPECT_EQ(SniffContentType(Bytes("\x7F"
                                   "ELF")),
            std::nullopt);  // Control bytes: not text.
  EXPECT_EQ(SniffContentType(std::string_view("\xC3\x28 invalid UTF-8", 17)), std::nullopt);
  // HTML is text here, never "text/html": it is served as text/plain, sandboxed, or as a download.
  EXPECT_EQ(SniffContentType("<html><script>alert(1)</script></html>"), "text/plain");
}

TEST(SniffTest, TheMessageTypeBoundsSizeAndType) {
  const std::string jpeg = Bytes("\xFF\xD8\xFF\xE0", 1000);
  EXPECT_EQ(Admit(MessageType::kImage, jpeg).value(), "image/jpeg");
  EXPECT_EQ(Admit(MessageType::kDocument, jpeg).value(), "image/jpeg");  // A photo sent as a file.

  auto pdf_as_photo = Admit(MessageType::kImage, Bytes("%PDF-1.4"));
  ASSERT_FALSE(pdf_as_photo);
  EXPECT_EQ(pdf_as_photo.error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(pdf_as_photo.error().message, "image messages cannot carry application/pdf");

  auto unknown = Admit(MessageType::kAudio, Bytes("\x7F"
                                                  "ELF"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnsupportedMediaType);

  EXPECT_TRUE(Admit(MessageType::kImage, Bytes("\xFF\xD8\xFF", 5 * 1024 * 1024)));
  auto large = Admit(MessageType::kImage, Bytes("\xFF\xD8\xFF", 5 * 1024 * 1024 + 1));
  ASSERT_FALSE(large);
  EXPECT_EQ(large.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(large.error().message, "too large: image files are limited to 5120 KB");
  EXPECT_FALSE(Admit(MessageType::kSticker, Bytes("RIFF1234WEBP", 500 * 1024 + 1)));
  EXPECT_TRUE(Admit(MessageType::kSticker, Bytes("RIFF1234WEBP", 500 * 1024)));
  EXPECT_EQ(MaxBytes(MediaKind::kAudio), 16 * 1024 * 1024);
  EXPECT_EQ(MaxBytes(MediaKind::kVideo), 16 * 1024 * 1024);
  EXPECT_EQ(MaxBytes(MediaKind::kDocument), 100 * 1024 * 1024);
  EXPECT_FALSE(Admit(MessageType::kText, jpeg));
}

TEST(SniffTest, AnUploadIsWhatItsBytesAre) {
  auto photo = AdmitUpload(Bytes("\x89PNG\r\n\x1A\n", 1000));
  ASSERT_TRUE(photo);
  EXPECT_EQ(photo->type, MessageType::kImage);
  EXPECT_EQ(photo->mime_type, "image/png");
  auto pdf = AdmitUpload(Bytes("%PDF-1.7"));
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->type, MessageType::kDocument);
  EXPECT_EQ(pdf->mime_type, "application/pdf");
  EXPECT_EQ(AdmitUpload(Bytes("OggS\x00\x02"))->type, MessageType::kAudio);
  EXPECT_EQ(AdmitUpload(Bytes(std::string_view("\x00\x00\x00\x20"
                                               "ftypisom",
                                               12)))
                ->type,
            MessageType::kVideo);
  EXPECT_EQ(AdmitUpload("a note\n")->type, MessageType::kDocument);

  auto program =
      AdmitUpload(Bytes("\x7F"
                        "ELF"));
  ASSERT_FALSE(program);
  EXPECT_EQ(program.error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(program.error().message, "the file's content type is not recognised");
  // A picture is held to the image limit, not the document one: 5 MB.
  auto large = AdmitUpload(Bytes("\xFF\xD8\xFF", 5 * 1024 * 1024 + 1));
  ASSERT_FALSE(large);
  EXPECT_EQ(large.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(large.error().message, "too large: image files are limited to 5120 KB");
}

}  // namespace
}  // namespace parley::media
