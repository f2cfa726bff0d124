// The core loop end to end: the real binary on loopback, signed webhooks in, the fake Graph API out.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <ctime>
#include <set>
#include <thread>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using payloads::NowSeconds;

constexpr const char* kWhatsAppSecret = "wa-app-secret-for-tests";
constexpr const char* kInstagramSecret = "ig-app-secret-for-tests";
constexpr const char* kPhoneNumberId = "106540352242922";
constexpr const char* kInstagramAccount = "17841405822304914";
constexpr const char* kAutoReply = "Thanks! We are away right now and will answer soon.";

std::string WhatsAppStatus(const std::string& message_id, const std::string& status, int error_code = 0) {
  json::object s{{"id", message_id},
                 {"status", status},
                 {"timestamp", std::to_string(NowSeconds())},
                 {"recipient_id", "16505551234"}};
  if (error_code != 0) {
    s["errors"] = json::array{{{"code", error_code},
                               {"title", "Message undeliverable"},
                               {"message", "Message undeliverable"},
                               {"error_data", {{"details", "Message could not be delivered"}}}}};
  }
  json::object value{{"messaging_product", "whatsapp"},
                     {"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", kPhoneNumberId}}},
                     {"statuses", json::array{std::move(s)}}};
  return json::serialize(json::object{
      {"object", "whatsapp_business_account"},
      {"entry", json::array{{{"id", "102290129340398"},
                             {"changes", json::array{{{"value", std::move(value)}, {"field", "messages"}}}}}}}});
}

std::string WhatsAppText(const std::string& from, const std::string& id, const std::string& text,
                         int64_t timestamp = NowSeconds(), const std::string& phone_number_id = kPhoneNumberId) {
  return payloads::WhatsAppText(phone_number_id, from, id, text, timestamp);
}

std::string InstagramText(const std::string& from, const std::string& mid, const std::string& text) {
  return payloads::InstagramText(kInstagramAccount, from, mid, text);
}

class CoreLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"WHATSAPP_APP_SECRET", kWhatsAppSecret},
        {"WHATSAPP_VERIFY_TOKEN", "wa-verify-token"},
        {"INSTAGRAM_APP_SECRET", kInstagramSecret},
        {"INSTAGRAM_VERIFY_TOKEN", "ig-verify-token"},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"PARLEY_BATCH_WINDOW_MS", "400"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "4000"},
        {"PARLEY_SEND_RETRY_BASE_MS", "200"},
        {"PARLEY_SEND_RETRY_MAX_MS", "800"},
        {"PARLEY_AUTO_REPLY_TEXT", kAutoReply},
        // These tests are about the loop itself; the agent has its own (agent_loop_test.cpp).
        {"PARLEY_RESPONDER", "away_message"},
    });
    const CreatedTenant tenant = CreateTenant(*parley_, "Acme Bakery");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = tenant.id;
    api_key_ = tenant.api_key;
    auto wa = parley_->Cli({"channel", "add", "whatsapp", "--tenant", tenant_id_, "--phone-number-id", kPhoneNumberId,
                            "--access-token", "EAAG-whatsapp-token"});
    ASSERT_EQ(wa.exit_code, 0) << wa.out;
    auto ig = parley_->Cli({"channel", "add", "instagram", "--tenant", tenant_id_, "--account-id", kInstagramAccount,
                            "--access-token", "IGQ-instagram-token"});
    ASSERT_EQ(ig.exit_code, 0) << ig.out;
    parley_->Start();
  }

  HttpResult PostWhatsApp(const std::string& body) {
    return Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kWhatsAppSecret, body)}});
  }
  HttpResult PostInstagram(const std::string& body) {
    return Call("POST", parley_->url("/api/instagram/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kInstagramSecret, body)}});
  }
  HttpResult Get(const std::string& path, const std::string& key) {
    return Call("GET", parley_->url(path), {}, {{"Authorization", "Bearer " + key}});
  }
  json::array Conversations() {
    auto r = Get("/api/conversations", api_key_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().at("data").as_array();
  }
  json::array Messages(int64_t conversation_id) {
    auto r = Get("/api/conversations/" + std::to_string(conversation_id) + "/messages?limit=500", api_key_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().at("data").as_array();
  }
  // The value of one series in /metrics, or -1 when it is absent.
  double MetricValue(const std::string& series) {
    auto body = Call("GET", parley_->url("/metrics")).body;
    auto at = body.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(body.substr(at + series.size() + 2));
  }
  size_t TotalMessages() {
    size_t n = 0;
    for (const auto& c : Conversations()) n += Messages(c.at("id").to_number<int64_t>()).size();
    return n;
  }

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string tenant_id_;
  std::string api_key_;
};

TEST_F(CoreLoopTest, BurstOfThreeGetsOneReplyAfterTheWindow) {
  for (int i = 1; i <= 3; ++i) {
    auto r = PostWhatsApp(WhatsAppText("16505551234", "wamid.burst" + std::to_string(i), "part " + std::to_string(i)));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  std::this_thread::sleep_for(1200ms);  // three windows: a second reply would have gone out by now
  auto sends = graph_.sends();
  ASSERT_EQ(sends.size(), 1u);
  const auto& send = sends[0].body.as_object();
  EXPECT_EQ(sends[0].path, std::string("/") + kPhoneNumberId + "/messages");
  EXPECT_EQ(sends[0].authorization, "Bearer EAAG-whatsapp-token");
  EXPECT_EQ(send.at("messaging_product"), "whatsapp");
  EXPECT_EQ(send.at("to"), "16505551234");
  EXPECT_EQ(send.at("type"), "text");
  EXPECT_EQ(send.at("text").at("body"), kAutoReply);

  // Read receipt with typing indicator for the newest message, before the reply.
  auto all = graph_.requests();
  ASSERT_GE(all.size(), 2u);
  const auto& read = all[0].body.as_object();
  EXPECT_EQ(read.at("status"), "read");
  EXPECT_EQ(read.at("message_id"), "wamid.burst3");
  EXPECT_EQ(read.at("typing_indicator").at("type"), "text");

  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].at("platform"), "whatsapp");
  EXPECT_EQ(conversations[0].at("contact").at("platform_id"), "16505551234");
  EXPECT_EQ(conversations[0].at("contact").at("name"), "Sheena Nelson");
  ASSERT_TRUE(Eventually(
      [&] {
        auto m = Messages(conversations[0].at("id").to_number<int64_t>());
        return m.size() == 4 && m[3].at("status") == "sent";
      },
      3s));
  auto messages = Messages(conversations[0].at("id").to_number<int64_t>());
  EXPECT_EQ(messages[0].at("text"), "part 1");
  EXPECT_EQ(messages[0].at("direction"), "in");
  EXPECT_EQ(messages[0].at("type"), "text");
  EXPECT_EQ(messages[2].at("platform_message_id"), "wamid.burst3");
  EXPECT_EQ(messages[3].at("direction"), "out");
  EXPECT_EQ(messages[3].at("text"), kAutoReply);
  EXPECT_TRUE(messages[3].at("platform_message_id").as_string().starts_with("wamid.FAKE"));
}

TEST_F(CoreLoopTest, StatusUpdatesMoveTheReplyForwardAndRecordFailures) {
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505550001", "wamid.s1", "hello")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  auto conversation_id = Conversations()[0].at("id").to_number<int64_t>();
  std::string reply_id;
  ASSERT_TRUE(Eventually(
      [&] {
        auto m = Messages(conversation_id);
        if (m.size() != 2 || !m[1].at("platform_message_id").is_string()) return false;
        reply_id = std::string(m[1].at("platform_message_id").as_string());
        return true;
      },
      3s));
  ASSERT_EQ(PostWhatsApp(WhatsAppStatus(reply_id, "delivered")).status, 200);
  EXPECT_EQ(Messages(conversation_id)[1].at("status"), "delivered");
  ASSERT_EQ(PostWhatsApp(WhatsAppStatus(reply_id, "read")).status, 200);
  EXPECT_EQ(Messages(conversation_id)[1].at("status"), "read");
  // A late "delivered" never moves a read message back.
  ASSERT_EQ(PostWhatsApp(WhatsAppStatus(reply_id, "delivered")).status, 200);
  EXPECT_EQ(Messages(conversation_id)[1].at("status"), "read");

  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505550002", "wamid.s2", "hi")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(2, 5s));
  int64_t second = 0;
  std::string second_reply;
  ASSERT_TRUE(Eventually(
      [&] {
        for (const auto& c : Conversations()) {
          if (c.at("contact").at("platform_id") != "16505550002") continue;
          second = c.at("id").to_number<int64_t>();
          auto m = Messages(second);
          if (m.size() == 2 && m[1].at("platform_message_id").is_string()) {
            second_reply = std::string(m[1].at("platform_message_id").as_string());
            return true;
          }
        }
        return false;
      },
      3s));
  ASSERT_EQ(PostWhatsApp(WhatsAppStatus(second_reply, "failed", 131026)).status, 200);
  auto failed = Messages(second)[1];
  EXPECT_EQ(failed.at("status"), "failed");
  EXPECT_EQ(failed.at("error").at("code"), 131026);
}

TEST_F(CoreLoopTest, RetriedPayloadIsStoredOnce) {
  auto body = WhatsAppText("16505551234", "wamid.retry1", "are you open?");
  ASSERT_EQ(PostWhatsApp(body).status, 200);
  auto again = PostWhatsApp(body);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.Json().at("duplicates"), 1);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s));
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(graph_.sends().size(), 1u);
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  auto messages = Messages(conversations[0].at("id").to_number<int64_t>());
  size_t inbound = 0;
  for (const auto& m : messages) inbound += m.at("direction") == "in";
  EXPECT_EQ(inbound, 1u);
}

