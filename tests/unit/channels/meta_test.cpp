#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "channels/instagram/parse.h"
#include "channels/meta/graph.h"
#include "channels/meta/parse_json.h"
#include "channels/whatsapp/parse.h"

namespace parley::channels::meta {
namespace {

namespace json = boost::json;

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(ParseJson, AcceptsNestingUpToTheLimit) { EXPECT_TRUE(ParseJson(Nested(kMaxJsonDepth))); }

TEST(ParseJson, RejectsDeeperNesting) {
  Result<json::value> r = ParseJson(Nested(kMaxJsonDepth + 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("malformed JSON"), std::string::npos);
}

TEST(ParseJson, HugeNestingNeitherCrashesNorRecurses) {
  EXPECT_FALSE(ParseJson(std::string(1'000'000, '[')));
  EXPECT_FALSE(ParseJson(Nested(1'000'000)));
}

// The depth limit applies wherever the nesting is, including fields the parsers never read.
TEST(ParseJson, WebhooksRejectDeepFields) {
  std::string deep_field = R"({"object":"whatsapp_business_account","entry":[],"x":)" + Nested(100) + "}";
  Result<WebhookEvents> wa = whatsapp::ParseWhatsAppWebhook(deep_field);
  ASSERT_FALSE(wa);
  EXPECT_NE(wa.error().message.find("malformed JSON"), std::string::npos);

  std::string deep_text = R"({"object":"instagram","entry":[{"id":"1","messaging":[{"sender":{"id":"2"},)"
                          R"("timestamp":1,"message":{"mid":"m","text":)" +
                          Nested(100) + "}}]}]}";
  EXPECT_FALSE(instagram::ParseInstagramWebhook(deep_text));
}

TEST(ParseJson, ShallowUnreadFieldsAreFine) {
  std::string body = R"({"object":"whatsapp_business_account","entry":[],"x":)" + Nested(40) + "}";
  EXPECT_TRUE(whatsapp::ParseWhatsAppWebhook(body));
}

TEST(FieldReader, FirstErrorWins) {
  json::object o = json::parse(R"({"a":1,"b":true})").as_object();
  FieldReader read;
  EXPECT_EQ(read.String(o, "a"), "");
  EXPECT_EQ(read.Array(o, "b"), nullptr);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message, "field \"a\" must be a string");
}

TEST(FieldReader, AbsentAndNullAreNotErrors) {
  json::object o = json::parse(R"({"n":null})").as_object();
  FieldReader read;
  EXPECT_EQ(read.OptString(o, "n"), std::nullopt);
  EXPECT_EQ(read.OptString(o, "missing"), std::nullopt);
  EXPECT_EQ(read.Object(o, "n"), nullptr);
  EXPECT_EQ(read.Integer(o, "missing"), 0);
  EXPECT_FALSE(read.Bool(o, "n"));
  EXPECT_TRUE(read.ok());
}

TEST(FieldReader, Integers) {
  json::object o = json::parse(R"({"i":131047,"s":"42","f":1.5,"big":1e300,"text":"4x"})").as_object();
  FieldReader read;
  EXPECT_EQ(read.Integer(o, "i"), 131047);
  EXPECT_EQ(read.Integer(o, "s"), 42);
  EXPECT_TRUE(read.ok());
  EXPECT_EQ(read.Integer(o, "f"), 0);
  EXPECT_FALSE(read.ok());
  for (const char* key : {"big", "text"}) {
    FieldReader other;
    other.Integer(o, key);
    EXPECT_FALSE(other.ok()) << key;
  }
}

TEST(FieldReader, TimestampsInSecondsOrMilliseconds) {
  json::object o = json::parse(R"({"wa":"1744344496","ig":1744344495349,"zero":0,"neg":-1,"huge":1e17})").as_object();
  FieldReader read;
  EXPECT_EQ(read.TimestampMs(o, "wa"), 1744344496000);
  EXPECT_EQ(read.TimestampMs(o, "ig"), 1744344495349);
  EXPECT_EQ(read.TimestampMs(o, "zero"), 0);
  EXPECT_TRUE(read.ok());
  read.TimestampMs(o, "neg");
  EXPECT_FALSE(read.ok());
  FieldReader other;
  other.TimestampMs(o, "huge");
  EXPECT_FALSE(other.ok());
}

TEST(GraphError, ReadsMetaErrorObject) {
  MessageError e = ParseGraphError(401, R"({"error":{"message":"Error validating access token","type":"OAuthException",
                                        "code":190,"error_subcode":463,"fbtrace_id":"Z"}})");
  EXPECT_EQ(e.code, 190);
  EXPECT_EQ(e.title, "Error validating access token");
  EXPECT_EQ(e.detail, "");
}

TEST(GraphError, WrongTypesFallBackToHttpStatus) {
  MessageError e = ParseGraphError(500, R"({"error":{"message":7,"code":"x"}})");
  EXPECT_EQ(e.code, 500);
  EXPECT_EQ(e.title, "HTTP 500");
}

TEST(Graph, TransientFailuresAreOutagesAndThrottlingNotRefusals) {
  EXPECT_TRUE(IsTransientFailure(503, R"({"error":{"message":"Service temporarily unavailable","code":2}})"));
  EXPECT_TRUE(IsTransientFailure(500, "<html>proxy error</html>"));
  EXPECT_TRUE(IsTransientFailure(429, ""));
  EXPECT_TRUE(IsTransientFailure(400, R"({"error":{"message":"Temporary","code":1,"is_transient":true}})"));
  EXPECT_FALSE(IsTransientFailure(400, R"({"error":{"message":"Re-engagement message","code":131047}})"));
  EXPECT_FALSE(IsTransientFailure(400, R"({"error":{"message":"x","code":1,"is_transient":false}})"));
  EXPECT_FALSE(IsTransientFailure(400, R"({"error":{"message":"x","code":1,"is_transient":"yes"}})"));
  EXPECT_FALSE(IsTransientFailure(401, "not json"));
}

TEST(Graph, MessagesUrl) {
  EXPECT_EQ(MessagesUrl("https://graph.facebook.com/v23.0", "123"), "https://graph.facebook.com/v23.0/123/messages");
  EXPECT_EQ(MessagesUrl("https://graph.facebook.com/v23.0//", "123"), "https://graph.facebook.com/v23.0/123/messages");
}

}  // namespace
}  // namespace parley::channels::meta
