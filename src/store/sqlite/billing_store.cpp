#include "store/sqlite/billing_store.h"

#include "core/crypto.h"
#include "core/json.h"
#include "core/time.h"
#include "store/sqlite/sqlite_store.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

namespace parley::store {

namespace sqlite {
namespace {

#define PLAN_COLUMNS                                                                                      \
  "name, display_name, position, monthly_price_cents, images, audio, max_channels, max_knowledge_bytes, " \
  "max_knowledge_documents, monthly_ai_replies, monthly_credits"
constexpr const char* kListPlans = "SELECT " PLAN_COLUMNS " FROM plans ORDER BY position, name";
constexpr const char* kSelectPlan = "SELECT " PLAN_COLUMNS " FROM plans WHERE name = ?1";
constexpr const char* kUpsertPlan =
    "INSERT INTO plans (" PLAN_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (name) DO UPDATE SET "
    "display_name = excluded.display_name, position = excluded.position, "
    "monthly_price_cents = excluded.monthly_price_cents, images = excluded.images, audio = excluded.audio, "
    "max_channels = excluded.max_channels, max_knowledge_bytes = excluded.max_knowledge_bytes, "
    "max_knowledge_documents = excluded.max_knowledge_documents, monthly_ai_replies = excluded.monthly_ai_replies, "
    "monthly_credits = excluded.monthly_credits";
constexpr const char* kPlanExists = "SELECT 1 FROM plans WHERE name = ?1";

constexpr const char* kTenantExists = "SELECT 1 FROM tenants WHERE id = ?1";
constexpr const char* kSelectBilling =
    "SELECT plan, COALESCE(stripe_customer_id, ''), COALESCE(stripe_subscription_id, ''), subscription_status, "
    "price_id, current_period_end, updated_at, status_event_created, plan_event_created FROM tenant_billing "
    "WHERE tenant_id = ?1";
constexpr const char* kEnsureBilling =
    "INSERT INTO tenant_billing (tenant_id, updated_at) VALUES (?1, ?2) ON CONFLICT (tenant_id) DO NOTHING";
constexpr const char* kSetPlan = "UPDATE tenant_billing SET plan = ?2, updated_at = ?3 WHERE tenant_id = ?1";
constexpr const char* kTenantOfCustomer = "SELECT tenant_id FROM tenant_billing WHERE stripe_customer_id = ?1";
constexpr const char* kTenantOfSubscription =
    "SELECT tenant_id FROM tenant_billing WHERE stripe_subscription_id = ?1 ORDER BY updated_at DESC LIMIT 1";
constexpr const char* kLinkCustomer =
    "UPDATE tenant_billing SET stripe_customer_id = ?2, updated_at = ?3 WHERE tenant_id = ?1";
constexpr const char* kLinkSubscription =
    "UPDATE tenant_billing SET stripe_subscription_id = ?2, updated_at = ?3 WHERE tenant_id = ?1";
constexpr const char* kSetStatus =
    "UPDATE tenant_billing SET subscription_status = ?2, current_period_end = COALESCE(?3, current_period_end), "
    "status_event_created = ?4, updated_at = ?5 WHERE tenant_id = ?1";
constexpr const char* kSetStripePlan =
    "UPDATE tenant_billing SET plan = ?2, price_id = CASE WHEN ?3 = '' THEN price_id ELSE ?3 END, "
    "plan_event_created = ?4, updated_at = ?5 WHERE tenant_id = ?1";

constexpr const char* kEventSeen = "SELECT 1 FROM stripe_events WHERE id = ?1";
constexpr const char* kInsertEvent =
    "INSERT INTO stripe_events (id, type, created, tenant_id, customer_id, change, outcome, received_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kParkedEvents =
    "SELECT id, change FROM stripe_events WHERE tenant_id IS NULL AND customer_id = ?1 AND change IS NOT NULL "
    "ORDER BY created, rowid";
constexpr const char* kUnparkEvent =
    "UPDATE stripe_events SET tenant_id = ?2, change = NULL, outcome = ?3 WHERE id = ?1";

constexpr const char* kExpireReservations = "DELETE FROM usage_reservations WHERE tenant_id = ?1 AND expires_at <= ?2";
constexpr const char* kUsageOver =
    "SELECT COALESCE(SUM(ai_replies), 0), COALESCE(SUM(credits), 0) FROM usage_daily "
    "WHERE tenant_id = ?1 AND day >= ?2 AND day <= ?3";
constexpr const char* kReserved =
    "SELECT COUNT(*), COALESCE(SUM(credits), 0) FROM usage_reservations WHERE tenant_id = ?1";
constexpr const char* kInsertReservation =
    "INSERT INTO usage_reservations (id, tenant_id, credits, expires_at) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kDeleteReservation = "DELETE FROM usage_reservations WHERE id = ?1";
constexpr const char* kAddUsage =
    "INSERT INTO usage_daily (tenant_id, day, ai_replies, credits, prompt_tokens, completion_tokens, messages_in, "
    "messages_out) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (tenant_id, day) DO UPDATE SET "
    "ai_replies = ai_replies + excluded.ai_replies, credits = credits + excluded.credits, "
    "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
    "completion_tokens = completion_tokens + excluded.completion_tokens, "
    "messages_in = messages_in + excluded.messages_in, messages_out = messages_out + excluded.messages_out";
constexpr const char* kListUsage =
    "SELECT day, ai_replies, credits, prompt_tokens, completion_tokens, messages_in, messages_out FROM usage_daily "
    "WHERE tenant_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day";

Plan ReadPlan(const Statement& row) {
  Plan p;
  p.name = row.String(0);
  p.display_name = row.String(1);
  p.position = static_cast<int>(row.Int(2));
  p.monthly_price_cents = row.Int(3);
  p.images = row.Int(4) != 0;
  p.audio = row.Int(5) != 0;
  p.max_channels = row.OptionalInt(6);
  p.max_knowledge_bytes = row.OptionalInt(7);
  p.max_knowledge_documents = row.OptionalInt(8);
  p.monthly_ai_replies = row.OptionalInt(9);
  p.monthly_credits = row.OptionalInt(10);
  return p;
}

Result<bool> Exists(Database& db, const char* sql, int64_t id) {
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(sql));
  return select.Bind(1, id).Step();
}

// The billing row with the created times that order Stripe's changes.
struct BillingRow {
  TenantBilling billing;
  int64_t status_event_created = 0;
  int64_t plan_event_created = 0;
};

Result<std::optional<BillingRow>> LoadBilling(Database& db, int64_t tenant_id) {
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectBilling));
  STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, tenant_id).Step());
  if (!found) return std::optional<BillingRow>();
  BillingRow row;
  row.billing.tenant_id = tenant_id;
  row.billing.plan = select.OptionalString(0);
  row.billing.stripe_customer_id = select.String(1);
  row.billing.stripe_subscription_id = select.String(2);
  row.billing.subscription_status = select.String(3);
  row.billing.price_id = select.String(4);
  row.billing.current_period_end = select.OptionalInt(5);
  row.billing.updated_at_ms = select.Int(6);
  row.status_event_created = select.Int(7);
  row.plan_event_created = select.Int(8);
  return std::optional<BillingRow>(std::move(row));
}