TEST_F(CoreLoopTest, BadInputIsRejectedWithAReasonAndStoresNothing) {
  auto body = WhatsAppText("16505551234", "wamid.bad1", "hello");
  auto unsigned_post =
      Call("POST", parley_->url("/api/whatsapp/webhook"), body, {{"Content-Type", "application/json"}});
  EXPECT_EQ(unsigned_post.status, 401);
  EXPECT_NE(unsigned_post.body.find("X-Hub-Signature-256"), std::string::npos);
  auto wrong = Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                    {{"X-Hub-Signature-256", Sign("not-the-secret", body)}});
  EXPECT_EQ(wrong.status, 401);
  // Signed with the Instagram secret on the WhatsApp route.
  auto crossed = Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                      {{"X-Hub-Signature-256", Sign(kInstagramSecret, body)}});
  EXPECT_EQ(crossed.status, 401);

  std::string oversize = WhatsAppText("16505551234", "wamid.big", std::string(2 << 20, 'a'));
  EXPECT_EQ(PostWhatsApp(oversize).status, 413);

  auto malformed = PostWhatsApp("{\"object\": \"whatsapp_business_account\", \"entry\": [");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("message"), std::string::npos);

  auto wrong_type = PostWhatsApp(R"({"object":"whatsapp_business_account","entry":{"id":"1"}})");
  EXPECT_EQ(wrong_type.status, 400);

  std::string deep = std::string(200, '[') + std::string(200, ']');
  EXPECT_EQ(PostWhatsApp(deep).status, 400);

  EXPECT_TRUE(Conversations().empty());
  std::this_thread::sleep_for(600ms);
  EXPECT_TRUE(graph_.requests().empty());
}

