// The web chat end to end: the real binary on loopback, called as the widget calls it (the contract in
// docs/channels.md, "Web chat"). `parley channel add webchat` prints the channel's script tag; a visitor opens a
// session, posts a message and reads the offline agent's answer on the event stream and in the thread, which the
// inbox lists like any conversation; a person's reply from the inbox reaches the stream too. CORS: the allowed
// origin is echoed, a preflight answered, another origin refused with nothing stored. A client_id posted twice is
// stored once; too many messages are refused with 429; a forged token with 401.

#include "integration/harness.h"
#include "integration/sse_client.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <fstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kPublicUrl = "https://desk.example.test/";
constexpr const char* kSite = "https://shop.example.test";
constexpr const char* kGuide = R"(# Opening hours
We are open Monday to Friday from 8:00 to 19:00. On Sunday we open from 10:00 to 14:00.
)";

using Headers = std::vector<std::pair<std::string, std::string>>;

class WebchatTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer({})); }

  void StartServer(const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> env{{"PARLEY_PUBLIC_URL", kPublicUrl},
                                           {"PARLEY_BATCH_WINDOW_MS", "200"},
                                           {"PARLEY_BATCH_MAX_WAIT_MS", "2000"},
                                           {"PARLEY_OCR_LANGUAGES", ""}};
    for (const auto& [name, value] : extra) env[name] = value;
    parley_ = std::make_unique<ParleyProcess>(env);
    const CreatedTenant tenant = CreateTenant(*parley_, "Crumb & Co");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = tenant.id;
    api_key_ = tenant.api_key;
    auto added = parley_->Cli({"channel", "add", "webchat", "--tenant", tenant_id_, "--name", "Crumb",
                               "--allowed-origin", kSite, "--allowed-origin", "http://localhost:5173"});
    ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
    channel_ = json::parse(added.out).as_object();
    public_id_ = std::string(channel_.at("public_id").as_string());
    const std::string guide = parley_->data_dir() + "/guide.md";
    std::ofstream(guide) << kGuide;
    ASSERT_EQ(parley_->Cli({"kb", "add", "--tenant", tenant_id_, guide}).exit_code, 0);
    parley_->Start();
  }

  std::string Url(const std::string& suffix) const { return parley_->url("/api/webchat/" + public_id_ + suffix); }
  HttpResult Widget(const std::string& method, const std::string& suffix, const std::string& body = {},
                    const std::string& token = {}, const std::string& origin = kSite) {
    Headers headers{{"Content-Type", "application/json"}};
    if (!origin.empty()) headers.emplace_back("Origin", origin);
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return Call(method, Url(suffix), body, headers);
  }
  // A new visitor's token.
  std::string Session(const std::string& body = "{}") {
    HttpResult opened = Widget("POST", "/sessions", body);
    EXPECT_EQ(opened.status, 201) << opened.body;
    return opened.status == 201 ? std::string(opened.Json().at("token").as_string()) : std::string();
  }
  HttpResult Post(const std::string& token, const std::string& text, const std::string& client_id) {
    return Widget("POST", "/messages", json::serialize(json::object{{"text", text}, {"client_id", client_id}}), token);
  }
  json::array Thread(const std::string& token) {
    HttpResult listed = Widget("GET", "/messages", {}, token);
    EXPECT_EQ(listed.status, 200) << listed.body;
    return listed.status == 200 ? listed.Json().at("data").as_array() : json::array();
  }
  std::unique_ptr<SseClient> Stream(const std::string& token) {
    return std::make_unique<SseClient>(Url("/events?token=" + token), Headers{{"Origin", kSite}});
  }
  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {}) {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}});
  }
  // The stream's message events' data, parsed.
  static std::vector<json::object> Messages(const SseClient& stream) {
    std::vector<json::object> messages;
    for (const SseEvent& event : stream.Events()) {
      if (!event.data.empty()) messages.push_back(json::parse(event.data).as_object());
    }
    return messages;
  }
  static bool HasRole(const SseClient& stream, const std::string& role) {
    for (const json::object& m : Messages(stream)) {
      if (m.at("role").as_string() == role) return true;
    }
    return false;
  }

  std::unique_ptr<ParleyProcess> parley_;
  std::string tenant_id_;
  std::string api_key_;
  json::object channel_;
  std::string public_id_;
};

