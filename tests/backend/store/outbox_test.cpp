// The outbox on every backend: one sender among several processes holds a queued message, in order per
// conversation, retried after a deferral, never sent again once the platform echoed it, a final failure told to a
// person.

#include "store_test.h"
#include "support/platform_rules.h"

#include <atomic>
#include <thread>

namespace parley::store::testing {
namespace {

constexpr int64_t kDay = int64_t{24} * 3600 * 1000;

class OutboxTest : public StoreTest {
 protected:
  // A customer message at kT0 answered with `texts`: returns the queued messages' ids.
  std::vector<int64_t> QueueReply(const std::string& mid, std::vector<std::string> texts) {
    InboundItem item = Inbound(mid, "c1", "hello");
    IngestOutcome outcome = Ingest(Request(kT0, {item})).value();
    conversation_id_ = outcome.pending.at(0).conversation_id;
    Claim claim = MustClaim(conversation_id_, kT0 + 1);
    Reply reply;
    for (auto& text : texts) reply.messages.push_back(OutboundDraft{MessageType::kText, std::move(text), ""});
    std::vector<int64_t> ids;
    EXPECT_EQ(store_->CommitReply(claim, reply, kT0 + 2, &ids).value(), CommitResult::kCommitted);
    return ids;
  }

  // Leases the conversation's next queued message at `now_ms`; returns its id.
  int64_t LeaseFor(int64_t now_ms) {
    auto attempt = store_->LeaseNextOutbound(conversation_id_, now_ms, kLease).value();
    EXPECT_TRUE(attempt.lease);
    return attempt.lease ? attempt.lease->message.id : 0;
  }

