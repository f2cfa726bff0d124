#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "channels/whatsapp/parse.h"
#include "channels/whatsapp/whatsapp_channel.h"
#include "core/crypto.h"
#include "graph_stub.h"
#include "http/multipart.h"

namespace parley::channels::whatsapp {
namespace {

namespace json = boost::json;

TEST(WhatsAppBodies, TextMessage) {
  EXPECT_EQ(TextMessageBody("16505551234", "Hello", ""),
            json::parse(R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
                            "type":"text","text":{"preview_url":false,"body":"Hello"}})"));
}

TEST(WhatsAppBodies, TextMessageQuotesReplyTo) {
  EXPECT_EQ(TextMessageBody("16505551234", "Yes", "wamid.A"),
            json::parse(R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
                            "type":"text","text":{"preview_url":false,"body":"Yes"},
                            "context":{"message_id":"wamid.A"}})"));
}

TEST(WhatsAppBodies, MarkReadShowsTyping) {
  EXPECT_EQ(MarkReadBody("wamid.A"),
            json::parse(R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.A",
                            "typing_indicator":{"type":"text"}})"));
}

TEST(WhatsAppSendResponse, ReadsMessageId) {
  SendResult r = ParseSendResponse(200, R"({"messaging_product":"whatsapp",
      "contacts":[{"input":"+1 650 555 1234","wa_id":"16505551234"}],
      "messages":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3","message_status":"accepted"}]})");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.platform_message_id, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3");
}

TEST(WhatsAppSendResponse, MarkReadAnswerHasNoId) {
  SendResult r = ParseSendResponse(200, R"({"success":true})");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.platform_message_id, "");
}

TEST(WhatsAppSendResponse, UnreadableSuccessIsStillSuccess) {
  SendResult r = ParseSendResponse(200, "<html>");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.platform_message_id, "");
}

TEST(WhatsAppSendResponse, MapsMetaError) {
  SendResult r =
      ParseSendResponse(400, R"({"error":{"message":"(#131047) Re-engagement message","type":"OAuthException",
      "code":131047,"error_subcode":2494010,"error_data":{"messaging_product":"whatsapp",
      "details":"Message failed to send because more than 24 hours have passed since the customer last replied."},
      "fbtrace_id":"AbCdEf"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, 131047);
  EXPECT_EQ(r.error->title, "(#131047) Re-engagement message");
  EXPECT_EQ(r.error->detail,
            "Message failed to send because more than 24 hours have passed since the customer last replied.");
}

TEST(WhatsAppSendResponse, NonGraphErrorKeepsHttpStatus) {
  SendResult r = ParseSendResponse(502, std::string(1000, 'x'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, 502);
  EXPECT_EQ(r.error->title, "HTTP 502");
  EXPECT_EQ(r.error->detail.size(), 200u);  // An excerpt, not the whole page.
}

class WhatsAppChannelTest : public ::testing::Test {
 protected:
  static PlatformSettings Settings(std::string base_url) {
    PlatformSettings s;
    s.app_secret = "app-secret";
    s.verify_token = "verify-me";
    s.graph_base_url = std::move(base_url);
    return s;
  }
  static http::ClientOptions FastOptions() {
    http::ClientOptions o;
    o.max_attempts = 1;  // Retries are the client's business, tested there.
    o.connect_timeout = std::chrono::milliseconds(1000);
    return o;
  }

  boost::asio::io_context io_;
  stub::GraphStub stub_{io_};
  http::Client client_{io_.get_executor(), FastOptions()};
  WhatsAppChannel channel_{Settings(stub_.base_url() + "/"), client_};
  const SendAccount account_{"106540352242922", "EAAG-token"};
};

TEST_F(WhatsAppChannelTest, Signature) {
  const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
  const std::string good = "sha256=" + crypto::HmacSha256Hex("app-secret", body);
  EXPECT_TRUE(channel_.VerifySignature(body, good));
  EXPECT_FALSE(channel_.VerifySignature(body + " ", good)) << "body altered";
  EXPECT_FALSE(channel_.VerifySignature(body, "sha256=" + crypto::HmacSha256Hex("other-secret", body)));
  EXPECT_FALSE(channel_.VerifySignature(body, "")) << "missing header";
  EXPECT_FALSE(channel_.VerifySignature(body, crypto::HmacSha256Hex("app-secret", body))) << "no prefix";
  EXPECT_FALSE(channel_.VerifySignature(body, "sha1=" + crypto::HmacSha256Hex("app-secret", body)));

  PlatformSettings unconfigured = Settings(stub_.base_url());
  unconfigured.app_secret.clear();
  WhatsAppChannel open(unconfigured, client_);
  EXPECT_FALSE(open.VerifySignature(body, "sha256=" + crypto::HmacSha256Hex("", body))) << "empty secret";
}

TEST_F(WhatsAppChannelTest, Handshake) {
  EXPECT_EQ(channel_.VerifyHandshake("subscribe", "verify-me", "1158201444"), "1158201444");
  EXPECT_EQ(channel_.VerifyHandshake("subscribe", "wrong", "1158201444"), std::nullopt);
  EXPECT_EQ(channel_.VerifyHandshake("unsubscribe", "verify-me", "1158201444"), std::nullopt);

  PlatformSettings unconfigured = Settings(stub_.base_url());
  unconfigured.verify_token.clear();
  WhatsAppChannel open(unconfigured, client_);
  EXPECT_EQ(open.VerifyHandshake("subscribe", "", "1158201444"), std::nullopt);
}

TEST_F(WhatsAppChannelTest, SendTextPostsToPhoneNumberId) {
  stub_.Answer(200, R"({"messaging_product":"whatsapp","contacts":[{"input":"16505551234","wa_id":"16505551234"}],
                       "messages":[{"id":"wamid.SENT"}]})");
  SendResult r = stub_.Run(channel_.SendText(account_, "16505551234", "Hello", "wamid.IN", MessageTag::kNone));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.platform_message_id, "wamid.SENT");
  ASSERT_EQ(stub_.requests().size(), 1u);
  const stub::StubRequest& req = stub_.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v23.0/106540352242922/messages");
  EXPECT_EQ(req.authorization, "Bearer EAAG-token");
  EXPECT_EQ(req.content_type, "application/json");
  EXPECT_EQ(json::parse(req.body), TextMessageBody("16505551234", "Hello", "wamid.IN"));
}

