#include "store/sqlite/sqlite_store.h"
#include "store/access_store.h"

#include "core/crypto.h"
#include "core/metrics.h"
#include "store/migration.h"
#include "store/sqlite/db.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace parley::store::sqlite {
namespace {

constexpr char kAccount[] = "phone-1";
constexpr int64_t kT0 = 1'800'000'000'000;  // Server time of the first webhook in each test.
constexpr int64_t kLease = 30'000;

// "m" + std::to_string(n), spelled so that g++ 12 at -O3 does not warn (a -Wrestrict false positive).
std::string Id(std::string prefix, int64_t n) {
  prefix += std::to_string(n);
  return prefix;
}

crypto::SecretBox TestBox() { return crypto::SecretBox::Create(std::string(32, 'k')).value(); }

InboundItem Inbound(const std::string& mid, const std::string& contact, const std::string& text,
                    const std::string& account = kAccount) {
  InboundItem item;
  item.message.platform = Platform::kWhatsApp;
  item.message.account_id = account;
  item.message.platform_message_id = mid;
  item.message.contact_id = contact;
  item.message.contact_name = "Ana";
  item.message.timestamp_ms = 1'700'000'000'000;
  item.message.text = text;
  return item;
}

IngestRequest Request(int64_t received_at_ms, std::vector<InboundItem> messages) {
  IngestRequest request;
  request.received_at_ms = received_at_ms;
  request.messages = std::move(messages);
  return request;
}

IngestRequest StatusRequest(const std::string& mid, MessageStatus status, std::optional<MessageError> error = {}) {
  StatusUpdate update;
  update.account_id = kAccount;
  update.platform_message_id = mid;
  update.status = status;
  update.error = std::move(error);
  IngestRequest request;
  request.received_at_ms = kT0;
  request.statuses.push_back(std::move(update));
  return request;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    tenant_ = store_->CreateTenant("Acme", crypto::Sha256Hex("key-acme")).value();
    channel_ = store_->AddChannel({tenant_.id, Platform::kWhatsApp, kAccount, "EAAG-secret-token"}).value();
  }

  void Reopen() {
    if (store_) store_->Close();
    store_.reset();
    SqliteOptions options;
    options.path = db_path();
    store_ = SqliteStore::Open(options, box_).value();
    ASSERT_TRUE(store_->Migrate());
  }

  std::string db_path() const { return (dir_.path() / "parley.db").string(); }

  Result<IngestOutcome> Ingest(IngestRequest request) {
    std::promise<Result<IngestOutcome>> promise;
    auto future = promise.get_future();
    store_->Ingest(std::move(request), [&](Result<IngestOutcome> r) { promise.set_value(std::move(r)); });
    return future.get();
  }

  // Claims the conversation at `now`; fails the test unless it is claimed.
  Claim MustClaim(int64_t conversation_id, int64_t now) {
    auto attempt = store_->ClaimConversation(conversation_id, now, kLease);
    EXPECT_TRUE(attempt);
    EXPECT_TRUE(attempt->claim.has_value());
    return attempt->claim.value_or(Claim{});
  }

  // An outbound message the platform accepted with id `mid`, in the conversation of contact "c1".
  int64_t SentOutbound(const std::string& mid, const std::string& inbound_mid) {
    auto outcome = Ingest(Request(kT0, {Inbound(inbound_mid, "c1", "hello")})).value();
    Claim claim = MustClaim(outcome.pending.at(0).conversation_id, kT0 + 1);
    int64_t id = 0;
    EXPECT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "hi!", ""}, kT0 + 2, &id).value(),
              CommitResult::kCommitted);
    EXPECT_TRUE(store_->RecordSendResult(id, mid, MessageStatus::kSent, std::nullopt));
    return id;
  }

  StoredMessage MessageById(int64_t conversation_id, int64_t id) {
    auto page = store_->ListMessages(tenant_.id, conversation_id, std::nullopt, 500).value();
    for (auto& m : page.data) {
      if (m.id == id) return m;
    }
    ADD_FAILURE() << "no message " << id;
    return {};
  }

  int64_t CountRows(const char* sql) {
    auto db = Database::Open(db_path(), {}).value();
    auto stmt = db->Prepare(sql).value();
    EXPECT_TRUE(stmt.Step().value());
    return stmt.Int(0);
  }

  testing::TempDir dir_{"parley-store"};
  crypto::SecretBox box_ = TestBox();
  std::unique_ptr<SqliteStore> store_;
  Tenant tenant_;
  Channel channel_;
};

