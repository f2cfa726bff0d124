// Telegram end to end: the real binary on loopback with the fake Bot API. `parley channel add telegram` asks getMe
// which bot the token is and sets its webhook (PARLEY_PUBLIC_URL + the channel's path, with a secret); an update
// carrying that secret is stored and answered with sendMessage after a typing action; a wrong or missing secret is
// refused with nothing stored; a redelivered update is a duplicate; a pressed button is answered in the webhook's
// answer; an edit is a new version of the message; a photo is downloaded with getFile; a person's photo is uploaded
// with sendPhoto and its caption.

#include "fakes/fake_telegram.h"
#include "fakes/markdown_v2.h"
#include "http/multipart.h"
#include "integration/harness.h"
#include "integration/tenant_fixture.h"
#include "support/test_images.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <fstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kToken = "7012345678:AAHtestTokenForParleyTelegram_-x";
constexpr int64_t kBotId = 7012345678;
constexpr int64_t kUserId = 912345678;
constexpr const char* kPublicUrl = "https://desk.example.test/";
constexpr const char* kGuide = R"(# Opening hours
We are open Monday to Friday from 8:00 to 19:00. On Sunday we open from 10:00 to 14:00.
)";

int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

json::object Chat() { return {{"id", kUserId}, {"first_name", "Ada"}, {"last_name", "Lovelace"}, {"type", "private"}}; }
json::object From() { return {{"id", kUserId}, {"is_bot", false}, {"first_name", "Ada"}, {"language_code", "en"}}; }

// An Update carrying a text message in a private chat, as Telegram posts it.
std::string TextUpdate(int64_t update_id, int64_t message_id, const std::string& text) {
  return json::serialize(json::object{
      {"update_id", update_id},
      {"message", {{"message_id", message_id}, {"from", From()}, {"chat", Chat()}, {"date", NowS()}, {"text", text}}}});
}

class TelegramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    telegram_.AddBot(kToken, kBotId, "crumb_desk_bot");
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"PARLEY_TELEGRAM_API_BASE_URL", telegram_.base_url()},
        {"PARLEY_PUBLIC_URL", kPublicUrl},
        {"PARLEY_BATCH_WINDOW_MS", "300"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "3000"},
        {"PARLEY_OCR_LANGUAGES", ""},
    });
    const CreatedTenant tenant = CreateTenant(*parley_, "Crumb & Co");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = tenant.id;
    api_key_ = tenant.api_key;
    auto added = parley_->Cli({"channel", "add", "telegram", "--tenant", tenant_id_, "--bot-token", kToken});
    ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
    channel_ = json::parse(added.out).as_object();
    const std::string guide = parley_->data_dir() + "/guide.md";
    std::ofstream(guide) << kGuide;
    ASSERT_EQ(parley_->Cli({"kb", "add", "--tenant", tenant_id_, guide}).exit_code, 0);
    parley_->Start();
  }

  std::string WebhookPath() const {
    return "/api/telegram/webhook/" + std::string(channel_.at("public_id").as_string());
  }
  HttpResult PostUpdate(const std::string& body, const std::string& secret) {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    if (!secret.empty()) headers.emplace_back("X-Telegram-Bot-Api-Secret-Token", secret);
    return Call("POST", parley_->url(WebhookPath()), body, headers);
  }
  HttpResult PostUpdate(const std::string& body) { return PostUpdate(body, telegram_.webhook(kToken).secret_token); }
  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {}) {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}});
  }
  json::array Conversations() {
    return Api("GET", "/api/conversations?platform=telegram").Json().at("data").as_array();
  }
  json::array Messages(const json::value& conversation) {
    const std::string id = std::to_string(conversation.at("id").to_number<int64_t>());
    return Api("GET", "/api/conversations/" + id + "/messages").Json().at("data").as_array();
  }

  FakeTelegram telegram_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string tenant_id_;
  std::string api_key_;
  json::object channel_;
};