Result<BillingRow> EnsureBilling(Database& db, int64_t tenant_id, int64_t now_ms) {
  STORE_ASSIGN_OR_RETURN(auto ensure, db.Prepare(kEnsureBilling));
  STORE_TRY(ensure.Bind(1, tenant_id).Bind(2, now_ms).Run());
  STORE_ASSIGN_OR_RETURN(auto row, LoadBilling(db, tenant_id));
  if (!row) return Error::Internal("tenant_billing row vanished");
  return std::move(*row);
}

Result<std::optional<int64_t>> TenantBy(Database& db, const char* sql, const std::string& key) {
  if (key.empty()) return std::optional<int64_t>();
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(sql));
  STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, key).Step());
  if (!found) return std::optional<int64_t>();
  return std::optional<int64_t>(select.Int(0));
}

// Applies `change` to the tenant's row under the ordering rule; kApplied or kStale.
Result<StripeOutcome> ApplyToTenant(Database& db, int64_t tenant_id, const StripeChange& change, int64_t now_ms) {
  STORE_ASSIGN_OR_RETURN(BillingRow row, EnsureBilling(db, tenant_id, now_ms));
  if (!change.customer_id.empty() && row.billing.stripe_customer_id != change.customer_id) {
    // A customer already linked to another tenant stays with it: the first link wins.
    STORE_ASSIGN_OR_RETURN(auto owner, TenantBy(db, kTenantOfCustomer, change.customer_id));
    if (!owner) {
      STORE_ASSIGN_OR_RETURN(auto link, db.Prepare(kLinkCustomer));
      STORE_TRY(link.Bind(1, tenant_id).Bind(2, change.customer_id).Bind(3, now_ms).Run());
    }
  }
  const bool carries_state = change.status.has_value() || change.plan.has_value();
  const bool status_fresh = change.status && change.created >= row.status_event_created;
  const bool plan_fresh = change.plan && change.created >= row.plan_event_created;
  // The subscription id follows the newest state (a tenant that subscribes again gets a new one).
  if (!change.subscription_id.empty() && change.subscription_id != row.billing.stripe_subscription_id &&
      (row.billing.stripe_subscription_id.empty() || status_fresh || plan_fresh)) {
    STORE_ASSIGN_OR_RETURN(auto link, db.Prepare(kLinkSubscription));
    STORE_TRY(link.Bind(1, tenant_id).Bind(2, change.subscription_id).Bind(3, now_ms).Run());
  }
  if (status_fresh) {
    STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kSetStatus));
    update.Bind(1, tenant_id).Bind(2, *change.status).Bind(3, change.current_period_end);
    STORE_TRY(update.Bind(4, change.created).Bind(5, now_ms).Run());
  }
  if (plan_fresh) {
    STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kSetStripePlan));
    update.Bind(1, tenant_id);
    if (change.plan->empty()) {
      update.BindNull(2);
    } else {
      update.Bind(2, *change.plan);
    }
    STORE_TRY(update.Bind(3, change.price_id).Bind(4, change.created).Bind(5, now_ms).Run());
  }
  if (carries_state && !status_fresh && !plan_fresh) return StripeOutcome::kStale;
  return StripeOutcome::kApplied;
}

