// Plans, a tenant's plan and subscription, usage and its reservations, and Stripe's changes on PostgreSQL. The rules
// are the SQLite backend's (sqlite/billing_store.cpp). Where SQLite's single writer serializes a check and the write
// it decides, a row lock does here: a reservation locks its tenant's row (FOR NO KEY UPDATE, which leaves the
// tenant's other writes alone), a Stripe change its tenant's billing row.

#include "store/billing_store.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/time.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/postgres/sub_stores.h"

namespace parley::store::postgres {
namespace {

#define PLAN_COLUMNS                                                                                      \
  "name, display_name, position, monthly_price_cents, images, audio, max_channels, max_knowledge_bytes, " \
  "max_knowledge_documents, monthly_ai_replies, monthly_credits"
constexpr char kListPlans[] = "SELECT " PLAN_COLUMNS " FROM plans ORDER BY position, name";
constexpr char kSelectPlan[] = "SELECT " PLAN_COLUMNS " FROM plans WHERE name = $1";
constexpr char kUpsertPlan[] =
    "INSERT INTO plans (" PLAN_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (name) DO UPDATE SET "
    "display_name = excluded.display_name, position = excluded.position, "
    "monthly_price_cents = excluded.monthly_price_cents, images = excluded.images, audio = excluded.audio, "
    "max_channels = excluded.max_channels, max_knowledge_bytes = excluded.max_knowledge_bytes, "
    "max_knowledge_documents = excluded.max_knowledge_documents, monthly_ai_replies = excluded.monthly_ai_replies, "
    "monthly_credits = excluded.monthly_credits";
#undef PLAN_COLUMNS
constexpr char kPlanExists[] = "SELECT 1 FROM plans WHERE name = $1";

constexpr char kLockTenant[] = "SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE";
#define BILLING_SELECT                                                                                        \
  "SELECT plan, COALESCE(stripe_customer_id, ''), COALESCE(stripe_subscription_id, ''), subscription_status," \
  " price_id, current_period_end, updated_at, status_event_created, plan_event_created FROM tenant_billing"   \
  " WHERE tenant_id = $1"
constexpr char kSelectBilling[] = BILLING_SELECT;
constexpr char kLockBilling[] = BILLING_SELECT " FOR UPDATE";
#undef BILLING_SELECT
constexpr char kEnsureBilling[] =
    "INSERT INTO tenant_billing (tenant_id, updated_at) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING";
constexpr char kSetPlan[] = "UPDATE tenant_billing SET plan = $2, updated_at = $3 WHERE tenant_id = $1";
constexpr char kTenantOfCustomer[] = "SELECT tenant_id FROM tenant_billing WHERE stripe_customer_id = $1";
constexpr char kTenantOfSubscription[] =
    "SELECT tenant_id FROM tenant_billing WHERE stripe_subscription_id = $1 ORDER BY updated_at DESC LIMIT 1";
constexpr char kLinkCustomer[] =
    "UPDATE tenant_billing SET stripe_customer_id = $2, updated_at = $3 WHERE tenant_id = $1";
constexpr char kLinkSubscription[] =
    "UPDATE tenant_billing SET stripe_subscription_id = $2, updated_at = $3 WHERE tenant_id = $1";
constexpr char kSetStatus[] =
    "UPDATE tenant_billing SET subscription_status = $2, current_period_end = COALESCE($3, current_period_end),"
    " status_event_created = $4, updated_at = $5 WHERE tenant_id = $1";
constexpr char kSetStripePlan[] =
    "UPDATE tenant_billing SET plan = $2, price_id = CASE WHEN $3 = '' THEN price_id ELSE $3 END,"
    " plan_event_created = $4, updated_at = $5 WHERE tenant_id = $1";

constexpr char kEventSeen[] = "SELECT 1 FROM stripe_events WHERE id = $1";
constexpr char kInsertEvent[] =
    "INSERT INTO stripe_events (id, type, created, tenant_id, customer_id, change, outcome, received_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
// In their order: by Stripe's time, then as they arrived (SQLite's rowid).
constexpr char kParkedEvents[] =
    "SELECT id, change FROM stripe_events WHERE tenant_id IS NULL AND customer_id = $1 AND change IS NOT NULL"
    " ORDER BY created, received_at, id";
constexpr char kUnparkEvent[] = "UPDATE stripe_events SET tenant_id = $2, change = NULL, outcome = $3 WHERE id = $1";

constexpr char kExpireReservations[] = "DELETE FROM usage_reservations WHERE tenant_id = $1 AND expires_at <= $2";
constexpr char kUsageOver[] =
    "SELECT COALESCE(SUM(ai_replies), 0), COALESCE(SUM(credits), 0) FROM usage_daily"
    " WHERE tenant_id = $1 AND day >= $2 AND day <= $3";
constexpr char kReserved[] = "SELECT COUNT(*), COALESCE(SUM(credits), 0) FROM usage_reservations WHERE tenant_id = $1";
constexpr char kInsertReservation[] =
    "INSERT INTO usage_reservations (id, tenant_id, credits, expires_at) VALUES ($1, $2, $3, $4)";
constexpr char kDeleteReservation[] = "DELETE FROM usage_reservations WHERE id = $1";
constexpr char kListUsage[] =
    "SELECT day, ai_replies, credits, prompt_tokens, completion_tokens, messages_in, messages_out FROM usage_daily"
    " WHERE tenant_id = $1 AND day >= $2 AND day <= $3 ORDER BY day";

Plan ReadPlan(const Rows& rows, int i) {
  Plan p;
  p.name = rows.String(i, 0);
  p.display_name = rows.String(i, 1);
  p.position = static_cast<int>(rows.Int(i, 2));
  p.monthly_price_cents = rows.Int(i, 3);
  p.images = rows.Bool(i, 4);
  p.audio = rows.Bool(i, 5);
  p.max_channels = rows.OptionalInt(i, 6);
  p.max_knowledge_bytes = rows.OptionalInt(i, 7);
  p.max_knowledge_documents = rows.OptionalInt(i, 8);
  p.monthly_ai_replies = rows.OptionalInt(i, 9);
  p.monthly_credits = rows.OptionalInt(i, 10);
  return p;
}

// The billing row with the created times that order Stripe's changes.
struct BillingRow {
  TenantBilling billing;
  int64_t status_event_created = 0;
  int64_t plan_event_created = 0;
};

Result<std::optional<BillingRow>> LoadBilling(Connection& db, const char* sql, int64_t tenant_id) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(sql, Params(tenant_id)));
  if (rows.empty()) return std::optional<BillingRow>();
  BillingRow row;
  row.billing.tenant_id = tenant_id;
  row.billing.plan = rows.OptionalString(0, 0);
  row.billing.stripe_customer_id = rows.String(0, 1);
  row.billing.stripe_subscription_id = rows.String(0, 2);
  row.billing.subscription_status = rows.String(0, 3);
  row.billing.price_id = rows.String(0, 4);
  row.billing.current_period_end = rows.OptionalInt(0, 5);
  row.billing.updated_at_ms = rows.Int(0, 6);
  row.status_event_created = rows.Int(0, 7);
  row.plan_event_created = rows.Int(0, 8);
  return std::optional<BillingRow>(std::move(row));
}