TEST_F(TelegramTest, ChannelAddAsksWhichBotAndSetsTheChannelsWebhookWithItsSecret) {
  EXPECT_GT(channel_.at("channel_id").to_number<int64_t>(), 0);
  EXPECT_EQ(channel_.at("platform"), "telegram");
  EXPECT_EQ(channel_.at("account_id").as_string(), std::to_string(kBotId));
  ASSERT_EQ(telegram_.calls("getMe").size(), 1u);
  const TelegramWebhook webhook = telegram_.webhook(kToken);
  EXPECT_EQ(webhook.url, "https://desk.example.test" + WebhookPath());
  EXPECT_EQ(webhook.secret_token.size(), 64u);
  EXPECT_EQ(webhook.secret_token.find_first_not_of("0123456789abcdef"), std::string::npos);
  const auto set = telegram_.calls("setWebhook");
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set[0].params.at("allowed_updates"), (json::array{"message", "edited_message", "callback_query"}));

  bool listed = false;
  const json::value platforms = Api("GET", "/api/platforms").Json();
  for (const auto& platform : platforms.at("data").as_array()) {
    if (platform.at("name") != "telegram") continue;
    listed = true;
    EXPECT_EQ(platform.at("webhook_path"), "/api/telegram/webhook/{public_id}");
    EXPECT_EQ(platform.at("traits").at("max_message_length"), 4096);
    EXPECT_EQ(platform.at("fields").at(0).at("flag"), "bot-token");
  }
  EXPECT_TRUE(listed);
  // The token never reaches the logs, though every Bot API URL holds it.
  EXPECT_EQ(parley_->logs().find(kToken), std::string::npos);
}

TEST_F(TelegramTest, AnUpdateWithTheSecretIsStoredAndAnsweredWithSendMessage) {
  auto stored = PostUpdate(TextUpdate(5001, 71, "What time do you open on Sunday?"));
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.Json().at("stored"), 1);
  ASSERT_TRUE(telegram_.WaitForCalls("sendMessage", 1, 8s)) << parley_->logs();
  const auto typing = telegram_.calls("sendChatAction");
  ASSERT_EQ(typing.size(), 1u);
  EXPECT_EQ(typing[0].params.at("chat_id"), kUserId);
  EXPECT_EQ(typing[0].params.at("action"), "typing");
  const TelegramCall send = telegram_.calls("sendMessage").at(0);
  EXPECT_EQ(send.token, kToken);
  EXPECT_EQ(send.params.at("chat_id"), kUserId);
  EXPECT_EQ(send.params.at("parse_mode"), "MarkdownV2");
  const MarkdownV2Reading reading = ReadMarkdownV2(send.params.at("text").as_string());
  ASSERT_TRUE(reading.ok) << reading.error;
  const std::string& answer = reading.shown;
  EXPECT_NE(answer.find("10:00 to 14:00"), std::string::npos) << answer;

  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].at("platform"), "telegram");
  EXPECT_EQ(conversations[0].at("contact").at("platform_id").as_string(), std::to_string(kUserId));
  EXPECT_EQ(conversations[0].at("contact").at("name"), "Ada Lovelace");
  ASSERT_TRUE(Eventually(
      [&] {
        auto messages = Messages(conversations[0]);
        return messages.size() == 2 && messages[1].at("status") == "sent";
      },
      5s));
  auto messages = Messages(conversations[0]);
  EXPECT_EQ(messages[0].at("platform_message_id").as_string(), std::to_string(kUserId) + ":71");
  EXPECT_EQ(messages[1].at("platform_message_id").as_string(), std::to_string(kUserId) + ":1001");
  EXPECT_EQ(parley_->logs().find(kToken), std::string::npos);
}

TEST_F(TelegramTest, AReplyWhoseFormattingIsRefusedGoesOnceAsPlainText) {
  telegram_.RefuseEntitiesIn("10:00 to 14:00");
  ASSERT_EQ(PostUpdate(TextUpdate(5010, 80, "What time do you open on Sunday?")).status, 200);
  ASSERT_TRUE(telegram_.WaitForCalls("sendMessage", 2, 8s)) << parley_->logs();
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  ASSERT_TRUE(Eventually(
      [&] {
        auto messages = Messages(conversations[0]);
        return messages.size() == 2 && messages[1].at("status") == "sent";
      },
      5s))
      << parley_->logs();
  const auto sends = telegram_.calls("sendMessage");
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].params.at("parse_mode"), "MarkdownV2");
  // The second try has no parse_mode, so Telegram shows the text as it is: the reply as written, nothing escaped.
  EXPECT_EQ(sends[1].params.if_contains("parse_mode"), nullptr);
  EXPECT_EQ(sends[1].params.at("chat_id"), kUserId);
  const std::string plain(sends[1].params.at("text").as_string());
  EXPECT_NE(plain.find("10:00 to 14:00"), std::string::npos) << plain;
  auto messages = Messages(conversations[0]);
  EXPECT_EQ(messages[1].at("direction"), "out");
  EXPECT_EQ(messages[1].at("text"), json::value(plain));
  // Only the plain text reached the chat: its Message is the one recorded.
  EXPECT_EQ(messages[1].at("platform_message_id").as_string(), std::to_string(kUserId) + ":1001");
  EXPECT_EQ(telegram_.calls("sendMessage").size(), 2u);
}

