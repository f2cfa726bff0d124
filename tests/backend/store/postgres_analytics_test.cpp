// What only the PostgreSQL rollup has to show, with several writers: a row whose transaction took its id before
// another's and committed after a rollup ran is counted once; a message read before its conversation is counted;
// the feed's order is the transactions'; rollups in two processes beside two writers count every row exactly once.

#include "analytics_test.h"

#include "store/postgres/pg.h"
#include "support/backend_servers.h"

#include <thread>

namespace parley::store::testing {
namespace {

class PostgresAnalyticsTest : public AnalyticsStoreTest {
 protected:
  // A connection of the test's own to the store's schema, for a transaction held open across the store's calls.
  std::unique_ptr<postgres::Connection> Connect() {
    const std::string schema = backend_->QueryStrings("SELECT current_schema()").at(0);
    std::string url = parley::testing::TestPostgresUrl();
    url += url.find('?') == std::string::npos ? "?" : "&";
    auto connection = postgres::Connection::Open(url + "options=-csearch_path%3D" + schema);
    EXPECT_TRUE(connection) << connection.error().detail;
    return connection ? std::move(*connection) : nullptr;
  }

  // A customer message written by `connection` inside its open transaction, as another process's ingest would;
  // returns its id.
  int64_t WriteMessage(postgres::Connection& connection, int64_t conversation, int64_t at) {
    auto inserted = connection.Query(
        "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, status, created_at)"
        " VALUES ($1, $2, $3, 'in', 'text', 'from another process', 'received', $4) RETURNING id",
        postgres::Params(tenant_.id, conversation, channel_.id, at));
    EXPECT_TRUE(inserted) << inserted.error().detail;
    return inserted ? inserted->Int(0, 0) : 0;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, PostgresAnalyticsTest, ::testing::Values(Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(PostgresAnalyticsTest, ARowCommittedAfterARollupPastItsIdIsCountedOnce) {
  const int64_t conversation = Customer(kAccount, "+331", kSlotT0);
  RollUp();
  ASSERT_EQ(All().counts.messages_in, 1);

  // A writer takes its message's id first; another commits a message with a larger id, and a rollup runs while the
  // first is still open. A cursor on ids would now be past the first message, for ever.
  auto writer = Connect();
  ASSERT_TRUE(writer->Execute(postgres::kBegin));
  const int64_t early = WriteMessage(*writer, conversation, kSlotT0 + kS);
  Customer(kAccount, "+331", kSlotT0 + 2 * kS);
  EXPECT_LT(early, Count("SELECT MAX(id) FROM messages"));
  RollUp(1000, /*all_readable=*/false);
  // Held back behind the open transaction, which is older than the committed message's.
  EXPECT_EQ(All().counts.messages_in, 1);

  ASSERT_TRUE(writer->Execute(postgres::kCommit));
  RollUp();
  EXPECT_EQ(All().counts.messages_in, 3);
  EXPECT_EQ(store_->analytics().Rollup(100).value(), 0);
  EXPECT_EQ(All().counts.messages_in, 3);
}

TEST_P(PostgresAnalyticsTest, AMessageReadBeforeItsConversationIsCounted) {
  // The writer's transaction takes its id first; an unrelated one takes the next and stays open; then a conversation
  // is created and committed, and the writer, still open, adds a message to it. The rollup can read the writer's
  // message (older than every open transaction) but not yet the conversation (newer than the unrelated one).
  auto writer = Connect();
  auto unrelated = Connect();
  ASSERT_TRUE(writer->Execute("BEGIN; SELECT pg_current_xact_id()"));
  ASSERT_TRUE(unrelated->Execute("BEGIN; SELECT pg_current_xact_id()"));
  const int64_t conversation = Customer(kAccount, "+331", kSlotT0);
  WriteMessage(*writer, conversation, kSlotT0 + kS);
  ASSERT_TRUE(writer->Execute(postgres::kCommit));
  // Another test's transaction on the same server, older than the writer's, holds it back too until it ends: the
  // horizon is the whole server's.
  AnalyticsPeriod held;
  for (int i = 0; i < 500 && held.counts.messages_in == 0; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    RollUp(1000, /*all_readable=*/false);
    held = All();
  }
  EXPECT_EQ(held.counts.messages_in, 1);  // The writer's; the conversation's first message waits with it.
  EXPECT_EQ(held.counts.conversations_started, 0);

  ASSERT_TRUE(unrelated->Execute(postgres::kRollback));
  RollUp();
  const AnalyticsPeriod all = All();
  EXPECT_EQ(all.counts.messages_in, 2);
  EXPECT_EQ(all.counts.conversations_started, 1);
  EXPECT_EQ(All(channel_.id).counts.conversations_started, 1);
}

TEST_P(PostgresAnalyticsTest, TheFeedIsReadInTransactionOrder) {
  // Transaction 10 wrote the smaller id, transaction 9 the larger; both ended long ago. Read one row at a time, the
  // feed must take 9 first (as text, "10" sorts before "9", and the cursor would then be past 9's row).
  const int64_t conversation = Customer(kAccount, "+331", kSlotT0);
  auto writer = Connect();
  const int64_t ten = WriteMessage(*writer, conversation, kSlotT0 + kS);
  const int64_t nine = WriteMessage(*writer, conversation, kSlotT0 + 2 * kS);
  ASSERT_TRUE(writer->Query("UPDATE messages SET feed_xid = $2::xid8 WHERE id = $1", postgres::Params(ten, "10")));
  ASSERT_TRUE(writer->Query("UPDATE messages SET feed_xid = $2::xid8 WHERE id = $1", postgres::Params(nine, "9")));
  RollUp(1);
  EXPECT_EQ(All().counts.messages_in, 3);
}

TEST_P(PostgresAnalyticsTest, RollupsInTwoProcessesBesideTwoWritersCountEveryRowOnce) {
  auto other = backend_->OpenAnother();
  std::atomic<int> writing{2};
  auto write = [&](Store* store, const std::string& prefix) {
    for (int i = 0; i < 30; ++i) Customer(kAccount, Id(prefix, i % 10), kSlotT0 + i * kS, store);
    --writing;
  };
  auto roll = [&](Store& store) {
    for (;;) {
      const bool last = writing == 0;  // Until one after the writers are done reads nothing.
      auto read = store.analytics().Rollup(3);
      ASSERT_TRUE(read) << read.error().message << " " << read.error().detail;
      if (last && *read == 0) return;
    }
  };
  std::thread first_writer(write, store_, "a");
  std::thread second_writer(write, other.get(), "b");
  std::thread first_roller(roll, std::ref(*store_));
  std::thread second_roller(roll, std::ref(*other));
  for (std::thread* t : {&first_writer, &second_writer, &first_roller, &second_roller}) t->join();
  other->Close();
  RollUp();

  const AnalyticsPeriod all = All();
  EXPECT_EQ(all.counts.conversations_started, 20);
  EXPECT_EQ(all.counts.messages_in, 60);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM analytics_conversations"), 20);
}

}  // namespace
}  // namespace parley::store::testing
