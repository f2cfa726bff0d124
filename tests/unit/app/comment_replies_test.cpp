#include "app/comment_replies.h"

#include <gtest/gtest.h>

namespace parley::app {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kEightDaysAgo = kNow - 8 * 24 * 3600 * 1000LL;  // Past Instagram's private reply window.

store::StoredMessage Comment(int64_t written_at_ms = kNow - 60'000) {
  store::StoredMessage m;
  m.type = MessageType::kComment;
  m.platform_message_id = "17865799348089039";
  m.platform_timestamp_ms = written_at_ms;
  m.created_at_ms = written_at_ms;
  return m;
}

std::vector<store::OutboundDraft> Answer(std::string text) {
  store::OutboundDraft d;
  d.text = std::move(text);
  return {d};
}

TEST(HoldsPrivateDetail, FindsPricesAddressesAndLongNumbers) {
  EXPECT_TRUE(HoldsPrivateDetail("Delivery costs 3 euros."));
  EXPECT_TRUE(HoldsPrivateDetail("It's $25 a box."));
  EXPECT_TRUE(HoldsPrivateDetail("Only 12,50\xe2\x82\xac today"));
  EXPECT_TRUE(HoldsPrivateDetail("Price: EUR 40"));
  EXPECT_TRUE(HoldsPrivateDetail("Write to orders@crumb.example"));
  EXPECT_TRUE(HoldsPrivateDetail("Call +33 6 12 34 56 78"));
  EXPECT_TRUE(HoldsPrivateDetail("Your order 4829103 is on its way"));
  EXPECT_FALSE(HoldsPrivateDetail("On Sunday we open from 10:00 to 14:00."));
  EXPECT_FALSE(HoldsPrivateDetail("We deliver within 5 km of the shop."));
  EXPECT_FALSE(HoldsPrivateDetail("Follow @crumbandco for news"));
}

TEST(ShortForPublic, KeepsTwoSentencesWithinTheLimit) {
  EXPECT_EQ(ShortForPublic("Yes! We open at 9. Sundays too. Come by."), "Yes! We open at 9.");
  EXPECT_EQ(ShortForPublic("One sentence only"), "One sentence only");
  const std::string shortened = ShortForPublic(std::string(400, 'a') + " end", 50);
  EXPECT_LE(shortened.size(), 50u);
  EXPECT_TRUE(shortened.ends_with("\xe2\x80\xa6"));
}

TEST(RepliesToComment, PrivateByDefaultAndNothingPastSevenDays) {
  auto replies = RepliesToComment(Answer("We open at 9."), Comment(), agent::CommentReplies::kPrivate, "en", kNow);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].comment_reply, store::CommentReply::kPrivate);
  EXPECT_EQ(replies[0].reply_to, "17865799348089039");
  EXPECT_EQ(replies[0].text, "We open at 9.");
  EXPECT_TRUE(
      RepliesToComment(Answer("We open at 9."), Comment(kEightDaysAgo), agent::CommentReplies::kPrivate, "en", kNow)
          .empty());
}

TEST(RepliesToComment, PublicShortUnlessItHoldsAPrice) {
  auto plain = RepliesToComment(Answer("We open at 9. Every day. Even on holidays."), Comment(),
                                agent::CommentReplies::kPublic, "en", kNow);
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].comment_reply, store::CommentReply::kPublic);
  EXPECT_EQ(plain[0].text, "We open at 9. Every day.");

  auto priced = RepliesToComment(Answer("Delivery is 3 euros."), Comment(), agent::CommentReplies::kPublic, "fr", kNow);
  ASSERT_EQ(priced.size(), 2u);
  EXPECT_EQ(priced[0].comment_reply, store::CommentReply::kPrivate);
  EXPECT_EQ(priced[0].text, "Delivery is 3 euros.");
  EXPECT_EQ(priced[1].comment_reply, store::CommentReply::kPublic);
  EXPECT_EQ(priced[1].text, "Merci pour votre commentaire ! Nous vous avons envoyé un message privé.");

  auto late = RepliesToComment(Answer("Delivery is 3 euros."), Comment(kEightDaysAgo), agent::CommentReplies::kPublic,
                               "en", kNow);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].text, "Thanks for your comment! Send us a private message and we'll help you there.");
}

TEST(RepliesToComment, BothSendsTheWholeAnswerPrivatelyFirst) {
  auto replies = RepliesToComment(Answer("We open at 9. Every day. Even on holidays."), Comment(),
                                  agent::CommentReplies::kBoth, "xx", kNow);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].comment_reply, store::CommentReply::kPrivate);
  EXPECT_EQ(replies[0].text, "We open at 9. Every day. Even on holidays.");
  EXPECT_EQ(replies[1].comment_reply, store::CommentReply::kPublic);
  EXPECT_EQ(replies[1].text, "We open at 9. Every day.");
}

TEST(RepliesToComment, OffOrSilentSaysNothing) {
  EXPECT_TRUE(RepliesToComment(Answer("Hi"), Comment(), agent::CommentReplies::kOff, "en", kNow).empty());
  EXPECT_TRUE(RepliesToComment({}, Comment(), agent::CommentReplies::kBoth, "en", kNow).empty());
}

}  // namespace
}  // namespace parley::app