TEST_F(TelegramTest, AWrongOrMissingSecretIsRefusedAndNothingStored) {
  const std::string update = TextUpdate(5002, 72, "hello");
  EXPECT_EQ(PostUpdate(update, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").status, 401);
  EXPECT_EQ(PostUpdate(update, "").status, 401);
  const std::string secret = telegram_.webhook(kToken).secret_token;
  EXPECT_EQ(Call("POST", parley_->url("/api/telegram/webhook/not-a-channel"), update,
                 {{"Content-Type", "application/json"}, {"X-Telegram-Bot-Api-Secret-Token", secret}})
                .status,
            401);
  EXPECT_TRUE(Conversations().empty());
  EXPECT_TRUE(telegram_.calls("sendMessage").empty());
}

TEST_F(TelegramTest, ARedeliveredUpdateIsStoredOnce) {
  const std::string update = TextUpdate(5003, 73, "Do you deliver?");
  auto first = PostUpdate(update);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Json().at("stored"), 1);
  auto again = PostUpdate(update);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json().at("stored"), 0);
  EXPECT_EQ(again.Json().at("duplicates"), 1);
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  size_t inbound = 0;
  for (const auto& m : Messages(conversations[0])) inbound += m.at("direction") == "in" ? 1 : 0;
  EXPECT_EQ(inbound, 1u);
}

TEST_F(TelegramTest, APressedButtonIsStoredAndAnsweredInTheWebhooksAnswer) {
  const json::object keyboard{
      {"inline_keyboard", json::array{json::array{{{"text", "Opening hours"}, {"callback_data", "hours"}}}}}};
  const std::string update =
      json::serialize(json::object{{"update_id", 5004},
                                   {"callback_query",
                                    {{"id", "4382bfdwdsb323b2d9"},
                                     {"from", From()},
                                     {"message",
                                      {{"message_id", 80},
                                       {"from", {{"id", kBotId}, {"is_bot", true}, {"first_name", "Crumb"}}},
                                       {"chat", Chat()},
                                       {"date", NowS()},
                                       {"text", "How can I help?"},
                                       {"reply_markup", keyboard}}},
                                     {"chat_instance", "-1234567890"},
                                     {"data", "hours"}}}});
  auto stored = PostUpdate(update);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.Json().at("stored"), 1);
  EXPECT_EQ(stored.Json().at("method"), "answerCallbackQuery");
  EXPECT_EQ(stored.Json().at("callback_query_id"), "4382bfdwdsb323b2d9");
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  auto messages = Messages(conversations[0]);
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages[0].at("type"), "interactive");
  EXPECT_EQ(messages[0].at("text"), "Opening hours");
}

TEST_F(TelegramTest, AnEditIsStoredAsANewVersionOfTheMessage) {
  ASSERT_EQ(PostUpdate(TextUpdate(5005, 74, "Are you open on Sundya?")).status, 200);
  const std::string edit = json::serialize(json::object{{"update_id", 5006},
                                                        {"edited_message",
                                                         {{"message_id", 74},
                                                          {"from", From()},
                                                          {"chat", Chat()},
                                                          {"date", NowS()},
                                                          {"edit_date", NowS() + 5},
                                                          {"text", "Are you open on Sunday?"}}}});
  auto stored = PostUpdate(edit);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.Json().at("stored"), 1);
  EXPECT_EQ(PostUpdate(edit).Json().at("duplicates"), 1);
  auto conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u);
  bool edited = false;
  for (const auto& m : Messages(conversations[0])) {
    if (m.as_object().contains("edit_of")) {
      edited = true;
      EXPECT_EQ(m.at("edit_of").as_string(), std::to_string(kUserId) + ":74");
      EXPECT_EQ(m.at("text"), "Are you open on Sunday?");
    }
  }
  EXPECT_TRUE(edited);
}

