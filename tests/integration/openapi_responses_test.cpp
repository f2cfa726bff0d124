// The API reference describes what the server really answers: a representative set of routes is called on the real
// binary, and each JSON answer (successes and errors) is validated against the schema the document declares for its
// status, by tests/openapi/check-responses.mjs (ajv, with undocumented fields refused). `parley openapi` prints the
// same document as GET /api/openapi.json, and the TypeScript types generated from it compile. A multipart reply with
// a file is sampled too.

#include "http/multipart.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"
#include "support/test_images.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <cstdio>
#include <fstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string RunNode(const std::string& arguments) {
  std::string command = "node " PARLEY_SOURCE_DIR "/tests/openapi/" + arguments + " 2>&1; echo \"exit=$?\"";
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    ::pclose(pipe);
  }
  return output;
}

class OpenApiResponsesTest : public TenantFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeServer({{"PARLEY_BATCH_WINDOW_MS", "100"}, {"PARLEY_BATCH_MAX_WAIT_MS", "1000"}}));
    ASSERT_NO_FATAL_FAILURE(CreateTenants("Acme", /*other=*/false));
    ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel("EAAG-openapi-token"));
    ASSERT_NO_FATAL_FAILURE(CreateUser("owner@acme.test", "owner-password-1"));
    parley_->Start();
  }

  // Calls a route and keeps its answer as a sample of `pattern` (the route as the document names it).
  HttpResult Sample(const std::string& method, const std::string& pattern, const std::string& path,
                    const std::string& body = {}, const std::string& key = "") {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    if (key != "none") headers.emplace_back("Authorization", "Bearer " + (key.empty() ? key_ : key));
    HttpResult result = Call(method, parley_->url(path), body, headers);
    EXPECT_FALSE(result.body.empty()) << method << " " << path;
    if (!result.body.empty()) {
      samples_.push_back({{"method", method}, {"path", pattern}, {"status", result.status}, {"body", result.Json()}});
    }
    return result;
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = parley_->data_dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  json::array samples_;
};

