// The support queue's priority and draft (agent assist): written with the hand-off, listed and filtered by
// priority, and the reason codes migration 0014 renamed.

#include "core/crypto.h"
#include "core/decision.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <future>
#include <string>

namespace parley::store::sqlite {
namespace {

constexpr char kIgAccount[] = "ig-1";
constexpr int64_t kT0 = 1'800'000'000'000;

class SupportItemsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions options;
    options.path = (dir_.path() / "parley.db").string();
    options.synchronous = "normal";
    store_ = SqliteStore::Open(options, box_).value();
    ASSERT_TRUE(store_->Migrate());
    tenant_ = store_->CreateTenant("Acme", crypto::Sha256Hex("key-acme")).value().id;
    ASSERT_TRUE(store_->AddChannel({tenant_, Platform("instagram"), kIgAccount, "IGQ-token"}));
  }

  // A customer writes `text` (as contact `contact`) and the agent escalates with `reason`, `priority`, `draft`.
  int64_t Escalate(const std::string& contact, Reason reason, Priority priority, std::optional<std::string> draft) {
    IngestRequest request;
    request.platform = Platform("instagram");
    request.received_at_ms = kT0;
    InboundItem item;
    item.message.platform = Platform("instagram");
    item.message.account_id = kIgAccount;
    item.message.platform_message_id = "mid." + contact;
    item.message.contact_id = contact;
    item.message.timestamp_ms = kT0;
    item.message.text = "help";
    request.messages.push_back(item);
    std::promise<Result<IngestOutcome>> promise;
    store_->Ingest(std::move(request), [&](Result<IngestOutcome> r) { promise.set_value(std::move(r)); });
    const int64_t conversation = promise.get_future().get().value().pending.at(0).conversation_id;
    Claim claim = store_->ClaimConversation(conversation, kT0 + 1, 30'000).value().claim.value();
    Reply reply;
    reply.messages.push_back(OutboundDraft{MessageType::kText, "A person will answer you here.", ""});
    reply.decision = Decision::kEscalate;
    reply.reason = reason;
    reply.priority = priority;
    reply.draft = std::move(draft);
    reply.trace = "[]";
    reply.hand_off = true;
    EXPECT_EQ(store_->CommitReply(claim, reply, kT0 + 2, nullptr).value(), CommitResult::kCommitted);
    return conversation;
  }

  testing::TempDir dir_{"parley-support"};
  crypto::SecretBox box_ = crypto::SecretBox::Create(std::string(32, 'k')).value();
  std::unique_ptr<SqliteStore> store_;
  int64_t tenant_ = 0;
};

TEST_F(SupportItemsTest, TheHandOffStoresPriorityAndDraft) {
  const std::string draft =
      R"({"text":"A puncture repair is €12.","sources":[{"document_id":3,"name":"bike_shop.html","chunk_id":9,)"
      R"("text":"Puncture repair: €12.","score":0.8}]})";
  const int64_t low = Escalate("igsid-1", Reason::kLowRelevance, Priority::kNormal, draft);
  const int64_t hurt = Escalate("igsid-2", Reason::kUrgentSafety, Priority::kUrgent, std::nullopt);

  auto all = store_->ListSupportItems(tenant_, SupportFilter{}, std::nullopt, 10).value().data;
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].conversation_id, hurt);
  EXPECT_EQ(all[0].reason, "urgent_safety");
  EXPECT_EQ(all[0].priority, Priority::kUrgent);
  EXPECT_FALSE(all[0].draft.has_value());
  EXPECT_EQ(all[1].conversation_id, low);
  EXPECT_EQ(all[1].reason, "low_relevance");
  EXPECT_EQ(all[1].priority, Priority::kNormal);
  EXPECT_EQ(all[1].draft, draft);

  auto urgent = store_->ListSupportItems(tenant_, SupportFilter{std::nullopt, Priority::kUrgent}, std::nullopt, 10);
  ASSERT_EQ(urgent.value().data.size(), 1u);
  EXPECT_EQ(urgent->data[0].conversation_id, hurt);
  EXPECT_TRUE(store_->ListSupportItems(tenant_, SupportFilter{"resolved", Priority::kUrgent}, std::nullopt, 10)
                  .value()
                  .data.empty());
  // The older overload (status only) still lists everything open.
  EXPECT_EQ(store_->ListSupportItems(tenant_, std::string("open"), std::nullopt, 10).value().data.size(), 2u);

  // Resolving keeps both.
  auto resolved = store_->ResolveSupportItem(tenant_, all[1].id, "user:1", false, kT0 + 10).value();
  EXPECT_EQ(resolved.priority, Priority::kNormal);
  EXPECT_EQ(resolved.draft, draft);
}

// Rows written before migration 0014 carry the old codes; the migration renames them everywhere they were stored.
TEST_F(SupportItemsTest, MigrationRenamesOldReasonCodes) {
  const int64_t conversation = Escalate("igsid-1", Reason::kHumanRequested, Priority::kHigh, std::nullopt);
  store_->Close();
  store_.reset();
  // Back to version 13, with the rows as version 13 wrote them.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "parley.db").string().c_str(), &db), SQLITE_OK);
  const char* rewind = R"(
    DROP INDEX support_items_priority;
    ALTER TABLE support_items DROP COLUMN draft;
    ALTER TABLE support_items DROP COLUMN priority;
    DELETE FROM schema_migrations WHERE version = 14;
    UPDATE support_items SET reason = 'asks_for_human';
    UPDATE conversations SET handoff_reason = 'asks_for_human';
    UPDATE reply_traces SET reason = 'model_abstained';
  )";
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, rewind, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_close(db);

  SqliteOptions options;
  options.path = (dir_.path() / "parley.db").string();
  store_ = SqliteStore::Open(options, box_).value();
  ASSERT_TRUE(store_->Migrate());
  auto items = store_->ListSupportItems(tenant_, SupportFilter{}, std::nullopt, 10).value().data;
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].reason, "human_requested");
  EXPECT_EQ(items[0].priority, Priority::kNormal);  // The column's default for older rows.
  EXPECT_EQ(store_->GetConversation(tenant_, conversation).value().handoff_reason, "human_requested");
  auto traces = store_->ListReplyTraces(tenant_, conversation).value();
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(traces[0].reason, "low_relevance");
}

}  // namespace
}  // namespace parley::store::sqlite
