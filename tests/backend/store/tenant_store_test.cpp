// Tenant settings on every backend: defaults, partial updates, validation before any change, retention turned on and
// off, and the retention sweeper's list.

#include "store_test.h"

#include "store/tenant_store.h"

namespace parley::store::testing {
namespace {

class TenantStoreTest : public StoreTest {
 protected:
  TenantStoreTest() { globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id; }
  int64_t globex_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, TenantStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(TenantStoreTest, NewTenantsAreInUtcAndKeepMessagesForEver) {
  auto tenant = store_->tenants().GetTenant(tenant_.id);
  ASSERT_TRUE(tenant) << tenant.error().message;
  EXPECT_EQ(tenant->name, "Acme");
  EXPECT_EQ(tenant->time_zone, "UTC");
  EXPECT_FALSE(tenant->message_retention_days);
  EXPECT_EQ(store_->tenants().GetTenant(999).error().code, ErrorCode::kNotFound);
}

TEST_P(TenantStoreTest, UpdatesOnlyTheFieldsGiven) {
  auto& tenants = store_->tenants();
  auto updated = tenants.UpdateTenant(tenant_.id, {.time_zone = "Europe/Paris"});
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->time_zone, "Europe/Paris");
  EXPECT_EQ(updated->name, "Acme");

  updated = tenants.UpdateTenant(tenant_.id, {.name = "Acme SAS", .message_retention_days = std::optional<int>(30)});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->name, "Acme SAS");
  EXPECT_EQ(updated->time_zone, "Europe/Paris");
  EXPECT_EQ(updated->message_retention_days, 30);
  EXPECT_EQ(tenants.GetTenant(globex_)->time_zone, "UTC");  // The other tenant is untouched.

  updated = tenants.UpdateTenant(tenant_.id, {.message_retention_days = std::optional<int>()});
  ASSERT_TRUE(updated);
  EXPECT_FALSE(updated->message_retention_days);  // Back to keeping messages for ever.
}

TEST_P(TenantStoreTest, RefusesInvalidSettingsWithoutChangingAny) {
  auto& tenants = store_->tenants();
  for (const TenantSettingsUpdate& update : {
           TenantSettingsUpdate{.name = "Changed", .time_zone = "Mars/Olympus"},
           TenantSettingsUpdate{.time_zone = "europe/paris"},
           TenantSettingsUpdate{.time_zone = ""},
           TenantSettingsUpdate{.name = ""},
           TenantSettingsUpdate{.name = "Changed", .message_retention_days = std::optional<int>(0)},
           TenantSettingsUpdate{.message_retention_days = std::optional<int>(kMaxRetentionDays + 1)},
       }) {
    auto refused = tenants.UpdateTenant(tenant_.id, update);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  }
  auto tenant = tenants.GetTenant(tenant_.id);
  EXPECT_EQ(tenant->name, "Acme");
  EXPECT_EQ(tenant->time_zone, "UTC");
  EXPECT_EQ(tenants.UpdateTenant(999, {.name = "x"}).error().code, ErrorCode::kNotFound);
}

TEST_P(TenantStoreTest, ListsTheTenantsWithARetentionPeriod) {
  auto& tenants = store_->tenants();
  EXPECT_TRUE(tenants.ListTenantsWithRetention()->empty());
  ASSERT_TRUE(tenants.UpdateTenant(globex_, {.message_retention_days = std::optional<int>(90)}));
  auto listed = tenants.ListTenantsWithRetention();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).id, globex_);
  EXPECT_EQ(listed->at(0).message_retention_days, 90);
}

}  // namespace
}  // namespace parley::store::testing
