#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "channels/messenger/messenger_channel.h"
#include "channels/messenger/parse.h"
#include "channels/meta/parse_accounts.h"
#include "channels/registry.h"
#include "core/crypto.h"
#include "graph_stub.h"

namespace parley::channels::messenger {
namespace {

namespace json = boost::json;

TEST(MessengerBodies, AReplyIsARESPONSE) {
  EXPECT_EQ(TextMessageBody("6923849103847562", "Hello", MessageTag::kNone),
            json::parse(R"({"recipient":{"id":"6923849103847562"},"messaging_type":"RESPONSE",
                            "message":{"text":"Hello"}})"));
}

TEST(MessengerBodies, APersonsLateReplyIsTaggedHumanAgent) {
  EXPECT_EQ(TextMessageBody("6923849103847562", "Sorry for the wait", MessageTag::kHumanAgent),
            json::parse(R"({"recipient":{"id":"6923849103847562"},"messaging_type":"MESSAGE_TAG",
                            "tag":"HUMAN_AGENT","message":{"text":"Sorry for the wait"}})"));
}

TEST(MessengerSendResponse, ReadsMessageIdAndMetaErrors) {
  SendResult sent = ParseSendResponse(200, R"({"recipient_id":"6923849103847562","message_id":"m_AG5Hz2U"})");
  EXPECT_TRUE(sent.ok());
  EXPECT_EQ(sent.platform_message_id, "m_AG5Hz2U");
  SendResult outside = ParseSendResponse(
      400, R"({"error":{"message":"(#10) This message is sent outside of allowed window.","type":"OAuthException",
      "code":10,"error_subcode":2018278,"fbtrace_id":"A1"}})");
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error->code, 10);
}

TEST(MessengerPlugin, DeclaresMessengersRules) {
  const PlatformPlugin* plugin = FindPlatform("messenger");
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->traits.text.max_length, 2000u);
  EXPECT_EQ(plugin->traits.window.free_form_ms, int64_t{24} * 3600 * 1000);
  EXPECT_EQ(plugin->traits.window.human_agent_ms, int64_t{7} * 24 * 3600 * 1000);
  EXPECT_FALSE(plugin->traits.window.templates);
  EXPECT_EQ(plugin->webhook.signature_header, "X-Hub-Signature-256");
  EXPECT_EQ(plugin->webhook.app_secret.env, "MESSENGER_APP_SECRET");
  EXPECT_EQ(plugin->webhook.verify_token.env, "MESSENGER_VERIFY_TOKEN");
  EXPECT_EQ(plugin->Field(ChannelField::Target::kAccountId)->flag, "page-id");
  EXPECT_EQ(plugin->meta_login->discovery, MetaLogin::Discovery::kPages);
}

TEST(MessengerPages, APageAndTheLoginsPagesRead) {
  auto page = meta::ParsePage(json::parse(R"({"id":"104623598744221","name":"Crumb & Co"})").as_object());
  ASSERT_TRUE(page);
  EXPECT_EQ(page->username, "Crumb & Co");
  auto pages = meta::ParsePages(json::parse(R"({"data":[{"id":"104623598744221","name":"Crumb & Co",
      "access_token":"EAAPage"}],"paging":{"cursors":{"before":"a","after":"b"}}})")
                                    .as_object());
  ASSERT_TRUE(pages);
  ASSERT_EQ(pages->size(), 1u);
  EXPECT_EQ((*pages)[0].info.id, "104623598744221");
  EXPECT_EQ((*pages)[0].access_token, "EAAPage");
  EXPECT_FALSE(meta::ParsePages(json::parse(R"({"data":[{"id":"1","name":"No token"}]})").as_object()));
}

