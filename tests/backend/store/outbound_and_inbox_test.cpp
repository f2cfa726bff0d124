// Sending and the inbox on every backend: queued replies and their send results, statuses against them, pages of
// conversations and messages, what each tenant sees.

#include "store_test.h"

#include <algorithm>
#include <set>

namespace parley::store::testing {
namespace {

TEST_P(StoreTest, StatusesOnlyMoveForward) {
  int64_t id = SentOutbound("wamid.out1", "wamid.in1");
  int64_t conversation_id = store_->GetOutbound(id).value().conversation_id;

  auto delivered = Ingest(StatusRequest("wamid.out1", MessageStatus::kDelivered)).value();
  EXPECT_EQ(delivered.statuses_applied, 1);
  EXPECT_EQ(MessageById(conversation_id, id).status, MessageStatus::kDelivered);

  // A late `sent` does not move it back.
  auto late = Ingest(StatusRequest("wamid.out1", MessageStatus::kSent)).value();
  EXPECT_EQ(late.statuses_applied, 0);
  EXPECT_EQ(late.statuses_unmatched, 0);
  EXPECT_EQ(MessageById(conversation_id, id).status, MessageStatus::kDelivered);

  EXPECT_EQ(Ingest(StatusRequest("wamid.out1", MessageStatus::kRead)).value().statuses_applied, 1);
  // Nothing overrides `read`, not even a failure.
  EXPECT_EQ(Ingest(StatusRequest("wamid.out1", MessageStatus::kFailed, MessageError{131047, "Re-engagement", ""}))
                .value()
                .statuses_applied,
            0);
  StoredMessage read = MessageById(conversation_id, id);
  EXPECT_EQ(read.status, MessageStatus::kRead);
  EXPECT_FALSE(read.error);

  EXPECT_EQ(Ingest(StatusRequest("wamid.unknown", MessageStatus::kRead)).value().statuses_unmatched, 1);
  // A status naming a customer's message is not about an outbound message.
  EXPECT_EQ(Ingest(StatusRequest("wamid.in1", MessageStatus::kRead)).value().statuses_unmatched, 1);
}

TEST_P(StoreTest, FailedStatusRecordsTheError) {
  int64_t id = SentOutbound("wamid.out1", "wamid.in1");
  int64_t conversation_id = store_->GetOutbound(id).value().conversation_id;
  ASSERT_TRUE(Ingest(StatusRequest("wamid.out1", MessageStatus::kDelivered)));
  auto failed = Ingest(StatusRequest("wamid.out1", MessageStatus::kFailed,
                                     MessageError{131047, "Re-engagement message", "more than 24 hours"}));
  EXPECT_EQ(failed.value().statuses_applied, 1);
  StoredMessage m = MessageById(conversation_id, id);
  EXPECT_EQ(m.status, MessageStatus::kFailed);
  ASSERT_TRUE(m.error);
  EXPECT_EQ(m.error->code, 131047);
  EXPECT_EQ(m.error->title, "Re-engagement message");
  EXPECT_EQ(m.error->detail, "more than 24 hours");
  // A delivery report after the failure does not hide it.
  EXPECT_EQ(Ingest(StatusRequest("wamid.out1", MessageStatus::kDelivered)).value().statuses_applied, 0);
}

TEST_P(StoreTest, StatusThatArrivesBeforeTheSendResultIsApplied) {
  auto outcome = Ingest(Request(kT0, {Inbound("wamid.in1", "c1", "hello")})).value();
  Claim claim = MustClaim(outcome.pending.at(0).conversation_id, kT0 + 1);
  int64_t id = 0;
  ASSERT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "hi!", ""}, kT0 + 2, &id).value(),
            CommitResult::kCommitted);
  // Meta's webhooks overtake the send call's answer.
  EXPECT_EQ(Ingest(StatusRequest("wamid.race", MessageStatus::kSent)).value().statuses_unmatched, 1);
  EXPECT_EQ(Ingest(StatusRequest("wamid.race", MessageStatus::kDelivered)).value().statuses_unmatched, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM early_statuses"), 2);
  ASSERT_TRUE(store_->RecordSendResult(id, "wamid.race", MessageStatus::kSent, std::nullopt));
  EXPECT_EQ(MessageById(claim.conversation_id, id).status, MessageStatus::kDelivered);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM early_statuses"), 0);
  // Later statuses apply directly.
  EXPECT_EQ(Ingest(StatusRequest("wamid.race", MessageStatus::kRead)).value().statuses_applied, 1);
}

