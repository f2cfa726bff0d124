// Message search indexed in the background (store/sqlite/search_indexer.h, migration 0020): new messages become
// searchable without anyone asking, across a restart too, a message unsent or deleted before or after it was
// indexed is not found, and newest-first thread pages.

#include "store/sqlite/search_indexer.h"
#include "core/crypto.h"
#include "store/inbox_store.h"
#include "store/migration.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"
#include "unit/store/store_fixture.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace parley::store::sqlite {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'800'000'000'000;
constexpr char kAccount[] = "wa-1";

class SearchIndexerTest : public StoreFixture {
 protected:
  void SetUp() override { AddChannel(acme_, Platform("whatsapp"), kAccount); }

  // Opens the store again after Close(), as a restarted server does.
  void Open() {
    SqliteOptions options;
    options.path = Path();
    options.synchronous = "normal";
    store_ = SqliteStore::Open(options, box_).value();
    ASSERT_TRUE(store_->Migrate());
  }

  std::string Path() const { return (dir_.path() / "parley.db").string(); }

  int64_t Customer(const std::string& contact, const std::string& mid, const std::string& text) {
    auto outcome = IngestNow(CustomerMessage(Platform("whatsapp"), kAccount, mid, contact, text, kT0));
    EXPECT_TRUE(outcome && outcome->pending.size() == 1);
    return outcome && !outcome->pending.empty() ? outcome->pending[0].conversation_id : 0;
  }

  // Searches without flushing: what a person sees at this moment.
  std::vector<int64_t> SearchNow(const std::string& text) {
    ConversationFilter filter;
    filter.text = text;
    std::vector<int64_t> ids;
    for (const auto& c : store_->ListConversations(acme_, filter, std::nullopt, 50).value().data) {
      ids.push_back(c.id);
    }
    return ids;
  }

  // Waits for the background indexer, as the dashboard would (no flush).
  bool FoundWithin(const std::string& text, const std::vector<int64_t>& expected, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (SearchNow(text) == expected) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  // Index rows holding `word` (the index is contentless: it can be matched, not scanned).
  int64_t IndexRows(const std::string& word) {
    auto db = Database::Open(Path(), {}).value();
    auto count = db->Prepare("SELECT COUNT(*) FROM messages_search WHERE messages_search MATCH ?1").value();
    count.Bind(1, word);
    EXPECT_TRUE(count.Step().value());
    return count.Int(0);
  }
};

TEST_F(SearchIndexerTest, NewMessagesBecomeSearchableInTheBackground) {
  int64_t conversation = Customer("33611111111", "mid.1", "Where is my parcel?");
  EXPECT_TRUE(FoundWithin("parcel", {conversation}, 5s));
}

TEST_F(SearchIndexerTest, ARestartedStoreCatchesUpWithWhatItHadNotIndexed) {
  store_->Close();
  // Written by another process (the indexer of this one is not running): nothing notifies the next one.
  {
    SqliteOptions options;
    options.path = Path();
    options.synchronous = "normal";
    auto writer = SqliteStore::Open(options, box_).value();  // Not migrated: no indexer.
    IngestRequest request =
        CustomerMessage(Platform("whatsapp"), kAccount, "mid.r", "33622222222", "Opening hours on Sunday?", kT0);
    std::promise<Result<IngestOutcome>> promise;
    writer->Ingest(std::move(request), [&](Result<IngestOutcome> r) { promise.set_value(std::move(r)); });
    ASSERT_TRUE(promise.get_future().get());
  }
  Open();
  auto all = store_->ListConversations(acme_, std::nullopt, 50).value().data;
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(FoundWithin("sunday", {all[0].id}, 5s));
}

TEST_F(SearchIndexerTest, AMessageUnsentBeforeItIsIndexedIsNeverIndexed) {
  // The writer is held, so the message and its unsending commit together, before any batch can see them.
  std::promise<void> release;
  store_->HoldWriterForTesting(release.get_future().share());
  IngestRequest first = CustomerMessage(Platform("whatsapp"), kAccount, "mid.u", "33633333333", "my code is 7781", kT0);
  IngestRequest second;
  second.platform = Platform("whatsapp");
  second.received_at_ms = kT0;
  second.deletions.push_back({Platform("whatsapp"), kAccount, "mid.u", "33633333333"});
  std::promise<Result<IngestOutcome>> a;
  std::promise<Result<IngestOutcome>> b;
  store_->Ingest(std::move(first), [&](Result<IngestOutcome> r) { a.set_value(std::move(r)); });
  store_->Ingest(std::move(second), [&](Result<IngestOutcome> r) { b.set_value(std::move(r)); });
  release.set_value();
  ASSERT_TRUE(a.get_future().get());
  ASSERT_TRUE(b.get_future().get());
  ASSERT_TRUE(store_->inbox().FlushSearchIndex());
  EXPECT_TRUE(SearchNow("7781").empty());
  EXPECT_EQ(IndexRows("7781"), 0);
}

TEST_F(SearchIndexerTest, DeletingIndexedMessagesRemovesTheirIndexRows) {
  int64_t conversation = Customer("33644444444", "mid.d", "card number 4242");
  ASSERT_TRUE(store_->inbox().FlushSearchIndex());
  ASSERT_EQ(SearchNow("4242"), (std::vector<int64_t>{conversation}));
  EXPECT_EQ(IndexRows("4242"), 1);
  // As erasing a contact does: the rows go, and their index rows with them.
  ASSERT_TRUE(store_->Write([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto erase, db.Prepare("DELETE FROM messages WHERE conversation_id = ?1"));
    return erase.Bind(1, conversation).Run();
  }));
  EXPECT_EQ(IndexRows("4242"), 0);
  EXPECT_TRUE(SearchNow("4242").empty());
}

