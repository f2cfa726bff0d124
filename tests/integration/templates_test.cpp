// WhatsApp message templates end to end: the real binary over loopback HTTP, the fake Graph API listing a WhatsApp
// Business Account's templates and receiving the sends. Past the 24-hour window a person's free text is refused
// and a template goes out as `type: template` with its parameters.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kWhatsAppSecret = "wa-app-secret-templates-tests";
constexpr const char* kPhone = "106540352240091";
constexpr const char* kWaba = "102290129340398";
constexpr const char* kToken = "EAAG-templates-token-1";
constexpr const char* kGlobexPhone = "106540352240092";
constexpr const char* kAppId = "515151";
constexpr const char* kAppSecret = "meta-app-secret-templates";
constexpr const char* kRedirect = "https://parley.example/api/social-accounts/connect/{platform}/callback";

class TemplatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_.SetApp(kAppId, kAppSecret);
    graph_.AddWhatsAppBusiness(kToken, kWaba, {{kPhone, "+1 555-0191", "Lucky Shrub"}});
    graph_.AddMessageTemplate(kWaba, kToken,
                              json::parse(R"({
        "name": "order_update", "parameter_format": "POSITIONAL", "language": "en_US", "status": "APPROVED",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Hi {{1}}, your order {{2}} is ready for pickup."},
                       {"type": "FOOTER", "text": "Lucky Shrub"}]})")
                                  .as_object());
    graph_.AddMessageTemplate(kWaba, kToken,
                              json::parse(R"({
        "name": "spring_sale", "language": "en_US", "status": "PENDING", "category": "MARKETING",
        "components": [{"type": "BODY", "text": "Spring sale!"}]})")
                                  .as_object());
    graph_.AddMessageTemplate(kWaba, kToken,
                              json::parse(R"({
        "name": "photo_receipt", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
        "components": [{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Your receipt."}]})")
                                  .as_object());
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"WHATSAPP_APP_SECRET", kWhatsAppSecret},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"META_CLIENT_ID", kAppId},
        {"META_CLIENT_SECRET", kAppSecret},
        {"META_REDIRECT_URI", kRedirect},
        {"PARLEY_RESPONDER", "away_message"},
        {"PARLEY_BATCH_WINDOW_MS", "100"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "1000"},
    });
    auto acme = Tenant("Acme");
    acme_key_ = acme.second;
    auto globex = Tenant("Globex");
    globex_tenant_ = globex.first;
    globex_key_ = globex.second;
    auto added = parley_->Cli({"channel", "add", "whatsapp", "--tenant", acme.first, "--phone-number-id", kPhone,
                               "--access-token", kToken, "--waba-id", kWaba});
    ASSERT_EQ(added.exit_code, 0) << added.out;
    EXPECT_EQ(json::parse(added.out).at("waba_id"), kWaba);
    acme_channel_ = std::to_string(json::parse(added.out).at("channel_id").to_number<int64_t>());
    auto without_waba = parley_->Cli({"channel", "add", "whatsapp", "--tenant", globex_tenant_, "--phone-number-id",
                                      kGlobexPhone, "--access-token", "EAAG-globex-token"});
    ASSERT_EQ(without_waba.exit_code, 0) << without_waba.out;
    EXPECT_FALSE(json::parse(without_waba.out).as_object().contains("waba_id"));
    globex_channel_ = std::to_string(json::parse(without_waba.out).at("channel_id").to_number<int64_t>());
    parley_->Start();
  }

  // {tenant id, API key}, on the Pro plan.
  std::pair<std::string, std::string> Tenant(const std::string& name) {
    const CreatedTenant created = CreateTenant(*parley_, name);
    EXPECT_EQ(parley_->Cli({"tenant", "plan", "--tenant", created.id, "--plan", "pro"}).exit_code, 0);
    return {created.id, created.api_key};
  }

  HttpResult Api(const std::string& method, const std::string& path, const std::string& key,
                 const json::value& body = nullptr) {
    std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer " + key}};
    std::string text;
    if (!body.is_null()) {
      text = json::serialize(body);
      headers.emplace_back("Content-Type", "application/json");
    }
    return Call(method, parley_->url(path), text, headers);
  }

  // A customer's message to `phone`; the id of its conversation as `key`'s tenant sees it.
  int64_t Customer(const std::string& phone, const std::string& from, const std::string& id, const std::string& key) {
    std::string body = payloads::WhatsAppText(phone, from, id, "Is my order ready?");
    EXPECT_EQ(PostSignedWhatsApp(*parley_, kWhatsAppSecret, body).status, 200);
    int64_t found = 0;
    Eventually(
        [&] {
          auto list = Api("GET", "/api/conversations?q=" + from, key).Json().at("data").as_array();
          if (list.empty()) return false;
          found = list[0].at("id").to_number<int64_t>();
          return true;
        },
        5s);
    return found;
  }

  // Moves the customer's last message `hours` into the past, as if they had written then.
  // Moves the customer's messages, and the batching state that follows them, `hours` into the past.
  void CustomerWroteHoursAgo(int64_t conversation, int hours) {
    const std::string shift = std::to_string(int64_t{hours} * 3600 * 1000);
    const std::string id = std::to_string(conversation);
    ExecSql(*parley_, "UPDATE conversations SET last_inbound_at = last_inbound_at - " + shift + " WHERE id = " + id);
    ExecSql(*parley_, "UPDATE messages SET created_at = created_at - " + shift + ", platform_timestamp = " +
                          "platform_timestamp - " + shift + " WHERE direction = 'in' AND conversation_id = " + id);
  }

  std::string Messages(int64_t conversation) {
    return "/api/conversations/" + std::to_string(conversation) + "/messages";
  }

  size_t TemplateListings() const {
    size_t n = 0;
    for (const auto& r : graph_.requests()) {
      if (r.path.find("/message_templates") != std::string::npos) ++n;
    }
    return n;
  }

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string acme_key_;
  std::string acme_channel_;
  std::string globex_tenant_;
  std::string globex_key_;
  std::string globex_channel_;  //!< WhatsApp, without a WABA id.
};

