// The assistant's comment_replies setting: how public comments are answered (app/comment_replies.h delivers it).

#include "agent/settings.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace parley::agent {
namespace {

boost::json::object Obj(const char* text) { return boost::json::parse(text).as_object(); }

TEST(CommentRepliesSettingTest, PrivateByDefaultAndOneOfFourValues) {
  AiSettings settings = DefaultAiSettings(Config{});
  EXPECT_EQ(settings.comment_replies, CommentReplies::kPrivate);
  EXPECT_EQ(ToPublicJson(settings).at("comment_replies"), "private");
  for (const char* value : {"off", "public", "private", "both"}) {
    boost::json::object json{{"comment_replies", value}};
    ASSERT_TRUE(ApplyAiSettingsJson(json, settings)) << value;
    EXPECT_EQ(ToString(settings.comment_replies), value);
    EXPECT_EQ(ToPublicJson(settings).at("comment_replies"), value);
  }
  for (const char* wrong : {R"({"comment_replies": "dm"})", R"({"comment_replies": true})"}) {
    auto applied = ApplyAiSettingsJson(Obj(wrong), settings);
    ASSERT_FALSE(applied) << wrong;
    EXPECT_EQ(applied.error().message.rfind("comment_replies must be", 0), 0u) << applied.error().message;
  }
  EXPECT_EQ(settings.comment_replies, CommentReplies::kBoth);  // A refused value leaves the setting as it was.
  EXPECT_TRUE(AiSettingsJsonSchema().at("properties").as_object().contains("comment_replies"));
}

}  // namespace
}  // namespace parley::agent