TEST_P(StoreTest, WatermarkReadMarksEarlierOutboundMessages) {
  int64_t first = SentOutbound("mid.out1", "mid.in1");
  int64_t second = SentOutbound("mid.out2", "mid.in2");
  int64_t third = SentOutbound("mid.out3", "mid.in3");
  int64_t conversation_id = store_->GetOutbound(first).value().conversation_id;
  IngestRequest request = StatusRequest("mid.out2", MessageStatus::kRead);
  request.statuses[0].watermark = true;
  EXPECT_EQ(Ingest(request).value().statuses_applied, 1);
  EXPECT_EQ(MessageById(conversation_id, first).status, MessageStatus::kRead);
  EXPECT_EQ(MessageById(conversation_id, second).status, MessageStatus::kRead);
  EXPECT_EQ(MessageById(conversation_id, third).status, MessageStatus::kSent);
  EXPECT_EQ(MessageById(conversation_id, third - 1).status, MessageStatus::kReceived);  // mid.in3 stays inbound.
}

TEST_P(StoreTest, QueuedOutboundAndSendResults) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value();
  Claim claim = MustClaim(outcome.pending.at(0).conversation_id, kT0 + 1);
  int64_t id = 0;
  ASSERT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "Hello!", "m1"}, kT0 + 2, &id).value(),
            CommitResult::kCommitted);

  auto queued = store_->ListQueuedOutbound().value();
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].id, id);
  EXPECT_EQ(queued[0].tenant_id, tenant_.id);
  EXPECT_EQ(queued[0].recipient_id, "c1");
  EXPECT_EQ(queued[0].draft.text, "Hello!");
  EXPECT_EQ(queued[0].draft.reply_to, "m1");
  EXPECT_EQ(queued[0].channel.access_token, "EAAG-secret-token");
  auto single = store_->GetOutbound(id);
  ASSERT_TRUE(single);
  EXPECT_EQ(single->draft.text, "Hello!");
  EXPECT_EQ(store_->GetOutbound(claim.messages[0].id).error().code, ErrorCode::kNotFound);  // Inbound.

  EXPECT_EQ(store_->RecordSendResult(id, "", MessageStatus::kDelivered, std::nullopt).error().code,
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store_->RecordSendResult(id, "wamid.sent", MessageStatus::kSent, std::nullopt));
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());
  StoredMessage sent = MessageById(claim.conversation_id, id);
  EXPECT_EQ(sent.status, MessageStatus::kSent);
  EXPECT_EQ(sent.platform_message_id, "wamid.sent");
  EXPECT_EQ(sent.direction, Direction::kOut);

  // The webhook got there first; a repeated send report must not move it back.
  ASSERT_TRUE(Ingest(StatusRequest("wamid.sent", MessageStatus::kDelivered)));
  ASSERT_TRUE(store_->RecordSendResult(id, "wamid.sent", MessageStatus::kSent, std::nullopt));
  EXPECT_EQ(MessageById(claim.conversation_id, id).status, MessageStatus::kDelivered);
  EXPECT_EQ(store_->RecordSendResult(999'999, "x", MessageStatus::kSent, std::nullopt).error().code,
            ErrorCode::kNotFound);
}

TEST_P(StoreTest, FailedSendIsRecorded) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value();
  Claim claim = MustClaim(outcome.pending.at(0).conversation_id, kT0 + 1);
  int64_t id = 0;
  ASSERT_TRUE(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "Hello!", ""}, kT0 + 2, &id));
  ASSERT_TRUE(store_->RecordSendResult(id, "", MessageStatus::kFailed, MessageError{131026, "Undeliverable", ""}));
  StoredMessage failed = MessageById(claim.conversation_id, id);
  EXPECT_EQ(failed.status, MessageStatus::kFailed);
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->code, 131026);
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());
}

