#include "channels/telegram/parse.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <random>
#include <string>

#include "channels/telegram/telegram_channel.h"
#include "fakes/markdown_v2.h"

namespace parley::channels::telegram {
namespace {

namespace json = boost::json;
using parley::testing::MarkdownV2Reading;
using parley::testing::ReadMarkdownV2;

size_t Utf16Units(const std::string& text) {
  size_t units = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

TEST(TelegramSplitTest, ShortTextIsOnePieceAndEmptyTextNone) {
  EXPECT_EQ(SplitForTelegram("hello"), std::vector<std::string>{"hello"});
  EXPECT_TRUE(SplitForTelegram("").empty());
}

TEST(TelegramSplitTest, LongTextIsCutAfterTheLastSpaceThatFits) {
  const std::string word = "croissant ";  // 10 units.
  std::string text;
  for (int i = 0; i < 500; ++i) text += word;  // 5,000 units.
  const auto pieces = SplitForTelegram(text);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].size(), 4090u);  // 409 whole words: the 410th would pass 4,096.
  EXPECT_EQ(pieces[0] + pieces[1], text);
}

TEST(TelegramSplitTest, CharactersOutsideTheBmpCountTwiceAndAreNeverCut) {
  std::string text;
  for (int i = 0; i < 2100; ++i) text += "\xF0\x9F\xA5\x90";  // U+1F950 CROISSANT: two UTF-16 units, four bytes.
  const auto pieces = SplitForTelegram(text);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(Utf16Units(pieces[0]), 4096u);
  EXPECT_EQ(pieces[0].size(), 2048u * 4);
  EXPECT_EQ(pieces[1].size(), 52u * 4);
  // Accented letters (two bytes) count once, like Telegram's.
  std::string accents;
  for (int i = 0; i < 4096; ++i) accents += "\xC3\xA9";
  EXPECT_EQ(SplitForTelegram(accents).size(), 1u);
  EXPECT_EQ(SplitForTelegram(accents + "e").size(), 2u);
}

TEST(TelegramFormatTest, SendMessageRepliesOnlyToAMessageOfTheSameChat) {
  json::object params = SendMessageParams("912345678", "We open at 10.", "912345678:4412");
  EXPECT_EQ(params.at("chat_id"), 912345678);
  EXPECT_EQ(params.at("text"), "We open at 10\\.");
  EXPECT_EQ(params.at("parse_mode"), "MarkdownV2");
  json::object as_written = SendMessageParams("912345678", "We open at 10.", "", TextMode::kAsWritten);
  EXPECT_EQ(as_written.at("text"), "We open at 10.");
  EXPECT_FALSE(as_written.contains("parse_mode"));
  EXPECT_EQ(params.at("reply_parameters"), (json::object{{"message_id", 4412}, {"allow_sending_without_reply", true}}));
  EXPECT_FALSE(SendMessageParams("912345678", "x", "555:4412").contains("reply_parameters"));
  EXPECT_FALSE(SendMessageParams("912345678", "x", "").contains("reply_parameters"));
  EXPECT_FALSE(SendMessageParams("912345678", "x", "callback:abc").contains("reply_parameters"));
  EXPECT_EQ(SendMessageParams("-1001987654321", "x", "").at("chat_id"), -1001987654321);
  EXPECT_EQ(SendMessageParams("@crumbnews", "x", "").at("chat_id"), "@crumbnews");
  EXPECT_EQ(TypingParams("912345678"), (json::object{{"chat_id", 912345678}, {"action", "typing"}}));
}

TEST(TelegramFormatTest, BotApiAnswersAndErrors) {
  SendResult sent =
      ParseSentMessage(200, R"({"ok":true,"result":{"message_id":4431,"from":{"id":1,"is_bot":true,"first_name":"B"},)"
                            R"("chat":{"id":912345678,"type":"private"},"date":1765095300,"text":"hi"}})");
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent.platform_message_id, "912345678:4431");
  EXPECT_TRUE(ParseSentMessage(200, R"({"ok":true,"result":true})").ok());

  SendResult refused =
      ParseSentMessage(400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error->code, 400);
  EXPECT_EQ(refused.error->title, "Bad Request: chat not found");

