#include "store/sqlite/sqlite_store.h"

#include "core/crypto.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

namespace parley::store::sqlite {
namespace {

constexpr char kPhone[] = "106540352242922";
constexpr int64_t kT0 = 1'800'000'000'000;

crypto::SecretBox TestBox() { return crypto::SecretBox::Create(std::string(32, 'k')).value(); }

IngestRequest Text(const std::string& mid, const std::string& contact, const std::string& account = kPhone) {
  InboundItem item;
  item.message.platform = Platform::kWhatsApp;
  item.message.account_id = account;
  item.message.platform_message_id = mid;
  item.message.contact_id = contact;
  item.message.timestamp_ms = kT0;
  item.message.text = "hello";
  IngestRequest request;
  request.received_at_ms = kT0;
  request.messages.push_back(std::move(item));
  return request;
}

class ChannelStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions options;
    options.path = (dir_.path() / "parley.db").string();
    store_ = SqliteStore::Open(options, box_).value();
    ASSERT_TRUE(store_->Migrate());
    acme_ = store_->CreateTenant("Acme", crypto::Sha256Hex("key-acme")).value().id;
    globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id;
  }

  Result<IngestOutcome> Ingest(IngestRequest request) {
    std::promise<Result<IngestOutcome>> promise;
    auto future = promise.get_future();
    store_->Ingest(std::move(request), [&](Result<IngestOutcome> r) { promise.set_value(std::move(r)); });
    return future.get();
  }

  Channel AddPhone(int64_t tenant, const std::string& token = "EAAG-token-one") {
    NewChannel channel{tenant, Platform::kWhatsApp, kPhone, token, "Front desk", {"+1 555-0100", "Acme Bakery", ""}};
    return store_->AddChannel(channel).value();
  }

  testing::TempDir dir_{"parley-channels"};
  crypto::SecretBox box_ = TestBox();
  std::unique_ptr<SqliteStore> store_;
  int64_t acme_ = 0;
  int64_t globex_ = 0;
};

TEST_F(ChannelStoreTest, AddKeepsLabelProfileAndSealedToken) {
  Channel added = AddPhone(acme_);
  EXPECT_TRUE(added.enabled);
  EXPECT_EQ(added.display_name, "Front desk");
  EXPECT_EQ(added.profile.display_phone_number, "+1 555-0100");
  EXPECT_EQ(added.profile.verified_name, "Acme Bakery");
  auto listed = store_->ListChannels(acme_).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, added.id);
  EXPECT_EQ(listed[0].access_token, "EAAG-token-one");
  EXPECT_EQ(listed[0].profile.verified_name, "Acme Bakery");
}

