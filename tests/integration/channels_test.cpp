// Channel administration end to end: the real binary over loopback HTTP, the fake Graph API standing in for Meta
// (credentials checks, the OAuth code exchange and account discovery).

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

constexpr const char* kWhatsAppSecret = "wa-app-secret-for-tests";
constexpr const char* kPhone = "106540352242922";
constexpr const char* kWaba = "102289599326934";
constexpr const char* kWhatsAppToken = "EAAG-business-token-A1";
constexpr const char* kInstagramAccount = "17841405822304914";
constexpr const char* kInstagramUserToken = "EAAB-user-token-IG";
constexpr const char* kPageToken = "EAAB-page-token-P9";
constexpr const char* kAppId = "424242";
constexpr const char* kAppSecret = "meta-app-secret-for-tests";
constexpr const char* kRedirect = "https://parley.example/api/social-accounts/connect/{platform}/callback";

std::string RedirectFor(const std::string& platform) {
  std::string uri = kRedirect;
  uri.replace(uri.find("{platform}"), 10, platform);
  return uri;
}

class ChannelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_.SetApp(kAppId, kAppSecret);
    graph_.AddWhatsAppBusiness(kWhatsAppToken, kWaba, {{kPhone, "+1 555-0100", "Acme Bakery"}});
    graph_.AddInstagramAccount(kInstagramUserToken, "1001", kPageToken, kInstagramAccount, "acmebakery");
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"WHATSAPP_APP_SECRET", kWhatsAppSecret},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"META_CLIENT_ID", kAppId},
        {"META_CLIENT_SECRET", kAppSecret},
        {"META_REDIRECT_URI", kRedirect},
        {"PARLEY_META_OAUTH_DIALOG_URL", graph_.base_url() + "/dialog/oauth"},
        {"PARLEY_RESPONDER", "away_message"},
        {"PARLEY_BATCH_WINDOW_MS", "200"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "2000"},
        {"PARLEY_RETENTION_SWEEP_MS", "200"},
    });
    acme_key_ = TenantOnPlan("Acme Bakery");
    globex_key_ = TenantOnPlan("Globex");
    parley_->Start();
  }

  // On the Pro plan (5 channels) unless told otherwise: the free plan allows one.
  // Its API key.
  std::string TenantOnPlan(const std::string& name, const std::string& plan = "pro") {
    const CreatedTenant tenant = CreateTenant(*parley_, name);
    EXPECT_EQ(parley_->Cli({"tenant", "plan", "--tenant", tenant.id, "--plan", plan}).exit_code, 0);
    return tenant.api_key;
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

  HttpResult AddWhatsApp(const std::string& key, const std::string& token = kWhatsAppToken) {
    return Api(
        "POST", "/api/social-accounts", key,
        json::object{
            {"platform", "whatsapp"}, {"account_id", kPhone}, {"access_token", token}, {"display_name", "Front desk"}});
  }

  json::array List(const std::string& key) {
    auto r = Api("GET", "/api/social-accounts", key);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Json().at("data").as_array() : json::array{};
  }

  HttpResult PostWhatsApp(const std::string& message_id) {
    std::string body = payloads::WhatsAppText(kPhone, "16505551234", message_id, "Hello?");
    return Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kWhatsAppSecret, body)}});
  }

  size_t StoredMessages(const std::string& key) {
    size_t n = 0;
    auto conversations = Api("GET", "/api/conversations", key).Json().at("data").as_array();
    for (const auto& c : conversations) {
      auto path = "/api/conversations/" + std::to_string(c.at("id").to_number<int64_t>()) + "/messages?limit=500";
      json::value messages = Api("GET", path, key).Json();
      for (const auto& m : messages.at("data").as_array()) {
        if (m.at("direction") == "in") ++n;
      }
    }
    return n;
  }

  // The state in the authorization URL that connect answers.
  std::string StartConnect(const std::string& platform, const std::string& key) {
    auto r = Api("GET", "/api/social-accounts/connect/" + platform, key);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    std::string url(r.Json().at("authorization_url").as_string());
    auto parsed = boost::urls::parse_uri(url);
    EXPECT_TRUE(parsed) << url;
    auto params = parsed->params();
    EXPECT_EQ((*params.find("client_id")).value, kAppId);
    EXPECT_EQ((*params.find("redirect_uri")).value, RedirectFor(platform));
    EXPECT_EQ((*params.find("response_type")).value, "code");
    return (*params.find("state")).value;
  }

  HttpResult Callback(const std::string& platform, const std::string& query) {
    return Call("GET", parley_->url("/api/social-accounts/connect/" + platform + "/callback?" + query));
  }

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string acme_key_;
  std::string globex_key_;
};

