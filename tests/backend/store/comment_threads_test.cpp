// Comment threads on every backend: a commenter's comments on one post in a conversation of their own, beside their
// direct one; a comment notified twice stored once; replies under a comment or in private through the outbox; what
// people do to a comment from the inbox.

#include "store_test.h"

#include "store/inbox_store.h"

namespace parley::store::testing {
namespace {

InboundItem CommentOn(const std::string& media_id, const std::string& comment_id, const std::string& contact,
                      const std::string& text) {
  InboundItem item = Inbound(comment_id, contact, text);
  item.message.type = MessageType::kComment;
  item.message.comment = Comment{media_id, "FEED", {}, false};
  return item;
}

TEST_P(StoreTest, ACommentOpensAThreadPerMediaBesideTheDirectConversation) {
  auto outcome = Ingest(
      Request(kT0, {Inbound("wamid.dm", "c1", "hello"), CommentOn("media-1", "cm1", "c1", "nice"),
                    CommentOn("media-1", "cm2", "c1", "how much?"), CommentOn("media-2", "cm3", "c1", "and this one?"),
                    CommentOn("media-1", "cm1", "c1", "nice")}));
  ASSERT_TRUE(outcome) << outcome.error().detail;
  EXPECT_EQ(outcome->stored, 4);
  EXPECT_EQ(outcome->duplicates, 1);  // The same comment in a second entry, as Meta sends an ad's.
  ASSERT_EQ(outcome->pending.size(), 3u);

  std::map<std::string, int64_t> by_thread;
  for (const Conversation& c : store_->ListConversations(tenant_.id, std::nullopt, 10).value().data) {
    EXPECT_EQ(c.contact.platform_id, "c1");
    by_thread[c.comment_on] = c.id;
  }
  ASSERT_EQ(by_thread.size(), 3u);
  ASSERT_TRUE(by_thread.contains("") && by_thread.contains("media-1") && by_thread.contains("media-2"));
  EXPECT_EQ(Messages(by_thread[""]).size(), 1u);
  auto thread = Messages(by_thread["media-1"]);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[0].type, MessageType::kComment);
  EXPECT_EQ(thread[0].details.at("comment").at("media_id"), "media-1");
  EXPECT_EQ(store_->GetConversation(tenant_.id, by_thread["media-2"])->comment_on, "media-2");

  // Redelivered later, in another payload: stored once still, and the thread stays the one.
  auto again = Ingest(Request(kT0 + 1000, {CommentOn("media-1", "cm2", "c1", "how much?")}));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->stored, 0);
  EXPECT_EQ(again->duplicates, 1);
  // A new comment on the same post joins its thread.
  auto next = Ingest(Request(kT0 + 2000, {CommentOn("media-1", "cm4", "c1", "thanks")}));
  ASSERT_TRUE(next);
  ASSERT_EQ(next->pending.size(), 1u);
  EXPECT_EQ(next->pending[0].conversation_id, by_thread["media-1"]);
}

TEST_P(StoreTest, CommentRepliesGoThroughTheOutboxWithHowTheyAreSent) {
  auto outcome = Ingest(Request(kT0, {CommentOn("media-1", "cm1", "c1", "price?")})).value();
  Claim claim = MustClaim(outcome.pending.at(0).conversation_id, kT0 + 1);
  EXPECT_EQ(claim.conversation.comment_on, "media-1");
  Reply reply;
  OutboundDraft in_private{MessageType::kText, "It is 3 euros.", "cm1"};
  in_private.comment_reply = CommentReply::kPrivate;
  OutboundDraft in_public{MessageType::kText, "We've sent you a private message.", "cm1"};
  in_public.comment_reply = CommentReply::kPublic;
  reply.messages = {in_private, in_public};
  std::vector<int64_t> ids;
  ASSERT_EQ(store_->CommitReply(claim, reply, kT0 + 2, &ids).value(), CommitResult::kCommitted);
  ASSERT_EQ(ids.size(), 2u);
  auto first = store_->LeaseNextOutbound(claim.conversation_id, kT0 + 3, kLease).value();
  ASSERT_TRUE(first.lease);
  EXPECT_EQ(first.lease->message.draft.comment_reply, CommentReply::kPrivate);
  EXPECT_EQ(first.lease->message.draft.reply_to, "cm1");
  ASSERT_TRUE(store_->RecordSendResult(ids[0], "mid.1", MessageStatus::kSent, std::nullopt));
  auto second = store_->GetOutbound(ids[1]).value();
  EXPECT_EQ(second.draft.comment_reply, CommentReply::kPublic);
  EXPECT_EQ(store_->inbox().GetMessage(tenant_.id, claim.conversation_id, ids[1])->details.at("comment_reply"),
            "public");
}

