// The outbox's leases: one sender per queued message among every process on the database file, oldest first per
// conversation, transient failures kept queued until their next attempt, and a final failure shown to a person.

#include "core/crypto.h"

#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <string>
#include <vector>

namespace parley::store::sqlite {
namespace {

constexpr char kAccount[] = "phone-1";
constexpr int64_t kT0 = 1'800'000'000'000;
constexpr int64_t kLease = 30'000;
constexpr int64_t kDay = int64_t{24} * 3600 * 1000;

crypto::SecretBox TestBox() { return crypto::SecretBox::Create(std::string(32, 'k')).value(); }

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Open();
    tenant_ = store_->CreateTenant("Acme", crypto::Sha256Hex("key-acme")).value();
    channel_ = store_->AddChannel({tenant_.id, Platform::kWhatsApp, kAccount, "EAAG-secret-token"}).value();
  }

  // Another handle on the same file: what a second process sees.
  std::unique_ptr<SqliteStore> Open() {
    SqliteOptions options;
    options.path = (dir_.path() / "parley.db").string();
    auto store = SqliteStore::Open(options, box_).value();
    auto migrated = store->Migrate();
    EXPECT_TRUE(migrated) << (migrated ? "" : migrated.error().message + " " + migrated.error().detail);
    return store;
  }

  // A customer message at kT0 answered with `texts`: returns the queued messages' ids.
  std::vector<int64_t> QueueReply(const std::string& mid, std::vector<std::string> texts) {
    IngestRequest request;
    request.received_at_ms = kT0;
    InboundItem item;
    item.message.platform = Platform::kWhatsApp;
    item.message.account_id = kAccount;
    item.message.platform_message_id = mid;
    item.message.contact_id = "c1";
    item.message.text = "hello";
    request.messages.push_back(item);
    std::promise<Result<IngestOutcome>> promise;
    store_->Ingest(std::move(request), [&](Result<IngestOutcome> r) { promise.set_value(std::move(r)); });
    IngestOutcome outcome = promise.get_future().get().value();
    conversation_id_ = outcome.pending.at(0).conversation_id;
    Claim claim = store_->ClaimConversation(conversation_id_, kT0 + 1, kLease).value().claim.value();
    Reply reply;
    for (auto& text : texts) reply.messages.push_back(OutboundDraft{MessageType::kText, std::move(text), ""});
    std::vector<int64_t> ids;
    EXPECT_EQ(store_->CommitReply(claim, reply, kT0 + 2, &ids).value(), CommitResult::kCommitted);
    return ids;
  }

  testing::TempDir dir_{"parley-outbox"};
  crypto::SecretBox box_ = TestBox();
  std::unique_ptr<SqliteStore> store_;
  Tenant tenant_;
  Channel channel_;
  int64_t conversation_id_ = 0;
};

TEST_F(OutboxTest, OneSenderAmongTwoProcessesHoldsAQueuedMessage) {
  auto ids = QueueReply("wamid.1", {"hi!"});
  auto other = Open();
  auto first = store_->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease).value();
  ASSERT_TRUE(first.lease);
  EXPECT_EQ(first.lease->message.id, ids[0]);
  EXPECT_EQ(first.lease->message.draft.text, "hi!");
  EXPECT_EQ(first.lease->message.channel.access_token, "EAAG-secret-token");
  EXPECT_EQ(first.lease->attempts, 0);
  EXPECT_EQ(first.lease->window_ends_at_ms, kT0 + kDay);

  auto second = other->LeaseNextOutbound(conversation_id_, kT0 + 20, kLease).value();
  EXPECT_FALSE(second.lease);
  EXPECT_EQ(second.wait_until_ms, kT0 + 10 + kLease);

  // Sent: nothing is left for anyone.
  ASSERT_TRUE(store_->RecordSendResult(ids[0], "wamid.out.1", MessageStatus::kSent, std::nullopt));
  auto after = other->LeaseNextOutbound(conversation_id_, kT0 + 30, kLease).value();
  EXPECT_FALSE(after.lease);
  EXPECT_EQ(after.wait_until_ms, 0);
}

TEST_F(OutboxTest, AnExpiredLeaseGoesToTheNextSender) {
  auto ids = QueueReply("wamid.1", {"hi!"});
  ASSERT_TRUE(store_->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease).value().lease);
  auto other = Open();
  auto taken = other->LeaseNextOutbound(conversation_id_, kT0 + 10 + kLease, kLease).value();
  ASSERT_TRUE(taken.lease);  // The first sender crashed: its lease ran out.
  EXPECT_EQ(taken.lease->message.id, ids[0]);
}

TEST_F(OutboxTest, MessagesOfAConversationGoOutInOrder) {
  auto ids = QueueReply("wamid.1", {"one", "two"});
  auto first = store_->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease).value();
  ASSERT_TRUE(first.lease);
  EXPECT_EQ(first.lease->message.id, ids[0]);
  // The second part waits behind the first, even for another sender.
  EXPECT_FALSE(Open()->LeaseNextOutbound(conversation_id_, kT0 + 11, kLease).value().lease);
  ASSERT_TRUE(store_->RecordSendResult(ids[0], "wamid.out.1", MessageStatus::kSent, std::nullopt));
  auto second = store_->LeaseNextOutbound(conversation_id_, kT0 + 12, kLease).value();
  ASSERT_TRUE(second.lease);
  EXPECT_EQ(second.lease->message.id, ids[1]);
}

TEST_F(OutboxTest, ADeferredMessageStaysQueuedUntilItsNextAttempt) {
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
  store_ = Open();
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

TEST_F(OutboxTest, AMessageThePlatformEchoedIsNotSentAgain) {
  auto ids = QueueReply("wamid.1", {"hi!"});
  auto lease = store_->LeaseNextOutbound(conversation_id_, kT0 + 10, kLease).value().lease.value();
  ASSERT_TRUE(store_->DeferOutbound(ids[0], lease.token, kT0 + 5'000, MessageError{0, "network error", "timeout"}));
  // The attempt that timed out went through: the platform's echo of it arrives.
  IngestRequest echo;
  echo.received_at_ms = kT0 + 100;
  echo.echoes.push_back(BusinessEcho{Platform::kWhatsApp, kAccount, "c1", "wamid.out.1", "hi!", kT0 + 50});
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

TEST_F(OutboxTest, AFinalFailureOpensASupportItem) {
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

}  // namespace
}  // namespace parley::store::sqlite