TEST_F(ChannelsTest, AddChecksTheTokenWithThePlatformAndNeverShowsIt) {
  auto added = AddWhatsApp(acme_key_);
  ASSERT_EQ(added.status, 201) << added.body;
  auto channel = added.Json().as_object();
  EXPECT_EQ(channel.at("platform"), "whatsapp");
  EXPECT_EQ(channel.at("account_id"), kPhone);
  EXPECT_EQ(channel.at("display_name"), "Front desk");
  EXPECT_EQ(channel.at("display_phone_number"), "+1 555-0100");
  EXPECT_EQ(channel.at("verified_name"), "Acme Bakery");
  EXPECT_EQ(channel.at("enabled"), true);
  EXPECT_EQ(channel.at("access_token_hint"), "…n-A1");
  EXPECT_EQ(added.body.find(kWhatsAppToken), std::string::npos);

  auto check = graph_.requests().back();
  EXPECT_EQ(check.method, "GET");
  EXPECT_EQ(check.path, std::string("/") + kPhone + "?fields=display_phone_number%2Cverified_name");
  EXPECT_EQ(check.authorization, std::string("Bearer ") + kWhatsAppToken);

  auto list = Api("GET", "/api/social-accounts", acme_key_);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(kWhatsAppToken), std::string::npos);
  ASSERT_EQ(list.Json().at("data").as_array().size(), 1u);
  auto one = Api("GET", "/api/social-accounts/" + std::to_string(channel.at("id").to_number<int64_t>()), acme_key_);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Json().at("verified_name"), "Acme Bakery");

  auto instagram =
      Api("POST", "/api/social-accounts", acme_key_,
          json::object{{"platform", "instagram"}, {"account_id", kInstagramAccount}, {"access_token", kPageToken}});
  ASSERT_EQ(instagram.status, 201) << instagram.body;
  EXPECT_EQ(instagram.Json().at("username"), "acmebakery");
  EXPECT_EQ(graph_.requests().back().path, std::string("/") + kInstagramAccount + "?fields=id%2Cusername");
  EXPECT_EQ(List(acme_key_).size(), 2u);
}

TEST_F(ChannelsTest, ARefusedTokenOrAnUnreachablePlatformSavesNothing) {
  auto refused = AddWhatsApp(acme_key_, "EAAG-revoked-token");
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("Invalid OAuth access token"), std::string::npos) << refused.body;

  graph_.FailNextReads(3, 503);  // Every attempt of the client's retries.
  auto outage = AddWhatsApp(acme_key_);
  EXPECT_EQ(outage.status, 503) << outage.body;
  EXPECT_TRUE(List(acme_key_).empty());

  auto malformed = Api("POST", "/api/social-accounts", acme_key_,
                       json::object{{"platform", "whatsapp"}, {"account_id", "../me"}, {"access_token", "x"}});
  EXPECT_EQ(malformed.status, 400);
  auto unknown_field = Api("POST", "/api/social-accounts", acme_key_,
                           json::object{{"platform", "telex"}, {"account_id", kPhone}, {"access_token", "x"}});
  EXPECT_EQ(unknown_field.status, 400);
}

