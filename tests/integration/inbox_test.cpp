// The shared inbox over real HTTP: filters, a person's reply through the same delivery path as the bot's,
// assignment rules, closing, the support queue, and another tenant's ids answering 404 on every inbox route.

#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kInstagramSecret = "ig-app-secret-inbox-tests";
constexpr const char* kInstagramAccount = "17841400000000077";
constexpr const char* kHandoff = "Let me pass you to a colleague.";

class InboxTest : public TenantFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeServer({
        {"INSTAGRAM_APP_SECRET", kInstagramSecret},
        {"PARLEY_BATCH_WINDOW_MS", "200"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "2000"},
    }));
    ASSERT_NO_FATAL_FAILURE(CreateTenants("Acme"));
    ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel("EAAG-inbox-token"));
    ASSERT_NO_FATAL_FAILURE(CreateUser("ana@acme.test", "agent-password-1", "agent", &ana_id_));
    parley_->Start();
    // The offline agent has no knowledge here: a question escalates with the hand-off message.
    ASSERT_EQ(Api("PUT", "/api/ai-settings", json::serialize(json::object{{"handoff_message", kHandoff}})).status, 200);
  }

  int64_t Customer(const std::string& from, const std::string& id, const std::string& text) {
    EXPECT_EQ(PostCustomerText(from, id, text).status, 200);
    return WaitForConversation(from);
  }

  std::string Path(int64_t conversation, const std::string& suffix = {}) {
    return "/api/conversations/" + std::to_string(conversation) + suffix;
  }

  int64_t ana_id_ = 0;
};

TEST_F(InboxTest, EscalationQueuesSupportAndAPersonsReplyGoesOutThroughTheSameDeliveryPath) {
  int64_t conversation = Customer("33611111111", "wamid.in.1", "Can I speak to a human please?");
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();

  auto support = Api("GET", "/api/support?status=open");
  ASSERT_EQ(support.status, 200) << support.body;
  auto items = support.Json().at("data").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("conversation_id").to_number<int64_t>(), conversation);
  EXPECT_EQ(items[0].at("reason"), "human_requested");
  EXPECT_EQ(Api("GET", Path(conversation)).Json().at("mode"), "human");

  auto reply = Api("POST", Path(conversation, "/messages"), R"({"text":"Hi, Ana here. How can I help?"})");
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(reply.Json().at("status"), "queued");
  ASSERT_TRUE(graph_.WaitForSends(2, 5s));
  auto sent = graph_.sends()[1];
  EXPECT_EQ(sent.body.at("to"), "33611111111");
  EXPECT_EQ(sent.body.at("text").at("body"), "Hi, Ana here. How can I help?");
  EXPECT_TRUE(Eventually(
      [&] {
        auto thread = Api("GET", Path(conversation, "/messages")).Json().at("data").as_array();
        return thread.size() == 3 && thread[2].at("status") == "sent" && thread[2].at("sent_by") == "person";
      },
      5s));

  // The customer answers the person: stored, and the bot stays silent.
  Customer("33611111111", "wamid.in.2", "I need to change my order");
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(graph_.sends().size(), 2u);

  std::string item = std::to_string(items[0].at("id").to_number<int64_t>());
  auto resolved = Api("POST", "/api/support/" + item + "/resolve", R"({"hand_back":true})");
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(resolved.Json().at("status"), "resolved");
  EXPECT_TRUE(resolved.Json().at("resolved_by").as_string().starts_with("api_key:"));
  EXPECT_EQ(Api("GET", Path(conversation)).Json().at("mode"), "bot");
  EXPECT_EQ(Api("POST", "/api/support/" + item + "/resolve").status, 409);
  EXPECT_TRUE(Api("GET", "/api/support?status=open").Json().at("data").as_array().empty());
  EXPECT_EQ(Api("GET", "/api/support?status=maybe").status, 400);
}