TEST_F(SqliteStoreTest, MigrateIsIdempotentAndSafeAcrossConnections) {
  ASSERT_TRUE(store_->Migrate());
  // A second store on the same file, as the CLI next to the server, migrating concurrently.
  SqliteOptions options;
  options.path = db_path();
  auto other = SqliteStore::Open(options, box_).value();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      if (!(i % 2 ? other->Migrate() : store_->Migrate())) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM schema_migrations"), static_cast<int64_t>(Migrations().size()));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM tenants"), 1);
}

TEST_F(SqliteStoreTest, ConnectionPragmas) {
  auto db = Database::Open(db_path(), {}).value();
  static constexpr char kJournal[] = "PRAGMA journal_mode";
  static constexpr char kForeignKeys[] = "PRAGMA foreign_keys";
  auto journal = db->Prepare(kJournal).value();
  ASSERT_TRUE(journal.Step().value());
  EXPECT_EQ(journal.Text(0), "wal");
  auto foreign_keys = db->Prepare(kForeignKeys).value();
  ASSERT_TRUE(foreign_keys.Step().value());
  EXPECT_EQ(foreign_keys.Int(0), 1);
  SqliteOptions bad;
  bad.path = db_path();
  bad.synchronous = "sometimes";
  EXPECT_EQ(SqliteStore::Open(bad, box_).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, TenantsAndApiKeys) {
  auto found = store_->access().FindApiKey(crypto::Sha256Hex("key-acme"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->tenant_id, tenant_.id);
  EXPECT_EQ(found->role, "owner");
  EXPECT_EQ(tenant_.name, "Acme");
  EXPECT_GT(tenant_.created_at_ms, 0);
  EXPECT_EQ(store_->access().FindApiKey(crypto::Sha256Hex("nope")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->CreateTenant("Copycat", crypto::Sha256Hex("key-acme")).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->CreateTenant("Keyless", "").error().code, ErrorCode::kInvalidArgument);
  // The failed creation left no tenant behind: it ran in its own savepoint.
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM tenants"), 1);
}

TEST_F(SqliteStoreTest, ChannelsSealTokensAtRest) {
  auto loaded = store_->GetChannel(channel_.id);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->tenant_id, tenant_.id);
  EXPECT_EQ(loaded->platform, Platform::kWhatsApp);
  EXPECT_EQ(loaded->account_id, kAccount);
  EXPECT_EQ(loaded->access_token, "EAAG-secret-token");

  auto db = Database::Open(db_path(), {}).value();
  static constexpr char kSealed[] = "SELECT access_token_sealed FROM channels";
  auto raw = db->Prepare(kSealed).value();
  ASSERT_TRUE(raw.Step().value());
  std::string sealed = raw.String(0);
  EXPECT_EQ(sealed.find("EAAG-secret-token"), std::string::npos);
  EXPECT_EQ(box_.Open(sealed).value(), "EAAG-secret-token");

  EXPECT_EQ(store_->AddChannel({tenant_.id, Platform::kWhatsApp, kAccount, "x"}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->AddChannel({tenant_.id + 100, Platform::kWhatsApp, "phone-2", "x"}).error().code,
            ErrorCode::kNotFound);
  // The same account id on another platform is another channel.
  EXPECT_TRUE(store_->AddChannel({tenant_.id, Platform::kInstagram, kAccount, "ig"}));
  EXPECT_EQ(store_->GetChannel(9999).error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTest, TheWalIsCheckpointedBesideTheWriterAndStaysShort) {
  store_->Close();
  store_.reset();
  // The WAL file keeps the size of its longest use (the migrations'): empty it, so its size shows the longest the
  // WAL gets below.
  ASSERT_TRUE(Database::Open(db_path(), {}).value()->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  SqliteOptions options;
  options.path = db_path();
  options.synchronous = "normal";
  options.checkpoint_frames = 8;
  options.wal_restart_frames = 64;
  store_ = SqliteStore::Open(options, box_).value();
  const auto main_file_before = std::filesystem::file_size(db_path());
  const std::string wal_path = db_path() + "-wal";
  uintmax_t longest_wal = 0;
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(Ingest(Request(kT0 + i, {Inbound(Id("wamid.wal", i), Id("c", i % 50), "a message to fill the WAL")})));
    longest_wal = std::max(longest_wal, std::filesystem::file_size(wal_path));
  }
  // The writer no longer checkpoints on commit: pages reached the main file while the store was open, so the
  // checkpointer (or the writer's restart) did it; and the WAL never grew much past the restart length: 64 pages
  // of 4 KiB (with a 24-byte header per frame) plus a few groups of ~11 pages, as a restart can be put off by a
  // checkpoint still running. Without the restart it passed 750 pages here.
  EXPECT_GT(std::filesystem::file_size(db_path()), main_file_before);
  EXPECT_LT(longest_wal, 150u * (4096 + 24));
  auto page = store_->ListConversations(tenant_.id, std::nullopt, 500).value();
  EXPECT_EQ(page.data.size(), 50u);
}

TEST_F(SqliteStoreTest, IngestStoresAndDeduplicates) {
  IngestRequest request = Request(kT0, {Inbound("wamid.1", "c1", "hi"), Inbound("wamid.2", "c1", "are you open?")});
  auto first = Ingest(request);
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(first->stored, 2);
  EXPECT_EQ(first->duplicates, 0);
  ASSERT_EQ(first->pending.size(), 1u);  // One entry per conversation.
  EXPECT_EQ(first->pending[0].tenant_id, tenant_.id);
  EXPECT_EQ(first->pending[0].pending_since_ms, kT0);
  EXPECT_EQ(first->tenant_ids, std::vector<int64_t>{tenant_.id});
  int64_t conversation_id = first->pending[0].conversation_id;

  // Meta retries the same payload later: nothing new, pending state untouched.
  request.received_at_ms = kT0 + 5000;
  auto retry = Ingest(request);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->stored, 0);
  EXPECT_EQ(retry->duplicates, 2);
  EXPECT_TRUE(retry->pending.empty());

  auto pending = store_->ListPendingConversations().value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].conversation_id, conversation_id);
  EXPECT_EQ(pending[0].pending_since_ms, kT0);
  EXPECT_EQ(pending[0].last_inbound_at_ms, kT0);

  auto messages = store_->ListMessages(tenant_.id, conversation_id, std::nullopt, 50).value();
  ASSERT_EQ(messages.data.size(), 2u);
  EXPECT_EQ(messages.data[0].platform_message_id, "wamid.1");
  EXPECT_EQ(messages.data[0].text, "hi");
  EXPECT_EQ(messages.data[0].direction, Direction::kIn);
  EXPECT_EQ(messages.data[0].status, MessageStatus::kReceived);
  EXPECT_EQ(messages.data[0].created_at_ms, kT0);
  EXPECT_EQ(messages.data[0].platform_timestamp_ms, 1'700'000'000'000);
  EXPECT_FALSE(messages.next_cursor);

  auto conversations = store_->ListConversations(tenant_.id, std::nullopt, 50).value();
  ASSERT_EQ(conversations.data.size(), 1u);
  EXPECT_EQ(conversations.data[0].contact.platform_id, "c1");
  EXPECT_EQ(conversations.data[0].contact.name, "Ana");
  EXPECT_EQ(conversations.data[0].last_message_at_ms, kT0);
  EXPECT_EQ(conversations.data[0].status, "open");
  EXPECT_EQ(conversations.data[0].mode, "bot");
}

TEST_F(SqliteStoreTest, ContactNameIsUpdatedWhenGiven) {
  ASSERT_TRUE(Ingest(Request(kT0, {Inbound("m1", "c1", "a")})));
  InboundItem renamed = Inbound("m2", "c1", "b");
  renamed.message.contact_name = "Ana Maria";
  ASSERT_TRUE(Ingest(Request(kT0 + 1, {renamed})));
  InboundItem anonymous = Inbound("m3", "c1", "c");
  anonymous.message.contact_name.clear();
  ASSERT_TRUE(Ingest(Request(kT0 + 2, {anonymous})));
  auto conversations = store_->ListConversations(tenant_.id, std::nullopt, 50).value();
  ASSERT_EQ(conversations.data.size(), 1u);
  EXPECT_EQ(conversations.data[0].contact.name, "Ana Maria");
}

TEST_F(SqliteStoreTest, NonAnswerableMessagesAreStoredButNotPending) {
  InboundItem reaction = Inbound("m1", "c1", "");
  reaction.message.type = MessageType::kReaction;
  reaction.message.text.reset();
  reaction.message.reaction = Reaction{"wamid.out", "👍"};
  reaction.answerable = false;
  auto outcome = Ingest(Request(kT0, {reaction})).value();
  EXPECT_EQ(outcome.stored, 1);
  EXPECT_TRUE(outcome.pending.empty());
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
}

TEST_F(SqliteStoreTest, DetailsRoundTrip) {
  InboundItem image = Inbound("m1", "c1", "look");
  image.message.type = MessageType::kImage;
  image.message.media = Media{"media-42", "", "image/jpeg", "abc", "", false, false};
  image.message.reply_to = "wamid.previous";
  image.message.error = MessageError{131051, "Unsupported", "detail"};
  int64_t conversation_id = Ingest(Request(kT0, {image})).value().pending.at(0).conversation_id;
  InboundItem text = Inbound("m2", "c1", "plain");
  ASSERT_TRUE(Ingest(Request(kT0, {text})));

  auto messages = store_->ListMessages(tenant_.id, conversation_id, std::nullopt, 50).value().data;
  ASSERT_EQ(messages.size(), 2u);
  const StoredMessage& stored = messages[0];
  EXPECT_EQ(stored.type, MessageType::kImage);
  EXPECT_EQ(stored.text, "look");
  ASSERT_TRUE(stored.error);
  EXPECT_EQ(stored.error->code, 131051);
  EXPECT_EQ(stored.details.at("media").at("id").as_string(), "media-42");
  EXPECT_EQ(stored.details.at("media").at("mime_type").as_string(), "image/jpeg");
  EXPECT_EQ(stored.details.at("reply_to").as_string(), "wamid.previous");
  // Columns are not repeated in details.
  for (const char* key : {"type", "text", "platform_message_id", "contact_id", "timestamp_ms", "error"}) {
    EXPECT_FALSE(stored.details.contains(key)) << key;
  }
  EXPECT_TRUE(messages[1].details.empty());
}

TEST_F(SqliteStoreTest, UnknownAccountStoresNothing) {
  IngestRequest request = Request(kT0, {Inbound("m1", "c1", "hi", "no-such-phone")});
  StatusUpdate status;
  status.account_id = "no-such-phone";
  status.platform_message_id = "x";
  request.statuses.push_back(status);
  auto outcome = Ingest(request);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->unknown_account, 2);
  EXPECT_EQ(outcome->stored, 0);
  EXPECT_TRUE(outcome->pending.empty());
  EXPECT_TRUE(outcome->tenant_ids.empty());
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM messages"), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM contacts"), 0);
}

