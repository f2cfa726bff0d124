// Facebook Messenger end to end: the real binary on loopback, a signed Page webhook in, the agent's answer out
// through the fake Graph API's Send API, sender actions, the channel added from the CLI, the 24-hour window and the
// HUMAN_AGENT tag for a person's reply.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <fstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kMessengerSecret = "fb-app-secret-for-tests";
constexpr const char* kPageId = "104623598744221";
constexpr const char* kPageToken = "EAAPage-messenger-token";
constexpr const char* kPsid = "6923849103847562";
constexpr const char* kGuide = R"(# Opening hours
We are open Monday to Friday from 8:00 to 19:00. On Sunday we open from 10:00 to 14:00.
)";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string PageText(const std::string& mid, const std::string& text, int64_t at_ms = NowMs()) {
  return payloads::MessengerText(kPageId, kPsid, mid, text, at_ms);
}

class MessengerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"MESSENGER_APP_SECRET", kMessengerSecret},
        {"MESSENGER_VERIFY_TOKEN", "fb-verify-token"},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"PARLEY_BATCH_WINDOW_MS", "300"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "3000"},
    });
    const CreatedTenant tenant = CreateTenant(*parley_, "Crumb & Co");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = tenant.id;
    api_key_ = tenant.api_key;
    auto added = parley_->Cli(
        {"channel", "add", "messenger", "--tenant", tenant_id_, "--page-id", kPageId, "--access-token", kPageToken});
    ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
    channel_ = json::parse(added.out).as_object();
    const std::string guide = parley_->data_dir() + "/guide.md";
    std::ofstream(guide) << kGuide;
    ASSERT_EQ(parley_->Cli({"kb", "add", "--tenant", tenant_id_, guide}).exit_code, 0);
    parley_->Start();
  }

  HttpResult PostPage(const std::string& body, const std::string& secret = kMessengerSecret) {
    return Call("POST", parley_->url("/api/messenger/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(secret, body)}});
  }
  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {}) {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}});
  }

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string tenant_id_;
  std::string api_key_;
  json::object channel_;
};

TEST_F(MessengerTest, ChannelAddPrintsItsIdsAndThePlatformIsListed) {
  EXPECT_GT(channel_.at("channel_id").to_number<int64_t>(), 0);
  EXPECT_FALSE(channel_.at("public_id").as_string().empty());
  EXPECT_EQ(channel_.at("platform"), "messenger");
  bool listed = false;
  const json::value platforms = Api("GET", "/api/platforms").Json();
  for (const auto& platform : platforms.at("data").as_array()) {
    if (platform.at("name") != "messenger") continue;
    listed = true;
    EXPECT_EQ(platform.at("webhook_path"), "/api/messenger/webhook");
    EXPECT_EQ(platform.at("traits").at("max_message_length"), 2000);
    EXPECT_EQ(platform.at("traits").at("human_agent_window_days"), 7);
    EXPECT_EQ(platform.at("fields").at(0).at("flag"), "page-id");
  }
  EXPECT_TRUE(listed);
}

TEST_F(MessengerTest, HandshakeAndSignatureAreMetas) {
  auto ok = Call("GET", parley_->url("/api/messenger/webhook?hub.mode=subscribe&hub.verify_token=fb-verify-token"
                                     "&hub.challenge=1158201444"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  EXPECT_EQ(Call("GET", parley_->url("/api/messenger/webhook?hub.mode=subscribe&hub.verify_token=wrong"
                                     "&hub.challenge=1"))
                .status,
            403);
  EXPECT_EQ(PostPage(PageText("m_forged", "hi"), "another-secret").status, 401);
  EXPECT_EQ(Call("POST", parley_->url("/api/messenger/webhook"), PageText("m_unsigned", "hi")).status, 401);
}

TEST_F(MessengerTest, ASignedMessageIsSeenTypedAndAnsweredByTheAgentThroughTheSendApi) {
  auto stored = PostPage(PageText("m_AbCdEf123", "What time do you open on Sunday?"));
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.Json().at("stored"), 1);
  ASSERT_TRUE(graph_.WaitForSends(1, 8s)) << parley_->logs();
  auto all = graph_.requests();
  // The customer's profile is asked for (a GET) beside these, in no set order.
  std::erase_if(all, [](const RecordedRequest& r) { return r.method != "POST"; });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].body.at("sender_action"), "mark_seen");
  EXPECT_EQ(all[1].body.at("sender_action"), "typing_on");
  const RecordedRequest& send = all[2];
  EXPECT_EQ(send.path, std::string("/") + kPageId + "/messages");
  EXPECT_EQ(send.authorization, std::string("Bearer ") + kPageToken);
  EXPECT_EQ(send.body.at("recipient").at("id"), kPsid);
  EXPECT_EQ(send.body.at("messaging_type"), "RESPONSE");
  const std::string answer(send.body.at("message").at("text").as_string());
  EXPECT_NE(answer.find("10:00 to 14:00"), std::string::npos) << answer;

  auto conversations = Api("GET", "/api/conversations?platform=messenger").Json().at("data").as_array();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].at("platform"), "messenger");
  const std::string id = std::to_string(conversations[0].at("id").to_number<int64_t>());
  ASSERT_TRUE(Eventually(
      [&] {
        auto messages = Api("GET", "/api/conversations/" + id + "/messages").Json().at("data").as_array();
        return messages.size() == 2 && messages[1].at("status") == "sent";
      },
      3s));
}