TEST_F(OpenApiResponsesTest, RealAnswersMatchTheSchemasTheDocumentDeclares) {
  // A customer writes: a conversation, its messages and the agent's trace exist.
  std::string webhook = payloads::WhatsAppText(kPhoneNumberId, "33622222222", "wamid.oa.1", "Can I talk to a person?");
  auto received = PostSignedWhatsApp(*parley_, kWhatsAppSecret, webhook);
  ASSERT_EQ(received.status, 200);
  samples_.push_back(
      {{"method", "POST"}, {"path", "/api/whatsapp/webhook"}, {"status", 200}, {"body", received.Json()}});
  int64_t conversation = 0;
  ASSERT_TRUE(Eventually(
      [&] {
        auto list = Call("GET", parley_->url("/api/support"), {}, {{"Authorization", "Bearer " + key_}}).Json();
        if (list.at("data").as_array().empty()) return false;
        conversation = list.at("data").at(0).at("conversation_id").to_number<int64_t>();
        return true;
      },
      10s))
      << parley_->logs();
  const std::string c = "/api/conversations/" + std::to_string(conversation);

  auto login = Sample("POST", "/api/auth/login", "/api/auth/login",
                      R"({"email": "owner@acme.test", "password": "owner-password-1"})", "none");
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string session(login.Json().at("token").as_string());
  Sample("GET", "/api/auth/me", "/api/auth/me", {}, session);
  Sample("GET", "/api/auth/me", "/api/auth/me");
  Sample("POST", "/api/auth/login", "/api/auth/login", R"({"email": "owner@acme.test", "password": "wrong"})", "none");

  Sample("GET", "/api/conversations", "/api/conversations?status=open&limit=10");
  Sample("GET", "/api/conversations", "/api/conversations?status=neither");
  Sample("GET", "/api/conversations/{id}", c);
  Sample("GET", "/api/conversations/{id}", "/api/conversations/999999");
  Sample("GET", "/api/conversations/{id}/messages", c + "/messages");
  Sample("GET", "/api/conversations/{id}/traces", c + "/traces");
  auto support = Sample("GET", "/api/support", "/api/support?status=open");
  Sample("POST", "/api/conversations/{id}/messages", c + "/messages", R"({"text": "Hello, Ana here."})", session);
  Sample("POST", "/api/conversations/{id}/messages", c + "/messages", R"({"text": ""})");
  // A person's file with its caption (multipart), and one refused for what its bytes are.
  auto file_reply = [&](const std::string& bytes) {
    http::FormBody form =
        http::BuildMultipart({{"file", "receipt.png", "image/png", bytes}, {"text", {}, {}, "The receipt"}});
    HttpResult result = Call("POST", parley_->url(c + "/messages"), form.body,
                             {{"Authorization", "Bearer " + key_}, {"Content-Type", form.content_type}});
    samples_.push_back({{"method", "POST"},
                        {"path", "/api/conversations/{id}/messages"},
                        {"status", result.status},
                        {"body", result.Json()}});
    return result;
  };
  EXPECT_EQ(file_reply(media::testing::Png(64, 48)).status, 202);
  EXPECT_EQ(file_reply(std::string("MZ\x90\x00\x03\x00\xff\xfe", 8)).status, 415);
  Sample("POST", "/api/support/{id}/resolve",
         "/api/support/" + std::to_string(support.Json().at("data").at(0).at("id").to_number<int64_t>()) + "/resolve",
         R"({"hand_back": true})");
  Sample("POST", "/api/conversations/{id}/assign", c + "/assign", R"({"user_id": null})");
  Sample("PUT", "/api/conversations/{id}/mode", c + "/mode", R"({"mode": "bot"})");
  ASSERT_TRUE(graph_.WaitForSends(1, 5s));
  Sample("GET", "/api/conversations/{id}/messages", c + "/messages");
  Sample("POST", "/api/conversations/{id}/close", c + "/close");

  Sample("GET", "/api/users", "/api/users");
  auto user = Sample("POST", "/api/users", "/api/users",
                     R"({"email": "ana@acme.test", "name": "Ana", "role": "agent", "password": "agent-password-1"})");
  Sample("PATCH", "/api/users/{id}", "/api/users/" + std::to_string(user.Json().at("id").to_number<int64_t>()),
         R"({"name": "Ana B."})");
  Sample("POST", "/api/users", "/api/users", R"({"email": "ana@acme.test", "password": "agent-password-1"})");
  Sample("GET", "/api/api-keys", "/api/api-keys");
  Sample("POST", "/api/api-keys", "/api/api-keys", R"({"name": "zapier", "role": "agent"})");
  Sample("GET", "/api/audit-logs", "/api/audit-logs?limit=5");

  Sample("GET", "/api/knowledge-bases", "/api/knowledge-bases");
  Sample("POST", "/api/knowledge-documents", "/api/knowledge-documents", R"({"url": "http://127.0.0.1:1/page"})");
  Sample("GET", "/api/knowledge-documents", "/api/knowledge-documents");
  auto faq = Sample("POST", "/api/faq-qa", "/api/faq-qa",
                    R"({"questions": ["When are you open?"], "answer": "Every day from 8 to 18."})");
  const std::string f = "/api/faq-qa/" + std::to_string(faq.Json().at("id").to_number<int64_t>());
  Sample("GET", "/api/faq-qa/{id}", f);
  Sample("PUT", "/api/faq-qa/{id}", f, R"({"question": "Opening hours?", "answer": "8 to 18."})");
  Sample("GET", "/api/faq-qa", "/api/faq-qa");
  Sample("DELETE", "/api/faq-qa/{id}", f);
  Sample("GET", "/api/ai-settings", "/api/ai-settings");
  Sample("PUT", "/api/ai-settings", "/api/ai-settings", R"({"temperature": 0.2})");
  Sample("POST", "/api/playground/ask", "/api/playground/ask", R"({"question": "When are you open?"})");

  // A web chat channel, and its widget's public API as a page of its allowed origin calls it.
  auto webchat =
      Sample("POST", "/api/social-accounts", "/api/social-accounts",
             R"({"platform": "webchat", "display_name": "Acme chat", "allowed_origins": ["https://acme.test"]})");
  ASSERT_EQ(webchat.status, 201) << webchat.body;
  Sample("PATCH", "/api/social-accounts/{id}",
         "/api/social-accounts/" + std::to_string(webchat.Json().at("id").to_number<int64_t>()),
         R"({"webchat_color": "#112233", "webchat_texts": {"fr": {"greeting": "Bonjour !"}}})");
  const std::string w = "/api/webchat/{public_id}";
  const std::string widget = "/api/webchat/" + std::string(webchat.Json().at("public_id").as_string());
  auto from_page = [&](const std::string& method, const std::string& pattern, const std::string& path,
                       const std::string& body, const std::string& token) {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"},
                                                             {"Origin", "https://acme.test"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    HttpResult result = Call(method, parley_->url(path), body, headers);
    samples_.push_back({{"method", method}, {"path", pattern}, {"status", result.status}, {"body", result.Json()}});
    return result;
  };
  from_page("GET", w + "/config", widget + "/config", {}, {});
  auto visitor = from_page("POST", w + "/sessions", widget + "/sessions", R"({"name": "Ada"})", {});
  ASSERT_EQ(visitor.status, 201) << visitor.body;
  const std::string token(visitor.Json().at("token").as_string());
  from_page("POST", w + "/sessions", widget + "/sessions", R"({"email": "not an address"})", {});
  from_page("POST", w + "/messages", widget + "/messages", R"({"text": "Hello", "client_id": "c-1"})", token);
  from_page("POST", w + "/messages", widget + "/messages", R"({"text": "Hello", "client_id": "c-2"})", "forged");
  from_page("GET", w + "/messages", widget + "/messages", {}, token);
  from_page("GET", w + "/config", "/api/webchat/unknown/config", {}, {});

  Sample("GET", "/api/social-accounts", "/api/social-accounts");
  Sample("GET", "/api/plans", "/api/plans");
  Sample("GET", "/api/usage", "/api/usage");
  Sample("GET", "/api/usage", "/api/usage?from=2026-13-01");
  Sample("GET", "/api/subscriptions", "/api/subscriptions");
  Sample("GET", "/health", "/health", {}, "none");
  Sample("GET", "/api/health", "/api/health", {}, "none");
  Sample("GET", "/api/users", "/api/users", {}, "none");

  std::string document_json = Call("GET", parley_->url("/api/openapi.json")).body;
  std::string document_file = WriteFile("openapi.json", document_json);
  std::string samples_file = WriteFile("samples.json", json::serialize(samples_));
  std::string output = RunNode("check-responses.mjs " + document_file + " " + samples_file);
  EXPECT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find(std::to_string(samples_.size()) + " answers match"), std::string::npos) << output;
}

TEST_F(OpenApiResponsesTest, TheSubcommandPrintsTheServedDocumentAndItsTypesCompile) {
  CliResult printed = parley_->Cli({"openapi"});
  ASSERT_EQ(printed.exit_code, 0);
  json::value served = Call("GET", parley_->url("/api/openapi.json")).Json();
  EXPECT_EQ(json::parse(printed.out), served);

  std::string document_file = WriteFile("printed.json", printed.out);
  std::string validated = RunNode("validate.mjs " + document_file);
  EXPECT_NE(validated.find("valid OpenAPI 3.1"), std::string::npos) << validated;
  std::string typed = RunNode("typescript.mjs " + document_file + " " + parley_->data_dir() + "/types");
  EXPECT_NE(typed.find("exit=0"), std::string::npos) << typed;
}

}  // namespace
}  // namespace parley::testing
