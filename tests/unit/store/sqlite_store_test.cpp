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
  item.message.platform = Platform("whatsapp");
  item.message.account_id = account;
  item.message.platform_message_id = mid;
  item.message.contact_id = contact;
  item.message.contact_name = "Ana";
  item.message.timestamp_ms = kT0 - 1'000;  // Sent a second before it reached Parley.
  item.message.text = text;
  return item;
}

IngestRequest Request(int64_t received_at_ms, std::vector<InboundItem> messages) {
  IngestRequest request;
  request.platform = Platform("whatsapp");
  request.received_at_ms = received_at_ms;
  request.messages = std::move(messages);
  return request;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    tenant_ = store_->CreateTenant("Acme", crypto::Sha256Hex("key-acme")).value();
    channel_ = store_->AddChannel({tenant_.id, Platform("whatsapp"), kAccount, "EAAG-secret-token"}).value();
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