// The tenant's billing row, made if missing, locked until the transaction ends.
Result<BillingRow> EnsureBilling(Connection& db, int64_t tenant_id, int64_t now_ms) {
  STORE_TRY(db.Query(kEnsureBilling, Params(tenant_id, now_ms)));
  STORE_ASSIGN_OR_RETURN(auto row, LoadBilling(db, kLockBilling, tenant_id));
  if (!row) return Error::Internal("tenant_billing row vanished");
  return std::move(*row);
}

Result<std::optional<int64_t>> TenantBy(Connection& db, const char* sql, const std::string& key) {
  if (key.empty()) return std::optional<int64_t>();
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(sql, Params(key)));
  if (rows.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows.Int(0, 0));
}

Result<bool> Exists(Connection& db, const char* sql, int64_t id) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(sql, Params(id)));
  return !rows.empty();
}

// Applies `change` to the tenant's row under the ordering rule; kApplied or kStale.
Result<StripeOutcome> ApplyToTenant(Connection& db, int64_t tenant_id, const StripeChange& change, int64_t now_ms) {
  STORE_ASSIGN_OR_RETURN(BillingRow row, EnsureBilling(db, tenant_id, now_ms));
  if (!change.customer_id.empty() && row.billing.stripe_customer_id != change.customer_id) {
    // A customer already linked to another tenant stays with it: the first link wins.
    STORE_ASSIGN_OR_RETURN(auto owner, TenantBy(db, kTenantOfCustomer, change.customer_id));
    if (!owner) STORE_TRY(db.Query(kLinkCustomer, Params(tenant_id, change.customer_id, now_ms)));
  }
  const bool carries_state = change.status.has_value() || change.plan.has_value();
  const bool status_fresh = change.status && change.created >= row.status_event_created;
  const bool plan_fresh = change.plan && change.created >= row.plan_event_created;
  // The subscription id follows the newest state (a tenant that subscribes again gets a new one).
  if (!change.subscription_id.empty() && change.subscription_id != row.billing.stripe_subscription_id &&
      (row.billing.stripe_subscription_id.empty() || status_fresh || plan_fresh)) {
    STORE_TRY(db.Query(kLinkSubscription, Params(tenant_id, change.subscription_id, now_ms)));
  }
  if (status_fresh) {
    STORE_TRY(
        db.Query(kSetStatus, Params(tenant_id, *change.status, change.current_period_end, change.created, now_ms)));
  }
  if (plan_fresh) {
    std::optional<std::string> plan;
    if (!change.plan->empty()) plan = *change.plan;
    STORE_TRY(db.Query(kSetStripePlan, Params(tenant_id, plan, change.price_id, change.created, now_ms)));
  }
  if (carries_state && !status_fresh && !plan_fresh) return StripeOutcome::kStale;
  return StripeOutcome::kApplied;
}