TEST_F(WebchatTest, ChannelAddPrintsTheScriptTagAndTheApiShowsTheChannel) {
  EXPECT_EQ(channel_.at("platform"), "webchat");
  EXPECT_EQ(channel_.at("script").as_string(),
            "<script src=\"https://desk.example.test/webchat/widget.js\" data-channel=\"" + public_id_ +
                "\" async></script>");
  EXPECT_EQ(channel_.at("allowed_origins"), (json::array{kSite, "http://localhost:5173"}));

  const json::value listed = Api("GET", "/api/social-accounts").Json();
  ASSERT_EQ(listed.at("data").as_array().size(), 1u);
  const json::value& shown = listed.at("data").at(0);
  EXPECT_EQ(shown.at("display_name"), "Crumb");
  EXPECT_EQ(shown.at("script"), channel_.at("script"));
  EXPECT_EQ(shown.at("allowed_origins"), channel_.at("allowed_origins"));

  bool described = false;
  const json::value platforms = Api("GET", "/api/platforms").Json();
  for (const auto& platform : platforms.at("data").as_array()) {
    if (platform.at("name") != "webchat") continue;
    described = true;
    EXPECT_EQ(platform.at("webhook_path"), "");
    bool origins = false;
    for (const auto& field : platform.at("fields").as_array()) {
      if (field.at("key") != "allowed_origins") continue;
      origins = true;
      EXPECT_EQ(field.at("multiple"), true);
      EXPECT_EQ(field.at("flag"), "allowed-origin");
    }
    EXPECT_TRUE(origins);
  }
  EXPECT_TRUE(described);

  // The API adds one too, refusing an origin with a path; PATCH changes origins, texts and colour.
  HttpResult refused =
      Api("POST", "/api/social-accounts",
          R"({"platform": "webchat", "display_name": "B", "allowed_origins": ["https://b.example/"]})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  HttpResult created =
      Api("POST", "/api/social-accounts",
          R"({"platform": "webchat", "display_name": "Bakery", "allowed_origins": ["https://b.example"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_NE(std::string(created.Json().at("script").as_string()).find("data-channel=\""), std::string::npos);
  const std::string id = std::to_string(shown.at("id").to_number<int64_t>());
  HttpResult patched = Api("PATCH", "/api/social-accounts/" + id,
                           R"({"allowed_origins": ["https://new.example"], "webchat_color": "#112233",
                               "webchat_texts": {"fr": {"greeting": "Salut !"}}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json().at("allowed_origins"), json::array{"https://new.example"});
  EXPECT_EQ(Api("PATCH", "/api/social-accounts/" + id, R"({"allowed_origins": ["*"]})").status, 400);
  HttpResult config = Widget("GET", "/config", {}, {}, "https://new.example");
  ASSERT_EQ(config.status, 200) << config.body;
  EXPECT_EQ(config.Json().at("name"), "Crumb");
  EXPECT_EQ(config.Json().at("color"), "#112233");
  EXPECT_EQ(config.Json().at("texts").at("launcher"), "Chat with us");
  EXPECT_EQ(config.Json().at("languages").at("fr").at("greeting"), "Salut !");
  EXPECT_EQ(Widget("GET", "/config").status, 403);  // kSite is no longer allowed.
}

TEST_F(WebchatTest, AVisitorsMessageIsAnsweredOnTheStreamAndInTheThread) {
  HttpResult config = Widget("GET", "/config");
  ASSERT_EQ(config.status, 200) << config.body;
  EXPECT_EQ(config.headers["access-control-allow-origin"], kSite);
  EXPECT_EQ(config.headers["vary"], "Origin");
  EXPECT_EQ(config.Json().at("texts").at("send"), "Send");

  HttpResult opened = Widget("POST", "/sessions", R"({"name": "Ada", "email": "ada@example.test", "language": "en"})");
  ASSERT_EQ(opened.status, 201) << opened.body;
  EXPECT_EQ(opened.headers["access-control-allow-origin"], kSite);
  const std::string token(opened.Json().at("token").as_string());
  const std::string visitor(opened.Json().at("visitor_id").as_string());

  auto stream = Stream(token);
  ASSERT_EQ(stream->status(), 200);
  EXPECT_EQ(stream->headers().at("content-type"), "text/event-stream");
  EXPECT_EQ(stream->headers().at("access-control-allow-origin"), kSite);

  HttpResult posted = Post(token, "When are you open on Sunday?", "c0a8f5e2-0001");
  ASSERT_EQ(posted.status, 202) << posted.body;
  const std::string message_id(posted.Json().at("id").as_string());
  EXPECT_EQ(posted.headers["access-control-allow-origin"], kSite);

  ASSERT_TRUE(Eventually([&] { return HasRole(*stream, "assistant"); }, 15s)) << parley_->logs();
  const std::vector<json::object> events = Messages(*stream);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0].at("id").as_string(), message_id);
  EXPECT_EQ(events[0].at("role"), "visitor");
  EXPECT_EQ(events[0].at("client_id"), "c0a8f5e2-0001");
  std::string answer;
  for (const json::object& m : events) {
    if (m.at("role") == "assistant") answer = std::string(m.at("text").as_string());
  }
  EXPECT_NE(answer.find("10:00"), std::string::npos) << answer;

  const json::array thread = Thread(token);
  ASSERT_GE(thread.size(), 2u);
  EXPECT_EQ(thread[0].at("text"), "When are you open on Sunday?");
  EXPECT_EQ(thread[1].at("role"), "assistant");
  EXPECT_TRUE(thread[1].at("client_id").is_null());

  // The inbox shows the conversation like any other, with the visitor's name; the reply is marked sent.
  const json::value conversations = Api("GET", "/api/conversations?platform=webchat").Json();
  ASSERT_EQ(conversations.at("data").as_array().size(), 1u);
  const json::value& conversation = conversations.at("data").at(0);
  EXPECT_EQ(conversation.at("platform"), "webchat");
  EXPECT_EQ(conversation.at("contact").at("platform_id").as_string(), visitor);
  EXPECT_EQ(conversation.at("contact").at("name"), "Ada");
  const std::string conversation_id = std::to_string(conversation.at("id").to_number<int64_t>());
  ASSERT_TRUE(Eventually(
      [&] {
        const json::value messages = Api("GET", "/api/conversations/" + conversation_id + "/messages").Json();
        for (const auto& m : messages.at("data").as_array()) {
          if (m.at("direction") == "out" && m.at("status") == "sent") return true;
        }
        return false;
      },
      5s));

  // A reload: the same token reads the same thread.
  EXPECT_EQ(Thread(token), thread);
}

