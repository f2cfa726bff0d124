// Tenant settings in the SQLite store: defaults after migration 0024, partial updates, validation before any change,
// retention turned on and off, and the sweeper's list.

#include "store/tenant_store.h"
#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"
#include "support/two_tenant_store.h"

#include <gtest/gtest.h>

namespace parley::store::sqlite {
namespace {

class TenantStoreTest : public parley::testing::TwoTenantStore {};

TEST_F(TenantStoreTest, NewTenantsAreInUtcAndKeepMessagesForEver) {
  auto tenant = store_->tenants().GetTenant(acme_);
  ASSERT_TRUE(tenant) << tenant.error().message;
  EXPECT_EQ(tenant->name, "Acme");
  EXPECT_EQ(tenant->time_zone, "UTC");
  EXPECT_FALSE(tenant->message_retention_days);
  EXPECT_EQ(store_->tenants().GetTenant(999).error().code, ErrorCode::kNotFound);
}

TEST_F(TenantStoreTest, UpdatesOnlyTheFieldsGiven) {
  auto& tenants = store_->tenants();
  auto updated = tenants.UpdateTenant(acme_, {.time_zone = "Europe/Paris"});
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->time_zone, "Europe/Paris");
  EXPECT_EQ(updated->name, "Acme");

  updated = tenants.UpdateTenant(acme_, {.name = "Acme SAS", .message_retention_days = std::optional<int>(30)});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->name, "Acme SAS");
  EXPECT_EQ(updated->time_zone, "Europe/Paris");
  EXPECT_EQ(updated->message_retention_days, 30);
  EXPECT_EQ(tenants.GetTenant(globex_)->time_zone, "UTC");  // The other tenant is untouched.

  updated = tenants.UpdateTenant(acme_, {.message_retention_days = std::optional<int>()});
  ASSERT_TRUE(updated);
  EXPECT_FALSE(updated->message_retention_days);  // Back to keeping messages for ever.
}

TEST_F(TenantStoreTest, RefusesInvalidSettingsWithoutChangingAny) {
  auto& tenants = store_->tenants();
  for (const TenantSettingsUpdate& update : {
           TenantSettingsUpdate{.name = "Changed", .time_zone = "Mars/Olympus"},
           TenantSettingsUpdate{.time_zone = "europe/paris"},
           TenantSettingsUpdate{.time_zone = ""},
           TenantSettingsUpdate{.name = ""},
           TenantSettingsUpdate{.name = "Changed", .message_retention_days = std::optional<int>(0)},
           TenantSettingsUpdate{.message_retention_days = std::optional<int>(kMaxRetentionDays + 1)},
       }) {
    auto refused = tenants.UpdateTenant(acme_, update);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  }
  auto tenant = tenants.GetTenant(acme_);
  EXPECT_EQ(tenant->name, "Acme");
  EXPECT_EQ(tenant->time_zone, "UTC");
  EXPECT_EQ(tenants.UpdateTenant(999, {.name = "x"}).error().code, ErrorCode::kNotFound);
}

TEST_F(TenantStoreTest, ListsTheTenantsWithARetentionPeriod) {
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
}  // namespace parley::store::sqlite