TEST_F(TemplatesTest, TheChannelListsItsApprovedTemplatesFromItsBusinessAccount) {
  auto channel = Api("GET", "/api/social-accounts/" + acme_channel_, acme_key_);
  ASSERT_EQ(channel.status, 200) << channel.body;
  EXPECT_EQ(channel.Json().at("waba_id"), kWaba);

  auto listed = Api("GET", "/api/social-accounts/" + acme_channel_ + "/templates", acme_key_);
  ASSERT_EQ(listed.status, 200) << listed.body << parley_->logs();
  auto data = listed.Json().at("data").as_array();
  ASSERT_EQ(data.size(), 2u) << "approved ones only: " << listed.body;
  EXPECT_EQ(data[0].at("name"), "order_update");
  EXPECT_EQ(data[0].at("language"), "en_US");
  EXPECT_EQ(data[0].at("body"), "Hi {{1}}, your order {{2}} is ready for pickup.");
  EXPECT_EQ(data[0].at("parameter_count"), 2);
  EXPECT_EQ(data[0].at("sendable"), true);
  EXPECT_EQ(data[1].at("name"), "photo_receipt");
  EXPECT_EQ(data[1].at("sendable"), false);
  EXPECT_FALSE(data[1].at("unsupported_reason").as_string().empty());
  EXPECT_EQ(listed.body.find(kToken), std::string::npos);

  ASSERT_EQ(TemplateListings(), 1u);
  for (const auto& r : graph_.requests()) {
    if (r.path.find("/message_templates") != std::string::npos) {
      EXPECT_EQ(r.path.rfind(std::string("/") + kWaba + "/message_templates?", 0), 0u) << r.path;
      EXPECT_EQ(r.authorization, std::string("Bearer ") + kToken);
    }
  }
  ASSERT_EQ(Api("GET", "/api/social-accounts/" + acme_channel_ + "/templates", acme_key_).status, 200);
  EXPECT_EQ(TemplateListings(), 1u) << "kept a few minutes";
}

