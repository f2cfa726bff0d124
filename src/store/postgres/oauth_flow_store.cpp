// Pending OAuth flows on PostgreSQL (migration 0011), shared by every process on the database. The rules are the
// SQLite backend's (sqlite/oauth_flow_store.cpp); what differs is how concurrent processes are kept apart: a begin
// locks its tenant's row, so that two begins of one tenant count its flows one after the other and the bound holds,
// and a take is one DELETE … RETURNING, which PostgreSQL lets exactly one of two concurrent takes complete.

#include "store/oauth_flow_store.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/sub_stores.h"

namespace parley::store::postgres {
namespace {

// FOR NO KEY UPDATE: waits only for the tenant's other begins (and a settings change), not for the inserts that
// reference the tenant, which take a KEY SHARE lock.
constexpr char kLockTenant[] = "SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE";
// SKIP LOCKED: an expired flow another transaction is deleting (a take, another begin's prune) is left to it rather
// than waited for.
constexpr char kPruneExpired[] =
    "DELETE FROM oauth_flows WHERE id IN"
    " (SELECT id FROM oauth_flows WHERE expires_at <= $1 FOR UPDATE SKIP LOCKED)";
// Keeps the tenant's $2 flows that expire last: room for one more within the bound.
constexpr char kKeepNewest[] =
    "DELETE FROM oauth_flows WHERE tenant_id = $1 AND id NOT IN"
    " (SELECT id FROM oauth_flows WHERE tenant_id = $1 ORDER BY expires_at DESC, id LIMIT $2)";
constexpr char kInsert[] =
    "INSERT INTO oauth_flows (id, tenant_id, platform, user_id, api_key_id, created_at, expires_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr char kTake[] =
    "DELETE FROM oauth_flows WHERE id = $1"
    " RETURNING id, tenant_id, platform, user_id, api_key_id, created_at, expires_at";

OAuthFlow ReadFlow(const Rows& rows, int row) {
  OAuthFlow flow;
  flow.id = rows.String(row, 0);
  flow.tenant_id = rows.Int(row, 1);
  flow.platform = Platform(rows.Text(row, 2));
  flow.user_id = rows.OptionalInt(row, 3);
  flow.api_key_id = rows.OptionalInt(row, 4);
  flow.created_at_ms = rows.Int(row, 5);
  flow.expires_at_ms = rows.Int(row, 6);
  return flow;
}

class PostgresOAuthFlowStore final : public OAuthFlowStore {
 public:
  explicit PostgresOAuthFlowStore(PostgresStore& store) : store_(store) {}

  Result<void> BeginFlow(const OAuthFlow& flow, int64_t now_ms) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Query(kLockTenant, Params(flow.tenant_id)));
      if (tenant.empty()) return Error::NotFound("no such tenant");
      STORE_TRY(db.Query(kPruneExpired, Params(now_ms)));
      STORE_TRY(db.Query(kKeepNewest, Params(flow.tenant_id, int64_t{kMaxPendingOAuthFlowsPerTenant - 1})));
      STORE_TRY(db.Query(kInsert, Params(flow.id, flow.tenant_id, ToString(flow.platform), flow.user_id,
                                         flow.api_key_id, flow.created_at_ms, flow.expires_at_ms)));
      return Ok();
    });
  }

  Result<OAuthFlow> TakeFlow(std::string_view id, int64_t now_ms) override {
    auto taken = store_.Write<OAuthFlow>([&](Connection& db, EventNotes&) -> Result<OAuthFlow> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kTake, Params(id)));
      if (rows.empty()) return Error::NotFound("no such OAuth flow: never begun, already taken, or dropped");
      return ReadFlow(rows, 0);
    });
    if (taken && now_ms >= taken->expires_at_ms) return Error::NotFound("the OAuth flow expired");
    return taken;
  }

  Result<int64_t> PruneExpiredFlows(int64_t now_ms) override {
    return store_.Write<int64_t>([&](Connection& db, EventNotes&) -> Result<int64_t> {
      STORE_ASSIGN_OR_RETURN(auto pruned, db.Query(kPruneExpired, Params(now_ms)));
      return pruned.affected();
    });
  }

 private:
  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<OAuthFlowStore> MakePostgresOAuthFlowStore(PostgresStore& store) {
  return std::make_unique<PostgresOAuthFlowStore>(store);
}

}  // namespace parley::store::postgres
