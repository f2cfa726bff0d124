#include "channels/webchat/token.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <string>

#include "channels/registry.h"
#include "channels/webchat/file_post.h"
#include "channels/webchat/parse.h"
#include "channels/webchat/settings.h"
#include "channels/webchat/visitor_message.h"
#include "channels/webchat/webchat_channel.h"

namespace parley::channels::webchat {
namespace {

namespace json = boost::json;

constexpr int64_t kNow = 1'800'000'000;

TEST(VisitorTokenTest, ATokenNamesItsVisitorOnItsChannelUntilItExpires) {
  const VisitorTokens tokens("key-one");
  const VisitorSession session = tokens.Open("chan-A", kNow);
  EXPECT_EQ(session.expires_s, kNow + 30 * 24 * 3600);
  EXPECT_EQ(session.visitor_id.size(), 16u);
  EXPECT_EQ(tokens.Verify(session.token, "chan-A", kNow).value(), session.visitor_id);
  EXPECT_EQ(tokens.Verify(session.token, "chan-A", session.expires_s - 1).value(), session.visitor_id);
  // Expired, another channel's, another key's.
  EXPECT_EQ(tokens.Verify(session.token, "chan-A", session.expires_s).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(tokens.Verify(session.token, "chan-B", kNow).error().code, ErrorCode::kUnauthenticated);
  EXPECT_FALSE(VisitorTokens("key-two").Verify(session.token, "chan-A", kNow));
  // Two sessions are two visitors.
  EXPECT_NE(tokens.Open("chan-A", kNow).visitor_id, session.visitor_id);
}

TEST(VisitorTokenTest, AlteredOrMalformedTokensAreRefused) {
  const VisitorTokens tokens("key-one");
  const std::string token = tokens.Sign("chan-A", "visitor1", kNow + 60);
  ASSERT_TRUE(tokens.Verify(token, "chan-A", kNow));
  // Another visitor or a later expiry under the same signature.
  std::string other_visitor = token;
  other_visitor.replace(3, 8, "visitor2");
  EXPECT_FALSE(tokens.Verify(other_visitor, "chan-A", kNow));
  const std::string later = "v1.visitor1." + std::to_string(kNow + 6000) + token.substr(token.rfind('.'));
  EXPECT_FALSE(tokens.Verify(later, "chan-A", kNow));
  std::string flipped = token;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_FALSE(tokens.Verify(flipped, "chan-A", kNow));
  for (const std::string& bad :
       {std::string(), std::string("v1"), std::string("v1."), std::string("v2.visitor1.9999999999.00"),
        std::string("v1.visitor1.abc.00"), std::string("v1.visitor1.-5.00"), std::string("v1..9999999999.00"),
        std::string("v1.visi tor.9999999999.00"), std::string(300, 'v')}) {
    EXPECT_FALSE(tokens.Verify(bad, "chan-A", kNow)) << bad;
  }
}

TEST(VisitorTokenTest, TheServersKeyIsDerivedFromTheMasterKey) {
  const crypto::SecretBox box = crypto::SecretBox::Create(std::string(crypto::SecretBox::kKeySize, 'k')).value();
  const crypto::SecretBox other = crypto::SecretBox::Create(std::string(crypto::SecretBox::kKeySize, 'o')).value();
  const std::string token = VisitorTokens::FromMasterKey(box).Sign("chan-A", "visitor1", kNow + 60);
  EXPECT_TRUE(VisitorTokens::FromMasterKey(box).Verify(token, "chan-A", kNow));
  EXPECT_FALSE(VisitorTokens::FromMasterKey(other).Verify(token, "chan-A", kNow));
  // Not the media links' key: a key per purpose.
  EXPECT_FALSE(VisitorTokens(box.DeriveKey("media-links")).Verify(token, "chan-A", kNow));
}

TEST(OriginTest, AcceptsSchemeHostAndPortExactly) {
  for (const char* origin :
       {"https://shop.example", "http://localhost:8080", "https://a-b.c.example:443", "http://127.0.0.1:5173"}) {
    EXPECT_EQ(ParseOrigin(origin).value(), origin);
  }
  for (const char* origin :
       {"", "shop.example", "ftp://shop.example", "https://", "https://shop.example/", "https://shop.example/path",
        "https://*.shop.example", "https://Shop.example", "https://shop.example:", "https://shop.example:0",
        "https://shop.example:70000", "https://shop.example:08", "https://user@shop.example", "https://shop..example",
        "https://shop.example?x=1", "https://shop.example#f", " https://shop.example", "https://.example"}) {
    auto parsed = ParseOrigin(origin);
    ASSERT_FALSE(parsed) << origin;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(SettingsTest, ChecksOriginsColourAndTexts) {
  auto checked = CheckSettings(json::parse(R"({"allowed_origins": ["https://a.example", "https://a.example",
      "http://localhost:3000"], "webchat_color": "#0B5CFF", "webchat_texts": {"fr": {"greeting": "Salut"}}})")
                                   .as_object());
  ASSERT_TRUE(checked) << checked.error().message;
  EXPECT_EQ(checked->at("allowed_origins"), (json::array{"https://a.example", "http://localhost:3000"}));
  EXPECT_EQ(checked->at("webchat_color"), "#0b5cff");
  EXPECT_TRUE(OriginAllowed(*checked, "http://localhost:3000"));
  EXPECT_FALSE(OriginAllowed(*checked, "http://localhost:3001"));
  EXPECT_FALSE(OriginAllowed(*checked, "https://a.example/"));
  EXPECT_FALSE(OriginAllowed(*checked, ""));

  for (const char* bad : {R"({})", R"({"allowed_origins": []})", R"({"allowed_origins": "https://a.example"})",
                          R"({"allowed_origins": ["https://a.example/"]})", R"({"allowed_origins": [1]})",
                          R"({"allowed_origins": ["https://a.example"], "webchat_color": "blue"})",
                          R"({"allowed_origins": ["https://a.example"], "webchat_texts": {"fr": {"nope": "x"}}})",
                          R"({"allowed_origins": ["https://a.example"], "webchat_texts": {"French": {}}})",
                          R"({"allowed_origins": ["https://a.example"], "webchat_texts": {"fr": {"send": ""}}})",
                          R"({"allowed_origins": ["https://a.example"], "other": 1})"}) {
    auto refused = CheckSettings(json::parse(bad).as_object());
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  }
  // Null colour and texts are the defaults.
  auto defaults = CheckSettings(
      json::parse(R"({"allowed_origins": ["https://a.example"], "webchat_color": null, "webchat_texts": null})")
          .as_object());
  ASSERT_TRUE(defaults);
  EXPECT_FALSE(defaults->contains("webchat_color"));
  EXPECT_FALSE(defaults->contains("webchat_texts"));
}

TEST(SettingsTest, TheWidgetsConfigMergesOverridesOverEachLanguagesTexts) {
  const json::object settings = json::parse(R"({"allowed_origins": ["https://a.example"], "webchat_color": "#112233",
                      "webchat_texts": {"fr": {"greeting": "Salut !"}, "de": {"send": "Senden"}}})")
                                    .as_object();
  const json::object config = WidgetConfig("Shop", settings);
  EXPECT_EQ(config.at("name"), "Shop");
  EXPECT_EQ(config.at("color"), "#112233");
  EXPECT_EQ(config.at("texts").at("launcher"), "Chat with us");
  EXPECT_EQ(config.at("texts").at("message_label"), "Message");
  EXPECT_EQ(config.at("texts").at("send"), "Send");
  const json::object& languages = config.at("languages").as_object();
  EXPECT_EQ(languages.at("en"), config.at("texts"));
  EXPECT_EQ(languages.at("fr").at("greeting"), "Salut !");
  EXPECT_EQ(languages.at("fr").at("send"), "Envoyer");
  EXPECT_EQ(languages.at("de").at("send"), "Senden");
  EXPECT_EQ(languages.at("de").at("launcher"), "Chat with us");
  for (const auto& [language, texts] : languages) {
    for (std::string_view key : TextKeys()) EXPECT_TRUE(texts.as_object().contains(key)) << language << "." << key;
  }
  EXPECT_EQ(WidgetConfig("Shop", {}).at("color").as_string(), kDefaultColor);
}

TEST(SettingsTest, TheScriptTagLoadsTheWidgetFromThePublicUrl) {
  EXPECT_EQ(ScriptTag("https://parley.example/", "AbC-_1"),
            R"(<script src="https://parley.example/webchat/widget.js" data-channel="AbC-_1" async></script>)");
  const json::object details = ChannelDetails(
      "pub1", json::parse(R"({"allowed_origins": ["https://a.example"]})").as_object(), "https://p.example");
  EXPECT_EQ(details.at("allowed_origins"), json::array{"https://a.example"});
  EXPECT_EQ(details.at("script").as_string(), ScriptTag("https://p.example", "pub1"));
  EXPECT_TRUE(details.at("webchat_color").is_null());
}

TEST(RequestParseTest, SessionRequestsAreOptionalAndChecked) {
  EXPECT_TRUE(ParseSessionRequest("").value().name.empty());
  EXPECT_TRUE(ParseSessionRequest("{}").value().email.empty());
  auto full = ParseSessionRequest(R"({"name": "Ana", "email": "ana@shop.example", "language": "fr-CA"})");
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->name, "Ana");
  EXPECT_EQ(full->email, "ana@shop.example");
  EXPECT_EQ(full->language, "fr");
  EXPECT_EQ(ParseSessionRequest(R"({"language": "EN"})").value().language, "en");
  for (const std::string& bad : std::vector<std::string>{
           "[]", "{", R"({"name": 3})", R"({"name": "a\nb"})", R"({"email": "ana"})", R"({"email": "a@b"})",
           R"({"email": "@shop.example"})", R"({"email": "a@@b.c"})", R"({"language": "french"})", R"({"x": 1})",
           R"({"name": ")" + std::string(101, 'a') + R"("})"}) {
    auto refused = ParseSessionRequest(bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(RequestParseTest, AMessageHasTextAndAClientId) {
  auto message = ParseMessageRequest(R"({"text": "Bonjour é", "client_id": "3f1c-9a_b"})");
  ASSERT_TRUE(message) << message.error().message;
  EXPECT_EQ(message->text, "Bonjour é");
  EXPECT_EQ(message->client_id, "3f1c-9a_b");
  // 4,096 characters (not bytes) is the limit.
  std::string longest;
  for (int i = 0; i < 4096; ++i) longest += "é";
  EXPECT_TRUE(ParseMessageRequest(R"({"text": ")" + longest + R"(", "client_id": "c"})"));
  for (const std::string& bad : std::vector<std::string>{
           R"({"text": ")" + longest + R"(x", "client_id": "c"})", R"({"text": "", "client_id": "c"})",
           R"({"text": "  \n", "client_id": "c"})", R"({"text": "hi"})", R"({"text": "hi", "client_id": ""})",
           R"({"text": "hi", "client_id": "a b"})", R"({"text": "hi", "client_id": ")" + std::string(65, 'c') + R"("})",
           R"({"text": 5, "client_id": "c"})", R"({"text": "hi", "client_id": "c", "x": 1})", "null", "not json"}) {
    auto refused = ParseMessageRequest(bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(WebchatChannelTest, SendingSucceedsWithoutTheNetworkWithAnIdOfItsOwn) {
  boost::asio::io_context io;
  WebchatChannel channel;
  const SendAccount account{"wc-1", ""};
  SendResult first, second;
  std::optional<Result<AccountProfile>> profile;
  auto run = [&]() -> boost::asio::awaitable<void> {
    auto send_first = channel.SendText(account, "visitor", "Hello", "", MessageTag::kNone);
    first = co_await std::move(send_first);
    auto send_second = channel.SendText(account, "visitor", "Again", "", MessageTag::kNone);
    second = co_await std::move(send_second);
    auto check = channel.CheckAccount("", "");
    profile = co_await std::move(check);
  };
  boost::asio::co_spawn(io, run, boost::asio::detached);
  io.run();
  EXPECT_TRUE(first.ok());
  EXPECT_TRUE(first.platform_message_id.starts_with("out-"));
  EXPECT_NE(first.platform_message_id, second.platform_message_id);
  ASSERT_TRUE(profile && *profile);
  EXPECT_TRUE((*profile)->account_id.starts_with("wc-"));
  EXPECT_EQ(channel.platform(), Platform("webchat"));
  EXPECT_FALSE(channel.VerifySignature("{}", "sha256=00"));
}

TEST(WebchatChannelTest, AFilesSendSucceedsWithoutBytesOrLinkSinceTheWidgetReadsItFromTheStore) {
  boost::asio::io_context io;
  WebchatChannel channel;
  const OutboundMedia media{MessageType::kImage, "image/jpeg", "receipt.jpg", {}, {}};
  SendResult sent;
  auto run = [&]() -> boost::asio::awaitable<void> {
    auto send = channel.SendMedia({"wc-1", ""}, "visitor", media, "Your receipt", MessageTag::kNone);
    sent = co_await std::move(send);
  };
  boost::asio::co_spawn(io, run, boost::asio::detached);
  io.run();
  EXPECT_TRUE(sent.ok());
  EXPECT_TRUE(sent.platform_message_id.starts_with("out-"));
  EXPECT_EQ(FindPlatform("webchat")->traits.media_replies, PlatformTraits::MediaReplies::kServed);
}

// A signer that names what it signed, so the test reads which links were made for whom.
std::string FakeLink(int64_t tenant_id, std::string_view public_id, bool thumbnail) {
  return "/api/media/" + std::string(public_id) + (thumbnail ? "/thumbnail" : "") +
         "?tenant=" + std::to_string(tenant_id) + "&sig=x";
}

store::StoredMessage PersonFile(MessageType type, std::string mime_type, std::string filename, bool thumbnail) {
  store::StoredMessage m;
  m.id = 42;
  m.direction = Direction::kOut;
  m.type = type;
  m.text = "Here it is";
  m.created_at_ms = 1'800'000'000'000;
  m.details = {{"sent_by", "person"}, {"media", {{"mime_type", mime_type}, {"filename", filename}}}};
  store::MediaRecord record;
  record.tenant_id = 7;
  record.message_id = m.id;
  record.public_id = "pub_" + filename;
  record.type = type;
  record.status = store::MediaStatus::kReady;
  record.mime_type = std::move(mime_type);
  record.bytes = 12345;
  record.file_key = "files/original";
  if (thumbnail) record.thumbnail_key = "files/thumbnail";
  m.media = record;
  return m;
}

TEST(VisitorMessageTest, APersonsFileCarriesItsTypeSizeNameAndLinksSignedForItsTenant) {
  const json::object photo =
      VisitorMessageJson(PersonFile(MessageType::kImage, "image/jpeg", "receipt.jpg", true), "v1", &FakeLink);
  EXPECT_EQ(photo.at("role"), "agent");
  EXPECT_EQ(photo.at("text"), "Here it is");
  EXPECT_EQ(photo.at("id"), "42");
  EXPECT_EQ(photo.at("media"), (json::value{{"type", "image"},
                                            {"mime_type", "image/jpeg"},
                                            {"bytes", 12345},
                                            {"filename", "receipt.jpg"},
                                            {"status", "ready"},
                                            {"url", "/api/media/pub_receipt.jpg?tenant=7&sig=x"},
                                            {"thumbnail_url", "/api/media/pub_receipt.jpg/thumbnail?tenant=7&sig=x"}}));

  const json::object pdf =
      VisitorMessageJson(PersonFile(MessageType::kDocument, "application/pdf", "invoice.pdf", false), "v1", &FakeLink);
  EXPECT_EQ(pdf.at("media").at("type"), "document");
  EXPECT_EQ(pdf.at("media").at("url"), "/api/media/pub_invoice.pdf?tenant=7&sig=x");
  EXPECT_TRUE(pdf.at("media").at("thumbnail_url").is_null());
}

TEST(VisitorMessageTest, AFileNoLongerKeptHasNoLinksAndATextMessageNoMedia) {
  store::StoredMessage expired = PersonFile(MessageType::kImage, "image/png", "map.png", true);
  expired.media->status = store::MediaStatus::kFailed;
  expired.media->file_key.clear();
  expired.media->thumbnail_key.clear();
  int signed_links = 0;
  auto count = [&signed_links](int64_t, std::string_view, bool) {
    ++signed_links;
    return std::string("/signed");
  };
  const json::object shown = VisitorMessageJson(expired, "v1", count);
  EXPECT_TRUE(shown.at("media").at("url").is_null());
  EXPECT_TRUE(shown.at("media").at("thumbnail_url").is_null());
  EXPECT_EQ(shown.at("media").at("filename"), "map.png");
  EXPECT_EQ(signed_links, 0);

  store::StoredMessage text;
  text.id = 3;
  text.direction = Direction::kIn;
  text.text = "Hello";
  text.platform_message_id = "v1:client-7";
  const json::object visitor = VisitorMessageJson(text, "v1", count);
  EXPECT_EQ(visitor.at("role"), "visitor");
  EXPECT_EQ(visitor.at("client_id"), "client-7");
  EXPECT_TRUE(visitor.at("media").is_null());
}

TEST(VisitorMessageTest, AVisitorsUploadShowsItsSniffedTypeWhileItIsPreparedThenItsLinks) {
  store::StoredMessage upload;
  upload.id = 9;
  upload.direction = Direction::kIn;
  upload.type = MessageType::kImage;
  upload.platform_message_id = "v1:f-1";
  upload.details = {{"media", {{"id", std::string(64, 'a')}, {"mime_type", "image/png"}, {"filename", "loaf.png"}}}};
  store::MediaRecord record;
  record.tenant_id = 7;
  record.public_id = "pub_loaf";
  record.type = MessageType::kImage;
  record.status = store::MediaStatus::kPending;
  upload.media = record;
  const json::object pending = VisitorMessageJson(upload, "v1", &FakeLink);
  EXPECT_EQ(pending.at("role"), "visitor");
  EXPECT_EQ(pending.at("client_id"), "f-1");
  EXPECT_EQ(pending.at("text"), "");
  EXPECT_EQ(pending.at("media"), (json::value{{"type", "image"},
                                              {"mime_type", "image/png"},
                                              {"bytes", 0},
                                              {"filename", "loaf.png"},
                                              {"status", "pending"},
                                              {"url", nullptr},
                                              {"thumbnail_url", nullptr}}));

  upload.media->status = store::MediaStatus::kReady;
  upload.media->mime_type = "image/png";
  upload.media->bytes = 2048;
  upload.media->file_key = std::string(64, 'a');
  upload.media->thumbnail_key = std::string(64, 'b');
  const json::object ready = VisitorMessageJson(upload, "v1", &FakeLink);
  EXPECT_EQ(ready.at("media").at("status"), "ready");
  EXPECT_EQ(ready.at("media").at("bytes"), 2048);
  EXPECT_EQ(ready.at("media").at("url"), "/api/media/pub_loaf?tenant=7&sig=x");
  EXPECT_EQ(ready.at("media").at("thumbnail_url"), "/api/media/pub_loaf/thumbnail?tenant=7&sig=x");
}

TEST(FilePostTest, AFileHasANameBytesAndAClientIdAndBecomesAMessageOfItsKind) {
  const std::vector<http::FormPart> parts{{"client_id", {}, {}, "f-1"},
                                          {"file", "receipt.pdf", "application/octet-stream", "%PDF-1.7 …"},
                                          {"text", {}, {}, "My receipt"}};
  auto post = ReadFilePost(parts);
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->client_id, "f-1");
  EXPECT_EQ(post->filename, "receipt.pdf");
  EXPECT_EQ(post->caption, "My receipt");
  EXPECT_EQ(post->bytes, "%PDF-1.7 …");

  const WebhookEvents events =
      FileMessage(*post, KeptUpload{MessageType::kDocument, "application/pdf", std::string(64, 'c')});
  ASSERT_EQ(events.messages.size(), 1u);
  const UnifiedMessage& message = events.messages[0];
  EXPECT_EQ(message.platform, Platform(kName));
  EXPECT_EQ(message.platform_message_id, "f-1");
  EXPECT_EQ(message.type, MessageType::kDocument);
  EXPECT_EQ(message.text, "My receipt");
  ASSERT_TRUE(message.media);
  EXPECT_EQ(message.media->id, std::string(64, 'c'));
  EXPECT_EQ(message.media->mime_type, "application/pdf");
  EXPECT_EQ(message.media->filename, "receipt.pdf");
  // Without a caption the message has no text.
  post->caption.clear();
  EXPECT_FALSE(FileMessage(*post, KeptUpload{MessageType::kImage, "image/png", "k"}).messages[0].text);
}

TEST(FilePostTest, AFormWithoutItsFileOrClientIdOrWithOtherPartsIsRefused) {
  const http::FormPart file{"file", "a.png", "image/png", "\x89PNG"};
  const http::FormPart client_id{"client_id", {}, {}, "f-1"};
  auto refused = [](const std::vector<http::FormPart>& parts) {
    auto post = ReadFilePost(parts);
    EXPECT_FALSE(post);
    return post ? ErrorCode::kInternal : post.error().code;
  };
  EXPECT_EQ(refused({client_id}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused({file}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused({file, {"client_id", {}, {}, "not a client id!"}}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused({{"file", "", "image/png", "\x89PNG"}, client_id}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused({{"file", "empty.png", "image/png", ""}, client_id}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused({file, client_id, {"name", {}, {}, "Ada"}}), ErrorCode::kInvalidArgument);
  const std::string long_caption(kMaxTextChars + 1, 'x');
  EXPECT_EQ(refused({file, client_id, {"text", {}, {}, long_caption}}), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(ReadFilePost({file, client_id, {"text", {}, {}, std::string(kMaxTextChars, 'x')}}));
}

TEST(WebchatPluginTest, NoWebhookButRoutesSettingsAndAGenerousLimit) {
  const PlatformPlugin* plugin = FindPlatform("webchat");
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->webhook.verification, WebhookSpec::Verification::kNone);
  EXPECT_EQ(plugin->webhook_path(), "");
  EXPECT_TRUE(plugin->make_routes && plugin->check_settings && plugin->channel_details);
  EXPECT_EQ(plugin->traits.text.max_length, 4096u);
  EXPECT_EQ(plugin->traits.window.free_form_ms, 0);
  EXPECT_FALSE(plugin->traits.read_receipts);
  // Visitors send files, uploaded to Parley rather than downloaded from a platform.
  EXPECT_TRUE(plugin->traits.media);
  EXPECT_TRUE(plugin->traits.keeps_media);
  EXPECT_EQ(plugin->traits.media_source, PlatformTraits::MediaSource::kUploaded);
  const ChannelField* origins = nullptr;
  for (const ChannelField& field : plugin->fields) {
    if (field.key == "allowed_origins") origins = &field;
  }
  ASSERT_NE(origins, nullptr);
  EXPECT_TRUE(origins->multiple);
  EXPECT_EQ(origins->flag, "allowed-origin");
  EXPECT_EQ(plugin->Field(ChannelField::Target::kAccessToken), nullptr);
  EXPECT_EQ(plugin->Field(ChannelField::Target::kDisplayName)->flag, "name");
}

}  // namespace
}  // namespace parley::channels::webchat

namespace parley::channels::webchat {
namespace {

// The limits are integer keys of the platform's: anything else is refused when the configuration is read.
TEST(WebchatPluginTest, ItsLimitsAreReadAsPositiveIntegers) {
  auto load = [](std::string value) {
    return LoadConfig(
        [value](const std::string& name) -> std::optional<std::string> {
          if (name == "PARLEY_WEBCHAT_MESSAGES_PER_MINUTE") return value;
          return std::nullopt;
        },
        std::nullopt, PlatformConfigKeys());
  };
  auto config = load("30");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->PlatformSetting("webchat_messages_per_minute"), "30");
  for (const char* bad : {"often", "0", "-3", "12x"}) {
    auto refused = load(bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_NE(refused.error().message.find("PARLEY_WEBCHAT_MESSAGES_PER_MINUTE"), std::string::npos);
  }
}

}  // namespace
}  // namespace parley::channels::webchat