TEST_F(TelegramTest, APhotosLargestSizeIsDownloadedWithGetFile) {
  const std::string photo = media::testing::Jpeg(640, 480);
  telegram_.AddFile(kToken, "AgACAgQAAxkBAAIBZ2Large", photo);
  const std::string update = json::serialize(json::object{
      {"update_id", 5007},
      {"message",
       {{"message_id", 75},
        {"from", From()},
        {"chat", Chat()},
        {"date", NowS()},
        {"photo",
         json::array{
             {{"file_id", "AgACAgQAAxkBAAIBZ2Small"}, {"file_unique_id", "s"}, {"width", 90}, {"height", 67}},
             {{"file_id", "AgACAgQAAxkBAAIBZ2Large"}, {"file_unique_id", "l"}, {"width", 640}, {"height", 480}}}},
        {"caption", "Is this cake still available?"}}}});
  ASSERT_EQ(PostUpdate(update).status, 200);
  json::object media;
  ASSERT_TRUE(Eventually(
      [&] {
        auto conversations = Conversations();
        if (conversations.empty()) return false;
        for (const auto& message : Messages(conversations[0])) {
          if (!message.as_object().contains("media")) continue;
          media = message.at("media").as_object();
          return media.at("status") != "pending";
        }
        return false;
      },
      15s));
  ASSERT_EQ(media.at("status"), "ready") << json::serialize(media) << parley_->logs();
  EXPECT_EQ(media.at("mime_type"), "image/jpeg");
  EXPECT_EQ(media.at("bytes").to_number<int64_t>(), static_cast<int64_t>(photo.size()));
  const auto lookups = telegram_.calls("getFile");
  ASSERT_EQ(lookups.size(), 1u);
  EXPECT_EQ(lookups[0].params.at("file_id"), "AgACAgQAAxkBAAIBZ2Large");
  EXPECT_EQ(telegram_.file_downloads(), 1);
  EXPECT_EQ(parley_->logs().find(kToken), std::string::npos);
}

TEST_F(TelegramTest, AChannelAddedThroughTheApiGetsItsWebhookAndANewTokenMovesTheSecret) {
  constexpr const char* kSecondToken = "7012345679:AAHsecondBotTokenForParley_x";
  constexpr const char* kRotatedToken = "7012345679:AAHrotatedAfterALeakForParley";
  telegram_.AddBot(kSecondToken, 7012345679, "crumb_two_bot");
  auto added = Api("POST", "/api/social-accounts",
                   json::serialize(json::object{{"platform", "telegram"}, {"access_token", kSecondToken}}));
  ASSERT_EQ(added.status, 201) << added.body;
  const json::value channel = added.Json();
  EXPECT_EQ(channel.at("account_id"), "7012345679");
  EXPECT_EQ(channel.at("username"), "crumb_two_bot");
  const std::string path = "/api/telegram/webhook/" + std::string(channel.at("public_id").as_string());
  const TelegramWebhook first = telegram_.webhook(kSecondToken);
  EXPECT_EQ(first.url, "https://desk.example.test" + path);
  ASSERT_EQ(first.secret_token.size(), 64u);
  const auto post = [&](const std::string& body, const std::string& secret) {
    return Call("POST", parley_->url(path), body,
                {{"Content-Type", "application/json"}, {"X-Telegram-Bot-Api-Secret-Token", secret}});
  };
  EXPECT_EQ(post(TextUpdate(6001, 81, "hello"), first.secret_token).status, 200);

  // The token leaked and was revoked with @BotFather: the new one is checked, and Telegram is given the webhook
  // again with the secret that goes with it before the token is saved.
  telegram_.AddBot(kRotatedToken, 7012345679, "crumb_two_bot");
  const std::string channel_path = "/api/social-accounts/" + std::to_string(channel.at("id").to_number<int64_t>());
  auto rotated = Api("PATCH", channel_path, json::serialize(json::object{{"access_token", kRotatedToken}}));
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const TelegramWebhook moved = telegram_.webhook(kRotatedToken);
  EXPECT_EQ(moved.url, first.url);
  ASSERT_EQ(moved.secret_token.size(), 64u);
  EXPECT_NE(moved.secret_token, first.secret_token);
  EXPECT_EQ(post(TextUpdate(6002, 82, "still there?"), first.secret_token).status, 401);
  EXPECT_EQ(post(TextUpdate(6003, 83, "still there?"), moved.secret_token).status, 200);

  // Another bot's token is refused and changes nothing.
  auto other = Api("PATCH", channel_path, json::serialize(json::object{{"access_token", kToken}}));
  EXPECT_EQ(other.status, 400) << other.body;
  EXPECT_EQ(telegram_.webhook(kToken).url, "https://desk.example.test" + WebhookPath());
  EXPECT_EQ(post(TextUpdate(6004, 84, "and now?"), moved.secret_token).status, 200);
}