TEST_F(CoreLoopTest, UnknownAccountIsAcknowledgedAndCounted) {
  auto r = PostWhatsApp(WhatsAppText("16505551234", "wamid.unknown1", "hello", NowSeconds(), "999999999"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Conversations().empty());
  auto metrics = Call("GET", parley_->url("/metrics"));
  EXPECT_NE(metrics.body.find("parley_webhook_unknown_account_total{platform=\"whatsapp\"} 1"), std::string::npos)
      << metrics.body;
}

TEST_F(CoreLoopTest, VerificationHandshake) {
  auto ok = Call(
      "GET", parley_->url(
                 "/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=wa-verify-token&hub.challenge=1158201444"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  auto wrong =
      Call("GET", parley_->url("/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1"));
  EXPECT_EQ(wrong.status, 403);
  auto ig = Call(
      "GET",
      parley_->url("/api/instagram/webhook?hub.mode=subscribe&hub.verify_token=ig-verify-token&hub.challenge=abc"));
  EXPECT_EQ(ig.status, 200);
  EXPECT_EQ(ig.body, "abc");
}

TEST_F(CoreLoopTest, InstagramMessageIsSeenTypedAndAnswered) {
  // Meta's User Profile API for an IGSID; the name may be null there, the username is set.
  graph_.AddProfile("IGQ-instagram-token", "1254459154682919",
                    {{"name", "Peter Chang"}, {"username", "peter_chang_live"}, {"profile_pic", nullptr}});
  ASSERT_EQ(PostInstagram(InstagramText("1254459154682919", "aWdfZAG1faWQ1", "Do you ship to Lyon?")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  auto all = graph_.requests();
  // The customer's profile is asked for (a GET) beside these, in no set order.
  std::erase_if(all, [](const RecordedRequest& r) { return r.method != "POST"; });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].body.at("sender_action"), "mark_seen");
  EXPECT_EQ(all[1].body.at("sender_action"), "typing_on");
  EXPECT_EQ(all[2].path, std::string("/") + kInstagramAccount + "/messages");
  EXPECT_EQ(all[2].body.at("recipient").at("id"), "1254459154682919");
  EXPECT_EQ(all[2].body.at("message").at("text"), kAutoReply);
  EXPECT_EQ(all[2].authorization, "Bearer IGQ-instagram-token");
  // The webhook named nobody: the profile did, asked for Instagram's fields.
  ASSERT_TRUE(Eventually(
      [&] {
        auto conversations = Conversations();
        return conversations.size() == 1 && conversations[0].at("contact").at("name") == "Peter Chang";
      },
      5s))
      << parley_->logs();
  size_t lookups = 0;
  for (const auto& r : graph_.requests()) {
    lookups += r.method == "GET" && r.path == "/1254459154682919?fields=name%2Cusername%2Cprofile_pic";
  }
  EXPECT_EQ(lookups, 1u);
}

TEST_F(CoreLoopTest, LatestWinsWhileAReplyIsBeingProduced) {
  // The read receipt takes long enough for a second message to arrive while the first reply is in the making.
  graph_.set_indicator_delay(800ms);
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505557777", "wamid.lw1", "first")).status, 200);
  ASSERT_TRUE(Eventually([&] { return !graph_.requests().empty(); }, 3s));
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505557777", "wamid.lw2", "second")).status, 200);
  graph_.set_indicator_delay(0ms);
  ASSERT_TRUE(graph_.WaitForSends(1, 6s)) << parley_->logs();
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(graph_.sends().size(), 1u) << parley_->logs();
  auto messages = Messages(Conversations()[0].at("id").to_number<int64_t>());
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[2].at("direction"), "out");
}

TEST_F(CoreLoopTest, MessagesOlderThanTheCutoffAreStoredButNotAnswered) {
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505553333", "wamid.old1", "from yesterday", NowSeconds() - 2 * 3600)).status,
            200);
  std::this_thread::sleep_for(1000ms);
  EXPECT_TRUE(graph_.requests().empty());
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(Messages(conversations[0].at("id").to_number<int64_t>()).size(), 1u);
}

TEST_F(CoreLoopTest, ReactionsNoticesAndCommentsAreStoredButNotAnswered) {
  const std::string now = std::to_string(NowSeconds());
  auto wa = [&](const std::string& message) {
    return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{)"
           R"("messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":")" +
           std::string(kPhoneNumberId) + R"("},"contacts":[{"profile":{"name":"Ana"},"wa_id":"16505556666"}],)" +
           R"("messages":[)" + message + "]}}]}]}";
  };
  ASSERT_EQ(PostWhatsApp(wa(R"({"from":"16505556666","id":"wamid.r1","timestamp":")" + now +
                            R"(","type":"reaction","reaction":{"message_id":"wamid.x","emoji":"\ud83d\udc4d"}})"))
                .status,
            200);
  ASSERT_EQ(
      PostWhatsApp(wa(R"({"from":"16505556666","id":"wamid.sys1","timestamp":")" + now +
                      R"(","type":"system","system":{"body":"Ana changed her number","type":"user_changed_number"}})"))
          .status,
      200);
  const std::string comment =
      R"({"object":"instagram","entry":[{"id":")" + std::string(kInstagramAccount) + R"(","time":)" + now +
      R"(,"changes":[{"field":"comments","value":{"id":"17865799348089039","from":{"id":"1284628956217892",)"
      R"("username":"sheena.nelson"},"text":"How much is shipping?","media":{"id":"17887498072083520"}}}]}]})";
  ASSERT_EQ(PostInstagram(comment).status, 200);
  std::this_thread::sleep_for(1200ms);
  EXPECT_TRUE(graph_.requests().empty()) << parley_->logs();
  size_t stored = 0;
  std::set<std::string> types;
  for (const auto& c : Conversations()) {
    for (const auto& m : Messages(c.at("id").to_number<int64_t>())) {
      ++stored;
      types.insert(std::string(m.at("type").as_string()));
    }
  }
  EXPECT_EQ(stored, 3u);
  EXPECT_EQ(types, (std::set<std::string>{"reaction", "unsupported", "comment"}));
}

