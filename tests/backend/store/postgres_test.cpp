// What only the PostgreSQL backend has to show: its event log's per-tenant order under concurrent writers, replaced
// connections, its schema, and opening a store whose server cannot be reached (refused at once; a server that never
// answers, given up after the default connect timeout).

#include "store_test.h"

#include "store/events.h"
#include "store/postgres/pg.h"
#include "store/postgres/postgres_store.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <thread>

namespace parley::store::testing {
namespace {

class PostgresStoreTest : public StoreTest {};

INSTANTIATE_TEST_SUITE_P(Backends, PostgresStoreTest, ::testing::Values(Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

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
  EXPECT_TRUE(store_->AddChannel({tenant_.id, Platform("instagram"), "ig-9", "t"}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 2);
}

TEST_P(PostgresStoreTest, TheSchemaHasSqlitesTablesAndColumns) {
  // Every column of the SQLite schema at its head, but for SQLite's full-text machinery (PostgreSQL's is expression
  // indexes, migrations/postgres/0002), and the other way round but for event_heads and the analytics change feed
  // (migrations/postgres/0004), PostgreSQL's own.
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
    if (!column.ends_with(".feed_xid") && column != "analytics_cursors.last_xid") ours.insert(column);
  }
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM plans"), 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM analytics_cursors WHERE last_id = 0"), 3);
}

// A TCP socket on 127.0.0.1 with a port the OS picked; listening (the kernel accepts connections into its backlog,
// and nothing ever answers them) or closed again (nothing listens: connections are refused).
class LoopbackPort {
 public:
  explicit LoopbackPort(bool listen) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), size), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size), 0);
    port_ = ntohs(address.sin_port);
    if (listen) {
      EXPECT_EQ(::listen(fd_, 8), 0);
    } else {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~LoopbackPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::string Url() const { return "postgresql://parley@127.0.0.1:" + std::to_string(port_) + "/parley"; }

 private:
  int fd_;
  int port_ = 0;
};

Result<std::unique_ptr<postgres::PostgresStore>> OpenAt(const std::string& url) {
  static const crypto::SecretBox box = crypto::SecretBox::Create(std::string(32, 'k')).value();
  postgres::PostgresOptions options;
  options.url = url;
  return postgres::PostgresStore::Open(options, box);
}

TEST(PostgresConnectTest, AClosedPortIsReportedAtOnce) {
  LoopbackPort closed(/*listen=*/false);
  auto store = OpenAt(closed.Url());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store.error().message, "cannot connect to PostgreSQL");
  EXPECT_NE(store.error().detail.find("refused"), std::string::npos) << store.error().detail;
}

// Without a default connect timeout, libpq would wait for the server's answer forever and this test would hang.
TEST(PostgresConnectTest, AServerThatNeverAnswersIsGivenUpOnAfterTheDefaultTimeout) {
  LoopbackPort silent(/*listen=*/true);
  auto store = OpenAt(silent.Url());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().detail.find("timeout expired"), std::string::npos) << store.error().detail;
}

}  // namespace
}  // namespace parley::store::testing
