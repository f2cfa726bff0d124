// Tenant settings on SQLite: columns of the tenants table (migration 0024).

#include "store/sqlite/tenant_store.h"

#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"

namespace parley::store::sqlite {
namespace {

#define TENANT_COLUMNS "id, name, time_zone, message_retention_days, created_at"
constexpr char kGetTenant[] = "SELECT " TENANT_COLUMNS " FROM tenants WHERE id = ?1";
constexpr char kWithRetention[] =
    "SELECT " TENANT_COLUMNS " FROM tenants WHERE message_retention_days IS NOT NULL ORDER BY id";
// ?2..?4: NULL leaves the column; ?5 = 1 sets the retention to ?4 (which may be NULL: kept for ever).
constexpr char kUpdateTenant[] =
    "UPDATE tenants SET name = COALESCE(?2, name), time_zone = COALESCE(?3, time_zone),"
    " message_retention_days = CASE WHEN ?5 = 1 THEN ?4 ELSE message_retention_days END"
    " WHERE id = ?1 RETURNING " TENANT_COLUMNS;

TenantSettings ReadTenant(const Statement& row) {
  TenantSettings tenant;
  tenant.id = row.Int(0);
  tenant.name = row.String(1);
  tenant.time_zone = row.String(2);
  if (!row.IsNull(3)) tenant.message_retention_days = static_cast<int>(row.Int(3));
  tenant.created_at_ms = row.Int(4);
  return tenant;
}

class SqliteTenantStore final : public TenantStore {
 public:
  explicit SqliteTenantStore(SqliteStore& store) : store_(store) {}

  Result<TenantSettings> GetTenant(int64_t tenant_id) override {
    TenantSettings tenant;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kGetTenant));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, tenant_id).Step());
      if (!found) return Error::NotFound("no such tenant");
      tenant = ReadTenant(select);
      return Ok();
    }));
    return tenant;
  }

  Result<TenantSettings> UpdateTenant(int64_t tenant_id, const TenantSettingsUpdate& update) override {
    STORE_TRY(ValidateTenantSettingsUpdate(update));
    TenantSettings tenant;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto statement, db.Prepare(kUpdateTenant));
      statement.Bind(1, tenant_id).Bind(2, update.name).Bind(3, update.time_zone);
      std::optional<int64_t> retention;
      if (update.message_retention_days && *update.message_retention_days) retention = **update.message_retention_days;
      statement.Bind(4, retention).Bind(5, update.message_retention_days ? 1 : 0);
      STORE_ASSIGN_OR_RETURN(bool found, statement.Step());
      if (!found) return Error::NotFound("no such tenant");
      tenant = ReadTenant(statement);
      return Ok();
    }));
    return tenant;
  }

  Result<std::vector<TenantSettings>> ListTenantsWithRetention() override {
    std::vector<TenantSettings> tenants;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kWithRetention));
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) return Ok();
        tenants.push_back(ReadTenant(select));
      }
    }));
    return tenants;
  }

 private:
  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<TenantStore> MakeSqliteTenantStore(SqliteStore& store) {
  return std::make_unique<SqliteTenantStore>(store);
}

}  // namespace parley::store::sqlite