TEST_F(CoreLoopTest, ReadApiIsScopedToTheKeysTenant) {
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505551234", "wamid.iso1", "hello")).status, 200);
  auto conversation_id = Conversations()[0].at("id").to_number<int64_t>();
  const std::string other_key = CreateTenant(*parley_, "Other").api_key;
  auto list = Get("/api/conversations", other_key);
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(list.Json().at("data").as_array().empty());
  EXPECT_EQ(Get("/api/conversations/" + std::to_string(conversation_id) + "/messages", other_key).status, 404);
  EXPECT_EQ(Get("/api/conversations", "pk_wrong").status, 401);
  EXPECT_EQ(Call("GET", parley_->url("/api/conversations")).status, 401);
}

TEST_F(CoreLoopTest, PaginatesWithCursors) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(
        PostWhatsApp(WhatsAppText("1650555000" + std::to_string(i), "wamid.page" + std::to_string(i), "hi")).status,
        200);
  }
  std::vector<int64_t> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = Get("/api/conversations?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), api_key_);
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = r.Json();
    for (const auto& c : body.at("data").as_array()) seen.push_back(c.at("id").to_number<int64_t>());
    if (body.at("next_cursor").is_null()) break;
    cursor = std::string(body.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 5u);
  EXPECT_EQ(Get("/api/conversations?limit=0", api_key_).status, 400);
  EXPECT_EQ(Get("/api/conversations?cursor=bm90LWEtY3Vyc29y", api_key_).status, 400);
  EXPECT_EQ(Get("/api/conversations?cursor=***", api_key_).status, 400);
}