class MessengerChannelTest : public ::testing::Test {
 protected:
  static PlatformSettings Settings(std::string base_url) {
    PlatformSettings s;
    s.app_secret = "fb-secret";
    s.verify_token = "fb-verify";
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
  MessengerChannel channel_{Settings(stub_.base_url()), client_};
  const SendAccount account_{"104623598744221", "EAAPage-token"};
};

TEST_F(MessengerChannelTest, SignatureAndHandshake) {
  const std::string body = R"({"object":"page","entry":[]})";
  EXPECT_TRUE(channel_.VerifySignature(body, "sha256=" + crypto::HmacSha256Hex("fb-secret", body)));
  EXPECT_FALSE(channel_.VerifySignature(body, "sha256=" + crypto::HmacSha256Hex("ig-secret", body)));
  EXPECT_EQ(channel_.VerifyHandshake("subscribe", "fb-verify", "42"), "42");
  EXPECT_EQ(channel_.VerifyHandshake("subscribe", "fb-verif", "42"), std::nullopt);
}

TEST_F(MessengerChannelTest, SendTextPostsToThePagesMessagesWithItsToken) {
  stub_.Answer(200, R"({"recipient_id":"6923849103847562","message_id":"m_SENT"})");
  SendResult r = stub_.Run(channel_.SendText(account_, "6923849103847562", "Hello", "m_IN", MessageTag::kNone));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.platform_message_id, "m_SENT");
  ASSERT_EQ(stub_.requests().size(), 1u);
  const stub::StubRequest& req = stub_.requests()[0];
  EXPECT_EQ(req.target, "/v23.0/104623598744221/messages");
  EXPECT_EQ(req.authorization, "Bearer EAAPage-token");
  EXPECT_EQ(json::parse(req.body), TextMessageBody("6923849103847562", "Hello", MessageTag::kNone));
}

TEST_F(MessengerChannelTest, AFileGoesByItsLinkThenItsCaptionAsText) {
  const OutboundMedia photo{
      MessageType::kImage, "image/jpeg", "cake.jpg", {}, "https://parley.example.com/api/media/x"};
  // Without a link (no PARLEY_PUBLIC_URL) Meta could not fetch it: refused without calling out.
  OutboundMedia unlinked = photo;
  unlinked.url.clear();
  SendResult refused = stub_.Run(channel_.SendMedia(account_, "6923849103847562", unlinked, "", MessageTag::kNone));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error->title.find("PARLEY_PUBLIC_URL"), std::string::npos);
  EXPECT_TRUE(stub_.requests().empty());

  stub_.Answer(200, R"({"recipient_id":"6923849103847562","message_id":"m_FILE"})");
  stub_.Answer(200, R"({"recipient_id":"6923849103847562","message_id":"m_CAPTION"})");
  SendResult r = stub_.Run(channel_.SendMedia(account_, "6923849103847562", photo, "Your cake", MessageTag::kNone));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.platform_message_id, "m_FILE");
  ASSERT_EQ(stub_.requests().size(), 2u);
  EXPECT_EQ(json::parse(stub_.requests()[0].body),
            json::parse(R"({"recipient":{"id":"6923849103847562"},"messaging_type":"RESPONSE",
                            "message":{"attachment":{"type":"image","payload":{
                              "url":"https://parley.example.com/api/media/x","is_reusable":true}}}})"));
  EXPECT_EQ(json::parse(stub_.requests()[1].body), TextMessageBody("6923849103847562", "Your cake", MessageTag::kNone));
}

TEST_F(MessengerChannelTest, MarkSeenThenTypingOn) {
  stub_.Answer(200, R"({"recipient_id":"6923849103847562"})");
  stub_.Answer(200, R"({"recipient_id":"6923849103847562"})");
  SendResult r = stub_.Run(channel_.MarkReadAndTyping(account_, "6923849103847562", "m_IN"));
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(stub_.requests().size(), 2u);
  EXPECT_EQ(json::parse(stub_.requests()[0].body), SenderActionBody("6923849103847562", "mark_seen"));
  EXPECT_EQ(json::parse(stub_.requests()[1].body), SenderActionBody("6923849103847562", "typing_on"));
}

TEST_F(MessengerChannelTest, TheCredentialsCheckReadsThePage) {
  stub_.Answer(200, R"({"id":"104623598744221","name":"Crumb & Co"})");
  auto checked = stub_.Run(channel_.CheckAccount("104623598744221", "EAAPage-token"));
  ASSERT_TRUE(checked) << checked.error().message;
  EXPECT_EQ(checked->username, "Crumb & Co");
  EXPECT_EQ(stub_.requests()[0].target, "/v23.0/104623598744221?fields=id%2Cname");
  stub_.Answer(400, R"({"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}})");
  auto refused = stub_.Run(channel_.CheckAccount("104623598744221", "bad"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("Messenger refused the credentials"), std::string::npos);
}

TEST_F(MessengerChannelTest, TemplatesFailWithoutCallingOut) {
  SendResult r = stub_.Run(channel_.SendTemplate(account_, "6923849103847562", TemplateMessage{"order_ready", "en"}));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.transient);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->title, "Messenger has no message templates");
  EXPECT_TRUE(stub_.requests().empty());
}

}  // namespace
}  // namespace parley::channels::messenger
