// Languages in the AI settings, through the real binary: ISO 639-1 codes and the old Snowball names name the same
// language (so switching from one to the other re-indexes nothing), an unknown language is refused before anything
// is stored or re-indexed, and the bot's messages can be set per language.

#include "integration/harness.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class LanguagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{});
    const CreatedTenant tenant = CreateTenant(*parley_, "Bowling Étoile");
    ASSERT_FALSE(tenant.id.empty());
    api_key_ = tenant.api_key;
    parley_->Start();
  }

  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {},
                 const std::string& content_type = "application/json") {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", content_type}});
  }

  std::unique_ptr<ParleyProcess> parley_;
  std::string api_key_;
};

TEST_F(LanguagesTest, AnUnknownLanguageIsRefusedAndReindexesNothing) {
  const std::string body =
      "--k\r\nContent-Disposition: form-data; name=\"file\"; filename=\"prices.md\"\r\nContent-Type: "
      "application/octet-stream\r\n\r\n# Prices\nA game costs 6 euros; shoe rental is 2 euros.\r\n--k--\r\n";
  auto uploaded = Api("POST", "/api/knowledge-documents", body, "multipart/form-data; boundary=k");
  ASSERT_EQ(uploaded.status, 202) << uploaded.body;
  const std::string path = "/api/knowledge-documents/" + std::to_string(uploaded.Json().at("id").to_number<int64_t>());
  ASSERT_TRUE(Eventually([&] { return Api("GET", path).Json().at("status") == "ready"; }, 10s)) << parley_->logs();
  const json::value indexed = Api("GET", path).Json().at("updated_at");
  EXPECT_EQ(Api("GET", "/api/ai-settings").Json().at("language"), "en");

  auto refused = Api("PUT", "/api/ai-settings", R"({"top_k": 3, "language": "klingon"})");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("language"), std::string::npos) << refused.body;
  auto settings = Api("GET", "/api/ai-settings").Json();
  EXPECT_EQ(settings.at("language"), "en");
  EXPECT_EQ(settings.at("top_k").to_number<int64_t>(), 5);  // Nothing of the refused change was stored.
  EXPECT_EQ(Api("GET", path).Json().at("updated_at"), indexed);

  // The old name of the same language: stored as its code, nothing to re-index.
  auto same = Api("PUT", "/api/ai-settings", R"({"language": "English"})");
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(same.Json().at("language"), "en");
  EXPECT_EQ(Api("GET", path).Json().at("updated_at"), indexed);

  // Another language: the knowledge is stemmed again.
  auto french = Api("PUT", "/api/ai-settings", R"({"language": "french"})");
  ASSERT_EQ(french.status, 200) << french.body;
  EXPECT_EQ(french.Json().at("language"), "fr");
  EXPECT_NE(Api("GET", path).Json().at("updated_at"), indexed);
  EXPECT_TRUE(Eventually([&] { return Api("GET", path).Json().at("status") == "ready"; }, 10s)) << parley_->logs();
}

TEST_F(LanguagesTest, MessagesPerLanguageAreValidatedAndShown) {
  auto put = Api("PUT", "/api/ai-settings",
                 R"({"messages": {"French": {"greeting": "Bienvenue au Bowling Étoile !"}},
                     "answer_language": "auto"})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json().at("messages"), json::parse(R"({"fr": {"greeting": "Bienvenue au Bowling Étoile !"}})"));

  auto unknown_key = Api("PUT", "/api/ai-settings", R"({"messages": {"fr": {"goodbye": "Au revoir"}}})");
  EXPECT_EQ(unknown_key.status, 400);
  EXPECT_NE(unknown_key.body.find("messages.fr.goodbye"), std::string::npos) << unknown_key.body;
  auto unknown_language = Api("PUT", "/api/ai-settings", R"({"messages": {"tlh": {"greeting": "nuqneH"}}})");
  EXPECT_EQ(unknown_language.status, 400);
  EXPECT_EQ(Api("PUT", "/api/ai-settings", R"({"answer_language": "klingon"})").status, 400);
  EXPECT_EQ(Api("GET", "/api/ai-settings").Json().at("messages").at("fr").at("greeting"),
            "Bienvenue au Bowling Étoile !");
}

}  // namespace
}  // namespace parley::testing