Result<void> InsertEvent(Database& db, const StripeChange& change, std::optional<int64_t> tenant_id,
                         const std::optional<std::string>& parked_change, StripeOutcome outcome, int64_t now_ms) {
  STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertEvent));
  insert.Bind(1, change.event_id).Bind(2, change.event_type).Bind(3, change.created).Bind(4, tenant_id);
  insert.Bind(5, change.customer_id).Bind(6, parked_change).Bind(7, ToString(outcome)).Bind(8, now_ms);
  return insert.Run();
}

class SqliteBillingStore final : public BillingStore {
 public:
  explicit SqliteBillingStore(SqliteStore& store) : store_(store) {}

  Result<std::vector<Plan>> ListPlans() override {
    std::vector<Plan> plans;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kListPlans));
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) return Ok();
        plans.push_back(ReadPlan(select));
      }
    }));
    return plans;
  }

  Result<Plan> GetPlan(const std::string& name) override {
    Plan plan;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectPlan));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, name).Step());
      if (!found) return Error::NotFound("no such plan");
      plan = ReadPlan(select);
      return Ok();
    }));
    return plan;
  }

  Result<Plan> PutPlan(const Plan& plan) override {
    if (plan.name.empty()) return Error::InvalidArgument("a plan needs a name");
    const std::string display_name = plan.display_name.empty() ? plan.name : plan.display_name;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto upsert, db.Prepare(kUpsertPlan));
      upsert.Bind(1, plan.name).Bind(2, display_name).Bind(3, plan.position).Bind(4, plan.monthly_price_cents);
      upsert.Bind(5, plan.images ? 1 : 0).Bind(6, plan.audio ? 1 : 0).Bind(7, plan.max_channels);
      upsert.Bind(8, plan.max_knowledge_bytes).Bind(9, plan.max_knowledge_documents);
      upsert.Bind(10, plan.monthly_ai_replies).Bind(11, plan.monthly_credits);
      return upsert.Run();
    }));
    return GetPlan(plan.name);
  }

  Result<TenantBilling> GetTenantBilling(int64_t tenant_id) override {
    TenantBilling billing;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(bool exists, Exists(db, kTenantExists, tenant_id));
      if (!exists) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto row, LoadBilling(db, tenant_id));
      if (row) {
        billing = row->billing;
      } else {
        billing.tenant_id = tenant_id;
      }
      return Ok();
    }));
    return billing;
  }

  Result<std::optional<std::string>> SetTenantPlan(int64_t tenant_id, const std::string& plan) override {
    std::optional<std::string> before;
    const int64_t now = NowMs();
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(bool exists, Exists(db, kTenantExists, tenant_id));
      if (!exists) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto known, db.Prepare(kPlanExists));
      STORE_ASSIGN_OR_RETURN(bool plan_exists, known.Bind(1, plan).Step());
      if (!plan_exists) return Error::NotFound("no such plan");
      STORE_ASSIGN_OR_RETURN(BillingRow row, EnsureBilling(db, tenant_id, now));
      before = row.billing.plan;
      STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kSetPlan));
      return update.Bind(1, tenant_id).Bind(2, plan).Bind(3, now).Run();
    }));
    return before;
  }

  Result<std::optional<std::string>> Reserve(const ReserveRequest& request) override {
    std::optional<std::string> reservation;
    auto written = store_.Write(
        [&](Database& db) -> Result<void> {
          reservation.reset();
          STORE_ASSIGN_OR_RETURN(bool exists, Exists(db, kTenantExists, request.tenant_id));
          if (!exists) return Error::NotFound("no such tenant");
          STORE_ASSIGN_OR_RETURN(auto expire, db.Prepare(kExpireReservations));
          STORE_TRY(expire.Bind(1, request.tenant_id).Bind(2, request.now_ms).Run());
          QuotaSnapshot snapshot;
          {
            STORE_ASSIGN_OR_RETURN(auto used, db.Prepare(kUsageOver));
            used.Bind(1, request.tenant_id).Bind(2, request.from_day).Bind(3, request.to_day);
            STORE_TRY(used.Step());
            snapshot.ai_replies = used.Int(0);
            snapshot.credits = used.Int(1);
          }
          {
            STORE_ASSIGN_OR_RETURN(auto held, db.Prepare(kReserved));
            STORE_TRY(held.Bind(1, request.tenant_id).Step());
            snapshot.reserved_replies = held.Int(0);
            snapshot.reserved_credits = held.Int(1);
          }
          if (!request.admit(snapshot)) return Ok();
          std::string id = "rsv_" + crypto::RandomToken(12);
          STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertReservation));
          STORE_TRY(insert.Bind(1, id)
                        .Bind(2, request.tenant_id)
                        .Bind(3, request.credits)
                        .Bind(4, request.expires_at_ms)
                        .Run());
          reservation = std::move(id);
          return Ok();
        },
        // Losing a reservation to a power cut only frees quota early: no need to wait for the disk.
        false);
    if (!written) return written.error();
    return reservation;
  }

  Result<void> ReleaseReservation(const std::string& reservation_id) override {
    return store_.Write(
        [&](Database& db) -> Result<void> {
          STORE_ASSIGN_OR_RETURN(auto release, db.Prepare(kDeleteReservation));
          return release.Bind(1, reservation_id).Run();
        },
        false);
  }

  Result<void> RecordUsage(int64_t tenant_id, const Usage& usage, const std::string& reservation_id) override {
    return store_.Write([&](Database& db) -> Result<void> {
      Reply reply;
      reply.usage = usage;
      reply.reservation_id = reservation_id;
      return SettleReplyUsage(db, tenant_id, reply, true);
    });
  }

  Result<std::vector<Usage>> ListUsage(int64_t tenant_id, const std::string& from_day,
                                       const std::string& to_day) override {
    std::vector<Usage> days;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kListUsage));
      select.Bind(1, tenant_id).Bind(2, from_day).Bind(3, to_day);
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) return Ok();
        days.push_back({select.String(0), select.Int(1), select.Int(2), select.Int(3), select.Int(4), select.Int(5),
                        select.Int(6)});
      }
    }));
    return days;
  }

  Result<StripeResult> ApplyStripeChange(const StripeChange& change, int64_t now_ms) override {
    if (change.event_id.empty()) return Error::InvalidArgument("a Stripe event needs an id");
    StripeResult result;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      result = StripeResult{};
      {
        STORE_ASSIGN_OR_RETURN(auto seen, db.Prepare(kEventSeen));
        STORE_ASSIGN_OR_RETURN(bool duplicate, seen.Bind(1, change.event_id).Step());
        if (duplicate) {
          result.outcome = StripeOutcome::kDuplicate;
          return Ok();
        }
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
        return InsertEvent(db, change, std::nullopt, SerializeJson(ChangeToJson(change)),
                           StripeOutcome::kUnknownCustomer, now_ms);
      }
      result.tenant_id = tenant_id;
      STORE_ASSIGN_OR_RETURN(auto before, LoadBilling(db, *tenant_id));
      result.plan_before = before ? before->billing.plan : std::nullopt;

      // Earlier events of this customer that waited for the link go first, in their own order; the ordering rule
      // then lets this one win or lose against them.
      STORE_ASSIGN_OR_RETURN(BillingRow linked, EnsureBilling(db, *tenant_id, now_ms));
      const std::string customer = change.customer_id.empty() ? linked.billing.stripe_customer_id : change.customer_id;
      if (!customer.empty()) {
        std::vector<std::pair<std::string, std::string>> parked;
        {
          STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kParkedEvents));
          select.Bind(1, customer);
          while (true) {
            STORE_ASSIGN_OR_RETURN(bool row, select.Step());
            if (!row) break;
            parked.emplace_back(select.String(0), select.String(1));
          }
        }
        for (const auto& [event_id, json] : parked) {
          STORE_ASSIGN_OR_RETURN(StripeChange earlier, ChangeFromJson(json));
          earlier.customer_id = customer;
          STORE_ASSIGN_OR_RETURN(StripeOutcome outcome, ApplyToTenant(db, *tenant_id, earlier, now_ms));
          STORE_ASSIGN_OR_RETURN(auto unpark, db.Prepare(kUnparkEvent));
          STORE_TRY(unpark.Bind(1, event_id).Bind(2, *tenant_id).Bind(3, ToString(outcome)).Run());
          ++result.parked_applied;
        }
      }
      STORE_ASSIGN_OR_RETURN(result.outcome, ApplyToTenant(db, *tenant_id, change, now_ms));
      STORE_ASSIGN_OR_RETURN(auto after, LoadBilling(db, *tenant_id));
      result.plan_after = after ? after->billing.plan : std::nullopt;
      return InsertEvent(db, change, tenant_id, std::nullopt, result.outcome, now_ms);
    }));
    return result;
  }

 private:
  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<BillingStore> MakeSqliteBillingStore(SqliteStore& store) {
  return std::make_unique<SqliteBillingStore>(store);
}

Result<void> SettleReplyUsage(Database& db, int64_t tenant_id, const Reply& reply, bool committed) {
  if (!reply.reservation_id.empty()) {
    STORE_ASSIGN_OR_RETURN(auto release, db.Prepare(kDeleteReservation));
    STORE_TRY(release.Bind(1, reply.reservation_id).Run());
  }
  if (!committed || !reply.usage) return Ok();
  const Usage& u = *reply.usage;
  if (u.day.empty()) return Error::InvalidArgument("usage needs a day");
  STORE_ASSIGN_OR_RETURN(auto add, db.Prepare(kAddUsage));
  add.Bind(1, tenant_id).Bind(2, u.day).Bind(3, u.ai_replies).Bind(4, u.credits).Bind(5, u.prompt_tokens);
  add.Bind(6, u.completion_tokens).Bind(7, u.messages_in).Bind(8, u.messages_out);
  return add.Run();
}

}  // namespace sqlite
}  // namespace parley::store
