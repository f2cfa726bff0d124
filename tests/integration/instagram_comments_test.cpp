// Instagram comments end to end: signed comments webhooks into the real binary, answered offline from an ingested
// document under the assistant's comment_replies setting, and moderated from the inbox, against the fake Graph API.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/sse_client.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kInstagramSecret = "ig-app-secret-comments-tests";
constexpr const char* kAccount = "17841405822300077";
constexpr const char* kMedia = "17887498072083520";
constexpr const char* kCommenter = "1284628956217892";

constexpr const char* kGuide = R"(# Opening hours
We are open Monday to Friday from 8:00 to 19:00. On Sunday we open from 10:00 to 14:00.

# Delivery
We deliver within 5 km of the shop for 3 euros. Orders above 30 euros are delivered free of charge.
)";

// One `comments` change per comment id, each in an entry of its own, as Meta sends a comment on an ad twice.
std::string Comments(const std::vector<std::string>& ids, const std::string& text) {
  json::array entries;
  for (const std::string& id : ids) {
    json::object value{{"from", {{"id", kCommenter}, {"username", "sheena.nelson"}}},
                       {"media", {{"id", kMedia}, {"media_product_type", "FEED"}}},
                       {"id", id},
                       {"text", text}};
    entries.push_back({{"id", kAccount},
                       {"time", payloads::NowSeconds()},
                       {"changes", json::array{{{"field", "comments"}, {"value", std::move(value)}}}}});
  }
  return json::serialize(json::object{{"object", "instagram"}, {"entry", std::move(entries)}});
}