TEST_F(SearchIndexerTest, ABatchIndexesUpToItsLimitAndMovesTheMarkPastTextlessMessages) {
  int64_t conversation = Customer("33655555555", "mid.b1", "first question");
  Customer("33655555555", "mid.b2", "");  // No text: passed over, not indexed.
  Customer("33655555555", "mid.b3", "second question");
  ASSERT_TRUE(store_->inbox().FlushSearchIndex());
  EXPECT_EQ(IndexRows("question"), 2);
  EXPECT_EQ(SearchNow("second"), (std::vector<int64_t>{conversation}));
  int indexed = -1;
  ASSERT_TRUE(store_->Write([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(indexed, IndexSearchBatch(db, SearchIndexer::kBatch));
    return Ok();
  }));
  EXPECT_EQ(indexed, 0);  // Caught up.
}

TEST_F(SearchIndexerTest, AThreadPagesNewestFirst) {
  int64_t conversation = 0;
  for (int i = 0; i < 5; ++i) conversation = Customer("33666666666", "mid.p" + std::to_string(i), std::to_string(i));
  auto page = store_->ListMessagesNewestFirst(acme_, conversation, std::nullopt, 3).value();
  ASSERT_EQ(page.data.size(), 3u);
  EXPECT_EQ(page.data[0].text, "4");
  EXPECT_EQ(page.data[2].text, "2");
  ASSERT_TRUE(page.next_cursor);
  auto older = store_->ListMessagesNewestFirst(acme_, conversation, page.next_cursor, 3).value();
  ASSERT_EQ(older.data.size(), 2u);
  EXPECT_EQ(older.data[0].text, "1");
  EXPECT_FALSE(older.next_cursor);
  EXPECT_EQ(store_->ListMessages(acme_, conversation, page.next_cursor, 3).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->ListMessagesNewestFirst(acme_ + 1, conversation, std::nullopt, 3).error().code,
            ErrorCode::kNotFound);
}

// FTS5 starts a new segment whenever a row id is lower than the one before; search keys interleave conversations, so
// a batch inserted in message order wrote about one segment per message, whose merging stalled the writer as the
// index grew. A batch is inserted in key order: one segment, however its conversations interleave.
TEST_F(SearchIndexerTest, ABatchWritesOneIndexSegmentHoweverItsConversationsInterleave) {
  std::promise<void> release;
  store_->HoldWriterForTesting(release.get_future().share());  // So that one batch sees every message.
  constexpr int kMessages = 200;
  std::vector<std::promise<Result<IngestOutcome>>> done(kMessages);
  for (int i = 0; i < kMessages; ++i) {
    IngestRequest request =
        CustomerMessage(Platform("whatsapp"), kAccount, "mid.i" + std::to_string(i),
                        "3367000000" + std::to_string(i % 20), "delivery " + std::to_string(i), kT0);
    store_->Ingest(std::move(request), [&done, i](Result<IngestOutcome> r) { done[i].set_value(std::move(r)); });
  }
  release.set_value();
  for (auto& d : done) ASSERT_TRUE(d.get_future().get());
  ASSERT_TRUE(store_->inbox().FlushSearchIndex());
  EXPECT_EQ(IndexRows("delivery"), kMessages);
  auto db = Database::Open(Path(), {}).value();
  auto segments = db->Prepare("SELECT COUNT(DISTINCT segid) FROM messages_search_idx").value();
  ASSERT_TRUE(segments.Step().value());
  EXPECT_EQ(segments.Int(0), 1);
}