Result<void> InsertEvent(Connection& db, const StripeChange& change, std::optional<int64_t> tenant_id,
                         const std::optional<std::string>& parked_change, StripeOutcome outcome, int64_t now_ms) {
  STORE_TRY(db.Query(kInsertEvent, Params(change.event_id, change.event_type, change.created, tenant_id,
                                          change.customer_id, parked_change, ToString(outcome), now_ms)));
  return Ok();
}

class PostgresBillingStore final : public BillingStore {
 public:
  explicit PostgresBillingStore(PostgresStore& store) : store_(store) {}

  Result<std::vector<Plan>> ListPlans() override { return store_.ReadAll<Plan>(kListPlans, Params(), ReadPlan); }

  Result<Plan> GetPlan(const std::string& name) override {
    return store_.ReadOne<Plan>(kSelectPlan, Params(name), "no such plan", ReadPlan);
  }

  Result<Plan> PutPlan(const Plan& plan) override {
    if (plan.name.empty()) return Error::InvalidArgument("a plan needs a name");
    const std::string display_name = plan.display_name.empty() ? plan.name : plan.display_name;
    STORE_TRY(store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_TRY(
          db.Query(kUpsertPlan, Params(plan.name, display_name, plan.position, plan.monthly_price_cents, plan.images,
                                       plan.audio, plan.max_channels, plan.max_knowledge_bytes,
                                       plan.max_knowledge_documents, plan.monthly_ai_replies, plan.monthly_credits)));
      return Ok();
    }));
    return GetPlan(plan.name);
  }

  Result<TenantBilling> GetTenantBilling(int64_t tenant_id) override {
    return store_.Read<TenantBilling>([&](Connection& db) -> Result<TenantBilling> {
      STORE_ASSIGN_OR_RETURN(bool exists, Exists(db, kTenantExists, tenant_id));
      if (!exists) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto row, LoadBilling(db, kSelectBilling, tenant_id));
      if (row) return row->billing;
      TenantBilling billing;
      billing.tenant_id = tenant_id;
      return billing;
    });
  }

  Result<std::optional<std::string>> SetTenantPlan(int64_t tenant_id, const std::string& plan) override {
    const int64_t now = NowMs();
    return store_.Write<std::optional<std::string>>(
        [&](Connection& db, EventNotes&) -> Result<std::optional<std::string>> {
          STORE_ASSIGN_OR_RETURN(bool exists, Exists(db, kTenantExists, tenant_id));
          if (!exists) return Error::NotFound("no such tenant");
          STORE_ASSIGN_OR_RETURN(auto known, db.Query(kPlanExists, Params(plan)));
          if (known.empty()) return Error::NotFound("no such plan");
          STORE_ASSIGN_OR_RETURN(BillingRow row, EnsureBilling(db, tenant_id, now));
          STORE_TRY(db.Query(kSetPlan, Params(tenant_id, plan, now)));
          return row.billing.plan;
        });
  }

  Result<std::optional<std::string>> Reserve(const ReserveRequest& request) override {
    return store_.Write<std::optional<std::string>>([&](Connection& db,
                                                        EventNotes&) -> Result<std::optional<std::string>> {
      // Reservations of one tenant are decided one at a time: each sees the ones before it.
      STORE_ASSIGN_OR_RETURN(bool exists, Exists(db, kLockTenant, request.tenant_id));
      if (!exists) return Error::NotFound("no such tenant");
      STORE_TRY(db.Query(kExpireReservations, Params(request.tenant_id, request.now_ms)));
      QuotaSnapshot snapshot;
      STORE_ASSIGN_OR_RETURN(auto used,
                             db.Query(kUsageOver, Params(request.tenant_id, request.from_day, request.to_day)));
      snapshot.ai_replies = used.Int(0, 0);
      snapshot.credits = used.Int(0, 1);
      STORE_ASSIGN_OR_RETURN(auto held, db.Query(kReserved, Params(request.tenant_id)));
      snapshot.reserved_replies = held.Int(0, 0);
      snapshot.reserved_credits = held.Int(0, 1);
      if (!request.admit(snapshot)) return std::optional<std::string>();
      std::string id = "rsv_" + crypto::RandomToken(12);
      STORE_TRY(db.Query(kInsertReservation, Params(id, request.tenant_id, request.credits, request.expires_at_ms)));
      return std::optional<std::string>(std::move(id));
    });
  }

  Result<void> ReleaseReservation(const std::string& reservation_id) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_TRY(db.Query(kDeleteReservation, Params(reservation_id)));
      return Ok();
    });
  }

  Result<void> RecordUsage(int64_t tenant_id, const Usage& usage, const std::string& reservation_id) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      Reply reply;
      reply.usage = usage;
      reply.reservation_id = reservation_id;
      return SettleReplyUsage(db, tenant_id, reply, true);
    });
  }

  Result<std::vector<Usage>> ListUsage(int64_t tenant_id, const std::string& from_day,
                                       const std::string& to_day) override {
    return store_.ReadAll<Usage>(kListUsage, Params(tenant_id, from_day, to_day), [](const Rows& rows, int i) {
      return Usage{rows.String(i, 0), rows.Int(i, 1), rows.Int(i, 2), rows.Int(i, 3),
                   rows.Int(i, 4),    rows.Int(i, 5), rows.Int(i, 6)};
    });
  }

  Result<StripeResult> ApplyStripeChange(const StripeChange& change, int64_t now_ms) override {
    if (change.event_id.empty()) return Error::InvalidArgument("a Stripe event needs an id");
    return store_.Write<StripeResult>([&](Connection& db, EventNotes&) -> Result<StripeResult> {
      StripeResult result;
      STORE_ASSIGN_OR_RETURN(auto seen, db.Query(kEventSeen, Params(change.event_id)));
      if (!seen.empty()) {
        result.outcome = StripeOutcome::kDuplicate;
        return result;
      }
      std::optional<int64_t> tenant_id;
      if (change.tenant_id) {
        STORE_ASSIGN_OR_RETURN(bool exists, Exists(db, kTenantExists, *change.tenant_id));
        if (exists) tenant_id = change.tenant_id;
      }
      if (!tenant_id) {
        STORE_ASSIGN_OR_RETURN(tenant_id, TenantBy(db, kTenantOfCustomer, change.customer_id));
      }
      if (!tenant_id) {
        STORE_ASSIGN_OR_RETURN(tenant_id, TenantBy(db, kTenantOfSubscription, change.subscription_id));
      }
      if (!tenant_id) {
        result.outcome = StripeOutcome::kUnknownCustomer;
        STORE_TRY(InsertEvent(db, change, std::nullopt, SerializeJson(ChangeToJson(change)),
                              StripeOutcome::kUnknownCustomer, now_ms));
        return result;
      }
      result.tenant_id = tenant_id;
      STORE_ASSIGN_OR_RETURN(auto before, LoadBilling(db, kSelectBilling, *tenant_id));
      result.plan_before = before ? before->billing.plan : std::nullopt;

      // Earlier events of this customer that waited for the link go first, in their own order; the ordering rule
      // then lets this one win or lose against them.
      STORE_ASSIGN_OR_RETURN(BillingRow linked, EnsureBilling(db, *tenant_id, now_ms));
      const std::string customer = change.customer_id.empty() ? linked.billing.stripe_customer_id : change.customer_id;
      if (!customer.empty()) {
        STORE_ASSIGN_OR_RETURN(auto parked, db.Query(kParkedEvents, Params(customer)));
        for (int i = 0; i < parked.size(); ++i) {
          STORE_ASSIGN_OR_RETURN(StripeChange earlier, ChangeFromJson(parked.Text(i, 1)));
          earlier.customer_id = customer;
          STORE_ASSIGN_OR_RETURN(StripeOutcome outcome, ApplyToTenant(db, *tenant_id, earlier, now_ms));
          STORE_TRY(db.Query(kUnparkEvent, Params(parked.String(i, 0), *tenant_id, ToString(outcome))));
          ++result.parked_applied;
        }
      }
      STORE_ASSIGN_OR_RETURN(result.outcome, ApplyToTenant(db, *tenant_id, change, now_ms));
      STORE_ASSIGN_OR_RETURN(auto after, LoadBilling(db, kSelectBilling, *tenant_id));
      result.plan_after = after ? after->billing.plan : std::nullopt;
      STORE_TRY(InsertEvent(db, change, tenant_id, std::nullopt, result.outcome, now_ms));
      return result;
    });
  }

 private:
  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<BillingStore> MakePostgresBillingStore(PostgresStore& store) {
  return std::make_unique<PostgresBillingStore>(store);
}

}  // namespace parley::store::postgres