TEST_F(InboxTest, APersonsReplyLongerThanThePlatformAllowsIsRefusedBeforeItIsQueued) {
  ASSERT_EQ(parley_
                ->Cli({"channel", "add", "instagram", "--tenant", tenant_id_, "--account-id", kInstagramAccount,
                       "--access-token", "IGQ-inbox-token"})
                .exit_code,
            0);
  std::string body = payloads::InstagramText(kInstagramAccount, "990001", "aWdfZAG.in.1", "Can I speak to a human?");
  ASSERT_EQ(Call("POST", parley_->url("/api/instagram/webhook"), body,
                 {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kInstagramSecret, body)}})
                .status,
            200);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  auto list = Api("GET", "/api/conversations?q=990001").Json().at("data").as_array();
  ASSERT_EQ(list.size(), 1u);
  const int64_t conversation = list[0].at("id").to_number<int64_t>();

  // 1,001 characters, 2,002 bytes: Instagram counts characters, and allows 1,000.
  std::string too_long;
  for (int i = 0; i < 1001; ++i) too_long += "\xc3\xa9";
  auto refused = Api("POST", Path(conversation, "/messages"), json::serialize(json::object{{"text", too_long}}));
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.Json().at("error").at("message"),
            "messages on instagram are at most 1000 characters; this reply has 1001");
  auto thread = Api("GET", Path(conversation, "/messages")).Json().at("data").as_array();
  for (const auto& message : thread) EXPECT_NE(message.at("text"), json::value(too_long));

  too_long.resize(2000);  // 1,000 characters.
  auto accepted = Api("POST", Path(conversation, "/messages"), json::serialize(json::object{{"text", too_long}}));
  EXPECT_EQ(accepted.status, 202) << accepted.body;
  ASSERT_TRUE(graph_.WaitForSends(2, 5s));
}

TEST_F(InboxTest, AgentsTakeConversationsThemselvesAndAdminsAssignAnyone) {
  int64_t conversation = Customer("33622222222", "wamid.in.1", "Hello");
  std::string login = json::serialize(json::object{{"email", "ana@acme.test"}, {"password", "agent-password-1"}});
  auto session = Call("POST", parley_->url("/api/auth/login"), login, {{"Content-Type", "application/json"}});
  ASSERT_EQ(session.status, 200);
  std::string ana(session.Json().at("token").as_string());

  std::string to_ana = json::serialize(json::object{{"user_id", ana_id_}});
  EXPECT_EQ(Api("POST", Path(conversation, "/assign"), R"({"user_id":999999})", ana).status, 403);
  auto taken = Api("POST", Path(conversation, "/assign"), to_ana, ana);
  ASSERT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(taken.Json().at("assignee_id").to_number<int64_t>(), ana_id_);
  EXPECT_EQ(Api("GET", "/api/conversations?assignee=" + std::to_string(ana_id_)).Json().at("data").as_array().size(),
            1u);
  EXPECT_TRUE(Api("GET", "/api/conversations?assignee=none").Json().at("data").as_array().empty());
  EXPECT_EQ(Api("POST", Path(conversation, "/assign"), R"({"user_id":999999})").status, 404);
  EXPECT_EQ(Api("POST", Path(conversation, "/assign"), R"({"user_id":"ana"})").status, 400);
  auto dropped = Api("POST", Path(conversation, "/assign"), R"({"user_id":null})");
  ASSERT_EQ(dropped.status, 200);
  EXPECT_TRUE(dropped.Json().at("assignee_id").is_null());
}