TEST_F(SqliteStoreTest, ChannelAddedByAnotherProcessIsFound) {
  // The writer has cached nothing for this account; a second store (another process) connects it.
  EXPECT_EQ(Ingest(Request(kT0, {Inbound("m1", "c1", "hi", "phone-late")})).value().unknown_account, 1);
  SqliteOptions options;
  options.path = db_path();
  auto cli = SqliteStore::Open(options, box_).value();
  ASSERT_TRUE(cli->AddChannel({tenant_.id, Platform::kWhatsApp, "phone-late", "t"}));
  cli->Close();
  EXPECT_EQ(Ingest(Request(kT0, {Inbound("m1", "c1", "hi", "phone-late")})).value().stored, 1);
}

TEST_F(SqliteStoreTest, StatusesOnlyMoveForward) {
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

TEST_F(SqliteStoreTest, FailedStatusRecordsTheError) {
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

TEST_F(SqliteStoreTest, StatusThatArrivesBeforeTheSendResultIsApplied) {
  auto outcome = Ingest(Request(kT0, {Inbound("wamid.in1", "c1", "hello")})).value();
  Claim claim = MustClaim(outcome.pending.at(0).conversation_id, kT0 + 1);
  int64_t id = 0;
  ASSERT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "hi!", ""}, kT0 + 2, &id).value(),
            CommitResult::kCommitted);
  // Meta's webhooks overtake the send call's answer.
  EXPECT_EQ(Ingest(StatusRequest("wamid.race", MessageStatus::kSent)).value().statuses_unmatched, 1);
  EXPECT_EQ(Ingest(StatusRequest("wamid.race", MessageStatus::kDelivered)).value().statuses_unmatched, 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM early_statuses"), 2);
  ASSERT_TRUE(store_->RecordSendResult(id, "wamid.race", MessageStatus::kSent, std::nullopt));
  EXPECT_EQ(MessageById(claim.conversation_id, id).status, MessageStatus::kDelivered);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM early_statuses"), 0);
  // Later statuses apply directly.
  EXPECT_EQ(Ingest(StatusRequest("wamid.race", MessageStatus::kRead)).value().statuses_applied, 1);
}