  BotApiAnswer flood = ParseBotApiAnswer(
      429,
      R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}})");
  EXPECT_FALSE(flood.ok);
  EXPECT_EQ(flood.error.code, 429);
  EXPECT_EQ(flood.retry_after_s, 7);
  EXPECT_EQ(ParseSentMessage(429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7",)"
                                  R"("parameters":{"retry_after":7}})")
                .retry_after_ms,
            7000);
  EXPECT_EQ(refused.retry_after_ms, 0);
  EXPECT_FALSE(RefusedFormatting(refused));
  EXPECT_TRUE(RefusedFormatting(ParseSentMessage(
      400, R"({"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: Character '.' is )"
           R"(reserved and must be escaped with the preceding '\\'"})")));

  BotApiAnswer proxy = ParseBotApiAnswer(502, "<html>Bad Gateway</html>");
  EXPECT_FALSE(proxy.ok);
  EXPECT_EQ(proxy.error.code, 502);
  EXPECT_EQ(proxy.error.title, "HTTP 502");
}

TEST(TelegramFormatTest, GetMeNamesTheBot) {
  auto bot = ParseGetMe(200, R"({"ok":true,"result":{"id":7012345678,"is_bot":true,"first_name":"Crumb",)"
                             R"("username":"crumb_desk_bot","can_join_groups":true}})");
  ASSERT_TRUE(bot) << bot.error().message;
  EXPECT_EQ(bot->account_id, "7012345678");
  EXPECT_EQ(bot->username, "crumb_desk_bot");
  auto refused = ParseGetMe(401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("Unauthorized"), std::string::npos);
}