TEST_F(CoreLoopTest, HealthAndMetrics) {
  auto health = Call("GET", parley_->url("/health"));
  EXPECT_EQ(health.status, 200);
  auto detailed = Call("GET", parley_->url("/api/health"));
  ASSERT_EQ(detailed.status, 200);
  auto body = detailed.Json();
  EXPECT_EQ(body.at("status"), "ok");
  EXPECT_EQ(body.at("store").at("backend"), "sqlite");
  EXPECT_TRUE(body.at("pipeline").as_object().contains("conversations_processed"));
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505551234", "wamid.m1", "hello")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 5s));
  ASSERT_TRUE(Eventually(
      [&] {
        auto m = Call("GET", parley_->url("/metrics")).body;
        return m.find("parley_sends_total{platform=\"whatsapp\",outcome=\"ok\"} 1") != std::string::npos;
      },
      3s));
  auto metrics = Call("GET", parley_->url("/metrics")).body;
  EXPECT_NE(metrics.find("parley_webhooks_received_total{platform=\"whatsapp\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("parley_messages_stored_total{platform=\"whatsapp\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("parley_conversations_processed_total{platform=\"whatsapp\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("parley_processing_seconds_count{platform=\"whatsapp\"} 1"), std::string::npos);
  // Secrets never reach the logs.
  auto logs = parley_->logs();
  EXPECT_EQ(logs.find("EAAG-whatsapp-token"), std::string::npos);
  EXPECT_EQ(logs.find(kWhatsAppSecret), std::string::npos);
}

TEST_F(CoreLoopTest, ServerErrorsAreRetriedUntilTheSendGoesThrough) {
  graph_.FailNextSends(5, 500);
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505559999", "wamid.f1", "hello")).status, 200);
  ASSERT_TRUE(Eventually([&] { return Conversations().size() == 1; }, 3s));
  const int64_t conversation_id = Conversations()[0].at("id").to_number<int64_t>();
  ASSERT_TRUE(Eventually(
      [&] {
        auto m = Messages(conversation_id);
        return m.size() == 2 && m[1].at("status") == "sent";
      },
      10s))
      << parley_->logs();
  // Three attempts by the HTTP client, then the reply waits in the outbox and two more fail before one goes through.
  EXPECT_EQ(graph_.sends().size(), 6u);
}

TEST_F(CoreLoopTest, APermanentSendErrorFailsAtOnceWithTheReasonAndOpensASupportItem) {
  graph_.FailNextSends(1, 400);  // Meta's 131000 without is_transient: sending again would fail again.
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505559999", "wamid.p1", "hello")).status, 200);
  ASSERT_TRUE(Eventually([&] { return Conversations().size() == 1; }, 3s));
  const int64_t conversation_id = Conversations()[0].at("id").to_number<int64_t>();
  ASSERT_TRUE(Eventually(
      [&] {
        auto m = Messages(conversation_id);
        return m.size() == 2 && m[1].at("status") == "failed";
      },
      5s))
      << parley_->logs();
  EXPECT_EQ(Messages(conversation_id)[1].at("error").at("code"), 131000);
  EXPECT_EQ(graph_.sends().size(), 1u);
  auto items = Get("/api/support?status=open", api_key_);
  ASSERT_EQ(items.status, 200) << items.body;
  auto data = items.Json().at("data").as_array();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].at("conversation_id").to_number<int64_t>(), conversation_id);
  EXPECT_EQ(data[0].at("reason"), "send_failed");
}

// Meta answers 503 with is_transient for a while, as during an outage: nobody's reply is given up, and once Meta
// is back every customer is answered exactly once.
TEST_F(CoreLoopTest, APlatformDownForAWhileAnswersEveryCustomerOnceItRecovers) {
  constexpr int kCustomers = 5;
  graph_.FailSendsFor(3s);
  const auto recovers_at = std::chrono::steady_clock::now() + 3s;
  for (int c = 0; c < kCustomers; ++c) {
    auto r = PostWhatsApp(WhatsAppText("3361300" + std::to_string(1000 + c), "wamid.o" + std::to_string(c), "hi"));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Sends received once the fake is back up are the ones that went through (a send is recorded before it is
  // counted as failed, so counting the two while sends are in flight would race).
  auto answered_after_recovery = [&] {
    std::set<std::string> recipients;
    for (const auto& s : graph_.sends()) {
      if (s.received_at >= recovers_at) recipients.insert(std::string(s.body.at("to").as_string()));
    }
    return recipients.size();
  };
  ASSERT_TRUE(Eventually([&] { return answered_after_recovery() >= static_cast<size_t>(kCustomers); }, 15s))
      << parley_->logs();
  std::this_thread::sleep_for(1000ms);  // Nothing more goes out.
  const int failed = graph_.failed_sends();
  EXPECT_EQ(static_cast<int>(graph_.sends().size()) - failed, kCustomers);
  EXPECT_EQ(answered_after_recovery(), static_cast<size_t>(kCustomers));
  EXPECT_GT(graph_.failed_sends(), kCustomers * 3);  // Each was tried, kept, and tried again.
  for (const auto& c : Conversations()) {
    auto m = Messages(c.at("id").to_number<int64_t>());
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[1].at("status"), "sent");
  }
}

// Replies waiting for a retry when the process died: restarted twice over on the same database (a quick restart
// beside a second process), each reply is still sent exactly once.
TEST_F(CoreLoopTest, TwoProcessesRecoveringTheSameOutboxSendEachReplyOnce) {
  constexpr int kCustomers = 3;
  parley_->Terminate();
  parley_->env()["PARLEY_SEND_RETRY_BASE_MS"] = "4000";
  parley_->env()["PARLEY_SEND_RETRY_MAX_MS"] = "4000";
  parley_->Start();
  graph_.FailSendsFor(60s);
  for (int c = 0; c < kCustomers; ++c) {
    auto r = PostWhatsApp(WhatsAppText("3361400" + std::to_string(1000 + c), "wamid.r" + std::to_string(c), "hi"));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Every reply has been tried (three times by the HTTP client) and its deferral is stored: a kill during a send
  // would leave that reply leased, and the new processes would rightly wait the lease out.
  ASSERT_TRUE(Eventually(
      [&] {
        auto conversations = Conversations();
        if (conversations.size() != static_cast<size_t>(kCustomers)) return false;
        for (const auto& c : conversations) {
          auto thread = Messages(c.at("id").to_number<int64_t>());
          if (thread.size() < 2 || thread[1].at("error").is_null()) return false;
        }
        return true;
      },
      10s))
      << parley_->logs();
  EXPECT_GE(graph_.failed_sends(), kCustomers * 3);
  parley_->Kill9();
  graph_.FailSendsFor(0ms);
  // Only what the two new processes send counts: a request of the killed one may still be finishing in the fake.
  const auto restarted_at = std::chrono::steady_clock::now();
  auto sends_since_restart = [&] {
    std::vector<std::string> recipients;
    for (const auto& s : graph_.sends()) {
      if (s.received_at >= restarted_at) recipients.emplace_back(s.body.at("to").as_string());
    }
    return recipients;
  };
  ParleyProcess second(parley_->env());
  second.env()["PARLEY_DATA_DIR"] = parley_->data_dir();
  parley_->Start();
  second.Start();
  ASSERT_TRUE(Eventually([&] { return sends_since_restart().size() >= static_cast<size_t>(kCustomers); }, 15s))
      << parley_->logs();
  std::this_thread::sleep_for(1500ms);  // Long enough for a second copy to go out, were there one.
  const std::vector<std::string> sent = sends_since_restart();
  EXPECT_EQ(sent.size(), static_cast<size_t>(kCustomers)) << parley_->logs() << second.logs();
  EXPECT_EQ(std::set<std::string>(sent.begin(), sent.end()).size(), static_cast<size_t>(kCustomers));
}

TEST_F(CoreLoopTest, SigtermExitsCleanly) {
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505551234", "wamid.t1", "hello")).status, 200);
  EXPECT_EQ(parley_->Terminate(), 0) << parley_->logs();
}

TEST_F(CoreLoopTest, SigtermFinishesTheBatchInFlight) {
  graph_.set_indicator_delay(600ms);
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505552222", "wamid.g1", "hello")).status, 200);
  ASSERT_TRUE(Eventually([&] { return !graph_.requests().empty(); }, 3s));  // the reply is being produced
  EXPECT_EQ(parley_->Terminate(), 0);
  EXPECT_EQ(graph_.sends().size(), 1u);
}

TEST_F(CoreLoopTest, ProcessingTimeoutReleasesTheClaimAndRetries) {
  parley_->Terminate();
  parley_->env()["PARLEY_PROCESSING_TIMEOUT_MS"] = "300";
  parley_->Start();
  graph_.set_indicator_delay(700ms);  // longer than the timeout: the first attempt is abandoned
  ASSERT_EQ(PostWhatsApp(WhatsAppText("16505554444", "wamid.to1", "hello")).status, 200);
  ASSERT_TRUE(
      Eventually([&] { return MetricValue("parley_conversations_timed_out_total{platform=\"whatsapp\"}") >= 1; }, 5s))
      << parley_->logs();
  graph_.set_indicator_delay(0ms);
  // The retry answers; the abandoned attempt's late result is not sent.
  ASSERT_TRUE(graph_.WaitForSends(1, 5s)) << parley_->logs();
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(graph_.sends().size(), 1u);
  auto messages = Messages(Conversations()[0].at("id").to_number<int64_t>());
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].at("direction"), "out");
}

TEST_F(CoreLoopTest, KillNineLosesNothingAndAnswersEachPendingConversationOnce) {
  parley_->Terminate();
  parley_->env()["PARLEY_BATCH_WINDOW_MS"] = "1500";
  parley_->Start();
  constexpr int kConversations = 20;
  constexpr int kPerConversation = 3;
  for (int m = 0; m < kPerConversation; ++m) {
    for (int c = 0; c < kConversations; ++c) {
      auto r = PostWhatsApp(WhatsAppText("3361200" + std::to_string(1000 + c),
                                         "wamid.k" + std::to_string(c) + "_" + std::to_string(m), "msg"));
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  parley_->Kill9();
  EXPECT_TRUE(graph_.sends().empty());
  parley_->env()["PARLEY_BATCH_WINDOW_MS"] = "200";
  parley_->Start();
  ASSERT_TRUE(graph_.WaitForSends(kConversations, 10s)) << parley_->logs();
  std::this_thread::sleep_for(1000ms);
  EXPECT_EQ(graph_.sends().size(), static_cast<size_t>(kConversations));
  std::set<std::string> recipients;
  for (const auto& s : graph_.sends()) recipients.insert(std::string(s.body.at("to").as_string()));
  EXPECT_EQ(recipients.size(), static_cast<size_t>(kConversations));
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), static_cast<size_t>(kConversations));
  ASSERT_TRUE(Eventually([&] { return TotalMessages() == kConversations * (kPerConversation + 1); }, 5s));
}

}  // namespace
}  // namespace parley::testing