class InstagramCommentsTest : public ::testing::Test {
 protected:
  void Boot(const std::string& comment_replies) {
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"INSTAGRAM_APP_SECRET", kInstagramSecret},
        {"INSTAGRAM_VERIFY_TOKEN", "ig-verify"},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"PARLEY_BATCH_WINDOW_MS", "200"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "2000"},
    });
    const CreatedTenant tenant = CreateTenant(*parley_, "Crumb & Co");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = tenant.id;
    api_key_ = tenant.api_key;
    ASSERT_EQ(parley_
                  ->Cli({"channel", "add", "instagram", "--tenant", tenant_id_, "--account-id", kAccount,
                         "--access-token", "IGQ-comments-token"})
                  .exit_code,
              0);
    const std::string path = parley_->data_dir() + "/guide.md";
    std::ofstream(path) << kGuide;
    ASSERT_EQ(parley_->Cli({"kb", "add", "--tenant", tenant_id_, path}).exit_code, 0);
    parley_->Start();
    auto set = Api("PUT", "/api/ai-settings", R"({"comment_replies":")" + comment_replies + R"("})");
    ASSERT_EQ(set.status, 200) << set.body;
  }

  HttpResult PostInstagram(const std::string& body) {
    return Call("POST", parley_->url("/api/instagram/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kInstagramSecret, body)}});
  }
  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {}) {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}});
  }
  json::array Conversations() { return Api("GET", "/api/conversations").Json().at("data").as_array(); }
  json::array Messages(int64_t conversation_id) {
    return Api("GET", "/api/conversations/" + std::to_string(conversation_id) + "/messages")
        .Json()
        .at("data")
        .as_array();
  }
  // The requests Parley made to the fake whose path ends with `suffix`.
  std::vector<RecordedRequest> RequestsTo(const std::string& suffix) {
    std::vector<RecordedRequest> out;
    for (auto& r : graph_.requests()) {
      if (r.path.ends_with(suffix)) out.push_back(r);
    }
    return out;
  }

  // Meta echoes a private reply into the commenter's direct conversation, with the message_id its Send API answered
  // (with `echo_first`, before that answer reaches Parley). Parley knows its own reply: the direct conversation, if
  // the commenter has one (`wrote_privately`), stays with the bot, and the reply shows once, as sent.
  void EchoPrivateReply(bool wrote_privately, bool echo_first) {
    const std::string sent_to = std::string("/") + kAccount + "/messages";
    auto replies_to_commenter = [&] {
      size_t n = 0;
      for (const auto& r : RequestsTo(sent_to)) {
        n += r.body.as_object().contains("message") && r.body.at("recipient").as_object().contains("id") ? 1 : 0;
      }
      return n;
    };
    if (wrote_privately) {
      ASSERT_EQ(PostInstagram(payloads::InstagramText(kAccount, kCommenter, "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE",
                                                      "Do you deliver?"))
                    .status,
                200);
      ASSERT_TRUE(Eventually([&] { return replies_to_commenter() == 1; }, 10s)) << parley_->logs();
    }
    graph_.AddComment("17865799348089070", kCommenter);
    ASSERT_EQ(PostInstagram(Comments({"17865799348089070"}, "What time do you open on Sunday?")).status, 200);
    auto comment_thread = [&] {
      for (const auto& c : Conversations()) {
        if (!c.at("comment_on").is_null()) return c;
      }
      return json::value();
    };
    auto comment_messages = [&] { return Messages(comment_thread().at("id").to_number<int64_t>()); };
    std::string mid;
    std::string text;
    if (echo_first) {
      ASSERT_TRUE(Eventually([&] { return graph_.comment("17865799348089070")->private_replies == 1; }, 10s))
          << parley_->logs();
      mid = graph_.comment("17865799348089070")->private_reply_id;
      text = std::string(RequestsTo(sent_to).back().body.at("message").at("text").as_string());
    } else {
      ASSERT_TRUE(Eventually(
          [&] {
            auto thread = comment_thread();
            if (!thread.is_object()) return false;
            auto messages = comment_messages();
            return messages.size() == 2 && messages[1].at("status") == "sent";
          },
          10s))
          << parley_->logs();
      mid = std::string(comment_messages()[1].at("platform_message_id").as_string());
      text = std::string(comment_messages()[1].at("text").as_string());
    }
    ASSERT_TRUE(mid.starts_with("mid.")) << mid;
    auto echoed = PostInstagram(payloads::InstagramEcho(kAccount, kCommenter, mid, text));
    ASSERT_EQ(echoed.status, 200) << echoed.body;

    // The bot still answers the commenter in private: nobody took the conversation over.
    ASSERT_EQ(PostInstagram(payloads::InstagramText(kAccount, kCommenter, "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjI",
                                                    "Is delivery free above 30 euros?"))
                  .status,
              200);
    ASSERT_TRUE(Eventually([&] { return replies_to_commenter() == (wrote_privately ? 2u : 1u); }, 10s))
        << parley_->logs();
    ASSERT_TRUE(Eventually([&] { return comment_messages().at(1).at("status") == "sent"; }, 10s)) << parley_->logs();
    auto conversations = Conversations();
    ASSERT_EQ(conversations.size(), 2u);
    for (const auto& c : conversations) {
      EXPECT_EQ(c.at("mode"), "bot") << json::serialize(c);
      if (!c.at("comment_on").is_null()) continue;
      for (const auto& m : Messages(c.at("id").to_number<int64_t>())) {
        EXPECT_NE(m.at("platform_message_id"), json::value(mid)) << json::serialize(m);
        EXPECT_NE(m.at("text"), json::value(text)) << json::serialize(m);
      }
    }
    const json::array in_comment_thread = comment_messages();
    ASSERT_EQ(in_comment_thread.size(), 2u);
    EXPECT_EQ(in_comment_thread[1].at("comment_reply"), "private");
    EXPECT_EQ(in_comment_thread[1].at("text"), json::value(text));
    EXPECT_EQ(in_comment_thread[1].at("platform_message_id"), json::value(mid));
  }

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string tenant_id_;
  std::string api_key_;
};