TEST(TelegramFormatTest, GetFileSaysWhereTheFileIsOrWhyNot) {
  auto file = ParseGetFile(200,
                           R"({"ok":true,"result":{"file_id":"AgAC","file_unique_id":"AQAD","file_size":94112,)"
                           R"("file_path":"photos/file_7.jpg"}})",
                           5 << 20);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->path, "photos/file_7.jpg");
  EXPECT_EQ(file->size, 94112);
  EXPECT_EQ(
      ParseGetFile(200, R"({"ok":true,"result":{"file_id":"A","file_size":94112,"file_path":"p"}})", 1000).error().code,
      ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(ParseGetFile(400, R"({"ok":false,"error_code":400,"description":"Bad Request: file is too big"})", 1000)
                .error()
                .code,
            ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(ParseGetFile(400, R"({"ok":false,"error_code":400,"description":"Bad Request: invalid file_id"})", 1000)
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_EQ(ParseGetFile(401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})", 1000).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(ParseGetFile(502, "Bad Gateway", 1000).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(ParseGetFile(200, R"({"ok":true,"result":{"file_id":"A"}})", 1000).error().code, ErrorCode::kNotFound);
}

TEST(TelegramFormatTest, OnlyABotTokensFormGoesIntoAUrl) {
  EXPECT_TRUE(IsBotToken("7012345678:AAHtestToken_-x"));
  EXPECT_FALSE(IsBotToken(""));
  EXPECT_FALSE(IsBotToken("7012345678"));
  EXPECT_FALSE(IsBotToken(":AAH"));
  EXPECT_FALSE(IsBotToken("7012345678:"));
  EXPECT_FALSE(IsBotToken("70x:AAH"));
  EXPECT_FALSE(IsBotToken("7012345678:AAH/../getMe"));
  EXPECT_FALSE(IsBotToken("7012345678:AAH?x=1"));
}

TEST(TelegramFormatTest, EachKindOfFileHasItsMethod) {
  EXPECT_EQ(MediaMethodFor(MessageType::kImage, "image/png").name, "sendPhoto");
  EXPECT_EQ(MediaMethodFor(MessageType::kImage, "image/png").field, "photo");
  EXPECT_EQ(MediaMethodFor(MessageType::kAudio, "audio/ogg").name, "sendVoice");
  EXPECT_EQ(MediaMethodFor(MessageType::kAudio, "audio/mpeg").field, "audio");
  EXPECT_EQ(MediaMethodFor(MessageType::kVideo, "video/mp4").name, "sendVideo");
  EXPECT_EQ(MediaMethodFor(MessageType::kDocument, "application/pdf").field, "document");
}

TEST(TelegramChannelTest, TheWebhookSecretIsTheChannelsAndTheTokens) {
  boost::asio::io_context io;
  http::Client client(io.get_executor(), {});
  TelegramChannel channel({}, client);
  const std::string secret = channel.WebhookSecret("1:token", "pub-a");
  EXPECT_EQ(secret.size(), 64u);
  EXPECT_EQ(secret.find_first_not_of("0123456789abcdef"), std::string::npos);  // Telegram allows A-Za-z0-9_-.
  EXPECT_EQ(channel.WebhookSecret("1:token", "pub-a"), secret);
  EXPECT_NE(channel.WebhookSecret("1:token", "pub-b"), secret);
  EXPECT_NE(channel.WebhookSecret("1:other", "pub-a"), secret);
  EXPECT_TRUE(channel.WebhookSecret("", "pub-a").empty());
  EXPECT_FALSE(channel.VerifySignature("{}", "sha256=00"));
  EXPECT_FALSE(channel.VerifyHandshake("subscribe", "", "1"));
}

TEST(TelegramChannelTest, APressedButtonIsAnsweredInTheWebhooksAnswer) {
  boost::asio::io_context io;
  http::Client client(io.get_executor(), {});
  TelegramChannel channel({}, client);
  auto pressed = channel.Parse(R"({"update_id":1,"callback_query":{"id":"77","from":{"id":5,"is_bot":false,)"
                               R"("first_name":"Ada"},"chat_instance":"1","data":"hours"}})");
  ASSERT_TRUE(pressed) << pressed.error().message;
  EXPECT_EQ(CallbackQueryId(*pressed), "77");
  EXPECT_EQ(channel.WebhookAnswer(*pressed),
            (json::object{{"method", "answerCallbackQuery"}, {"callback_query_id", "77"}}));
  auto text = channel.Parse(R"({"update_id":2,"message":{"message_id":3,"chat":{"id":5,"type":"private"},)"
                            R"("date":1765095300,"text":"hi"}})");
  ASSERT_TRUE(text);
  EXPECT_FALSE(channel.WebhookAnswer(*text));
}

TEST(TelegramFormatTest, ChatMarkersBecomeMarkdownV2AndEverythingElseShowsAsWritten) {
  EXPECT_EQ(ToMarkdownV2("*Opening hours*: 9-5. Closed on _Sundays_!"),
            "*Opening hours*: 9\\-5\\. Closed on _Sundays_\\!");
  EXPECT_EQ(ToMarkdownV2("~€12~ €10 (members)"), "~€12~ €10 \\(members\\)");
  EXPECT_EQ(ToMarkdownV2("Use code `SPRING-10` at checkout."), "Use code `SPRING-10` at checkout\\.");
  EXPECT_EQ(ToMarkdownV2("```a.b\nc```"), "```\na.b\nc```");
  EXPECT_EQ(ToMarkdownV2("```a`b```"), "`a\\`b`");
  // Not pairs: inside a word, touching a space on the inside, across a line, alone.
  EXPECT_EQ(ToMarkdownV2("my_file_name 2 * 3 = 6"), "my\\_file\\_name 2 \\* 3 \\= 6");
  EXPECT_EQ(ToMarkdownV2("*a\nb*"), "\\*a\nb\\*");
  EXPECT_EQ(ToMarkdownV2("** __ a\\b"), "\\*\\* \\_\\_ a\\\\b");

  const auto shown = [](std::string_view text) {
    MarkdownV2Reading reading = ReadMarkdownV2(ToMarkdownV2(text));
    EXPECT_TRUE(reading.ok) << text << " -> " << ToMarkdownV2(text) << ": " << reading.error;
    return reading.shown;
  };
  EXPECT_EQ(shown("*Opening hours*: 9-5. Closed on _Sundays_!"), "Opening hours: 9-5. Closed on Sundays!");
  EXPECT_EQ(shown("Prices [2026]: {a} + #1 > |b| = 3.50!"), "Prices [2026]: {a} + #1 > |b| = 3.50!");
}

TEST(TelegramFormatTest, AnyTextConvertedIsReadByTelegramWithTheSameCharacters) {
  // Random texts over the characters that matter: Telegram accepts every conversion, and shows every character
  // except the markers that became entities.
  const std::string_view alphabet = "*_~`|\\.!-()[]ab \n";
  std::mt19937 random(20261207);
  const auto without_markers = [](std::string text) {
    std::erase_if(text, [](char c) { return c == '*' || c == '_' || c == '~' || c == '`'; });
    return text;
  };
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t length = random() % 24;
    for (size_t i = 0; i < length; ++i) text += alphabet[random() % alphabet.size()];
    MarkdownV2Reading reading = ReadMarkdownV2(ToMarkdownV2(text));
    ASSERT_TRUE(reading.ok) << "'" << text << "' -> '" << ToMarkdownV2(text) << "': " << reading.error;
    ASSERT_EQ(without_markers(reading.shown), without_markers(text)) << text;
  }
}

}  // namespace
}  // namespace parley::channels::telegram