TEST_F(MessengerTest, ANewCustomerIsNamedFromTheirProfileBesideTheAnswer) {
  graph_.AddProfile(
      kPageToken, kPsid,
      {{"first_name", "Peter"},
       {"last_name", "Chang"},
       {"profile_pic", "https://platform-lookaside.fbsbx.com/platform/profilepic/?psid=6923849103847562"}});
  ASSERT_EQ(PostPage(PageText("m_named1", "What time do you open on Sunday?")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 8s)) << parley_->logs();
  ASSERT_TRUE(Eventually(
      [&] {
        auto contacts = Api("GET", "/api/contacts").Json().at("data").as_array();
        return contacts.size() == 1 && contacts[0].at("name") == "Peter Chang";
      },
      5s))
      << parley_->logs();
  auto conversations = Api("GET", "/api/conversations?platform=messenger").Json().at("data").as_array();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].at("contact").at("name"), "Peter Chang");
  // Asked once, with the Page's token in the header only, for the documented fields.
  std::vector<RecordedRequest> lookups;
  for (auto& r : graph_.requests()) {
    if (r.method == "GET") lookups.push_back(r);
  }
  ASSERT_EQ(lookups.size(), 1u);
  EXPECT_EQ(lookups[0].path, std::string("/") + kPsid + "?fields=first_name%2Clast_name%2Cprofile_pic");
  EXPECT_EQ(lookups[0].authorization, std::string("Bearer ") + kPageToken);
  // A named contact is not asked about again.
  ASSERT_EQ(PostPage(PageText("m_named2", "What time do you open on Monday?")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(2, 8s)) << parley_->logs();
  size_t gets = 0;
  for (auto& r : graph_.requests()) gets += r.method == "GET";
  EXPECT_EQ(gets, 1u);
}

TEST_F(MessengerTest, AProfileMetaRefusesLeavesTheAnswerAloneAndIsNotAskedForAtEveryMessage) {
  // Meta answers (#100) for a customer it will not show (blocked the Page, no permission).
  graph_.AddProfile(kPageToken, "another-customer", {{"first_name", "Someone"}});
  ASSERT_EQ(PostPage(PageText("m_refused1", "What time do you open on Sunday?")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 8s)) << parley_->logs();
  ASSERT_TRUE(Eventually([&] { return parley_->logs().find("profile_lookup_failed") != std::string::npos; }, 5s))
      << parley_->logs();
  EXPECT_EQ(parley_->logs().find(kPageToken), std::string::npos);
  ASSERT_EQ(PostPage(PageText("m_refused2", "What time do you open on Monday?")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(2, 8s)) << parley_->logs();
  size_t gets = 0;
  for (auto& r : graph_.requests()) gets += r.method == "GET";
  EXPECT_EQ(gets, 1u);
  auto contacts = Api("GET", "/api/contacts").Json().at("data").as_array();
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].at("name"), "");
}

TEST_F(MessengerTest, APersonsReplyPastTheDayCarriesTheHumanAgentTag) {
  // The customer wrote two days ago (Meta delivers late payloads as they were sent): past the 24-hour window, within
  // the 7 days of HUMAN_AGENT. The backlog is stored but not answered by the bot.
  const int64_t two_days_ago = NowMs() - 2 * 24 * 3600 * 1000;
  ASSERT_EQ(PostPage(PageText("m_old", "Is my order ready?", two_days_ago)).status, 200);
  auto conversations = Api("GET", "/api/conversations").Json().at("data").as_array();
  ASSERT_EQ(conversations.size(), 1u);
  const std::string id = std::to_string(conversations[0].at("id").to_number<int64_t>());
  auto reply = Api("POST", "/api/conversations/" + id + "/messages", R"({"text": "Yes, come by any time."})");
  ASSERT_EQ(reply.status, 202) << reply.body;
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  const json::value body = graph_.sends().at(0).body;
  EXPECT_EQ(body.at("messaging_type"), "MESSAGE_TAG");
  EXPECT_EQ(body.at("tag"), "HUMAN_AGENT");
  EXPECT_EQ(body.at("message").at("text"), "Yes, come by any time.");
  // A reply longer than Messenger's 2,000 characters is refused before anything is queued.
  auto too_long = Api("POST", "/api/conversations/" + id + "/messages",
                      json::serialize(json::object{{"text", std::string(2001, 'a')}}));
  EXPECT_EQ(too_long.status, 400) << too_long.body;
}

TEST_F(MessengerTest, TheApiChecksThePageTokenWithMetaBeforeSavingTheChannel) {
  graph_.AddFacebookPage("user-token", "104623598744999", "EAAPage-lyon", "Crumb & Co Lyon");
  auto refused = Api("POST", "/api/social-accounts",
                     R"({"platform": "messenger", "account_id": "104623598744999", "access_token": "EAAPage-wrong"})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  auto added = Api("POST", "/api/social-accounts",
                   R"({"platform": "messenger", "account_id": "104623598744999", "access_token": "EAAPage-lyon"})");
  ASSERT_EQ(added.status, 201) << added.body;
  auto channel = added.Json().as_object();
  EXPECT_EQ(channel.at("platform"), "messenger");
  EXPECT_EQ(channel.at("username"), "Crumb & Co Lyon");
  EXPECT_FALSE(channel.at("public_id").as_string().empty());
  EXPECT_FALSE(channel.contains("waba_id"));
}

}  // namespace
}  // namespace parley::testing
