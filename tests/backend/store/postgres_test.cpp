// What only the PostgreSQL backend has to show: its honest refusal of what it does not implement yet, and its
// event log's per-tenant order under concurrent writers.

#include "store_test.h"

#include "store/analytics_store.h"
#include "store/events.h"
#include "store/knowledge_store.h"

#include <set>
#include <thread>

namespace parley::store::testing {
namespace {

class PostgresStoreTest : public StoreTest {};

INSTANTIATE_TEST_SUITE_P(Backends, PostgresStoreTest, ::testing::Values(Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(PostgresStoreTest, WhatIsNotImplementedYetSaysSo) {
  auto rollup = store_->analytics().Rollup(100);
  ASSERT_FALSE(rollup);
  EXPECT_EQ(rollup.error().code, ErrorCode::kInternal);
  EXPECT_EQ(rollup.error().message, "not implemented on PostgreSQL yet: AnalyticsStore::Rollup");
  ConversationFilter search;
  search.text = "refund";
  EXPECT_EQ(store_->ListConversations(tenant_.id, search, std::nullopt, 10).error().message,
            "not implemented on PostgreSQL yet: Store::ListConversations with a text filter");
  auto bases = store_->knowledge().ListKnowledgeBases(tenant_.id);
  ASSERT_FALSE(bases);
  EXPECT_EQ(bases.error().message, "not implemented on PostgreSQL yet: KnowledgeStore::ListKnowledgeBases");
}

TEST_P(PostgresStoreTest, EventIdsCountUpPerTenantAcrossProcesses) {
  auto other = backend_->OpenAnother();
  auto send = [&](Store& store, const std::string& prefix) {
    for (int i = 0; i < 20; ++i) {
      std::promise<Result<IngestOutcome>> done;
      store.Ingest(Request(kT0 + i, {Inbound(Id(prefix, i), Id(prefix, i % 3), "x")}),
                   [&](auto r) { done.set_value(std::move(r)); });
      ASSERT_TRUE(done.get_future().get());
    }
  };
  std::thread first([&] { send(*store_, "a"); });
  std::thread second([&] { send(*other, "b"); });
  first.join();
  second.join();
  other->Close();
  // 40 message.created and 6 conversation.created, numbered 1..46 without a gap or a repeat.
  const std::string tenant = std::to_string(tenant_.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE tenant_id = " + tenant), 46);
  EXPECT_EQ(Count("SELECT MIN(id) FROM events WHERE tenant_id = " + tenant), 1);
  EXPECT_EQ(Count("SELECT MAX(id) FROM events WHERE tenant_id = " + tenant), 46);
  EXPECT_EQ(Count("SELECT last_id FROM event_heads WHERE tenant_id = " + tenant), 46);
}

TEST_P(PostgresStoreTest, ConnectionsTheServerEndedAreReplaced) {
  ASSERT_TRUE(Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})));
  ASSERT_TRUE(store_->GetChannel(channel_.id));
  ASSERT_GE(backend_->EndConnections(), 2);  // The ingest thread's and the pooled one.
  // Nothing was in flight: the next calls find their connections dead before sending anything, and use new ones.
  auto stored = Ingest(Request(kT0 + 1, {Inbound("m2", "c1", "still there?")}));
  ASSERT_TRUE(stored) << stored.error().detail;
  EXPECT_EQ(stored->stored, 1);
  auto channel = store_->GetChannel(channel_.id);
  ASSERT_TRUE(channel) << channel.error().detail;
  EXPECT_TRUE(store_->AddChannel({tenant_.id, Platform::kInstagram, "ig-9", "t"}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 2);
}

TEST_P(PostgresStoreTest, TheSchemaHasSqlitesTablesAndColumns) {
  // Every column of the SQLite schema at its head, but for SQLite's full-text machinery, which PostgreSQL will do its
  // own way (docs/scaling.md), and the other way round but for event_heads, PostgreSQL's own.
  auto sqlite = MakeTestBackend(Backend::kSqlite, box_, {});
  std::set<std::string> theirs;
  for (const std::string& column :
       sqlite->QueryStrings("SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p"
                            " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '%search%'")) {
    if (column != "messages.search_key" && column != "conversations.search_seq") theirs.insert(column);
  }
  std::set<std::string> ours;
  for (const std::string& column :
       backend_->QueryStrings("SELECT table_name || '.' || column_name FROM information_schema.columns"
                              " WHERE table_schema = current_schema() AND table_name <> 'event_heads'")) {
    ours.insert(column);
  }
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM plans"), 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM analytics_cursors WHERE last_id = 0"), 3);
}

}  // namespace
}  // namespace parley::store::testing
