// Pending OAuth flows on SQLite (migration 0036). The writer thread runs every write of this process, and SQLite's
// write lock those of other processes on the file, so a begin's prune, bound and insert happen as one.

#include "store/sqlite/oauth_flow_store.h"

#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"

namespace parley::store::sqlite {
namespace {

constexpr char kPruneExpired[] = "DELETE FROM oauth_flows WHERE expires_at <= ?1";
constexpr char kTenantExists[] = "SELECT 1 FROM tenants WHERE id = ?1";
// Keeps the tenant's ?2 flows that expire last: room for one more within the bound.
constexpr char kKeepNewest[] =
    "DELETE FROM oauth_flows WHERE tenant_id = ?1 AND id NOT IN"
    " (SELECT id FROM oauth_flows WHERE tenant_id = ?1 ORDER BY expires_at DESC, id LIMIT ?2)";
constexpr char kInsert[] =
    "INSERT INTO oauth_flows (id, tenant_id, platform, user_id, api_key_id, created_at, expires_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kTake[] =
    "DELETE FROM oauth_flows WHERE id = ?1"
    " RETURNING id, tenant_id, platform, user_id, api_key_id, created_at, expires_at";

OAuthFlow ReadFlow(const Statement& row) {
  OAuthFlow flow;
  flow.id = row.String(0);
  flow.tenant_id = row.Int(1);
  flow.platform = Platform(row.Text(2));
  flow.user_id = row.OptionalInt(3);
  flow.api_key_id = row.OptionalInt(4);
  flow.created_at_ms = row.Int(5);
  flow.expires_at_ms = row.Int(6);
  return flow;
}

class SqliteOAuthFlowStore final : public OAuthFlowStore {
 public:
  explicit SqliteOAuthFlowStore(SqliteStore& store) : store_(store) {}

  Result<void> BeginFlow(const OAuthFlow& flow, int64_t now_ms) override {
    const std::string platform(ToString(flow.platform));
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto exists, db.Prepare(kTenantExists));
      STORE_ASSIGN_OR_RETURN(bool found, exists.Bind(1, flow.tenant_id).Step());
      if (!found) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto prune, db.Prepare(kPruneExpired));
      STORE_TRY(prune.Bind(1, now_ms).Run());
      STORE_ASSIGN_OR_RETURN(auto bound, db.Prepare(kKeepNewest));
      STORE_TRY(bound.Bind(1, flow.tenant_id).Bind(2, int64_t{kMaxPendingOAuthFlowsPerTenant - 1}).Run());
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsert));
      insert.Bind(1, flow.id).Bind(2, flow.tenant_id).Bind(3, platform).Bind(4, flow.user_id);
      insert.Bind(5, flow.api_key_id).Bind(6, flow.created_at_ms).Bind(7, flow.expires_at_ms);
      return insert.Run();
    });
  }

  Result<OAuthFlow> TakeFlow(std::string_view id, int64_t now_ms) override {
    const std::string key(id);
    OAuthFlow flow;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto take, db.Prepare(kTake));
      STORE_ASSIGN_OR_RETURN(bool found, take.Bind(1, key).Step());
      if (!found) return Error::NotFound("no such OAuth flow: never begun, already taken, or dropped");
      flow = ReadFlow(take);
      return Ok();
    }));
    if (now_ms >= flow.expires_at_ms) return Error::NotFound("the OAuth flow expired");
    return flow;
  }

  Result<int64_t> PruneExpiredFlows(int64_t now_ms) override {
    int64_t pruned = 0;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto prune, db.Prepare(kPruneExpired));
      STORE_TRY(prune.Bind(1, now_ms).Run());
      pruned = db.Changes();
      return Ok();
    }));
    return pruned;
  }

 private:
  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<OAuthFlowStore> MakeSqliteOAuthFlowStore(SqliteStore& store) {
  return std::make_unique<SqliteOAuthFlowStore>(store);
}

}  // namespace parley::store::sqlite