TEST_F(InstagramCommentsTest, PriceQuestionGetsAPublicInvitationAndThePriceInPrivate) {
  ASSERT_NO_FATAL_FAILURE(Boot("public"));
  graph_.AddComment("17865799348089039", kCommenter);
  auto stored = PostInstagram(Comments({"17865799348089039"}, "Is delivery free?"));
  ASSERT_EQ(stored.status, 200) << stored.body;

  ASSERT_TRUE(Eventually(
      [&] {
        auto c = graph_.comment("17865799348089039");
        return c && c->private_replies == 1 && c->public_replies.size() == 1;
      },
      10s))
      << parley_->logs();
  const FakeComment comment = *graph_.comment("17865799348089039");
  EXPECT_EQ(comment.public_replies[0], "Thanks for your comment! We've sent you a private message.");
  auto privately = RequestsTo(std::string("/") + kAccount + "/messages");
  ASSERT_EQ(privately.size(), 1u);
  EXPECT_EQ(privately[0].authorization, "Bearer IGQ-comments-token");
  const auto& body = privately[0].body.as_object();
  EXPECT_EQ(body.at("recipient"), (json::object{{"comment_id", "17865799348089039"}}));
  EXPECT_NE(std::string(body.at("message").at("text").as_string()).find("30 euros"), std::string::npos)
      << json::serialize(body);
  auto publicly = RequestsTo("/17865799348089039/replies");
  ASSERT_EQ(publicly.size(), 1u);
  EXPECT_EQ(publicly[0].method, "POST");
  EXPECT_EQ(publicly[0].body, (json::object{{"message", comment.public_replies[0]}}));

  // A comment thread of its own, whose messages say what was commented on and how it was answered.
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].at("platform"), "instagram");
  EXPECT_EQ(conversations[0].at("comment_on"), kMedia);
  EXPECT_EQ(conversations[0].at("contact").at("name"), "sheena.nelson");
  auto messages = Messages(conversations[0].at("id").to_number<int64_t>());
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].at("type"), "comment");
  EXPECT_EQ(messages[0].at("platform_message_id"), "17865799348089039");
  EXPECT_EQ(messages[0].at("comment").at("media_id"), kMedia);
  EXPECT_EQ(messages[1].at("comment_reply"), "private");
  EXPECT_EQ(messages[2].at("comment_reply"), "public");
  EXPECT_EQ(messages[2].at("reply_to"), "17865799348089039");
}

TEST_F(InstagramCommentsTest, DefaultPrivateReplyOnceForACommentNotifiedTwice) {
  ASSERT_NO_FATAL_FAILURE(Boot("private"));
  graph_.AddComment("17865799348089050", kCommenter);
  // An ad's comment comes twice, in two entries of one payload and again in another payload: stored once.
  auto first = PostInstagram(Comments({"17865799348089050", "17865799348089050"}, "What time do you open on Sunday?"));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Json().at("stored"), 1);
  EXPECT_EQ(first.Json().at("duplicates"), 1);
  auto again = PostInstagram(Comments({"17865799348089050"}, "What time do you open on Sunday?"));
  EXPECT_EQ(again.Json().at("stored"), 0);
  EXPECT_EQ(again.Json().at("duplicates"), 1);

  ASSERT_TRUE(Eventually([&] { return graph_.comment("17865799348089050")->private_replies == 1; }, 10s))
      << parley_->logs();
  auto privately = RequestsTo(std::string("/") + kAccount + "/messages");
  ASSERT_EQ(privately.size(), 1u);
  EXPECT_NE(std::string(privately[0].body.at("message").at("text").as_string()).find("10:00 to 14:00"),
            std::string::npos);
  EXPECT_TRUE(graph_.comment("17865799348089050")->public_replies.empty());
  // No "seen" or "typing" to a commenter who never wrote in private.
  for (const auto& r : graph_.requests())
    EXPECT_FALSE(r.body.is_object() && r.body.as_object().contains("sender_action"));
  ASSERT_EQ(Conversations().size(), 1u);
  EXPECT_EQ(Messages(Conversations()[0].at("id").to_number<int64_t>()).size(), 2u);
}

TEST_F(InstagramCommentsTest, TheEchoOfAPrivateReplyLeavesTheCommentersConversationWithTheBot) {
  ASSERT_NO_FATAL_FAILURE(Boot("private"));
  EchoPrivateReply(/*wrote_privately=*/true, /*echo_first=*/false);
}

TEST_F(InstagramCommentsTest, AnEchoOvertakingThePrivateReplysAnswerIsKnownAsParleysOwn) {
  graph_.set_private_reply_delay(3s);
  ASSERT_NO_FATAL_FAILURE(Boot("private"));
  EchoPrivateReply(/*wrote_privately=*/true, /*echo_first=*/true);
}

TEST_F(InstagramCommentsTest, AnEchoOvertakingThePrivateReplysAnswerOpensNoConversationForAPerson) {
  graph_.set_private_reply_delay(3s);
  ASSERT_NO_FATAL_FAILURE(Boot("private"));
  EchoPrivateReply(/*wrote_privately=*/false, /*echo_first=*/true);
}