TEST_F(WebchatTest, TheEmailAVisitorGaveIsInTheContactsApi) {
  HttpResult opened = Widget("POST", "/sessions", R"({"name": "Ada", "email": "ada@example.test"})");
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string token(opened.Json().at("token").as_string());
  const std::string visitor(opened.Json().at("visitor_id").as_string());
  ASSERT_EQ(Post(token, "When are you open on Sunday?", "c0a8f5e2-0100").status, 202);
  // Another visitor, who gave no e-mail.
  ASSERT_EQ(Post(Session(), "Hello", "c0a8f5e2-0101").status, 202);

  HttpResult listed = Api("GET", "/api/contacts?platform=webchat");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json::array contacts = listed.Json().at("data").as_array();
  ASSERT_EQ(contacts.size(), 2u) << listed.body;
  const json::value& ada = contacts[0].at("platform_id").as_string() == visitor ? contacts[0] : contacts[1];
  const json::value& other = contacts[0].at("platform_id").as_string() == visitor ? contacts[1] : contacts[0];
  EXPECT_EQ(ada.at("name"), "Ada");
  EXPECT_EQ(ada.at("email"), "ada@example.test");
  EXPECT_EQ(other.at("email"), "");

  const std::string id = std::to_string(ada.at("id").to_number<int64_t>());
  HttpResult detail = Api("GET", "/api/contacts/" + id);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.Json().at("contact").at("email"), "ada@example.test");
  // A search by name finds it with its e-mail too.
  const json::array found = Api("GET", "/api/contacts?q=ada").Json().at("data").as_array();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at("email"), "ada@example.test");
}