// Meta echoes a private reply as a direct message, possibly before the Send API's answer reaches Parley.
TEST_P(StoreTest, AnEchoOvertakingAPrivateReplysSendResultIsParleysOwn) {
  ASSERT_TRUE(Ingest(Request(kT0, {Inbound("wamid.dm", "c1", "hello"), CommentOn("media-1", "cm1", "c1", "price?"),
                                   CommentOn("media-1", "cm2", "c2", "price?")})));
  std::map<std::pair<std::string, std::string>, int64_t> by_thread;  // By commenter and comment_on.
  for (const Conversation& c : store_->ListConversations(tenant_.id, std::nullopt, 10).value().data) {
    by_thread[{c.contact.platform_id, c.comment_on}] = c.id;
  }
  ASSERT_EQ(by_thread.size(), 3u);
  auto reply_in_private = [&](const std::string& commenter, const std::string& comment_id) {
    Claim claim = MustClaim(by_thread.at({commenter, "media-1"}), kT0 + 1);
    OutboundDraft in_private{MessageType::kText, "It is 3 euros.", comment_id};
    in_private.comment_reply = CommentReply::kPrivate;
    Reply reply;
    reply.messages = {in_private};
    std::vector<int64_t> ids;
    EXPECT_EQ(store_->CommitReply(claim, reply, kT0 + 2, &ids).value(), CommitResult::kCommitted);
    return ids.at(0);
  };
  auto echo = [&](const std::string& commenter, const std::string& mid) {
    IngestRequest request;
    request.platform = Platform("whatsapp");
    request.received_at_ms = kT0 + 3;
    request.human_idle_ms = 60'000;
    request.echoes.push_back(BusinessEcho{Platform("whatsapp"), kAccount, commenter, mid, "It is 3 euros.", kT0 + 3});
    return Ingest(request).value();
  };

  // c1 also writes in private: the echo neither joins nor takes over that conversation.
  const int64_t to_c1 = reply_in_private("c1", "cm1");
  EXPECT_EQ(echo("c1", "mid.1").takeovers, 0);
  EXPECT_EQ(Messages(by_thread.at({"c1", ""})).size(), 1u);
  EXPECT_EQ(store_->GetConversation(tenant_.id, by_thread.at({"c1", ""}))->mode, "bot");
  ASSERT_TRUE(store_->RecordSendResult(to_c1, "mid.1", MessageStatus::kSent, std::nullopt));
  auto thread = Messages(by_thread.at({"c1", "media-1"}));
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[1].platform_message_id, "mid.1");
  EXPECT_EQ(thread[1].status, MessageStatus::kSent);

  // c2 only commented: the echo opens no direct conversation.
  const int64_t to_c2 = reply_in_private("c2", "cm2");
  EXPECT_EQ(echo("c2", "mid.2").takeovers, 0);
  ASSERT_TRUE(store_->RecordSendResult(to_c2, "mid.2", MessageStatus::kSent, std::nullopt));
  EXPECT_EQ(store_->ListConversations(tenant_.id, std::nullopt, 10).value().data.size(), 3u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM conversations WHERE mode = 'human'"), 0);
}

TEST_P(StoreTest, PeopleHideShowAndDeleteACustomersComment) {
  auto outcome = Ingest(Request(kT0, {CommentOn("media-1", "cm1", "c1", "spam"), Inbound("wamid.dm", "c1", "hi")}));
  ASSERT_TRUE(outcome);
  int64_t thread = 0;
  int64_t direct = 0;
  for (const Conversation& c : store_->ListConversations(tenant_.id, std::nullopt, 10).value().data) {
    (c.comment_on.empty() ? direct : thread) = c.id;
  }
  const int64_t comment = Messages(thread).at(0).id;
  InboxStore& inbox = store_->inbox();
  using Change = InboxStore::CommentChange;
  const int64_t events_before = Announced(tenant_.id);

  auto hidden = inbox.RecordCommentChange(tenant_.id, thread, comment, Change::kHidden, kT0 + 1);
  ASSERT_TRUE(hidden) << hidden.error().detail;
  EXPECT_EQ(hidden->details.at("comment").at("hidden"), true);
  EXPECT_EQ(hidden->details.at("comment").at("media_id"), "media-1");
  EXPECT_GT(Announced(tenant_.id), events_before);
  EXPECT_EQ(inbox.RecordCommentChange(tenant_.id, thread, comment, Change::kShown, kT0 + 2)
                ->details.at("comment")
                .at("hidden"),
            false);
  auto deleted = inbox.RecordCommentChange(tenant_.id, thread, comment, Change::kDeleted, kT0 + 3);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, MessageStatus::kDeleted);

  // Only an inbound comment of the tenant's conversation.
  const int64_t text = Messages(direct).at(0).id;
  EXPECT_EQ(inbox.RecordCommentChange(tenant_.id, direct, text, Change::kHidden, kT0).error().code,
            ErrorCode::kNotFound);
  auto other = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value();
  EXPECT_EQ(inbox.RecordCommentChange(other.id, thread, comment, Change::kHidden, kT0).error().code,
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace parley::store::testing
