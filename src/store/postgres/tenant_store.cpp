// Tenant settings on PostgreSQL: columns of the tenants table. The rules are the SQLite backend's
// (sqlite/tenant_store.cpp), validation shared (store/tenant_store.h).

#include "store/tenant_store.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/sub_stores.h"

namespace parley::store::postgres {
namespace {

#define TENANT_COLUMNS "id, name, time_zone, message_retention_days, created_at"
constexpr char kGetTenant[] = "SELECT " TENANT_COLUMNS " FROM tenants WHERE id = $1";
constexpr char kWithRetention[] =
    "SELECT " TENANT_COLUMNS " FROM tenants WHERE message_retention_days IS NOT NULL ORDER BY id";
// $2..$4: NULL leaves the column; $5 sets the retention to $4 (which may be NULL: kept for ever).
constexpr char kUpdateTenant[] =
    "UPDATE tenants SET name = COALESCE($2, name), time_zone = COALESCE($3, time_zone),"
    " message_retention_days = CASE WHEN $5 THEN $4::integer ELSE message_retention_days END"
    " WHERE id = $1 RETURNING " TENANT_COLUMNS;
#undef TENANT_COLUMNS

TenantSettings ReadTenant(const Rows& rows, int row) {
  TenantSettings tenant;
  tenant.id = rows.Int(row, 0);
  tenant.name = rows.String(row, 1);
  tenant.time_zone = rows.String(row, 2);
  if (!rows.IsNull(row, 3)) tenant.message_retention_days = static_cast<int>(rows.Int(row, 3));
  tenant.created_at_ms = rows.Int(row, 4);
  return tenant;
}

class PostgresTenantStore final : public TenantStore {
 public:
  explicit PostgresTenantStore(PostgresStore& store) : store_(store) {}

  Result<TenantSettings> GetTenant(int64_t tenant_id) override {
    return store_.Read<TenantSettings>([&](Connection& db) -> Result<TenantSettings> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kGetTenant, Params(tenant_id)));
      if (rows.empty()) return Error::NotFound("no such tenant");
      return ReadTenant(rows, 0);
    });
  }

  Result<TenantSettings> UpdateTenant(int64_t tenant_id, const TenantSettingsUpdate& update) override {
    STORE_TRY(ValidateTenantSettingsUpdate(update));
    std::optional<int64_t> retention;
    if (update.message_retention_days && *update.message_retention_days) retention = **update.message_retention_days;
    return store_.Write<TenantSettings>([&](Connection& db, EventNotes&) -> Result<TenantSettings> {
      STORE_ASSIGN_OR_RETURN(auto rows,
                             db.Query(kUpdateTenant, Params(tenant_id, update.name, update.time_zone, retention,
                                                            update.message_retention_days.has_value())));
      if (rows.empty()) return Error::NotFound("no such tenant");
      return ReadTenant(rows, 0);
    });
  }

  Result<std::vector<TenantSettings>> ListTenantsWithRetention() override {
    return store_.Read<std::vector<TenantSettings>>([&](Connection& db) -> Result<std::vector<TenantSettings>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kWithRetention));
      std::vector<TenantSettings> tenants;
      for (int i = 0; i < rows.size(); ++i) tenants.push_back(ReadTenant(rows, i));
      return tenants;
    });
  }

 private:
  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<TenantStore> MakePostgresTenantStore(PostgresStore& store) {
  return std::make_unique<PostgresTenantStore>(store);
}

}  // namespace parley::store::postgres