TEST_F(WebchatTest, APersonsReplyFromTheInboxReachesTheVisitorsStream) {
  const std::string token = Session();
  auto stream = Stream(token);
  ASSERT_EQ(stream->status(), 200);
  ASSERT_EQ(Post(token, "I want to talk to a human please", "c-human-1").status, 202);
  std::string conversation_id;
  ASSERT_TRUE(Eventually(
      [&] {
        const json::value list = Api("GET", "/api/conversations?platform=webchat").Json();
        if (list.at("data").as_array().empty()) return false;
        conversation_id = std::to_string(list.at("data").at(0).at("id").to_number<int64_t>());
        return true;
      },
      5s));
  HttpResult replied = Api("POST", "/api/conversations/" + conversation_id + "/messages",
                           R"({"text": "Hi, this is Sam from the bakery."})");
  ASSERT_EQ(replied.status, 202) << replied.body;
  ASSERT_TRUE(Eventually([&] { return HasRole(*stream, "agent"); }, 10s)) << parley_->logs();
  for (const json::object& m : Messages(*stream)) {
    if (m.at("role") == "agent") {
      EXPECT_EQ(m.at("text"), "Hi, this is Sam from the bakery.");
    }
  }
  // Another visitor's stream carries none of it.
  const std::string other = Session();
  auto other_stream = Stream(other);
  ASSERT_EQ(other_stream->status(), 200);
  ASSERT_EQ(Api("POST", "/api/conversations/" + conversation_id + "/messages", R"({"text": "Anything else?"})").status,
            202);
  ASSERT_TRUE(Eventually(
      [&] {
        for (const json::object& m : Messages(*stream)) {
          if (m.at("text") == "Anything else?") return true;
        }
        return false;
      },
      10s));
  EXPECT_TRUE(Messages(*other_stream).empty());
  EXPECT_TRUE(Thread(other).empty());
}