TEST(TelegramChannelAdd, ARefusedTokenAddsNothing) {
  FakeTelegram telegram;
  ParleyProcess parley({{"PARLEY_TELEGRAM_API_BASE_URL", telegram.base_url()}, {"PARLEY_PUBLIC_URL", kPublicUrl}});
  const CreatedTenant tenant = CreateTenant(parley, "Crumb & Co");
  ASSERT_FALSE(tenant.id.empty());
  auto added = parley.Cli({"channel", "add", "telegram", "--tenant", tenant.id, "--bot-token", "123:unknown"});
  EXPECT_NE(added.exit_code, 0);
  EXPECT_NE((added.out + added.err).find("Unauthorized"), std::string::npos) << added.out << added.err;
  EXPECT_TRUE(telegram.calls("setWebhook").empty());
  // Added again with a token the fake knows, the channel is a new one: the refused one was never stored.
  telegram.AddBot("123:known", 123, "known_bot");
  auto retried = parley.Cli({"channel", "add", "telegram", "--tenant", tenant.id, "--bot-token", "123:known"});
  ASSERT_EQ(retried.exit_code, 0) << retried.out << retried.err;
  EXPECT_EQ(json::parse(retried.out).at("channel_id"), 1);
}

TEST_F(TelegramTest, APersonsPhotoIsUploadedWithSendPhotoAndItsCaption) {
  ASSERT_EQ(PostUpdate(TextUpdate(301, 31, "Can I see the cake?")).status, 200);
  json::array conversations;
  ASSERT_TRUE(Eventually(
      [&] {
        conversations = Conversations();
        return !conversations.empty();
      },
      10s));
  const std::string id = std::to_string(conversations[0].at("id").to_number<int64_t>());
  const std::string photo = media::testing::Jpeg(400, 300);
  http::FormBody form =
      http::BuildMultipart({{"file", "cake.jpg", "image/jpeg", photo}, {"text", {}, {}, "Fresh this morning"}});
  HttpResult sent = Call("POST", parley_->url("/api/conversations/" + id + "/messages"), form.body,
                         {{"Authorization", "Bearer " + api_key_}, {"Content-Type", form.content_type}});
  ASSERT_EQ(sent.status, 202) << sent.body;
  ASSERT_TRUE(telegram_.WaitForCalls("sendPhoto", 1, 10s)) << parley_->logs();
  const TelegramCall call = telegram_.calls("sendPhoto")[0];
  EXPECT_EQ(call.token, kToken);
  EXPECT_EQ(call.params.at("chat_id").as_string(), std::to_string(kUserId));
  EXPECT_EQ(call.params.at("caption"), "Fresh this morning");
  EXPECT_EQ(call.params.at("photo"),
            (json::object{{"file_name", "cake.jpg"}, {"content_type", "image/jpeg"}, {"size", photo.size()}}));
  // Recorded as sent with Telegram's key for the message.
  ASSERT_TRUE(Eventually(
      [&] {
        for (const auto& m : Messages(conversations[0])) {
          if (m.at("type") == "image" && m.at("status") == "sent") return true;
        }
        return false;
      },
      10s));
}

}  // namespace
}  // namespace parley::testing
