// Text taken from requests is valid UTF-8 or refused with a 400 that names the field, and nothing is stored; a row
// the server cannot render (written before such checks, or by hand) never breaks a listing.

#include "integration/harness.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <boost/json.hpp>

namespace parley::testing {
namespace {

namespace json = boost::json;

class RequestTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{{"PARLEY_RESPONDER", "away_message"}});
    const CreatedTenant tenant = CreateTenant(*parley_, "Acme");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = std::stoll(tenant.id);
    api_key_ = tenant.api_key;
    parley_->Start();
  }

  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {},
                 const std::string& content_type = "application/json") {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", content_type}});
  }

  static std::string Upload(const std::string& file_name, const std::string& content_type = "text/plain") {
    return "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name +
           "\"\r\nContent-Type: " + content_type + "\r\n\r\nOpen every day from 9 to 5.\r\n--XyZ--\r\n";
  }

  std::unique_ptr<ParleyProcess> parley_;
  int64_t tenant_id_ = 0;
  std::string api_key_;
};

TEST_F(RequestTextTest, AnUploadNamedInBadUtf8IsRefusedAndNothingIsStored) {
  auto refused = Api("POST", "/api/knowledge-documents", Upload("\xff.txt"), "multipart/form-data; boundary=XyZ");
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.Json().at("error").at("message"), "the filename of multipart part \"file\" is not valid UTF-8");
  auto type = Api("POST", "/api/knowledge-documents", Upload("hours.txt", "text/\xc0\xaf"),
                  "multipart/form-data; boundary=XyZ");
  EXPECT_EQ(type.status, 400) << type.body;

  auto documents = Api("GET", "/api/knowledge-documents");
  ASSERT_EQ(documents.status, 200) << documents.body;
  EXPECT_TRUE(documents.Json().at("data").as_array().empty()) << documents.body;
  auto audit = Api("GET", "/api/audit-logs");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_TRUE(audit.Json().at("data").as_array().empty()) << audit.body;

  auto accepted =
      Api("POST", "/api/knowledge-documents", Upload("caf\xc3\xa9.txt"), "multipart/form-data; boundary=XyZ");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(accepted.Json().at("name"), "caf\xc3\xa9.txt");
}

TEST_F(RequestTextTest, JsonStringsAndQueryParametersInBadUtf8AreRefused) {
  auto faq = Api("POST", "/api/faq-qa", "{\"question\":\"Open on Sunday\xff?\",\"answer\":\"Yes\"}");
  EXPECT_EQ(faq.status, 400) << faq.body;
  EXPECT_TRUE(Api("GET", "/api/faq-qa").Json().at("data").as_array().empty());
  auto query = Api("GET", "/api/conversations?q=%FF");
  EXPECT_EQ(query.status, 400) << query.body;
  EXPECT_EQ(query.Json().at("error").at("message"), "query parameter \"q\" is not valid UTF-8");
}

TEST_F(RequestTextTest, AnAuditRowThatCannotBeReadBackDoesNotBreakTheListing) {
  ASSERT_EQ(Api("POST", "/api/faq-qa", R"({"question":"Open on Sunday?","answer":"Yes"})").status, 201);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((parley_->data_dir() + "/parley.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  const std::string insert =
      "INSERT INTO audit_logs (tenant_id, actor, action, target_type, target_id, details, created_at) VALUES (" +
      std::to_string(tenant_id_) +
      ", 'user:1', 'document.create', 'document', '7', '{\"name\":\"\xff.txt\"}', 1795305600000), (" +
      std::to_string(tenant_id_) + ", 'user:\xc0', 'document.delete', 'document', '\xed\xa0\x80', '{}', 1795305600001)";
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, insert.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_close(db);

  auto audit = Api("GET", "/api/audit-logs");
  ASSERT_EQ(audit.status, 200) << audit.body;
  auto entries = audit.Json().at("data").as_array();
  ASSERT_EQ(entries.size(), 3u) << audit.body;
  EXPECT_EQ(entries[0].at("action"), "document.delete");
  EXPECT_EQ(entries[0].at("actor"), "user:\xef\xbf\xbd");
  EXPECT_TRUE(entries[1].at("details").is_null());
  EXPECT_EQ(entries[2].at("action"), "faq.create");
}

}  // namespace
}  // namespace parley::testing
