// Opening a store on every backend: migrations, tenants and their first key.

#include "store_test.h"

#include "store/access_store.h"

#include <thread>

namespace parley::store::testing {
namespace {

TEST_P(StoreTest, MigrateIsIdempotentAndSafeAcrossProcesses) {
  ASSERT_TRUE(store_->Migrate());
  // Other processes migrating the same database at once: each migration is applied exactly once, none fails.
  std::vector<std::unique_ptr<Store>> others;
  for (int i = 0; i < 3; ++i) others.push_back(backend_->OpenAnother());
  std::vector<std::thread> threads;
  std::vector<Result<void>> results(others.size(), Ok());
  for (size_t i = 0; i < others.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = others[i]->Migrate(); });
  }
  for (auto& t : threads) t.join();
  for (const auto& result : results) EXPECT_TRUE(result) << result.error().detail;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"),
            Count("SELECT COUNT(DISTINCT version) FROM schema_migrations"));
  // What the first store wrote is there for the others.
  EXPECT_EQ(others[0]->GetChannel(channel_.id).value().access_token, "EAAG-secret-token");
  for (auto& other : others) other->Close();
}

TEST_P(StoreTest, ADatabaseNewerThanTheBinaryIsRefused) {
  backend_->RecordFutureMigration();
  auto refused = backend_->OpenAnother()->Migrate();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("newer than this Parley knows"), std::string::npos) << refused.error().message;
}

TEST_P(StoreTest, CreateTenantKeepsItsFirstKeyHashOnce) {
  EXPECT_EQ(tenant_.name, "Acme");
  EXPECT_GT(tenant_.id, 0);
  EXPECT_GT(tenant_.created_at_ms, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM api_keys WHERE key_hash = '" + crypto::Sha256Hex("key-acme") + "'"), 1);
  EXPECT_EQ(store_->CreateTenant("Copycat", crypto::Sha256Hex("key-acme")).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->CreateTenant("Keyless", "").error().code, ErrorCode::kInvalidArgument);
  // The failed creations left no tenant behind.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tenants"), 1);
  Tenant second = store_->CreateTenant("Globex", NewApiKey{0, "ci", "abcd1234", "admin", "hash-2"}).value();
  EXPECT_GT(second.id, tenant_.id);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM api_keys WHERE role = 'admin' AND name = 'ci' AND prefix = 'abcd1234'"), 1);
}

TEST_P(StoreTest, HealthNamesTheBackend) {
  StoreHealth health = store_->Health();
  EXPECT_TRUE(health.ok);
  EXPECT_EQ(health.backend, GetParam() == Backend::kSqlite ? "sqlite" : "postgres");
  EXPECT_EQ(health.pending_writes, 0);
}

TEST_P(StoreTest, AClosedStoreRefusesWork) {
  store_->Close();
  EXPECT_EQ(store_->Migrate().error().code, ErrorCode::kUnavailable);
  std::promise<Result<IngestOutcome>> done;
  store_->Ingest(Request(kT0, {Inbound("m1", "c1", "hi")}), [&](auto r) { done.set_value(std::move(r)); });
  auto outcome = done.get_future().get();
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store_->GetChannel(channel_.id).error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace parley::store::testing