TEST_F(TemplatesTest, PastTheWindowFreeTextIsRefusedAndATemplateGoesOutWithItsParameters) {
  int64_t conversation = Customer(kPhone, "16505550101", "wamid.t1", acme_key_);
  ASSERT_GT(conversation, 0);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << "the away message";
  auto open = Api("GET", "/api/conversations/" + std::to_string(conversation), acme_key_).Json();
  ASSERT_TRUE(open.at("window_closes_at").is_string()) << json::serialize(open);

  CustomerWroteHoursAgo(conversation, 25);
  auto closed = Api("GET", "/api/conversations/" + std::to_string(conversation), acme_key_).Json();
  EXPECT_LT(std::string(closed.at("window_closes_at").as_string()),
            std::string(open.at("window_closes_at").as_string()));

  auto text = Api("POST", Messages(conversation), acme_key_, json::object{{"text", "Your order is ready"}});
  EXPECT_EQ(text.status, 409) << text.body;
  EXPECT_NE(text.body.find("template"), std::string::npos) << text.body;

  auto too_few = Api("POST", Messages(conversation), acme_key_,
                     json::parse(R"({"template":{"name":"order_update","language":"en_US","parameters":["Ana"]}})"));
  EXPECT_EQ(too_few.status, 400) << too_few.body;
  EXPECT_NE(too_few.body.find("takes 2 parameters"), std::string::npos) << too_few.body;
  for (const char* bad :
       {R"({"template":{"name":"no_such_template","language":"en_US"}})",
        R"({"template":{"name":"spring_sale","language":"en_US"}})",
        R"({"template":{"name":"photo_receipt","language":"en_US"}})",
        R"({"template":{"name":"order_update","language":"fr","parameters":["Ana","A-1"]}})",
        R"({"template":"order_update"})", R"({"text":"both","template":{"name":"order_update","language":"en_US"}})"}) {
    EXPECT_EQ(Api("POST", Messages(conversation), acme_key_, json::parse(bad)).status, 400) << bad;
  }
  EXPECT_TRUE(graph_.template_sends().empty());

  auto sent =
      Api("POST", Messages(conversation), acme_key_,
          json::parse(R"({"template":{"name":"order_update","language":"en_US","parameters":["Ana","A-17"]}})"));
  ASSERT_EQ(sent.status, 202) << sent.body;
  EXPECT_EQ(sent.Json().at("text"), "Hi Ana, your order A-17 is ready for pickup.");

  ASSERT_TRUE(Eventually([&] { return graph_.template_sends().size() == 1; }, 5s)) << parley_->logs();
  const RecordedRequest request = graph_.template_sends()[0];
  EXPECT_EQ(request.path, std::string("/") + kPhone + "/messages");
  EXPECT_EQ(request.authorization, std::string("Bearer ") + kToken);
  EXPECT_EQ(request.body, json::parse(R"({"messaging_product":"whatsapp","recipient_type":"individual",
      "to":"16505550101","type":"template","template":{"name":"order_update","language":{"code":"en_US"},
      "components":[{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"A-17"}]}]}})"));

  // The thread shows the template's text, sent.
  ASSERT_TRUE(Eventually(
      [&] {
        auto messages = Api("GET", Messages(conversation), acme_key_).Json().at("data").as_array();
        const auto& last = messages.back();
        return last.at("text") == "Hi Ana, your order A-17 is ready for pickup." && last.at("status") == "sent" &&
               last.at("template").at("name") == "order_update";
      },
      5s));
}