TEST_F(WhatsAppChannelTest, SendMediaUploadsThenSendsByIdWithTheCaption) {
  stub_.Answer(200, R"({"id":"1037543291543636"})");
  stub_.Answer(200, R"({"messaging_product":"whatsapp","messages":[{"id":"wamid.PHOTO"}]})");
  const OutboundMedia photo{MessageType::kImage, "image/jpeg", "receipt.jpg", std::string("\xff\xd8\xff\xe0", 4), {}};
  SendResult r = stub_.Run(channel_.SendMedia(account_, "16505551234", photo, "Your receipt", MessageTag::kNone));
  ASSERT_TRUE(r.ok()) << r.error->title;
  EXPECT_EQ(r.platform_message_id, "wamid.PHOTO");
  ASSERT_EQ(stub_.requests().size(), 2u);
  const stub::StubRequest& upload = stub_.requests()[0];
  EXPECT_EQ(upload.target, "/v23.0/106540352242922/media");
  EXPECT_EQ(upload.authorization, "Bearer EAAG-token");
  auto boundary = http::MultipartBoundary(upload.content_type);
  ASSERT_TRUE(boundary) << upload.content_type;
  auto parts = http::ParseMultipart(upload.body, *boundary).value();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].name, "messaging_product");
  EXPECT_EQ(parts[0].data, "whatsapp");
  EXPECT_EQ(parts[1].name, "file");
  EXPECT_EQ(parts[1].file_name, "receipt.jpg");
  EXPECT_EQ(parts[1].content_type, "image/jpeg");
  EXPECT_EQ(parts[1].data, photo.bytes);
  EXPECT_EQ(parts[2].name, "type");
  EXPECT_EQ(parts[2].data, "image/jpeg");
  EXPECT_EQ(stub_.requests()[1].target, "/v23.0/106540352242922/messages");
  EXPECT_EQ(json::parse(stub_.requests()[1].body),
            json::parse(R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
                            "type":"image","image":{"id":"1037543291543636","caption":"Your receipt"}})"));
}