TEST_F(ChannelsTest, UpdateRechecksANewTokenAndChangesLabelAndSwitch) {
  auto added = AddWhatsApp(acme_key_);
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string path = "/api/social-accounts/" + std::to_string(added.Json().at("id").to_number<int64_t>());

  auto renamed = Api("PATCH", path, acme_key_, json::object{{"display_name", "Shop"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.Json().at("display_name"), "Shop");

  auto refused = Api("PUT", path, acme_key_, json::object{{"access_token", "EAAG-wrong-token-ZZ"}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(Api("GET", path, acme_key_).Json().at("access_token_hint"), "…n-A1");

  graph_.AddWhatsAppBusiness("EAAG-business-token-B2", kWaba, {{kPhone, "+1 555-0100", "Acme Bakery & Co"}});
  auto renewed = Api("PUT", path, acme_key_, json::object{{"access_token", "EAAG-business-token-B2"}});
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  EXPECT_EQ(renewed.Json().at("access_token_hint"), "…n-B2");
  EXPECT_EQ(renewed.Json().at("verified_name"), "Acme Bakery & Co");

  auto disabled = Api("PATCH", path, acme_key_, json::object{{"enabled", false}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(disabled.Json().at("enabled"), false);
  EXPECT_EQ(Api("PATCH", path, acme_key_, json::object{}).status, 400);
  EXPECT_EQ(Api("PATCH", path, acme_key_, json::object{{"enabled", "no"}}).status, 400);

  // Audited, never with the token.
  auto audit = Api("GET", "/api/audit-logs", acme_key_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_NE(audit.body.find("channel.create"), std::string::npos);
  EXPECT_NE(audit.body.find("channel.update"), std::string::npos);
  EXPECT_EQ(audit.body.find("EAAG-business-token"), std::string::npos);
}

TEST_F(ChannelsTest, ARemovedChannelStopsReceivingKeepsItsHistoryAndCanBeAddedAgain) {
  auto added = AddWhatsApp(acme_key_);
  ASSERT_EQ(added.status, 201) << added.body;
  const int64_t id = added.Json().at("id").to_number<int64_t>();
  const std::string path = "/api/social-accounts/" + std::to_string(id);
  ASSERT_EQ(PostWhatsApp("wamid.before").status, 200);
  ASSERT_TRUE(Eventually([&] { return StoredMessages(acme_key_) == 1; }, 3s));

  auto removed = Api("DELETE", path, acme_key_);
  ASSERT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(Api("GET", path, acme_key_).status, 404);
  EXPECT_EQ(Api("DELETE", path, acme_key_).status, 404);
  EXPECT_TRUE(List(acme_key_).empty());

  // Acknowledged (Meta must not retry) but stored nowhere.
  ASSERT_EQ(PostWhatsApp("wamid.after-removal").status, 200);
  EXPECT_EQ(StoredMessages(acme_key_), 1u);
  // People cannot write through it from the inbox either.
  auto conversation = Api("GET", "/api/conversations", acme_key_).Json().at("data").at(0).at("id").to_number<int64_t>();
  auto reply = Api("POST", "/api/conversations/" + std::to_string(conversation) + "/messages", acme_key_,
                   json::object{{"text", "Are you still there?"}});
  EXPECT_EQ(reply.status, 409) << reply.body;

  auto back = AddWhatsApp(acme_key_);
  ASSERT_EQ(back.status, 201) << back.body;
  EXPECT_EQ(back.Json().at("id").to_number<int64_t>(), id);
  ASSERT_EQ(PostWhatsApp("wamid.after-re-adding").status, 200);
  EXPECT_TRUE(Eventually([&] { return StoredMessages(acme_key_) == 2; }, 3s));

  auto audit = Api("GET", "/api/audit-logs?action=channel.delete", acme_key_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(audit.Json().at("data").as_array().size(), 1u);
}

TEST_F(ChannelsTest, WithoutBillingATenantConnectsEveryAccountItHas) {
  // No plan set and no Stripe keys: the self-hosted plan, which limits no channels (the free plan allows one).
  const std::string key = CreateTenant(*parley_, "Initech").api_key;
  ASSERT_FALSE(key.empty());
  ASSERT_EQ(AddWhatsApp(key).status, 201);
  auto second =
      Api("POST", "/api/social-accounts", key,
          json::object{{"platform", "instagram"}, {"account_id", kInstagramAccount}, {"access_token", kPageToken}});
  EXPECT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(List(key).size(), 2u);
}

TEST_F(ChannelsTest, ThePlanLimitsTheNumberOfChannels) {
  std::string free_key = TenantOnPlan("Initech", "free");
  ASSERT_EQ(AddWhatsApp(free_key).status, 201);
  auto second =
      Api("POST", "/api/social-accounts", free_key,
          json::object{{"platform", "instagram"}, {"account_id", kInstagramAccount}, {"access_token", kPageToken}});
  EXPECT_EQ(second.status, 403) << second.body;
  EXPECT_EQ(second.Json().at("error").at("code"), "plan_limit");
  EXPECT_NE(second.Json().at("error").at("message").as_string().find("1 channel"), json::string::npos);
  EXPECT_EQ(List(free_key).size(), 1u);
  // Connecting through Meta's login meets the same limit.
  std::string state = StartConnect("instagram", free_key);
  graph_.AddAuthorizationCode("code-ig-free", RedirectFor("instagram"), kInstagramUserToken);
  auto connected = Callback("instagram", "code=code-ig-free&state=" + state);
  EXPECT_EQ(List(free_key).size(), 1u) << connected.body;
  EXPECT_NE(connected.body.find("1 channel"), std::string::npos) << connected.body;
}

TEST_F(ChannelsTest, AnAccountAnotherTenantHasIsAConflict) {
  ASSERT_EQ(AddWhatsApp(acme_key_).status, 201);
  auto taken = AddWhatsApp(globex_key_);
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_TRUE(List(globex_key_).empty());
  EXPECT_EQ(AddWhatsApp(acme_key_).status, 409);  // Nor twice in one tenant.
}

TEST_F(ChannelsTest, OnlyOwnersAndAdminsChangeChannels) {
  auto added = AddWhatsApp(acme_key_);
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string path = "/api/social-accounts/" + std::to_string(added.Json().at("id").to_number<int64_t>());
  auto key = Api("POST", "/api/api-keys", acme_key_, json::object{{"name", "inbox"}, {"role", "agent"}});
  ASSERT_EQ(key.status, 201) << key.body;
  const std::string agent(key.Json().at("key").as_string());

  EXPECT_EQ(List(agent).size(), 1u);
  EXPECT_EQ(Api("GET", path, agent).status, 200);
  EXPECT_EQ(AddWhatsApp(agent).status, 403);
  EXPECT_EQ(Api("PATCH", path, agent, json::object{{"display_name", "x"}}).status, 403);
  EXPECT_EQ(Api("DELETE", path, agent).status, 403);
  EXPECT_EQ(Api("GET", "/api/social-accounts/connect/whatsapp", agent).status, 403);
  EXPECT_EQ(Call("GET", parley_->url("/api/social-accounts")).status, 401);
}

TEST_F(ChannelsTest, AnotherTenantsChannelsDoNotExistForThem) {
  auto added = AddWhatsApp(acme_key_);
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string path = "/api/social-accounts/" + std::to_string(added.Json().at("id").to_number<int64_t>());
  EXPECT_EQ(Api("GET", path, globex_key_).status, 404);
  EXPECT_EQ(Api("PATCH", path, globex_key_, json::object{{"display_name", "Mine now"}}).status, 404);
  EXPECT_EQ(Api("PUT", path, globex_key_, json::object{{"access_token", kWhatsAppToken}}).status, 404);
  EXPECT_EQ(Api("DELETE", path, globex_key_).status, 404);
  EXPECT_TRUE(List(globex_key_).empty());
  auto still = Api("GET", path, acme_key_);
  ASSERT_EQ(still.status, 200);
  EXPECT_EQ(still.Json().at("display_name"), "Front desk");
}

TEST_F(ChannelsTest, ConnectingWhatsAppWithMetasLogin) {
  std::string state = StartConnect("whatsapp", acme_key_);
  ASSERT_FALSE(state.empty());
  graph_.AddAuthorizationCode("code-wa-1", RedirectFor("whatsapp"), kWhatsAppToken);

  auto connected = Callback("whatsapp", "code=code-wa-1&state=" + state);
  ASSERT_EQ(connected.status, 200) << connected.body << parley_->logs();
  auto data = connected.Json().at("data").as_array();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].at("account_id"), kPhone);
  EXPECT_EQ(data[0].at("display_phone_number"), "+1 555-0100");
  EXPECT_EQ(connected.body.find(kWhatsAppToken), std::string::npos);
  ASSERT_EQ(List(acme_key_).size(), 1u);
  EXPECT_TRUE(List(globex_key_).empty());

  // Embedded Signup's discovery: the WABA from debug_token (asked with the app token), then its numbers.
  bool debugged = false;
  bool listed = false;
  for (const auto& r : graph_.requests()) {
    if (r.path.rfind("/debug_token?", 0) == 0) {
      debugged = r.authorization == std::string("Bearer ") + kAppId + "|" + kAppSecret;
    }
    if (r.path.rfind(std::string("/") + kWaba + "/phone_numbers", 0) == 0) {
      listed = r.authorization == std::string("Bearer ") + kWhatsAppToken;
    }
  }
  EXPECT_TRUE(debugged);
  EXPECT_TRUE(listed);

  auto audit = Api("GET", "/api/audit-logs?action=channel.connect", acme_key_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(audit.Json().at("data").as_array().size(), 1u);

  // Messages to the connected number now reach the tenant.
  ASSERT_EQ(PostWhatsApp("wamid.connected").status, 200);
  EXPECT_TRUE(Eventually([&] { return StoredMessages(acme_key_) == 1; }, 3s));
}

TEST_F(ChannelsTest, ConnectingInstagramWithMetasLogin) {
  std::string state = StartConnect("instagram", acme_key_);
  ASSERT_FALSE(state.empty());
  graph_.AddAuthorizationCode("code-ig-1", RedirectFor("instagram"), kInstagramUserToken);

  auto connected = Callback("instagram", "code=code-ig-1&state=" + state);
  ASSERT_EQ(connected.status, 200) << connected.body << parley_->logs();
  auto data = connected.Json().at("data").as_array();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].at("account_id"), kInstagramAccount);
  EXPECT_EQ(data[0].at("username"), "acmebakery");
  EXPECT_EQ(data[0].at("access_token_hint"), "…n-P9");  // The Page's token, which may send messages.
  EXPECT_EQ(List(acme_key_).size(), 1u);

  // Connecting again renews the token of the same channel instead of failing.
  std::string again = StartConnect("instagram", acme_key_);
  graph_.AddAuthorizationCode("code-ig-2", RedirectFor("instagram"), kInstagramUserToken);
  auto renewed = Callback("instagram", "code=code-ig-2&state=" + again);
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  EXPECT_EQ(renewed.Json().at("data").as_array()[0].at("id"), data[0].at("id"));
  EXPECT_EQ(List(acme_key_).size(), 1u);
}

// What a person's browser does: from the dashboard to Meta's Login dialog, back to the callback (Accept: text/html),
// and on to the dashboard's Channels page, whose query says what happened.
TEST_F(ChannelsTest, ABrowserGoesThroughMetasLoginAndBackToTheChannelsPage) {
  auto through_login = [&](const std::string& platform) {
    auto start = Api("GET", "/api/social-accounts/connect/" + platform, acme_key_);
    EXPECT_EQ(start.status, 200) << start.body;
    auto dialog =
        Call("GET", std::string(start.Json().at("authorization_url").as_string()), {}, {{"Accept", "text/html"}});
    EXPECT_EQ(dialog.status, 302) << dialog.body;
    // Meta sends the browser to the redirect URI as configured; here it is served on loopback.
    std::string location = dialog.headers["location"];
    EXPECT_TRUE(location.starts_with(RedirectFor(platform) + "?")) << location;
    std::string query = location.substr(location.find('?') + 1);
    auto back = Call("GET", parley_->url("/api/social-accounts/connect/" + platform + "/callback?" + query), {},
                     {{"Accept", "text/html,application/xhtml+xml"}});
    EXPECT_EQ(back.status, 303) << back.body << parley_->logs();
    EXPECT_EQ(back.headers["cache-control"], "no-store");
    return back.headers["location"];
  };

  graph_.SetLoginUser(kWhatsAppToken);
  EXPECT_EQ(through_login("whatsapp"), "/channels?connect=ok&platform=whatsapp&saved=1&skipped=0");
  auto channels = List(acme_key_);
  ASSERT_EQ(channels.size(), 1u);
  EXPECT_EQ(channels[0].at("account_id"), kPhone);
  EXPECT_EQ(channels[0].at("waba_id"), kWaba) << "Meta's login finds the WhatsApp Business Account";

  // The person declines in the dialog: the page is told why, and nothing is saved.
  graph_.SetLoginUser("");
  EXPECT_EQ(through_login("whatsapp"),
            "/channels?connect=error&platform=whatsapp&reason=the%20authorization%20was%20not%20granted%3A%20"
            "Permissions%20error");
  EXPECT_EQ(List(acme_key_).size(), 1u);

  // A forged state still lands on the page, with the reason, rather than on a JSON error.
  auto forged = Call("GET", parley_->url("/api/social-accounts/connect/whatsapp/callback?code=x&state=forged"), {},
                     {{"Accept", "text/html"}});
  EXPECT_EQ(forged.status, 303);
  EXPECT_TRUE(forged.headers["location"].starts_with("/channels?connect=error&platform=whatsapp&reason="))
      << forged.headers["location"];
}

// Nobody came back from Meta's login: the retention sweep deletes the flow once it expires, with no other begin.
TEST_F(ChannelsTest, AnExpiredLoginFlowIsSweptAway) {
  ASSERT_FALSE(StartConnect("whatsapp", acme_key_).empty());
  ASSERT_EQ(QueryInt(*parley_, "SELECT COUNT(*) FROM oauth_flows"), 1);
  ExecSql(*parley_, "UPDATE oauth_flows SET expires_at = created_at");  // As if begun a quarter of an hour ago.
  EXPECT_TRUE(Eventually([&] { return QueryInt(*parley_, "SELECT COUNT(*) FROM oauth_flows") == 0; }, 5s));
}

TEST_F(ChannelsTest, TheCallbackSendsTheBrowserToThePublicUrl) {
  parley_->Terminate();
  parley_->env()["PARLEY_PUBLIC_URL"] = "https://desk.example.com";
  parley_->Start();
  graph_.AddAuthorizationCode("code-public", RedirectFor("whatsapp"), kWhatsAppToken);
  auto back = Call("GET",
                   parley_->url("/api/social-accounts/connect/whatsapp/callback?code=code-public&state=" +
                                StartConnect("whatsapp", acme_key_)),
                   {}, {{"Accept", "text/html"}});
  EXPECT_EQ(back.status, 303) << back.body;
  EXPECT_EQ(back.headers["location"],
            "https://desk.example.com/channels?connect=ok&platform=whatsapp&saved=1&skipped=0");
}

TEST_F(ChannelsTest, ACallbackWithoutAGoodStateSavesNothing) {
  std::string state = StartConnect("whatsapp", acme_key_);
  ASSERT_FALSE(state.empty());
  graph_.AddAuthorizationCode("code-wa-1", RedirectFor("whatsapp"), kWhatsAppToken);

  std::string tampered = state;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Callback("whatsapp", "code=code-wa-1&state=" + tampered).status, 400);
  EXPECT_EQ(Callback("whatsapp", "code=code-wa-1").status, 400);
  EXPECT_EQ(Callback("whatsapp", "code=code-wa-1&state=forged").status, 400);
  EXPECT_EQ(Callback("instagram", "code=code-wa-1&state=" + state).status, 400);  // Issued for WhatsApp.
  auto declined = Callback("whatsapp",
                           "error=access_denied&error_reason=user_denied&error_description="
                           "Permissions+error&state=" +
                               state);
  EXPECT_EQ(declined.status, 400);
  EXPECT_NE(declined.body.find("Permissions error"), std::string::npos) << declined.body;
  // The declined flow is over: its state serves no second callback.
  auto replayed = Callback("whatsapp", "code=code-wa-1&state=" + state);
  EXPECT_EQ(replayed.status, 400);
  EXPECT_NE(replayed.body.find("already completed"), std::string::npos) << replayed.body;
  EXPECT_EQ(Callback("whatsapp", "code=wrong-code&state=" + StartConnect("whatsapp", acme_key_)).status, 400);
  EXPECT_TRUE(List(acme_key_).empty());
  // The code itself was never spent: with a new flow it still connects.
  EXPECT_EQ(Callback("whatsapp", "code=code-wa-1&state=" + StartConnect("whatsapp", acme_key_)).status, 200);
  EXPECT_EQ(List(acme_key_).size(), 1u);
  EXPECT_TRUE(List(globex_key_).empty());
}

TEST_F(ChannelsTest, AStateServesOneCallback) {
  std::string state = StartConnect("whatsapp", acme_key_);
  graph_.AddAuthorizationCode("code-wa-1", RedirectFor("whatsapp"), kWhatsAppToken);
  ASSERT_EQ(Callback("whatsapp", "code=code-wa-1&state=" + state).status, 200);
  // A state that leaked (a log, a Referer) is worth nothing afterwards, even with a code that works.
  graph_.AddAuthorizationCode("code-wa-2", RedirectFor("whatsapp"), kWhatsAppToken);
  auto replayed = Callback("whatsapp", "code=code-wa-2&state=" + state);
  EXPECT_EQ(replayed.status, 400) << replayed.body;
  auto audit = Api("GET", "/api/audit-logs?action=channel.connect", acme_key_);
  EXPECT_EQ(audit.Json().at("data").as_array().size(), 1u);
}

TEST_F(ChannelsTest, TheCallbackActsWithTheRoleItsStarterHoldsNow) {
  std::string tenant =
      std::to_string(Api("GET", "/api/auth/me", acme_key_).Json().at("tenant_id").to_number<int64_t>());
  auto created = parley_->Cli({"user", "create", "--tenant", tenant, "--email", "ada@acme.test", "--role", "admin",
                               "--password", "admin-password-1"});
  ASSERT_EQ(created.exit_code, 0) << created.out;
  const std::string user_id = std::to_string(json::parse(created.out).at("user_id").to_number<int64_t>());
  auto login =
      Call("POST", parley_->url("/api/auth/login"), R"({"email":"ada@acme.test","password":"admin-password-1"})",
           {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string session(login.Json().at("token").as_string());
  graph_.AddAuthorizationCode("code-wa-1", RedirectFor("whatsapp"), kWhatsAppToken);

  // Demoted to agent between the start of the flow and Meta's redirect: the callback connects nothing.
  std::string state = StartConnect("whatsapp", session);
  ASSERT_EQ(Api("PATCH", "/api/users/" + user_id, acme_key_, json::object{{"role", "agent"}}).status, 200);
  auto demoted = Callback("whatsapp", "code=code-wa-1&state=" + state);
  EXPECT_EQ(demoted.status, 403) << demoted.body;

  // Promoted back, then removed: the same.
  ASSERT_EQ(Api("PATCH", "/api/users/" + user_id, acme_key_, json::object{{"role", "admin"}}).status, 200);
  state = StartConnect("whatsapp", session);
  ASSERT_EQ(Api("DELETE", "/api/users/" + user_id, acme_key_).status, 204);
  EXPECT_EQ(Callback("whatsapp", "code=code-wa-1&state=" + state).status, 403);

  // A key revoked meanwhile cannot finish its flow either.
  auto key = Api("POST", "/api/api-keys", acme_key_, json::object{{"name", "connector"}, {"role", "admin"}});
  ASSERT_EQ(key.status, 201) << key.body;
  state = StartConnect("whatsapp", std::string(key.Json().at("key").as_string()));
  ASSERT_EQ(
      Api("DELETE", "/api/api-keys/" + std::to_string(key.Json().at("id").to_number<int64_t>()), acme_key_).status,
      204);
  EXPECT_EQ(Callback("whatsapp", "code=code-wa-1&state=" + state).status, 403);
  EXPECT_TRUE(List(acme_key_).empty());
}

}  // namespace
}  // namespace parley::testing
