// OpenStore and ReadMigrationStatus (store/store.h) with a PostgreSQL URL, as `parley` uses them, in a schema of the
// test's own on the test server.

#include "store/store.h"

#include "store/postgres/pg.h"
#include "support/backend_servers.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>

namespace parley::store {
namespace {

class PostgresOpenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    schema_ = "open_store_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    const std::string server = parley::testing::TestPostgresUrl();
    admin_ = postgres::Connection::Open(server).value();
    ASSERT_TRUE(admin_->Execute("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_));
    url_ = server + (server.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
  }
  void TearDown() override { (void)admin_->Execute("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE"); }

  int64_t Tables() {
    return admin_->Query("SELECT COUNT(*) FROM pg_tables WHERE schemaname = $1", postgres::Params(schema_))
        .value()
        .Int(0, 0);
  }

  crypto::SecretBox box_ = crypto::SecretBox::Create(std::string(32, 'k')).value();
  std::string schema_;
  std::string url_;
  std::unique_ptr<postgres::Connection> admin_;
};

TEST_F(PostgresOpenStoreTest, BothSchemesOpenThePostgresBackendWithItsPool) {
  for (const std::string& url : {url_, "postgres://" + url_.substr(std::string("postgresql://").size())}) {
    auto store = OpenStore({.database_url = url, .database_connections = 2}, box_);
    ASSERT_TRUE(store) << url << ": " << store.error().message << " " << store.error().detail;
    ASSERT_TRUE((*store)->Migrate());
    EXPECT_EQ((*store)->Health().backend, "postgres");
    EXPECT_TRUE((*store)->CreateTenant("Acme", crypto::Sha256Hex("key-" + url)));
    (*store)->Close();
  }
  EXPECT_FALSE(OpenStore({.database_url = url_, .database_connections = 0}, box_));
}

TEST_F(PostgresOpenStoreTest, MigrationStatusIsReadWithoutChangingTheDatabase) {
  auto fresh = ReadMigrationStatus(url_);
  ASSERT_TRUE(fresh) << fresh.error().message << " " << fresh.error().detail;
  ASSERT_FALSE(fresh->empty());
  for (const auto& migration : *fresh) {
    EXPECT_FALSE(migration.applied_at_ms) << migration.name;
    EXPECT_TRUE(migration.known) << migration.name;
  }
  EXPECT_EQ(Tables(), 0) << "reading the status created a table";

  auto store = OpenStore({.database_url = url_}, box_).value();
  ASSERT_TRUE(store->Migrate());
  auto migrated = ReadMigrationStatus(url_).value();
  ASSERT_EQ(migrated.size(), fresh->size());
  for (const auto& migration : migrated) EXPECT_TRUE(migration.applied_at_ms) << migration.name;

  // A migration a newer Parley applied: listed as unknown, and neither this store nor a new one migrates over it.
  ASSERT_TRUE(admin_->Execute("INSERT INTO " + schema_ +
                              ".schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)"));
  auto newer = ReadMigrationStatus(url_).value();
  ASSERT_EQ(newer.size(), fresh->size() + 1);
  EXPECT_EQ(newer.back().version, 9999);
  EXPECT_FALSE(newer.back().known);
  auto refused = OpenStore({.database_url = url_}, box_).value()->Migrate();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  store->Close();
}

TEST_F(PostgresOpenStoreTest, AnUnreachableServerIsUnavailable) {
  auto status = ReadMigrationStatus("postgresql://parley@127.0.0.1:1/parley");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace parley::store