TEST_F(SqliteStoreTest, WatermarkReadMarksEarlierOutboundMessages) {
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

TEST_F(SqliteStoreTest, DeletionMarksTheInboundMessage) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "oops")})).value();
  int64_t conversation_id = outcome.pending.at(0).conversation_id;
  IngestRequest request;
  request.received_at_ms = kT0 + 1;
  request.deletions.push_back(Deletion{Platform::kWhatsApp, kAccount, "m1", "c1"});
  ASSERT_TRUE(Ingest(request));
  auto messages = store_->ListMessages(tenant_.id, conversation_id, std::nullopt, 10).value().data;
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].status, MessageStatus::kDeleted);
  // Its only message unsent, the conversation has nothing to answer; claiming clears it.
  auto attempt = store_->ClaimConversation(conversation_id, kT0 + 2, kLease).value();
  EXPECT_FALSE(attempt.claim);
  EXPECT_EQ(attempt.held_until_ms, 0);
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
}

TEST_F(SqliteStoreTest, ClaimLeaseExpiryAndLostCommit) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "hi"), Inbound("m2", "c1", "price?")})).value();
  int64_t conversation_id = outcome.pending.at(0).conversation_id;

  Claim first = MustClaim(conversation_id, kT0 + 2000);
  EXPECT_EQ(first.inbound_seq, 2);
  ASSERT_EQ(first.messages.size(), 2u);
  EXPECT_EQ(first.messages[0].text, "hi");
  EXPECT_EQ(first.messages[1].text, "price?");
  EXPECT_EQ(first.conversation.contact.platform_id, "c1");
  EXPECT_EQ(first.channel.access_token, "EAAG-secret-token");
  EXPECT_FALSE(first.token.empty());

  // Held: a second worker learns when the lease ends.
  auto held = store_->ClaimConversation(conversation_id, kT0 + 3000, kLease).value();
  EXPECT_FALSE(held.claim);
  EXPECT_EQ(held.held_until_ms, kT0 + 2000 + kLease);

  // The first worker stalls past its lease; another takes over.
  Claim second = MustClaim(conversation_id, kT0 + 2000 + kLease);
  EXPECT_NE(second.token, first.token);
  EXPECT_EQ(second.messages.size(), 2u);

  int64_t outbound_id = -1;
  EXPECT_EQ(
      store_->CommitReply(first, OutboundDraft{MessageType::kText, "late", ""}, kT0 + 40'000, &outbound_id).value(),
      CommitResult::kLost);
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());

  EXPECT_EQ(
      store_->CommitReply(second, OutboundDraft{MessageType::kText, "It is 10 €", "m2"}, kT0 + 40'000, &outbound_id)
          .value(),
      CommitResult::kCommitted);
  EXPECT_GT(outbound_id, 0);
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  auto again = store_->ClaimConversation(conversation_id, kT0 + 41'000, kLease).value();
  EXPECT_FALSE(again.claim);
  EXPECT_EQ(again.held_until_ms, 0);

  // The next customer message is the only one a new claim covers.
  ASSERT_TRUE(Ingest(Request(kT0 + 50'000, {Inbound("m3", "c1", "thanks, and tomorrow?")})));
  Claim third = MustClaim(conversation_id, kT0 + 52'000);
  ASSERT_EQ(third.messages.size(), 1u);
  EXPECT_EQ(third.messages[0].platform_message_id, "m3");
  EXPECT_EQ(third.inbound_seq, 3);
}

TEST_F(SqliteStoreTest, CommitIsSupersededByANewerMessage) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value();
  int64_t conversation_id = outcome.pending.at(0).conversation_id;
  Claim claim = MustClaim(conversation_id, kT0 + 2000);

  auto during = Ingest(Request(kT0 + 2500, {Inbound("m2", "c1", "one more thing")})).value();
  ASSERT_EQ(during.pending.size(), 1u);
  EXPECT_EQ(during.pending[0].pending_since_ms, kT0);  // The oldest unanswered message still counts.
  EXPECT_EQ(during.pending[0].last_inbound_at_ms, kT0 + 2500);

  int64_t outbound_id = -1;
  EXPECT_EQ(
      store_->CommitReply(claim, OutboundDraft{MessageType::kText, "stale", ""}, kT0 + 3000, &outbound_id).value(),
      CommitResult::kSuperseded);
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());
  ASSERT_EQ(store_->ListPendingConversations().value().size(), 1u);

  // Released: the next claim needs no lease expiry and covers both messages.
  Claim fresh = MustClaim(conversation_id, kT0 + 4500);
  EXPECT_EQ(fresh.inbound_seq, 2);
  EXPECT_EQ(fresh.messages.size(), 2u);
  EXPECT_EQ(store_->CommitReply(fresh, std::nullopt, kT0 + 5000, &outbound_id).value(), CommitResult::kCommitted);
  EXPECT_EQ(outbound_id, 0);  // Answered without a reply (e.g. triage said ignore).
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
}

TEST_F(SqliteStoreTest, ReleaseClaimKeepsTheConversationPending) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value();
  int64_t conversation_id = outcome.pending.at(0).conversation_id;
  Claim claim = MustClaim(conversation_id, kT0 + 1);
  EXPECT_TRUE(store_->ReleaseClaim(conversation_id, "not-the-token"));  // No effect.
  EXPECT_FALSE(store_->ClaimConversation(conversation_id, kT0 + 2, kLease).value().claim);
  ASSERT_TRUE(store_->ReleaseClaim(conversation_id, claim.token));
  EXPECT_EQ(store_->ListPendingConversations().value().size(), 1u);
  Claim again = MustClaim(conversation_id, kT0 + 3);
  EXPECT_EQ(again.messages.size(), 1u);
}

TEST_F(SqliteStoreTest, QueuedOutboundAndSendResults) {
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

TEST_F(SqliteStoreTest, FailedSendIsRecorded) {
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

TEST_F(SqliteStoreTest, PaginationWithCursors) {
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

TEST_F(SqliteStoreTest, TenantIsolation) {
  Tenant other = store_->CreateTenant("Other", crypto::Sha256Hex("key-other")).value();
  ASSERT_TRUE(store_->AddChannel({other.id, Platform::kWhatsApp, "phone-other", "t"}));
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

TEST_F(SqliteStoreTest, OneFailingRequestDoesNotFailItsGroup) {
  std::promise<void> release;
  store_->HoldWriterForTesting(release.get_future().share());

  std::promise<Result<IngestOutcome>> a, b, c;
  store_->Ingest(Request(kT0, {Inbound("a1", "ca", "first")}), [&](auto r) { a.set_value(std::move(r)); });
  // Its first message is fine, its second has no sender: the whole request must roll back, alone.
  store_->Ingest(Request(kT0, {Inbound("b1", "cb", "fine"), Inbound("b2", "", "no sender")}),
                 [&](auto r) { b.set_value(std::move(r)); });
  store_->Ingest(Request(kT0, {Inbound("c1", "cc", "third")}), [&](auto r) { c.set_value(std::move(r)); });
  EXPECT_EQ(store_->Health().pending_writes, 4);  // The hold and the three requests.

  release.set_value();
  auto ra = a.get_future().get();
  auto rb = b.get_future().get();
  auto rc = c.get_future().get();
  EXPECT_EQ(store_->LastGroupSizeForTesting(), 3);  // All three committed together.
  ASSERT_TRUE(ra);
  EXPECT_EQ(ra->stored, 1);
  ASSERT_FALSE(rb);
  EXPECT_EQ(rb.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->stored, 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM messages"), 2);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM messages WHERE platform_message_id = 'b1'"), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM contacts WHERE platform_id = 'cb'"), 0);
  EXPECT_EQ(store_->ListConversations(tenant_.id, std::nullopt, 50).value().data.size(), 2u);
}

TEST_F(SqliteStoreTest, ConcurrentIngestFromSeveralThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  std::vector<std::atomic<int>> calls(kThreads * kPerThread);
  std::atomic<int> failures{0};
  std::atomic<int> remaining{kThreads * kPerThread};
  std::promise<void> all_done;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int n = t * kPerThread + i;
        store_->Ingest(Request(kT0 + n, {Inbound(Id("m", n), Id("c", n % 10), "x")}), [&, n](Result<IngestOutcome> r) {
          if (!r || r->stored != 1) ++failures;
          ++calls[n];
          if (--remaining == 0) all_done.set_value();
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  all_done.get_future().wait();
  EXPECT_EQ(failures.load(), 0);
  for (const auto& count : calls) EXPECT_EQ(count.load(), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM messages"), kThreads * kPerThread);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM conversations"), 10);
  EXPECT_EQ(CountRows("SELECT SUM(inbound_seq) FROM conversations"), kThreads * kPerThread);
}

TEST_F(SqliteStoreTest, AcknowledgedWritesSurviveReopen) {
  constexpr int kCount = 200;
  std::atomic<int> acknowledged{0};
  std::promise<void> all_done;
  for (int n = 0; n < kCount; ++n) {
    store_->Ingest(Request(kT0 + n, {Inbound(Id("m", n), "c1", "x")}), [&, n](Result<IngestOutcome> r) {
      if (r && r->stored == 1) ++acknowledged;
      if (n == kCount - 1) all_done.set_value();
    });
  }
  all_done.get_future().wait();  // Callbacks run in submission order, so every request has completed.
  ASSERT_EQ(acknowledged.load(), kCount);
  store_->Close();

  // Closed: every call fails fast, and a late Ingest still gets its callback.
  EXPECT_EQ(store_->GetChannel(channel_.id).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store_->CreateTenant("x", "y").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store_->Migrate().error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(store_->Health().ok);
  auto late = Ingest(Request(kT0, {Inbound("late", "c1", "x")}));
  EXPECT_EQ(late.error().code, ErrorCode::kUnavailable);

  Reopen();
  auto conversations = store_->ListConversations(tenant_.id, std::nullopt, 10).value();
  ASSERT_EQ(conversations.data.size(), 1u);
  auto messages = store_->ListMessages(tenant_.id, conversations.data[0].id, std::nullopt, 500).value();
  EXPECT_EQ(messages.data.size(), static_cast<size_t>(kCount));
  auto pending = store_->ListPendingConversations().value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].pending_since_ms, kT0);
  EXPECT_EQ(pending[0].last_inbound_at_ms, kT0 + kCount - 1);
  EXPECT_EQ(store_->GetChannel(channel_.id).value().access_token, "EAAG-secret-token");
}

// With synchronous=full the writer commits without waiting for the disk and the syncer fdatasyncs the WAL before
// any acknowledgement; a group of nothing but claim leases is acknowledged without a sync.
TEST_F(SqliteStoreTest, DurableWritesAreSyncedBeforeTheyAreAcknowledged) {
  auto& syncs = metrics::Global().GetHistogram("parley_store_sync_seconds", "", {{"backend", "sqlite"}});
  const uint64_t before = syncs.Count();
  auto outcome = Ingest(Request(kT0, {Inbound("wamid.sync1", "c1", "hello")}));
  ASSERT_TRUE(outcome);
  const uint64_t after_ingest = syncs.Count();
  EXPECT_GT(after_ingest, before);
  auto attempt = store_->ClaimConversation(outcome->pending.at(0).conversation_id, kT0 + 1, kLease);
  ASSERT_TRUE(attempt && attempt->claim);
  EXPECT_EQ(syncs.Count(), after_ingest);
  ASSERT_TRUE(store_->ReleaseClaim(attempt->claim->conversation_id, attempt->claim->token));
  EXPECT_EQ(syncs.Count(), after_ingest);

  // With synchronous=normal nothing waits for the disk.
  SqliteOptions normal;
  normal.path = (dir_.path() / "normal.db").string();
  normal.synchronous = "normal";
  auto relaxed = SqliteStore::Open(normal, box_).value();
  ASSERT_TRUE(relaxed->Migrate());
  const uint64_t before_normal = syncs.Count();
  ASSERT_TRUE(relaxed->CreateTenant("Other", crypto::Sha256Hex("key-other")));
  EXPECT_EQ(syncs.Count(), before_normal);
  relaxed->Close();
}

TEST_F(SqliteStoreTest, HealthReportsTheBackend) {
  StoreHealth health = store_->Health();
  EXPECT_TRUE(health.ok);
  EXPECT_EQ(health.backend, "sqlite");
  EXPECT_EQ(health.pending_writes, 0);
}

// Not a benchmark with a threshold: prints the single-producer ingest rate, with group commit (submit without
// waiting) and without (wait for each acknowledgement, one fsync each).
TEST_F(SqliteStoreTest, ReportsIngestRate) {
  constexpr int kGrouped = 20'000;
  std::promise<void> done;
  std::atomic<int> failures{0};
  auto start = std::chrono::steady_clock::now();
  for (int n = 0; n < kGrouped; ++n) {
    store_->Ingest(Request(kT0 + n, {Inbound(Id("g", n), Id("c", n % 1000), "hello")}),
                   [&, n](Result<IngestOutcome> r) {
                     if (!r) ++failures;
                     if (n == kGrouped - 1) done.set_value();
                   });
  }
  done.get_future().wait();
  double grouped_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(failures.load(), 0);

  constexpr int kSerial = 300;
  start = std::chrono::steady_clock::now();
  for (int n = 0; n < kSerial; ++n) {
    ASSERT_TRUE(Ingest(Request(kT0 + n, {Inbound(Id("s", n), "c1", "hello")})));
  }
  double serial_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ ingest   ] grouped: %d msgs in %.3f s = %.0f msgs/s; one-by-one: %.0f msgs/s (synchronous=full)\n",
              kGrouped, grouped_s, kGrouped / grouped_s, kSerial / serial_s);
}

}  // namespace
}  // namespace parley::store::sqlite