TEST_F(InstagramCommentsTest, PeopleHideShowAndDeleteACommentFromTheInbox) {
  ASSERT_NO_FATAL_FAILURE(Boot("off"));
  graph_.AddComment("17865799348089060", kCommenter);
  ASSERT_EQ(PostInstagram(Comments({"17865799348089060"}, "Spam spam spam")).status, 200);
  ASSERT_TRUE(Eventually([&] { return Conversations().size() == 1; }, 5s));
  const std::string thread = "/api/conversations/" + std::to_string(Conversations()[0].at("id").to_number<int64_t>());
  const std::string comment =
      thread + "/messages/" +
      std::to_string(Messages(Conversations()[0].at("id").to_number<int64_t>())[0].at("id").to_number<int64_t>());

  // Another dashboard open meanwhile is told what changed.
  SseClient stream(parley_->url("/api/events"), {{"Authorization", "Bearer " + api_key_}});
  ASSERT_EQ(stream.status(), 200) << stream.body();

  auto hidden = Api("POST", comment + "/hide");
  ASSERT_EQ(hidden.status, 200) << hidden.body;
  EXPECT_EQ(hidden.Json().at("comment").at("hidden"), true);
  EXPECT_TRUE(graph_.comment("17865799348089060")->hidden);
  auto hide_request = RequestsTo("/17865799348089060");
  ASSERT_EQ(hide_request.size(), 1u);
  EXPECT_EQ(hide_request[0].body, (json::object{{"hide", true}}));

  auto shown = Api("POST", comment + "/unhide");
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.Json().at("comment").at("hidden"), false);
  EXPECT_FALSE(graph_.comment("17865799348089060")->hidden);

  auto deleted = Api("DELETE", comment);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.Json().at("status"), "deleted");
  EXPECT_TRUE(graph_.comment("17865799348089060")->deleted);
  EXPECT_EQ(RequestsTo("/17865799348089060").back().method, "DELETE");
  // Deleted on the platform: nothing more to do to it.
  EXPECT_EQ(Api("DELETE", comment).status, 409);
  // With comment_replies off, nothing was said under it nor in private.
  EXPECT_TRUE(graph_.comment("17865799348089060")->public_replies.empty());
  EXPECT_EQ(graph_.comment("17865799348089060")->private_replies, 0);
  // The three changes reached the open stream as message.updated, hidden and shown with comment_hidden.
  std::vector<json::object> updates;
  ASSERT_TRUE(stream.WaitUntil(
      [&](const std::vector<SseEvent>& frames) {
        updates.clear();
        for (const SseEvent& frame : frames) {
          if (frame.data.empty()) continue;
          json::object event = json::parse(frame.data).as_object();
          if (event.at("type") == "message.updated") updates.push_back(event.at("data").as_object());
        }
        return updates.size() >= 3;
      },
      5s));
  EXPECT_EQ(updates[0].at("comment_hidden"), true);
  EXPECT_EQ(updates[0].at("status"), "received");
  EXPECT_EQ(updates[1].at("comment_hidden"), false);
  EXPECT_EQ(updates[2].at("status"), "deleted");
  EXPECT_FALSE(updates[2].contains("comment_hidden"));
  // Each is in the audit log, by whom, on which message.
  const std::string message_id = comment.substr(comment.rfind('/') + 1);
  for (const char* action : {"comment.hide", "comment.unhide", "comment.delete"}) {
    auto audit = Api("GET", std::string("/api/audit-logs?action=") + action).Json().at("data").as_array();
    ASSERT_EQ(audit.size(), 1u) << action;
    EXPECT_EQ(audit[0].at("target_type"), "message");
    EXPECT_EQ(audit[0].at("target_id").as_string(), message_id);
    EXPECT_EQ(audit[0].at("details").at("platform"), "instagram");
  }
}

TEST_F(InstagramCommentsTest, OnlyCommentsCanBeModerated) {
  ASSERT_NO_FATAL_FAILURE(Boot("off"));
  ASSERT_EQ(PostInstagram(payloads::InstagramText(kAccount, kCommenter, "aWdfZAG1faWQx", "Hello")).status, 200);
  ASSERT_TRUE(Eventually([&] { return Conversations().size() == 1; }, 5s));
  const int64_t id = Conversations()[0].at("id").to_number<int64_t>();
  EXPECT_TRUE(Conversations()[0].at("comment_on").is_null());
  const std::string message = std::to_string(Messages(id)[0].at("id").to_number<int64_t>());
  EXPECT_EQ(Api("POST", "/api/conversations/" + std::to_string(id) + "/messages/" + message + "/hide").status, 409);
  EXPECT_EQ(Api("POST", "/api/conversations/" + std::to_string(id) + "/messages/999999/hide").status, 404);
}

}  // namespace
}  // namespace parley::testing
