#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "channels/instagram/instagram_channel.h"
#include "channels/instagram/parse.h"
#include "core/crypto.h"
#include "graph_stub.h"

namespace parley::channels::instagram {
namespace {

namespace json = boost::json;

TEST(InstagramBodies, TextMessage) {
  EXPECT_EQ(TextMessageBody("1284628956217892", "Hello", ""),
            json::parse(R"({"recipient":{"id":"1284628956217892"},"message":{"text":"Hello"}})"));
}

TEST(InstagramBodies, TextMessageRepliesTo) {
  EXPECT_EQ(TextMessageBody("1284628956217892", "Yes", "mid.A"), json::parse(R"({"recipient":{"id":"1284628956217892"},
                            "message":{"text":"Yes","reply_to":{"mid":"mid.A"}}})"));
}

TEST(InstagramBodies, SenderAction) {
  EXPECT_EQ(SenderActionBody("1284628956217892", "typing_on"),
            json::parse(R"({"recipient":{"id":"1284628956217892"},"sender_action":"typing_on"})"));
}

TEST(InstagramSendResponse, ReadsMessageId) {
  SendResult r = ParseSendResponse(200, R"({"recipient_id":"1284628956217892","message_id":"aWdfZAG1fa"})");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.platform_message_id, "aWdfZAG1fa");
}

TEST(InstagramSendResponse, SenderActionAnswerHasNoId) {
  SendResult r = ParseSendResponse(200, R"({"recipient_id":"1284628956217892"})");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.platform_message_id, "");
}

TEST(InstagramSendResponse, MapsMetaError) {
  SendResult r = ParseSendResponse(400, R"({"error":{"message":"This message is sent outside of allowed window.",
      "type":"IGApiException","code":10,"error_subcode":2534022,"fbtrace_id":"A1"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, 10);
  EXPECT_EQ(r.error->title, "This message is sent outside of allowed window.");
  EXPECT_EQ(r.error->detail, "");
}

class InstagramChannelTest : public ::testing::Test {
 protected:
  static PlatformSettings Settings(std::string base_url) {
    PlatformSettings s;
    s.app_secret = "ig-secret";
    s.verify_token = "ig-verify";
    s.graph_base_url = std::move(base_url);
    return s;
  }
  static http::ClientOptions FastOptions() {
    http::ClientOptions o;
    o.max_attempts = 1;
    return o;
  }

  boost::asio::io_context io_;
  stub::GraphStub stub_{io_};
  http::Client client_{io_.get_executor(), FastOptions()};
  InstagramChannel channel_{Settings(stub_.base_url()), client_};
  const SendAccount account_{"17841400000000001", "IGQ-token"};
};

TEST_F(InstagramChannelTest, Signature) {
  const std::string body = R"({"object":"instagram","entry":[]})";
  EXPECT_TRUE(channel_.VerifySignature(body, "sha256=" + crypto::HmacSha256Hex("ig-secret", body)));
  EXPECT_FALSE(channel_.VerifySignature(body, "sha256=" + crypto::HmacSha256Hex("app-secret", body)));
  EXPECT_FALSE(channel_.VerifySignature(body, ""));
  EXPECT_FALSE(channel_.VerifySignature(body, "sha1=" + crypto::HmacSha256Hex("ig-secret", body)));

  PlatformSettings unconfigured = Settings(stub_.base_url());
  unconfigured.app_secret.clear();
  InstagramChannel open(unconfigured, client_);
  EXPECT_FALSE(open.VerifySignature(body, "sha256=" + crypto::HmacSha256Hex("", body)));
}

TEST_F(InstagramChannelTest, APersonsLateReplyCarriesTheHumanAgentTag) {
  stub_.Answer(200, R"({"recipient_id":"1284628956217892","message_id":"aWdfTAGGED"})");
  SendResult r =
      stub_.Run(channel_.SendText(account_, "1284628956217892", "Sorry for the wait", "", MessageTag::kHumanAgent));
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(stub_.requests().size(), 1u);
  EXPECT_EQ(json::parse(stub_.requests()[0].body), json::parse(R"({"recipient":{"id":"1284628956217892"},
      "message":{"text":"Sorry for the wait"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT"})"));
}

TEST_F(InstagramChannelTest, Handshake) {
  EXPECT_EQ(channel_.VerifyHandshake("subscribe", "ig-verify", "42"), "42");
  EXPECT_EQ(channel_.VerifyHandshake("subscribe", "ig-verif", "42"), std::nullopt);
}

TEST_F(InstagramChannelTest, SendTextPostsToAccount) {
  stub_.Answer(200, R"({"recipient_id":"1284628956217892","message_id":"aWdfSENT"})");
  SendResult r = stub_.Run(channel_.SendText(account_, "1284628956217892", "Hello", "", MessageTag::kNone));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.platform_message_id, "aWdfSENT");
  ASSERT_EQ(stub_.requests().size(), 1u);
  const stub::StubRequest& req = stub_.requests()[0];
  EXPECT_EQ(req.target, "/v23.0/17841400000000001/messages");
  EXPECT_EQ(req.authorization, "Bearer IGQ-token");
  EXPECT_EQ(req.content_type, "application/json");
  EXPECT_EQ(json::parse(req.body), TextMessageBody("1284628956217892", "Hello", ""));
}

TEST_F(InstagramChannelTest, MarkSeenThenTyping) {
  stub_.Answer(200, R"({"recipient_id":"1284628956217892"})");
  stub_.Answer(200, R"({"recipient_id":"1284628956217892"})");
  SendResult r = stub_.Run(channel_.MarkReadAndTyping(account_, "1284628956217892", "mid.IN"));
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(stub_.requests().size(), 2u);
  EXPECT_EQ(json::parse(stub_.requests()[0].body), SenderActionBody("1284628956217892", "mark_seen"));
  EXPECT_EQ(json::parse(stub_.requests()[1].body), SenderActionBody("1284628956217892", "typing_on"));
}

TEST_F(InstagramChannelTest, FirstIndicatorErrorIsReportedAndTypingStillSent) {
  stub_.Answer(400, R"({"error":{"message":"Invalid recipient","code":100,"fbtrace_id":"B"}})");
  stub_.Answer(200, R"({"recipient_id":"1284628956217892"})");
  SendResult r = stub_.Run(channel_.MarkReadAndTyping(account_, "1284628956217892", "mid.IN"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, 100);
  EXPECT_EQ(stub_.requests().size(), 2u);
}

}  // namespace
}  // namespace parley::channels::instagram