TEST_P(StoreTest, PaginationWithCursors) {
  // Seven contacts, one conversation each, the last one most recent.
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(Ingest(Request(kT0 + i * 1000, {Inbound(Id("m", i), Id("c", i), "x")})));
  }
  // Two conversations with the same activity time: the id breaks the tie and the cursor must not skip one.
  ASSERT_TRUE(Ingest(Request(kT0 + 6000, {Inbound("m7", "c7", "x")})));
  std::vector<int64_t> seen_times;
  std::set<int64_t> seen_ids;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    auto page = store_->ListConversations(tenant_.id, cursor, 3);
    ASSERT_TRUE(page);
    ++pages;
    for (const auto& c : page->data) {
      seen_times.push_back(c.last_message_at_ms);
      EXPECT_TRUE(seen_ids.insert(c.id).second) << "conversation listed twice";
    }
    cursor = page->next_cursor;
  } while (cursor);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen_ids.size(), 8u);
  EXPECT_TRUE(std::is_sorted(seen_times.rbegin(), seen_times.rend()));
  // One per page: the tie now straddles a page boundary.
  std::set<int64_t> one_by_one;
  cursor.reset();
  do {
    auto page = store_->ListConversations(tenant_.id, cursor, 1).value();
    for (const auto& c : page.data) one_by_one.insert(c.id);
    cursor = page.next_cursor;
  } while (cursor);
  EXPECT_EQ(one_by_one, seen_ids);

  int64_t conversation_id = *seen_ids.begin();
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(Ingest(Request(kT0 + 10'000, {Inbound(Id("more", i), "c0", std::to_string(i))})));
  }
  std::vector<int64_t> message_ids;
  cursor.reset();
  do {
    auto page = store_->ListMessages(tenant_.id, conversation_id, cursor, 2);
    ASSERT_TRUE(page);
    for (const auto& m : page->data) message_ids.push_back(m.id);
    cursor = page->next_cursor;
  } while (cursor);
  EXPECT_EQ(message_ids.size(), 7u);
  EXPECT_TRUE(std::is_sorted(message_ids.begin(), message_ids.end()));
  EXPECT_EQ(std::set<int64_t>(message_ids.begin(), message_ids.end()).size(), 7u);

  // Limits are clamped rather than refused.
  EXPECT_EQ(store_->ListConversations(tenant_.id, std::nullopt, 0).value().data.size(), 1u);
  EXPECT_EQ(store_->ListConversations(tenant_.id, std::nullopt, 100'000).value().data.size(), 8u);

  // Garbled cursors, and one listing's cursor given to the other.
  auto first_page = store_->ListMessages(tenant_.id, conversation_id, std::nullopt, 2).value();
  for (const std::string& bad : std::vector<std::string>{"!!!", "", crypto::Base64UrlEncode("c:12"),
                                                         crypto::Base64UrlEncode("c:1:x"), *first_page.next_cursor}) {
    EXPECT_EQ(store_->ListConversations(tenant_.id, bad, 3).error().code, ErrorCode::kInvalidArgument) << bad;
  }
  auto conversation_page = store_->ListConversations(tenant_.id, std::nullopt, 1).value();
  EXPECT_EQ(store_->ListMessages(tenant_.id, conversation_id, *conversation_page.next_cursor, 2).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_P(StoreTest, TenantIsolation) {
  Tenant other = store_->CreateTenant("Other", crypto::Sha256Hex("key-other")).value();
  ASSERT_TRUE(store_->AddChannel({other.id, Platform("whatsapp"), "phone-other", "t"}));
  auto mine = Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value();
  auto theirs = Ingest(Request(kT0, {Inbound("m1", "c1", "hi", "phone-other")})).value();  // Same ids, other channel.
  EXPECT_EQ(theirs.stored, 1);
  EXPECT_EQ(theirs.tenant_ids, std::vector<int64_t>{other.id});
  int64_t my_conversation = mine.pending.at(0).conversation_id;
  int64_t their_conversation = theirs.pending.at(0).conversation_id;

  auto listed = store_->ListConversations(other.id, std::nullopt, 50).value();
  ASSERT_EQ(listed.data.size(), 1u);
  EXPECT_EQ(listed.data[0].id, their_conversation);
  EXPECT_EQ(store_->ListMessages(other.id, my_conversation, std::nullopt, 50).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListMessages(tenant_.id, their_conversation, std::nullopt, 50).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ListConversations(tenant_.id + 1000, std::nullopt, 50).value().data.empty());
}

TEST_P(StoreTest, RemovalFailsRepliesStillQueued) {
  auto first = Ingest(Request(kT0, {Inbound("wamid.1", "c1", "hello")})).value();
  const int64_t conversation = first.pending.at(0).conversation_id;
  Claim claim = store_->ClaimConversation(conversation, kT0 + 1, kLease).value().claim.value();
  int64_t outbound = 0;
  ASSERT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "hi", ""}, kT0 + 2, &outbound).value(),
            CommitResult::kCommitted);
  ASSERT_EQ(store_->ListQueuedOutbound().value().size(), 1u);
  ASSERT_TRUE(store_->RemoveChannel(tenant_.id, channel_.id));
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());
  auto messages = store_->ListMessages(tenant_.id, conversation, std::nullopt, 50).value().data;
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].status, MessageStatus::kFailed);
  ASSERT_TRUE(messages[1].error);
  EXPECT_EQ(messages[1].error->title, "channel removed");
}

}  // namespace
}  // namespace parley::store::testing