TEST_F(InboxTest, FiltersNarrowTheListAndBadFiltersAreRefused) {
  int64_t first = Customer("33633333333", "wamid.a", "Do you sell gift cards?");
  int64_t second = Customer("33644444444", "wamid.b", "What time do you open?");
  auto ids = [&](const std::string& query) {
    std::vector<int64_t> out;
    json::value page = Api("GET", "/api/conversations" + query).Json();
    for (const auto& c : page.at("data").as_array()) out.push_back(c.at("id").to_number<int64_t>());
    return out;
  };
  // Messages are searchable once the background indexer has them, well under a second later.
  EXPECT_TRUE(Eventually([&] { return ids("?q=gift%20cards") == std::vector<int64_t>{first}; }, 5s));
  EXPECT_EQ(ids("?q=33644444444"), (std::vector<int64_t>{second}));
  EXPECT_EQ(ids("?status=closed").size(), 0u);
  EXPECT_EQ(ids("?since=2000-01-01&until=2100-01-01").size(), 2u);
  EXPECT_EQ(ids("?until=2000-01-01T00:00:00Z").size(), 0u);
  EXPECT_EQ(ids("?channel_id=999").size(), 0u);
  for (const char* bad : {"?status=archived", "?mode=robot", "?since=yesterday", "?assignee=me", "?channel_id=-1"}) {
    auto refused = Api("GET", std::string("/api/conversations") + bad);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_FALSE(refused.Json().at("error").at("message").as_string().empty());
  }
}

TEST_F(InboxTest, ClosingEndsTheConversationAndTheNextMessageOpensANewOne) {
  int64_t conversation = Customer("33655555555", "wamid.c1", "Hello");
  auto closed = Api("POST", Path(conversation, "/close"));
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.Json().at("status"), "closed");
  EXPECT_EQ(Api("POST", Path(conversation, "/messages"), R"({"text":"Still there?"})").status, 409);
  EXPECT_EQ(Api("GET", "/api/conversations?status=closed").Json().at("data").as_array().size(), 1u);

  Customer("33655555555", "wamid.c2", "Me again");
  auto open = Api("GET", "/api/conversations?status=open").Json().at("data").as_array();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_NE(open[0].at("id").to_number<int64_t>(), conversation);
}

TEST_F(InboxTest, AnotherTenantsConversationsAnswer404OnEveryInboxRoute) {
  int64_t conversation = Customer("33666666666", "wamid.i1", "Can I speak to a human please?");
  ASSERT_TRUE(graph_.WaitForSends(1, 5s));
  auto items = Api("GET", "/api/support").Json().at("data").as_array();
  ASSERT_EQ(items.size(), 1u);
  std::string item = std::to_string(items[0].at("id").to_number<int64_t>());

  struct Route {
    const char* method;
    std::string path;
    std::string body;
  };
  std::vector<Route> routes{
      {"GET", Path(conversation), ""},
      {"GET", Path(conversation, "/messages"), ""},
      {"POST", Path(conversation, "/messages"), R"({"text":"hijack"})"},
      {"POST", Path(conversation, "/assign"), R"({"user_id":null})"},
      {"PUT", Path(conversation, "/mode"), R"({"mode":"bot"})"},
      {"POST", Path(conversation, "/close"), ""},
      {"GET", Path(conversation, "/traces"), ""},
      {"POST", "/api/support/" + item + "/resolve", R"({"hand_back":true})"},
  };
  for (const auto& route : routes) {
    auto answer = Api(route.method, route.path, route.body, other_key_);
    EXPECT_EQ(answer.status, 404) << route.method << " " << route.path << ": " << answer.body;
  }
  EXPECT_TRUE(Api("GET", "/api/conversations", "", other_key_).Json().at("data").as_array().empty());
  EXPECT_TRUE(Api("GET", "/api/conversations?q=33666666666", "", other_key_).Json().at("data").as_array().empty());
  EXPECT_TRUE(Api("GET", "/api/support", "", other_key_).Json().at("data").as_array().empty());
  // Nothing changed for the owner.
  EXPECT_EQ(graph_.sends().size(), 1u);
  auto mine = Api("GET", Path(conversation)).Json();
  EXPECT_EQ(mine.at("status"), "open");
  EXPECT_EQ(mine.at("mode"), "human");
}

}  // namespace
}  // namespace parley::testing