TEST_F(WebchatTest, CorsAnswersTheAllowedOriginAndRefusesOthersWithoutStoringAnything) {
  HttpResult preflight = Call("OPTIONS", Url("/messages"), {},
                              {{"Origin", kSite},
                               {"Access-Control-Request-Method", "POST"},
                               {"Access-Control-Request-Headers", "authorization, content-type"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.headers["access-control-allow-origin"], kSite);
  EXPECT_EQ(preflight.headers["access-control-allow-methods"], "GET, POST, OPTIONS");
  EXPECT_EQ(preflight.headers["access-control-allow-headers"], "Authorization, Content-Type");
  EXPECT_EQ(preflight.headers["access-control-max-age"], "600");
  EXPECT_EQ(preflight.headers["vary"], "Origin");
  EXPECT_EQ(Call("OPTIONS", Url("/messages"), {}, {{"Origin", "https://evil.example"}}).status, 403);

  const std::string token = Session();
  HttpResult refused =
      Widget("POST", "/messages", R"({"text": "hello", "client_id": "c-evil"})", token, "https://evil.example");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Json().at("error").at("code"), "origin_not_allowed");
  EXPECT_EQ(refused.headers.count("access-control-allow-origin"), 0u);
  EXPECT_EQ(Widget("POST", "/sessions", "{}", {}, "https://evil.example").status, 403);
  EXPECT_EQ(Widget("GET", "/config", {}, {}, "https://shop.example.test.evil.example").status, 403);
  EXPECT_EQ(Widget("GET", "/config", {}, {}, "http://shop.example.test").status, 403);
  EXPECT_TRUE(Thread(token).empty());
  EXPECT_TRUE(Api("GET", "/api/conversations?platform=webchat").Json().at("data").as_array().empty());
  // An unknown channel.
  EXPECT_EQ(Call("GET", parley_->url("/api/webchat/nope/config")).Json().at("error").at("code"), "channel_not_found");
}

TEST_F(WebchatTest, TheSameClientIdIsStoredOnceAndAnsweredAlike) {
  const std::string token = Session();
  HttpResult first = Post(token, "Do you bake on Sunday?", "c-dup-1");
  HttpResult again = Post(token, "Do you bake on Sunday?", "c-dup-1");
  ASSERT_EQ(first.status, 202) << first.body;
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(first.Json(), again.Json());
  int visitor_messages = 0;
  for (const auto& m : Thread(token)) visitor_messages += m.at("role") == "visitor" ? 1 : 0;
  EXPECT_EQ(visitor_messages, 1);
  // Another visitor may use the same client id: it is theirs.
  const std::string other = Session();
  HttpResult theirs = Post(other, "Hello", "c-dup-1");
  ASSERT_EQ(theirs.status, 202);
  EXPECT_NE(theirs.Json().at("id"), first.Json().at("id"));
}

TEST_F(WebchatTest, AForgedExpiredOrMissingTokenIsRefused) {
  const std::string token = Session();
  std::string forged = token;
  forged.back() = forged.back() == '0' ? '1' : '0';
  for (const std::string& bad : {std::string(), forged, std::string("v1.someone.9999999999.abcd")}) {
    HttpResult listed = Widget("GET", "/messages", {}, bad);
    EXPECT_EQ(listed.status, 401);
    EXPECT_EQ(listed.Json().at("error").at("code"), "invalid_token");
    EXPECT_EQ(Post(bad, "hello", "c-1").status, 401);
    SseClient stream(Url("/events?token=" + bad), Headers{{"Origin", kSite}});
    EXPECT_EQ(stream.status(), 401);
  }
  // Another channel's token.
  HttpResult created =
      Api("POST", "/api/social-accounts",
          R"({"platform": "webchat", "display_name": "Other", "allowed_origins": ["https://shop.example.test"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string other_public(created.Json().at("public_id").as_string());
  HttpResult elsewhere = Call("GET", parley_->url("/api/webchat/" + other_public + "/messages"), {},
                              {{"Authorization", "Bearer " + token}, {"Origin", kSite}});
  EXPECT_EQ(elsewhere.status, 401);
  EXPECT_TRUE(Api("GET", "/api/conversations?platform=webchat").Json().at("data").as_array().empty());
}

class WebchatLimitsTest : public WebchatTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        StartServer({{"PARLEY_WEBCHAT_MESSAGES_PER_MINUTE", "3"}, {"PARLEY_WEBCHAT_SESSIONS_PER_MINUTE", "4"}}));
  }
};

TEST_F(WebchatLimitsTest, TooManyMessagesOrSessionsAreRefusedWithRetryAfter) {
  const std::string token = Session();
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(Post(token, "question " + std::to_string(i), "c-" + std::to_string(i)).status, 202);
  HttpResult limited = Post(token, "one more", "c-9");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Json().at("error").at("code"), "rate_limited");
  EXPECT_GE(std::stoi(limited.headers["retry-after"]), 1);
  EXPECT_EQ(limited.headers["access-control-allow-origin"], kSite);  // The widget can read why, and for how long.
  EXPECT_EQ(limited.headers["access-control-expose-headers"], "Retry-After");
  int visitor_messages = 0;
  for (const auto& m : Thread(token)) visitor_messages += m.at("role") == "visitor" ? 1 : 0;
  EXPECT_EQ(visitor_messages, 3);
  // Sessions per address: one is used; three more, then refused.
  for (int i = 0; i < 3; ++i) Session();
  HttpResult refused = Widget("POST", "/sessions", "{}");
  EXPECT_EQ(refused.status, 429);
  EXPECT_GE(std::stoi(refused.headers["retry-after"]), 1);
}

}  // namespace
}  // namespace parley::testing