TEST_F(WhatsAppChannelTest, SendMediaStopsAtARefusedUploadAndSendsAnAudioCaptionAsText) {
  stub_.Answer(400, R"({"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100}})");
  const OutboundMedia voice{MessageType::kAudio, "audio/ogg", "note.ogg", "OggS", {}};
  SendResult refused = stub_.Run(channel_.SendMedia(account_, "16505551234", voice, "Listen", MessageTag::kNone));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error->code, 100);
  EXPECT_FALSE(refused.transient);
  EXPECT_EQ(stub_.requests().size(), 1u);

  stub_.Answer(200, R"({"id":"media-2"})");
  stub_.Answer(200, R"({"messages":[{"id":"wamid.VOICE"}]})");
  stub_.Answer(500, R"({"error":{"message":"down","type":"OAuthException","code":2}})");
  SendResult sent = stub_.Run(channel_.SendMedia(account_, "16505551234", voice, "Listen", MessageTag::kNone));
  ASSERT_EQ(stub_.requests().size(), 4u);
  EXPECT_EQ(json::parse(stub_.requests()[2].body).at("audio"), json::parse(R"({"id":"media-2"})"));
  EXPECT_EQ(json::parse(stub_.requests()[3].body), TextMessageBody("16505551234", "Listen", ""));
  // The recording went; only its caption failed: not sent again.
  ASSERT_FALSE(sent.ok());
  EXPECT_FALSE(sent.transient);
  EXPECT_NE(sent.error->title.find("the file was sent but not its caption"), std::string::npos) << sent.error->title;
}

TEST(WhatsAppBodies, MediaMessageDocumentCarriesItsName) {
  EXPECT_EQ(MediaMessageBody("16505551234", "m1", MessageType::kDocument, "", "invoice.pdf"),
            json::parse(R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
                            "type":"document","document":{"id":"m1","filename":"invoice.pdf"}})"));
  EXPECT_EQ(ParseUploadResponse(200, R"({"id":"77"})").platform_message_id, "77");
  EXPECT_FALSE(ParseUploadResponse(200, R"({})").ok());
}

TEST_F(WhatsAppChannelTest, MarkReadAndTypingIsOneCall) {
  stub_.Answer(200, R"({"success":true})");
  SendResult r = stub_.Run(channel_.MarkReadAndTyping(account_, "16505551234", "wamid.IN"));
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(stub_.requests().size(), 1u);
  EXPECT_EQ(json::parse(stub_.requests()[0].body), MarkReadBody("wamid.IN"));
}

TEST_F(WhatsAppChannelTest, MarkReadWithoutMessageDoesNotCallOut) {
  SendResult r = stub_.Run(channel_.MarkReadAndTyping(account_, "16505551234", ""));
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(stub_.requests().empty());
}

TEST_F(WhatsAppChannelTest, PlatformErrorBecomesMessageError) {
  stub_.Answer(400, R"({"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100,
                                 "error_data":{"details":"Parameter 'to' is invalid"},"fbtrace_id":"X"}})");
  SendResult r = stub_.Run(channel_.SendText(account_, "not-a-number", "Hello", "", MessageTag::kNone));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, 100);
  EXPECT_EQ(r.error->title, "(#100) Invalid parameter");
  EXPECT_EQ(r.error->detail, "Parameter 'to' is invalid");
}

TEST_F(WhatsAppChannelTest, NetworkErrorHasCodeZero) {
  std::string closed_url;
  {
    boost::asio::ip::tcp::acceptor probe(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
    closed_url = "http://127.0.0.1:" + std::to_string(probe.local_endpoint().port()) + "/v23.0";
  }
  WhatsAppChannel unreachable(Settings(closed_url), client_);
  SendResult r = stub_.Run(unreachable.SendText(account_, "16505551234", "Hello", "", MessageTag::kNone));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, 0);
  EXPECT_EQ(r.error->title, "network error");
  EXPECT_FALSE(r.error->detail.empty());
  EXPECT_EQ(r.error->detail.find("EAAG-token"), std::string::npos);
}

}  // namespace
}  // namespace parley::channels::whatsapp
