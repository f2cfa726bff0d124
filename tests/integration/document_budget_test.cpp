// Document processing is budgeted and fair between tenants, through the real binary: a PDF built to keep poppler
// busy is stopped at its processor-time budget in its `parley extract` child, a PDF over the page limit fails with
// the reason, and another tenant's small document is ready within seconds while the slow ones are read.

#include "integration/harness.h"
#include "integration/tenant_fixture.h"
#include "support/pdf_builder.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class DocumentBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"PARLEY_DOCUMENT_CPU_SECONDS", "1"},
        {"PARLEY_DOCUMENT_MAX_PAGES", "2"},
        {"PARLEY_INGEST_DOCUMENTS_IN_FLIGHT", "3"},
    });
    acme_ = CreateTenant(*parley_, "Acme");
    globex_ = CreateTenant(*parley_, "Globex");
    parley_->Start();
  }

  // Uploads `content` as `file_name`; returns the document's id.
  int64_t Upload(const CreatedTenant& tenant, const std::string& file_name, const std::string& content) {
    std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name +
                       "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--b--\r\n";
    auto uploaded =
        Call("POST", parley_->url("/api/knowledge-documents"), body,
             {{"Authorization", "Bearer " + tenant.api_key}, {"Content-Type", "multipart/form-data; boundary=b"}});
    EXPECT_EQ(uploaded.status, 202) << uploaded.body;
    return uploaded.status == 202 ? uploaded.Json().at("id").to_number<int64_t>() : 0;
  }

  json::object Document(const CreatedTenant& tenant, int64_t id) {
    auto got = Call("GET", parley_->url("/api/knowledge-documents/" + std::to_string(id)), {},
                    {{"Authorization", "Bearer " + tenant.api_key}});
    EXPECT_EQ(got.status, 200) << got.body;
    return got.status == 200 ? got.Json().as_object() : json::object{};
  }

  std::string Status(const CreatedTenant& tenant, int64_t id) {
    json::object document = Document(tenant, id);
    return document.contains("status") ? std::string(document.at("status").as_string()) : "";
  }

  std::unique_ptr<ParleyProcess> parley_;
  CreatedTenant acme_;
  CreatedTenant globex_;
};

TEST_F(DocumentBudgetTest, AnotherTenantsDocumentIsReadyWhileThreeSlowPdfsAreRead) {
  // Each of these takes poppler about 17 s of processor time without a budget.
  std::string slow = SlowPdf(20000);
  std::vector<int64_t> slow_ids;
  for (int i = 0; i < 3; ++i) slow_ids.push_back(Upload(acme_, "scan" + std::to_string(i) + ".pdf", slow));
  auto queued = std::chrono::steady_clock::now();
  int64_t hours = Upload(globex_, "hours.md", "# Opening hours\n\nWe are open every day from 8:00 to 18:00.\n");

  ASSERT_TRUE(Eventually([&] { return Status(globex_, hours) == "ready"; }, 5s))
      << "Globex's document: " << json::serialize(Document(globex_, hours));
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - queued);
  EXPECT_LT(waited, 5s);

  for (int64_t id : slow_ids) {
    ASSERT_TRUE(Eventually([&] { return Status(acme_, id) == "failed"; }, 60s)) << json::serialize(Document(acme_, id));
    EXPECT_EQ(Document(acme_, id).at("error").as_string(), "the document took more than 1 s of processor time to read");
  }
  // The reason stays the tenant's: Globex does not see Acme's documents.
  EXPECT_EQ(Call("GET", parley_->url("/api/knowledge-documents/" + std::to_string(slow_ids[0])), {},
                 {{"Authorization", "Bearer " + globex_.api_key}})
                .status,
            404);
}

TEST_F(DocumentBudgetTest, APdfOverThePageLimitFailsWithTheReason) {
  int64_t id = Upload(acme_, "manual.pdf", TextPdf(3));
  ASSERT_TRUE(Eventually([&] { return Status(acme_, id) == "failed"; }, 10s)) << json::serialize(Document(acme_, id));
  EXPECT_EQ(Document(acme_, id).at("error").as_string(), "the PDF has more than 2 pages");

  int64_t short_one = Upload(acme_, "leaflet.pdf", TextPdf(2));
  ASSERT_TRUE(Eventually([&] { return Status(acme_, short_one) == "ready"; }, 10s))
      << json::serialize(Document(acme_, short_one));
}

}  // namespace
}  // namespace parley::testing
