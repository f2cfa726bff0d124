// Knowledge that is a picture of text, through the real binary: a scanned PDF (no text layer) uploaded through the
// API is read by OCR in the `parley extract` child, and a customer's WhatsApp question is answered from it by the
// offline agent; an image is read too, an image without text fails with the reason, and scanned pages past the OCR
// page limit are skipped while the document is still indexed and says which pages it left out.

#include "integration/harness.h"
#include "integration/tenant_fixture.h"
#include "support/pdf_builder.h"
#include "support/test_images.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::string kHoursPage =
    "Opening hours\n\nThe bakery opens at seven every morning\nand closes at six in the evening.";
const std::string kDeliveryPage = "Delivery\n\nWedding cakes are delivered within twelve kilometres of the shop.";

ScannedPage Scan(const std::string& text) {
  ScannedPage page{.jpeg = media::testing::TextJpeg(text, 200), .dpi = 200};
  std::tie(page.width, page.height) = media::testing::SizeOf(page.jpeg);
  return page;
}

class KnowledgeOcrTest : public TenantFixture {
 protected:
  void Boot(const std::map<std::string, std::string>& env = {}) {
    ASSERT_NO_FATAL_FAILURE(MakeServer(env));
    ASSERT_NO_FATAL_FAILURE(CreateTenants("Crumb & Co", /*other=*/false));
    ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel("EAAG-ocr-token"));
    parley_->Start();
  }

  // Uploads `content` as `file_name` through the API, as the dashboard does; returns the document's id.
  int64_t Upload(const std::string& file_name, const std::string& content) {
    std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name +
                       "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--b--\r\n";
    auto uploaded = Call("POST", parley_->url("/api/knowledge-documents"), body,
                         {{"Authorization", "Bearer " + key_}, {"Content-Type", "multipart/form-data; boundary=b"}});
    EXPECT_EQ(uploaded.status, 202) << uploaded.body;
    return uploaded.status == 202 ? uploaded.Json().at("id").to_number<int64_t>() : 0;
  }

  // Waits until the document is ready or failed; returns it.
  json::object Settled(int64_t id) {
    json::object document;
    EXPECT_TRUE(Eventually(
        [&] {
          auto got = Api("GET", "/api/knowledge-documents/" + std::to_string(id));
          document = got.status == 200 ? got.Json().as_object() : json::object{};
          return document["status"] == "ready" || document["status"] == "failed";
        },
        60s))
        << json::serialize(document) << parley_->logs();
    return document;
  }

  // The text of the n-th message sent to a customer.
  std::string SentText(size_t index) {
    auto sends = graph_.sends();
    if (index >= sends.size()) return {};
    return std::string(sends[index].body.at("text").at("body").as_string());
  }
};

TEST_F(KnowledgeOcrTest, ACustomerIsAnsweredFromAScannedPdf) {
  Boot();
  const int64_t id = Upload("scanned-leaflet.pdf", ScannedPdf({Scan(kHoursPage), Scan(kDeliveryPage)}));
  json::object document = Settled(id);
  ASSERT_EQ(document["status"], "ready") << json::serialize(document);
  EXPECT_TRUE(document["error"].is_null() || document["error"] == "") << json::serialize(document);

  ASSERT_EQ(PostCustomerText("33612345001", "wamid.ocr1", "What time does the bakery open in the morning?").status,
            200);
  ASSERT_TRUE(graph_.WaitForSends(1, 10s)) << parley_->logs();
  EXPECT_NE(SentText(0).find("opens at seven every morning"), std::string::npos) << SentText(0);
}

TEST_F(KnowledgeOcrTest, AnImageIsReadAndAnImageWithoutTextFailsWithTheReason) {
  Boot();
  const int64_t menu = Upload("delivery.png", media::testing::TextPng(kDeliveryPage));
  const int64_t photo = Upload("shop-front.jpg", media::testing::Jpeg(800, 600));
  json::object read = Settled(menu);
  EXPECT_EQ(read["status"], "ready") << json::serialize(read);
  json::object blank = Settled(photo);
  EXPECT_EQ(blank["status"], "failed") << json::serialize(blank);
  EXPECT_EQ(blank["error"], "no text was found in the image");

  ASSERT_EQ(PostCustomerText("33612345002", "wamid.ocr2", "How far are wedding cakes delivered?").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 10s)) << parley_->logs();
  EXPECT_NE(SentText(0).find("within twelve kilometres"), std::string::npos) << SentText(0);
}

TEST_F(KnowledgeOcrTest, ScannedPagesPastTheLimitAreSkippedAndTheDocumentSaysWhich) {
  Boot({{"PARLEY_DOCUMENT_OCR_PAGES", "1"}});
  const int64_t id = Upload("scans.pdf", ScannedPdf({Scan(kHoursPage), Scan(kDeliveryPage)}));
  json::object document = Settled(id);
  ASSERT_EQ(document["status"], "ready") << json::serialize(document);
  EXPECT_EQ(document["error"], "scanned page 2 was not read: OCR reads at most 1 per document");
  EXPECT_GE(document["chunks"].to_number<int64_t>(), 1);
}

}  // namespace
}  // namespace parley::testing