TEST_F(TemplatesTest, AChannelWithoutABusinessAccountIdCannotListOrSendTemplates) {
  const std::string& channel = globex_channel_;
  auto listed = Api("GET", "/api/social-accounts/" + channel + "/templates", globex_key_);
  EXPECT_EQ(listed.status, 409) << listed.body;
  EXPECT_NE(listed.body.find("waba_id"), std::string::npos) << listed.body;

  int64_t conversation = Customer(kGlobexPhone, "16505550202", "wamid.g1", globex_key_);
  ASSERT_GT(conversation, 0);
  auto reply = Api("POST", Messages(conversation), globex_key_,
                   json::parse(R"({"template":{"name":"order_update","language":"en_US","parameters":["A","B"]}})"));
  EXPECT_EQ(reply.status, 409) << reply.body;

  // A WABA id the channel's token cannot reach: WhatsApp's refusal, told as such, without the token.
  auto set = Api("PATCH", "/api/social-accounts/" + channel, globex_key_, json::object{{"waba_id", kWaba}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.Json().at("waba_id"), kWaba);
  auto refused = Api("GET", "/api/social-accounts/" + channel + "/templates", globex_key_);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find("WhatsApp refused"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find("EAAG-globex-token"), std::string::npos);

  EXPECT_EQ(Api("PATCH", "/api/social-accounts/" + channel, globex_key_, json::object{{"waba_id", "12ab"}}).status,
            400);
}

TEST_F(TemplatesTest, AnotherTenantsChannelAndConversationDoNotExistForThem) {
  int64_t conversation = Customer(kPhone, "16505550303", "wamid.o1", acme_key_);
  ASSERT_GT(conversation, 0);
  EXPECT_EQ(Api("GET", "/api/social-accounts/" + acme_channel_ + "/templates", globex_key_).status, 404);
  auto reply = Api("POST", Messages(conversation), globex_key_,
                   json::parse(R"({"template":{"name":"order_update","language":"en_US","parameters":["A","B"]}})"));
  EXPECT_EQ(reply.status, 404) << reply.body;
  EXPECT_EQ(Api("GET", "/api/social-accounts/999999/templates", acme_key_).status, 404);
  EXPECT_TRUE(graph_.template_sends().empty());
  EXPECT_EQ(TemplateListings(), 0u);
}

TEST_F(TemplatesTest, MetasLoginKeepsTheBusinessAccountItFound) {
  auto connect = Api("GET", "/api/social-accounts/connect/whatsapp", globex_key_);
  ASSERT_EQ(connect.status, 200) << connect.body;
  auto url = boost::urls::parse_uri(std::string(connect.Json().at("authorization_url").as_string()));
  ASSERT_TRUE(url);
  std::string state = (*url->params().find("state")).value;
  std::string redirect = kRedirect;
  redirect.replace(redirect.find("{platform}"), 10, "whatsapp");
  // Globex's number, added without a WABA id, belongs to this business; the login finds it.
  graph_.AddWhatsAppBusiness("EAAG-login-token", "102290129349999", {{kGlobexPhone, "+1 555-0192", "Globex"}});
  graph_.AddMessageTemplate("102290129349999", "EAAG-login-token",
                            json::parse(R"({"name":"hello_world","language":"en_US","status":"APPROVED",
                                            "category":"UTILITY","components":[{"type":"BODY","text":"Hello!"}]})")
                                .as_object());
  graph_.AddAuthorizationCode("code-templates", redirect, "EAAG-login-token");
  auto connected =
      Call("GET", parley_->url("/api/social-accounts/connect/whatsapp/callback?code=code-templates&state=" + state));
  ASSERT_EQ(connected.status, 200) << connected.body;
  auto data = connected.Json().at("data").as_array();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].at("waba_id"), "102290129349999");
  EXPECT_EQ(std::to_string(data[0].at("id").to_number<int64_t>()), globex_channel_) << "the channel it had, renewed";
  auto listed = Api("GET", "/api/social-accounts/" + globex_channel_ + "/templates", globex_key_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.Json().at("data").as_array().size(), 1u);
}

}  // namespace
}  // namespace parley::testing