  int64_t conversation_id_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, OutboxTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(OutboxTest, OneSenderAmongTwoProcessesHoldsAQueuedMessage) {
  auto ids = QueueReply("wamid.1", {"hi!"});
  auto other = backend_->OpenAnother();
  auto first = store_->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease).value();
  ASSERT_TRUE(first.lease);
  EXPECT_EQ(first.lease->message.id, ids[0]);
  EXPECT_EQ(first.lease->message.draft.text, "hi!");
  EXPECT_EQ(first.lease->message.channel.access_token, "EAAG-secret-token");
  EXPECT_EQ(first.lease->attempts, 0);
  EXPECT_EQ(first.lease->window_ends_at_ms, kT0 - 1'000 + kDay);  // From when the customer sent it.

  auto second = other->LeaseNextOutbound(conversation_id_, kT0 + 20, kLease).value();
  EXPECT_FALSE(second.lease);
  EXPECT_EQ(second.wait_until_ms, kT0 + 10 + kLease);

  // Sent: nothing is left for anyone.
  ASSERT_TRUE(store_->RecordSendResult(ids[0], "wamid.out.1", MessageStatus::kSent, std::nullopt));
  auto after = other->LeaseNextOutbound(conversation_id_, kT0 + 30, kLease).value();
  EXPECT_FALSE(after.lease);
  EXPECT_EQ(after.wait_until_ms, 0);
}

TEST_P(OutboxTest, APersonsReplyCountsItsWindowFromTheCustomersLastMessageOfAnyKind) {
  QueueReply("wamid.1", {"hi!"});
  ASSERT_TRUE(store_->RecordSendResult(LeaseFor(kT0 + 10), "wamid.out.1", MessageStatus::kSent, std::nullopt));
  // An hour later the customer reacts: nothing for the bot to answer, but the 24 hours open again.
  constexpr int64_t kHour = 3600 * 1000;
  InboundItem reaction = Inbound("wamid.2", "c1", "👍");
  reaction.message.type = MessageType::kReaction;
  reaction.answerable = false;
  reaction.message.timestamp_ms = kT0 + kHour - 1'000;
  ASSERT_TRUE(Ingest(Request(kT0 + kHour, {reaction})));
  ASSERT_TRUE(store_->QueuePersonReply(tenant_.id, conversation_id_, "Glad you liked it!", "user:1", 0, kT0 + 2 * kHour,
                                       parley::testing::kWhatsAppWindow));
  auto attempt = store_->LeaseNextOutbound(conversation_id_, kT0 + 2 * kHour, kLease).value();
  ASSERT_TRUE(attempt.lease);
  EXPECT_EQ(attempt.lease->message.draft.text, "Glad you liked it!");
  EXPECT_EQ(attempt.lease->window_ends_at_ms, kT0 + kHour - 1'000 + kDay);
}

TEST_P(OutboxTest, AnExpiredLeaseGoesToTheNextSender) {
  auto ids = QueueReply("wamid.1", {"hi!"});
  ASSERT_TRUE(store_->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease).value().lease);
  auto other = backend_->OpenAnother();
  auto taken = other->LeaseNextOutbound(conversation_id_, kT0 + 10 + kLease, kLease).value();
  ASSERT_TRUE(taken.lease);  // The first sender crashed: its lease ran out.
  EXPECT_EQ(taken.lease->message.id, ids[0]);
}

TEST_P(OutboxTest, MessagesOfAConversationGoOutInOrder) {
  auto ids = QueueReply("wamid.1", {"one", "two"});
  auto first = store_->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease).value();
  ASSERT_TRUE(first.lease);
  EXPECT_EQ(first.lease->message.id, ids[0]);
  // The second part waits behind the first, even for another sender.
  EXPECT_FALSE(backend_->OpenAnother()->LeaseNextOutbound(conversation_id_, kT0 + 11, kLease).value().lease);
  ASSERT_TRUE(store_->RecordSendResult(ids[0], "wamid.out.1", MessageStatus::kSent, std::nullopt));
  auto second = store_->LeaseNextOutbound(conversation_id_, kT0 + 12, kLease).value();
  ASSERT_TRUE(second.lease);
  EXPECT_EQ(second.lease->message.id, ids[1]);
}

TEST_P(OutboxTest, ADeferredMessageStaysQueuedUntilItsNextAttempt) {
  auto ids = QueueReply("wamid.1", {"one", "two"});
  auto lease = store_->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease).value().lease.value();
  const MessageError unavailable{2, "Service temporarily unavailable", ""};
  ASSERT_TRUE(store_->DeferOutbound(ids[0], lease.token, kT0 + 5'000, unavailable));
  // Neither it nor the message behind it goes before then.
  auto early = store_->LeaseNextOutbound(conversation_id_, kT0 + 4'999, kLease).value();
  EXPECT_FALSE(early.lease);
  EXPECT_EQ(early.wait_until_ms, kT0 + 5'000);
  // A restart finds it queued, with the error seen so far.
  store_->Close();
  auto reopened = backend_->OpenAnother();
  store_ = reopened.get();
  auto queued = store_->ListQueuedOutbound().value();
  ASSERT_EQ(queued.size(), 2u);
  auto again = store_->LeaseNextOutbound(conversation_id_, kT0 + 5'000, kLease).value();
  ASSERT_TRUE(again.lease);
  EXPECT_EQ(again.lease->message.id, ids[0]);
  EXPECT_EQ(again.lease->attempts, 1);
  auto messages = store_->ListMessages(tenant_.id, conversation_id_, std::nullopt, 10).value().data;
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1].status, MessageStatus::kQueued);
  ASSERT_TRUE(messages[1].error);
  EXPECT_EQ(messages[1].error->code, 2);
  // A stale token defers nothing.
  ASSERT_TRUE(store_->DeferOutbound(ids[0], lease.token, kT0 + 60'000, unavailable));
  EXPECT_FALSE(store_->LeaseNextOutbound(conversation_id_, kT0 + 5'001, kLease).value().lease);  // Still leased.
}

TEST_P(OutboxTest, AMessageThePlatformEchoedIsNotSentAgain) {
  auto ids = QueueReply("wamid.1", {"hi!"});
  auto lease = store_->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease).value().lease.value();
  ASSERT_TRUE(store_->DeferOutbound(ids[0], lease.token, kT0 + 5'000, MessageError{0, "network error", "timeout"}));
  // The attempt that timed out went through: the platform's echo of it arrives.
  IngestRequest echo;
  echo.platform = Platform("whatsapp");
  echo.received_at_ms = kT0 + 100;
  echo.echoes.push_back(BusinessEcho{Platform("whatsapp"), kAccount, "c1", "wamid.out.1", "hi!", kT0 + 50});
  std::promise<Result<IngestOutcome>> promise;
  store_->Ingest(std::move(echo), [&](Result<IngestOutcome> r) { promise.set_value(std::move(r)); });
  ASSERT_TRUE(promise.get_future().get());
  auto next = store_->LeaseNextOutbound(conversation_id_, kT0 + 5'000, kLease).value();
  EXPECT_FALSE(next.lease);
  EXPECT_EQ(next.wait_until_ms, 0);
  auto messages = store_->ListMessages(tenant_.id, conversation_id_, std::nullopt, 10).value().data;
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].status, MessageStatus::kSent);
  EXPECT_EQ(messages[1].platform_message_id, "wamid.out.1");
}

TEST_P(OutboxTest, AFinalFailureOpensASupportItem) {
  auto ids = QueueReply("wamid.1", {"hi!"});
  auto lease = store_->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease).value().lease.value();
  const MessageError refused{131047, "Re-engagement message", "More than 24 hours have passed"};
  ASSERT_TRUE(store_->RecordSendResult(ids[0], "", MessageStatus::kFailed, refused));
  ASSERT_TRUE(store_->RecordSendResult(ids[0], "", MessageStatus::kFailed, refused));  // Idempotent.
  auto items = store_->ListSupportItems(tenant_.id, std::string("open"), std::nullopt, 10).value().data;
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].conversation_id, conversation_id_);
  EXPECT_EQ(items[0].reason, "send_failed");
  EXPECT_FALSE(store_->LeaseNextOutbound(conversation_id_, kT0 + 20, kLease).value().lease);
  auto messages = store_->ListMessages(tenant_.id, conversation_id_, std::nullopt, 10).value().data;
  EXPECT_EQ(messages[1].status, MessageStatus::kFailed);
  EXPECT_EQ(messages[1].error->code, 131047);
}

TEST_P(OutboxTest, SendersRacingForOneMessageGetOneLease) {
  auto ids = QueueReply("wamid.1", {"hi!"});
  std::vector<std::unique_ptr<Store>> senders;
  for (int i = 0; i < 4; ++i) senders.push_back(backend_->OpenAnother());
  std::atomic<int> leases{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (auto& sender : senders) {
    threads.emplace_back([&, store = sender.get()] {
      auto attempt = store->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease);
      if (!attempt) ++errors;
      if (attempt && attempt->lease) ++leases;
    });
  }
  for (auto& t : threads) t.join();
  for (auto& sender : senders) sender->Close();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(leases.load(), 1);
}

}  // namespace
}  // namespace parley::store::testing