TEST_F(ChannelStoreTest, EveryReadAndChangeIsScopedByTenant) {
  Channel added = AddPhone(acme_);
  EXPECT_TRUE(store_->ListChannels(globex_).value().empty());
  EXPECT_EQ(store_->GetChannel(globex_, added.id).error().code, ErrorCode::kNotFound);
  ChannelUpdate rename;
  rename.display_name = "Hijacked";
  EXPECT_EQ(store_->UpdateChannel(globex_, added.id, rename).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->RemoveChannel(globex_, added.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetChannel(acme_, added.id).value().display_name, "Front desk");
}

TEST_F(ChannelStoreTest, AnAccountIsLiveInOneChannelOnly) {
  AddPhone(acme_);
  NewChannel again{acme_, Platform::kWhatsApp, kPhone, "other", "", {}};
  EXPECT_EQ(store_->AddChannel(again).error().code, ErrorCode::kConflict);
  NewChannel elsewhere{globex_, Platform::kWhatsApp, kPhone, "other", "", {}};
  auto taken = store_->AddChannel(elsewhere);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_EQ(taken.error().message, "this account is connected to another tenant");
}

TEST_F(ChannelStoreTest, UpdateChangesOnlyTheGivenFields) {
  Channel added = AddPhone(acme_);
  ChannelUpdate token;
  token.access_token = "EAAG-token-two";
  token.profile = AccountProfile{"+1 555-0199", "Acme Bakery & Co", ""};
  Channel updated = store_->UpdateChannel(acme_, added.id, token).value();
  EXPECT_EQ(updated.access_token, "EAAG-token-two");
  EXPECT_EQ(updated.profile.display_phone_number, "+1 555-0199");
  EXPECT_EQ(updated.display_name, "Front desk");
  EXPECT_TRUE(updated.enabled);
  ChannelUpdate label;
  label.display_name = "Shop";
  updated = store_->UpdateChannel(acme_, added.id, label).value();
  EXPECT_EQ(updated.display_name, "Shop");
  EXPECT_EQ(updated.access_token, "EAAG-token-two");
  EXPECT_EQ(store_->GetChannel(added.id).value().access_token, "EAAG-token-two");
}

TEST_F(ChannelStoreTest, ADisabledChannelStoresMessagesButAnswersNone) {
  Channel added = AddPhone(acme_);
  auto pending = Ingest(Text("wamid.1", "c1")).value();
  ASSERT_EQ(pending.pending.size(), 1u);
  ChannelUpdate off;
  off.enabled = false;
  EXPECT_FALSE(store_->UpdateChannel(acme_, added.id, off).value().enabled);
  // What was waiting is no longer answered, and what arrives now is stored without waking the bot.
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  auto outcome = Ingest(Text("wamid.2", "c1")).value();
  EXPECT_EQ(outcome.stored, 1);
  EXPECT_TRUE(outcome.pending.empty());
  EXPECT_FALSE(store_->ClaimConversation(pending.pending[0].conversation_id, kT0 + 10, 30'000).value().claim);

  ChannelUpdate on;
  on.enabled = true;
  ASSERT_TRUE(store_->UpdateChannel(acme_, added.id, on));
  EXPECT_EQ(Ingest(Text("wamid.3", "c1")).value().pending.size(), 1u);
}

TEST_F(ChannelStoreTest, ARemovedChannelNoLongerReceivesNorSendsAndKeepsItsHistory) {
  Channel added = AddPhone(acme_);
  auto first = Ingest(Text("wamid.1", "c1")).value();
  ASSERT_EQ(first.stored, 1);
  const int64_t conversation = first.pending.at(0).conversation_id;
  Claim claim = store_->ClaimConversation(conversation, kT0 + 1, 30'000).value().claim.value();

  Channel removed = store_->RemoveChannel(acme_, added.id).value();
  EXPECT_EQ(removed.id, added.id);
  EXPECT_TRUE(store_->ListChannels(acme_).value().empty());
  EXPECT_EQ(store_->GetChannel(acme_, added.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->RemoveChannel(acme_, added.id).error().code, ErrorCode::kNotFound);

  // The reply being produced when the channel went away is not queued.
  EXPECT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "hi", ""}, kT0 + 2, nullptr).value(),
            CommitResult::kLost);
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  // A webhook for its account is an unknown account's now.
  auto later = Ingest(Text("wamid.2", "c1")).value();
  EXPECT_EQ(later.stored, 0);
  EXPECT_EQ(later.unknown_account, 1);
  // The conversation and its messages stay readable.
  auto conversations = store_->ListConversations(acme_, std::nullopt, 50).value();
  ASSERT_EQ(conversations.data.size(), 1u);
  EXPECT_EQ(store_->ListMessages(acme_, conversation, std::nullopt, 50).value().data.size(), 1u);
}

TEST_F(ChannelStoreTest, RemovalFailsRepliesStillQueued) {
  Channel added = AddPhone(acme_);
  auto first = Ingest(Text("wamid.1", "c1")).value();
  const int64_t conversation = first.pending.at(0).conversation_id;
  Claim claim = store_->ClaimConversation(conversation, kT0 + 1, 30'000).value().claim.value();
  int64_t outbound = 0;
  ASSERT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "hi", ""}, kT0 + 2, &outbound).value(),
            CommitResult::kCommitted);
  ASSERT_EQ(store_->ListQueuedOutbound().value().size(), 1u);
  ASSERT_TRUE(store_->RemoveChannel(acme_, added.id));
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());
  auto messages = store_->ListMessages(acme_, conversation, std::nullopt, 50).value().data;
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].status, MessageStatus::kFailed);
  ASSERT_TRUE(messages[1].error);
  EXPECT_EQ(messages[1].error->title, "channel removed");
}

TEST_F(ChannelStoreTest, ReAddingBringsTheSameChannelBackAndAnotherTenantGetsANewOne) {
  Channel added = AddPhone(acme_);
  auto first = Ingest(Text("wamid.1", "c1")).value();
  ASSERT_TRUE(store_->RemoveChannel(acme_, added.id));

  Channel back = AddPhone(acme_, "EAAG-token-new");
  EXPECT_EQ(back.id, added.id);
  EXPECT_EQ(back.access_token, "EAAG-token-new");
  EXPECT_TRUE(back.enabled);
  auto again = Ingest(Text("wamid.2", "c1")).value();
  EXPECT_EQ(again.stored, 1);
  ASSERT_EQ(again.pending.size(), 1u);
  EXPECT_EQ(again.pending[0].conversation_id, first.pending.at(0).conversation_id);

  ASSERT_TRUE(store_->RemoveChannel(acme_, added.id));
  Channel theirs = AddPhone(globex_);
  EXPECT_NE(theirs.id, added.id);
  auto routed = Ingest(Text("wamid.3", "c1")).value();
  ASSERT_EQ(routed.tenant_ids.size(), 1u);
  EXPECT_EQ(routed.tenant_ids[0], globex_);
  // Acme's history is still Acme's alone.
  EXPECT_EQ(store_->ListConversations(acme_, std::nullopt, 50).value().data.size(), 1u);
  EXPECT_EQ(store_->ListConversations(globex_, std::nullopt, 50).value().data.size(), 1u);
}

}  // namespace
}  // namespace parley::store::sqlite
