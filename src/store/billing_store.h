#pragma once
// What the store keeps for billing: the plan catalog, each tenant's plan and Stripe subscription, the Stripe
// events already handled, and usage per tenant and UTC day with the reservations of replies being produced.
// Same rules as store.h: every method blocks (call from the blocking pool), is thread-safe, and every method taking
// a tenant id is scoped by it. The decisions (quota arithmetic, event mapping) live in the billing module; the
// store makes them atomic.

#include "core/error.h"
#include "store/store.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

struct Plan {
  std::string name;  //!< "free", "starter", "pro", "business", or one a self-hoster added.
  std::string display_name;
  int position = 0;
  int64_t monthly_price_cents = 0;
  bool images = false;  //!< The AI answers image messages.
  bool audio = false;   //!< The AI answers audio and voice messages.
  // nullopt: unlimited.
  std::optional<int64_t> max_channels;
  std::optional<int64_t> max_knowledge_bytes;
  std::optional<int64_t> max_knowledge_documents;
  std::optional<int64_t> monthly_ai_replies;
  std::optional<int64_t> monthly_credits;
};

// A tenant's plan and subscription as Stripe events left them.
struct TenantBilling {
  int64_t tenant_id = 0;
  std::optional<std::string> plan;  //!< nullopt: the configured default plan.
  std::string stripe_customer_id;
  std::string stripe_subscription_id;
  std::string subscription_status;  //!< Stripe's status ("active", "past_due", "canceled", …); empty: none.
  std::string price_id;
  std::optional<int64_t> current_period_end;  //!< Unix seconds.
  int64_t updated_at_ms = 0;
};

// What counts against the quota at the moment of a check.
struct QuotaSnapshot {
  int64_t ai_replies = 0;  //!< Recorded over the period.
  int64_t credits = 0;
  int64_t reserved_replies = 0;  //!< Replies being produced right now (live reservations).
  int64_t reserved_credits = 0;
};

// A check-and-reserve: inside one write, the tenant's usage over [from_day, to_day] and its live reservations are
// read, `admit` decides, and when it admits, a reservation of one reply and `credits` is taken until
// `expires_at_ms`. `admit` must be a pure function of its argument: a failed write group is replayed.
struct ReserveRequest {
  int64_t tenant_id = 0;
  std::string from_day;
  std::string to_day;
  int64_t credits = 0;
  int64_t now_ms = 0;
  int64_t expires_at_ms = 0;
  std::function<bool(const QuotaSnapshot&)> admit;
};

// A subscription change, mapped from one Stripe event by the billing module.
struct StripeChange {
  std::string event_id;
  std::string event_type;
  int64_t created = 0;                //!< The event's `created` (Unix seconds): orders changes.
  std::optional<int64_t> tenant_id;   //!< client_reference_id or metadata.tenant_id, when the event names it.
  std::string customer_id;            //!< cus_…; may be empty when the event has no customer.
  std::string subscription_id;        //!< sub_…; empty when the event has none.
  std::optional<std::string> status;  //!< The subscription's new status, when the event tells it.
  std::optional<std::string> plan;    //!< The tenant's new plan when the event decides it ("": the default).
  std::string price_id;               //!< The subscription's price, when known.
  std::optional<int64_t> current_period_end;
};

enum class StripeOutcome {
  kApplied,          //!< At least one field changed or was confirmed.
  kStale,            //!< Older than what the tenant's subscription already reflects: nothing but links changed.
  kDuplicate,        //!< This event id was handled before: nothing changed.
  kUnknownCustomer,  //!< No tenant is linked to the customer yet: kept, applied once one is.
};
std::string_view ToString(StripeOutcome outcome);

// A Stripe change kept (parked) until its customer is linked to a tenant, as JSON, and read back: every backend
// stores it the same way. kInternal when the text is not such an object.
boost::json::object ChangeToJson(const StripeChange& change);
Result<StripeChange> ChangeFromJson(std::string_view text);

struct StripeResult {
  StripeOutcome outcome = StripeOutcome::kApplied;
  std::optional<int64_t> tenant_id;
  // The plan before and after (nullopt: the default plan), to audit a change; also set for parked events
  // applied by this one.
  std::optional<std::string> plan_before;
  std::optional<std::string> plan_after;
  int parked_applied = 0;  //!< Earlier events for the customer, parked until now, applied with this one.
};

class BillingStore {
 public:
  virtual ~BillingStore() = default;

  // --- Plans ---
  // The catalog, in its order.
  virtual Result<std::vector<Plan>> ListPlans() = 0;
  // kNotFound when no plan has this name.
  virtual Result<Plan> GetPlan(const std::string& name) = 0;
  // Adds the plan or replaces the one with its name. kInvalidArgument without a name.
  virtual Result<Plan> PutPlan(const Plan& plan) = 0;

  // --- A tenant's plan and subscription ---
  // The tenant's billing row; a tenant without one gets a row with no plan (the default). kNotFound for an unknown
  // tenant.
  virtual Result<TenantBilling> GetTenantBilling(int64_t tenant_id) = 0;
  // Puts the tenant on `plan` by hand (self-hosting without Stripe; a later Stripe event may change it again).
  // kNotFound for an unknown tenant or plan. Returns the previous plan (nullopt: the default).
  virtual Result<std::optional<std::string>> SetTenantPlan(int64_t tenant_id, const std::string& plan) = 0;

  // --- Usage ---
  // See ReserveRequest. The reservation id, or nullopt when `admit` refused. kNotFound for an unknown tenant.
  virtual Result<std::optional<std::string>> Reserve(const ReserveRequest& request) = 0;
  // Gives a reservation up without recording usage (the reply failed). Unknown ids are ignored.
  virtual Result<void> ReleaseReservation(const std::string& reservation_id) = 0;
  // Adds `usage` to the tenant's row for `usage.day` and releases `reservation_id` (if not empty), in one write.
  // Committed replies record theirs inside Store::CommitReply instead (Reply::usage).
  virtual Result<void> RecordUsage(int64_t tenant_id, const Usage& usage, const std::string& reservation_id) = 0;
  // The tenant's days within [from_day, to_day] that have usage, oldest first.
  virtual Result<std::vector<Usage>> ListUsage(int64_t tenant_id, const std::string& from_day,
                                               const std::string& to_day) = 0;

  // --- Stripe ---
  // Applies `change` once (by event id): records the event, links the tenant to the customer and subscription,
  // and updates status, period end and plan unless a newer event already set them. A change for a customer no
  // tenant is linked to is kept and applied when one is (kUnknownCustomer). A change naming a tenant that does
  // not exist counts as an unknown customer.
  virtual Result<StripeResult> ApplyStripeChange(const StripeChange& change, int64_t now_ms) = 0;
};

}  // namespace parley::store
