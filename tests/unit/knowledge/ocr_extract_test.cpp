// Knowledge documents that are pictures of text: images, and PDF pages without a text layer (scans), read by OCR
// with Debian's Tesseract data, within the document's OCR budget. The pictures are rendered by the test.

#include "knowledge/extract.h"

#include "support/pdf_builder.h"
#include "support/test_images.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// All the document's text, its blocks joined by newlines.
std::string TextOf(const ExtractedDocument& document) {
  std::string text;
  for (const Block& block : document.blocks) text += block.text + "\n";
  return text;
}

testing::ScannedPage Scan(const std::string& text) {
  testing::ScannedPage page{.jpeg = media::testing::TextJpeg(text, 200), .dpi = 200};
  std::tie(page.width, page.height) = media::testing::SizeOf(page.jpeg);
  return page;
}

const std::string kHours = "Opening hours\n\nThe bakery opens at seven every morning.";
const std::string kDelivery = "Delivery\n\nCakes are delivered within twelve kilometres.";
const std::string kRefunds = "Refunds\n\nUnopened boxes are refunded within thirty days.";

TEST(OcrExtractTest, ImagesAreKnownByNameTypeOrSignature) {
  EXPECT_EQ(DetectFormat("menu.PNG", "", "").value(), Format::kImage);
  EXPECT_EQ(DetectFormat("scan.jpeg", "", "").value(), Format::kImage);
  EXPECT_EQ(DetectFormat("scan.tiff", "", "").value(), Format::kImage);
  EXPECT_EQ(DetectFormat("upload", "image/webp", "").value(), Format::kImage);
  EXPECT_EQ(DetectFormat("upload", "application/octet-stream", media::testing::TextPng("x")).value(), Format::kImage);
  EXPECT_EQ(ToString(Format::kImage), "image");
}

TEST(OcrExtractTest, AnImageIsReadIntoParagraphs) {
  auto document = Extract(Format::kImage, media::testing::TextPng(kHours + "\n\n" + kDelivery));
  ASSERT_TRUE(document) << document.error().message << " " << document.error().detail;
  const std::string text = TextOf(*document);
  EXPECT_THAT(text, HasSubstr("The bakery opens at seven every morning."));
  EXPECT_THAT(text, HasSubstr("Cakes are delivered within twelve kilometres."));
  // The blank lines between paragraphs survive recognition (Tesseract's paragraphs), so the chunker cuts along them.
  EXPECT_GT(document->blocks.size(), 1u) << text;
  EXPECT_THAT(document->note, IsEmpty());
}

TEST(OcrExtractTest, AnImageWithoutTextFailsWithAClearReason) {
  auto document = Extract(Format::kImage, media::testing::Png(600, 400));
  ASSERT_FALSE(document);
  EXPECT_EQ(document.error().message, "no text was found in the image");
}

TEST(OcrExtractTest, OnlyPictureFormatsReachTheDecoder) {
  auto svg = Extract(Format::kImage, "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>hi</text></svg>");
  ASSERT_FALSE(svg);
  EXPECT_EQ(svg.error().message, "not a PNG, JPEG, WebP or TIFF image");
  auto huge = Extract(Format::kImage, media::testing::Png(3000, 2000), {.max_pixels = 1'000'000});
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().message, "the image has too many pixels");
  auto unread = Extract(Format::kImage, media::testing::TextPng(kHours), {.ocr_languages = ""});
  ASSERT_FALSE(unread);
  EXPECT_EQ(unread.error().message, "text in images is not read on this server");
}

TEST(OcrExtractTest, ScannedPdfPagesAreReadWithTheirPageNumbers) {
  auto document = Extract(Format::kPdf, testing::ScannedPdf({Scan(kHours), Scan(kDelivery)}));
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_THAT(document->note, IsEmpty());
  const std::string text = TextOf(*document);
  EXPECT_THAT(text, HasSubstr("The bakery opens at seven every morning."));
  EXPECT_THAT(text, HasSubstr("Cakes are delivered within twelve kilometres."));
  for (const Block& block : document->blocks) {
    EXPECT_EQ(block.page, block.text.find("Cakes") != std::string::npos || block.text == "Delivery" ? 2 : 1)
        << block.text;
  }
}

TEST(OcrExtractTest, PagesWithATextLayerAreNotReadByOcr) {
  // No OCR language at all: a PDF with text reads as before, and nothing is said to be skipped.
  auto document = Extract(Format::kPdf, testing::TextPdf(2), {.ocr_languages = ""});
  ASSERT_TRUE(document);
  EXPECT_EQ(document->blocks.size(), 2u);
  EXPECT_THAT(document->note, IsEmpty());
}

TEST(OcrExtractTest, PagesPastTheOcrPageLimitAreSkippedAndNamed) {
  auto document =
      Extract(Format::kPdf, testing::ScannedPdf({Scan(kHours), Scan(kDelivery), Scan(kRefunds)}), {.max_ocr_pages = 1});
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_THAT(TextOf(*document), HasSubstr("The bakery opens at seven"));
  EXPECT_THAT(TextOf(*document), ::testing::Not(HasSubstr("Cakes")));
  EXPECT_EQ(document->note, "scanned pages 2\u20133 were not read: OCR reads at most 1 per document");
}

TEST(OcrExtractTest, AScanReadInNoTimeFailsWithTheReason) {
  auto document = Extract(Format::kPdf, testing::ScannedPdf({Scan(kHours), Scan(kDelivery)}),
                          {.ocr_time = std::chrono::milliseconds(1)});
  ASSERT_FALSE(document);
  EXPECT_EQ(document.error().message,
            "scanned pages 1\u20132 were not read: the 1 s of processor time for reading scanned pages ran out");
}

TEST(OcrExtractTest, AScanWithoutOcrLanguagesFailsWithTheReason) {
  auto document = Extract(Format::kPdf, testing::ScannedPdf({Scan(kHours)}), {.ocr_languages = ""});
  ASSERT_FALSE(document);
  EXPECT_EQ(document.error().message, "scanned page 1 was not read: text in scanned pages is not read on this server");
}

}  // namespace
}  // namespace parley::knowledge