// Migration 0035 turned FTS5's automerge off; the indexer's merge steps do that work in small writes instead.
TEST_F(SearchIndexerTest, MergeStepsCompactAnIndexThatNoLongerMergesItself) {
  store_->Close();
  auto db = Database::Open(Path(), {}).value();
  auto segments = [&] {
    auto count = db->Prepare("SELECT COUNT(DISTINCT segid) FROM messages_search_idx").value();
    EXPECT_TRUE(count.Step().value());
    return count.Int(0);
  };
  constexpr int kBatches = 8;
  for (int batch = 0; batch < kBatches; ++batch) {  // One transaction, and so one segment, each.
    auto insert = db->Prepare("INSERT INTO messages_search (rowid, text) VALUES (?1, 'refund ' || ?1)").value();
    ASSERT_TRUE(insert.Bind(1, batch + 1).Run());
  }
  EXPECT_EQ(segments(), kBatches);
  int steps = 0;
  for (bool more = true; more && steps < 100; ++steps) more = MergeSearchIndex(*db, SearchIndexer::kMergePages).value();
  EXPECT_LT(steps, 100);
  EXPECT_LT(segments(), 4);  // FTS5 merges a level once it holds 4 segments (usermerge).
  auto found = db->Prepare("SELECT COUNT(*) FROM messages_search WHERE messages_search MATCH 'refund'").value();
  ASSERT_TRUE(found.Step().value());
  EXPECT_EQ(found.Int(0), kBatches);
}

// A database of 0019 had every message indexed by 0017's trigger: 0020 starts the indexer after the newest one, so
// those are neither lost nor indexed twice, and what comes after is indexed.
TEST(SearchIndexerMigrationTest, MessagesIndexedBeforeTheUpgradeStayIndexedOnce) {
  testing::TempDir dir("parley-search-migration");
  const std::string path = (dir.path() / "parley.db").string();
  crypto::SecretBox box = crypto::SecretBox::Create(std::string(32, 'k')).value();
  {
    auto db = Database::Open(path, {}).value();
    ASSERT_TRUE(
        db->Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at INTEGER NOT NULL)"));
    for (const Migration& m : Migrations()) {
      if (m.version >= 20) continue;
      std::string sql(m.sql);
      ASSERT_TRUE(db->Exec(sql.c_str())) << m.name;
      std::string record =
          "INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" + std::string(m.name) + "', 0)";
      ASSERT_TRUE(db->Exec(record.c_str()));
    }
    const std::string rows =
        "INSERT INTO tenants (id, name, created_at) VALUES (1, 'Acme', 0);"
        "INSERT INTO channels (id, tenant_id, platform, account_id, access_token_sealed, created_at, updated_at)"
        " VALUES (7, 1, 'whatsapp', 'wa-1', '" +
        box.Seal("t") +
        "', 0, 0);"
        "INSERT INTO contacts (id, tenant_id, channel_id, platform_id, created_at) VALUES (3, 1, 7, '3361', 0);"
        "INSERT INTO conversations (id, tenant_id, channel_id, contact_id, created_at, last_message_at)"
        " VALUES (4, 1, 7, 3, 0, 0);"
        "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, status, created_at)"
        " VALUES (1, 4, 7, 'in', 'text', 'an old question about refunds', 'received', 0);";
    ASSERT_TRUE(db->Exec(rows.c_str()));
  }
  SqliteOptions options;
  options.path = path;
  auto store = SqliteStore::Open(options, box).value();
  ASSERT_TRUE(store->Migrate());
  ASSERT_TRUE(store->inbox().FlushSearchIndex());
  ConversationFilter filter;
  filter.text = "refunds";
  EXPECT_EQ(store->ListConversations(1, filter, std::nullopt, 50).value().data.size(), 1u);
  int64_t rows = 0;
  ASSERT_TRUE(store->Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto count,
                           db.Prepare("SELECT COUNT(*) FROM messages_search WHERE messages_search MATCH 'refunds'"));
    STORE_TRY(count.Step());
    rows = count.Int(0);
    return Ok();
  }));
  EXPECT_EQ(rows, 1);
  store->Close();
}

}  // namespace
}  // namespace parley::store::sqlite
