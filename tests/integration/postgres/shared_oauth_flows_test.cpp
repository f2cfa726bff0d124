// Meta's login across processes (issue 18 §2): two gateways on one PostgreSQL database of the test's own and one
// redis-server of the test's own, the fake Graph API standing in for Meta. The browser's callback comes back through
// the load balancer, so it may reach a gateway other than the one that started the flow: that gateway takes the flow
// from the store and connects the channel, and the state serves no second callback on either gateway. Before, the
// flows lived in the memory of the gateway that began them, and such a callback failed.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/postgres/own_database.h"
#include "integration/tenant_fixture.h"
#include "support/own_redis_server.h"

#include <gtest/gtest.h>
#include <boost/url/parse.hpp>

namespace parley::testing {
namespace {

constexpr const char* kMasterKey = "9a1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
constexpr const char* kPhone = "106540352242922";
constexpr const char* kWaba = "102289599326934";
constexpr const char* kWhatsAppToken = "EAAG-business-token-A1";
constexpr const char* kAppId = "424242";
constexpr const char* kAppSecret = "meta-app-secret-for-tests";
constexpr const char* kRedirectSetting = "https://parley.example/api/social-accounts/connect/{platform}/callback";
constexpr const char* kRedirect = "https://parley.example/api/social-accounts/connect/whatsapp/callback";

class SharedOAuthFlowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_.SetApp(kAppId, kAppSecret);
    graph_.AddWhatsAppBusiness(kWhatsAppToken, kWaba, {{kPhone, "+1 555-0100", "Acme Bakery"}});
    const std::map<std::string, std::string> env{{"PARLEY_DATABASE_URL", database_.url()},
                                                 {"PARLEY_DATABASE_POOL", "4"},
                                                 {"PARLEY_REDIS_URL", redis_.url()},
                                                 {"PARLEY_MASTER_KEY", kMasterKey},
                                                 {"PARLEY_ROLE", "gateway"},
                                                 {"PARLEY_RESPONDER", "away_message"},
                                                 {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
                                                 {"META_CLIENT_ID", kAppId},
                                                 {"META_CLIENT_SECRET", kAppSecret},
                                                 {"META_REDIRECT_URI", kRedirectSetting},
                                                 {"PARLEY_META_OAUTH_DIALOG_URL", graph_.base_url() + "/dialog/oauth"}};
    a_ = std::make_unique<ParleyProcess>(env);
    b_ = std::make_unique<ParleyProcess>(env);
    owner_key_ = CreateTenant(*a_, "Acme").api_key;
    ASSERT_FALSE(owner_key_.empty());
    a_->Start();
    b_->Start();
  }

  void TearDown() override {
    for (auto* process : {a_.get(), b_.get()}) {
      if (process != nullptr && process->running()) process->Terminate();
    }
  }

  // Starts connecting WhatsApp through `server`: the state in the authorization URL.
  std::string StartConnect(ParleyProcess& server) {
    auto r = Call("GET", server.url("/api/social-accounts/connect/whatsapp"), {},
                  {{"Authorization", "Bearer " + owner_key_}});
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    auto parsed = boost::urls::parse_uri(std::string(r.Json().at("authorization_url").as_string()));
    EXPECT_TRUE(parsed);
    return parsed ? std::string((*parsed->params().find("state")).value) : std::string();
  }

  // Meta's redirect of the browser, with `code` and `state`, reaching `server`.
  static HttpResult Callback(ParleyProcess& server, const std::string& code, const std::string& state) {
    return Call("GET", server.url("/api/social-accounts/connect/whatsapp/callback?code=" + code + "&state=" + state));
  }

  size_t Channels(ParleyProcess& server) {
    auto r = Call("GET", server.url("/api/social-accounts"), {}, {{"Authorization", "Bearer " + owner_key_}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Json().at("data").as_array().size() : 0;
  }

  FakeGraph graph_;
  OwnDatabase database_;
  OwnRedisServer redis_;
  std::unique_ptr<ParleyProcess> a_;
  std::unique_ptr<ParleyProcess> b_;
  std::string owner_key_;
};

TEST_F(SharedOAuthFlowsTest, AFlowBegunOnOneGatewayIsCompletedOnTheOtherOnce) {
  const std::string state = StartConnect(*a_);
  ASSERT_FALSE(state.empty());
  graph_.AddAuthorizationCode("code-wa-1", kRedirect, kWhatsAppToken);

  auto connected = Callback(*b_, "code-wa-1", state);
  ASSERT_EQ(connected.status, 200) << connected.body << b_->logs();
  auto data = connected.Json().at("data").as_array();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].at("account_id"), kPhone);
  EXPECT_EQ(Channels(*a_), 1u);

  // The state is spent, on both gateways: a replayed link connects nothing.
  graph_.AddAuthorizationCode("code-wa-2", kRedirect, kWhatsAppToken);
  for (ParleyProcess* server : {a_.get(), b_.get()}) {
    auto replayed = Callback(*server, "code-wa-2", state);
    EXPECT_EQ(replayed.status, 400) << replayed.body;
    EXPECT_NE(replayed.body.find("already completed"), std::string::npos) << replayed.body;
  }
  EXPECT_EQ(Channels(*b_), 1u);
}

TEST_F(SharedOAuthFlowsTest, AFlowOutlivesARestartOfTheGatewayThatBeganIt) {
  const std::string state = StartConnect(*a_);
  ASSERT_FALSE(state.empty());
  a_->Terminate();
  a_->Start();
  graph_.AddAuthorizationCode("code-wa-1", kRedirect, kWhatsAppToken);

  auto connected = Callback(*a_, "code-wa-1", state);
  ASSERT_EQ(connected.status, 200) << connected.body << a_->logs();
  EXPECT_EQ(Channels(*b_), 1u);
}

}  // namespace
}  // namespace parley::testing
