#include "api/billing_api.h"

#include "api/auth.h"
#include "billing/billing.h"
#include "billing/meter.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "store/access_store.h"
#include "store/billing_store.h"

#include <boost/json/array.hpp>

namespace parley::api {
namespace {

// The longest range GET /api/usage returns, in days: a year and a bit.
constexpr int64_t kMaxUsageDays = 400;

boost::json::object UsageJson(const store::Usage& usage) {
  boost::json::object o{{"ai_replies", usage.ai_replies},       {"credits", usage.credits},
                        {"prompt_tokens", usage.prompt_tokens}, {"completion_tokens", usage.completion_tokens},
                        {"messages_in", usage.messages_in},     {"messages_out", usage.messages_out}};
  if (!usage.day.empty()) o.emplace("day", usage.day);
  return o;
}

boost::json::value Nullable(const std::optional<int64_t>& value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

int64_t DayNumber(const std::string& day) {
  using namespace std::chrono;
  const year_month_day ymd{year{std::stoi(day.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(day.substr(5, 2)))},
                           std::chrono::day{static_cast<unsigned>(std::stoi(day.substr(8, 2)))}};
  return sys_days{ymd}.time_since_epoch().count();
}

// Whether the tenant's subscription still runs (and bills): a second Checkout would start a second one. A
// subscription whose status has not arrived yet (checkout.session.completed came first) counts as running.
bool SubscriptionRuns(const store::TenantBilling& row) {
  const std::string& status = row.subscription_status;
  return !row.stripe_subscription_id.empty() && status != "canceled" && status != "incomplete_expired";
}

// One key per API call, reused by the client's retries of it: Stripe then creates one session, however many
// attempts reach it.
std::string IdempotencyKey(std::string_view what) {
  return "parley-" + std::string(what) + "-" + crypto::RandomToken(18);
}

boost::json::object UrlAnswer(const std::string& url) { return boost::json::object{{"url", url}}; }

}  // namespace

BillingApi::BillingApi(const Config& config, store::Store& store, BlockingPool& pool, http::Client& client,
                       billing::StripeMapping mapping)
    : config_(config),
      store_(store),
      pool_(pool),
      mapping_(std::move(mapping)),
      // `parley serve` refused a malformed PARLEY_STRIPE_PRICE_PLANS before building this.
      checkout_prices_([&config] {
        auto prices = billing::CheckoutPrices(config.stripe_price_plans);
        return prices ? *prices : std::map<std::string, std::string>();
      }()),
      stripe_(client, config.stripe_api_base_url, config.stripe_secret_key) {}

void BillingApi::RegisterRoutes(RouteTable& routes) {
  routes.Tenant(
      http::Verb::get, "/api/plans", kAdmins,
      {.summary = "The plan catalog: features and monthly quotas, and which plan the tenant is on",
       .tag = "billing",
       .response_schema = "PlanCatalog"},
      [this](const Principal& caller, const http::Request&, const http::RouteContext&) { return ListPlans(caller); });
  routes.Tenant(
      http::Verb::get, "/api/usage", kAdmins,
      {.summary = "Usage per UTC day in a range (default: this month), this month's totals, quotas and "
                  "what remains, and the storage the tenant's media takes",
       .tag = "billing",
       .query = {{"from", R"({"type": "string", "format": "date"})",
                  "First UTC day, YYYY-MM-DD (default: the first of this month)."},
                 {"to", R"({"type": "string", "format": "date"})",
                  "Last UTC day, YYYY-MM-DD (default: the last of this month); at most 400 days after from."}},
       .response_schema = "Usage"},
      [this](const Principal& caller, const http::Request&, const http::RouteContext& route) {
        return GetUsage(caller, route);
      });
  routes.Tenant(http::Verb::get, "/api/subscriptions", kAdmins,
                {.summary = "The tenant's plan and Stripe subscription: status, current period end, customer and "
                            "subscription ids",
                 .tag = "billing",
                 .response_schema = "Subscription"},
                [this](const Principal& caller, const http::Request&, const http::RouteContext&) {
                  return GetSubscription(caller);
                });
  routes.Tenant(http::Verb::post, "/api/billing/checkout", kOwners,
                {.summary = "A Stripe Checkout Session subscribing the tenant to a plan: the URL to send the owner's "
                            "browser to. Stripe sends them back to PARLEY_PUBLIC_URL/billing; the subscription "
                            "arrives by webhook",
                 .tag = "billing",
                 .body = BodyKind::kJson,
                 .schema = "CheckoutRequest",
                 .response_schema = "BillingLink",
                 .errors = {409, 503}},
                [this](const Principal& caller, const http::Request& request, const http::RouteContext&) {
                  return Checkout(caller, request);
                });
  routes.Tenant(http::Verb::post, "/api/billing/portal", kOwners,
                {.summary = "A Stripe Customer Portal session for the tenant's customer (payment method, invoices, "
                            "plan, cancellation): the URL to send the owner's browser to",
                 .tag = "billing",
                 .body = BodyKind::kJson,
                 .schema = "PortalRequest",
                 .response_schema = "BillingLink",
                 .errors = {409, 503}},
                [this](const Principal& caller, const http::Request& request, const http::RouteContext&) {
                  return Portal(caller, request);
                });
  routes.Public(http::Verb::post, "/api/stripe/webhook",
                {.summary = "Stripe events (verified by Stripe-Signature); each event id is handled once",
                 .tag = "billing",
                 .body = BodyKind::kJson,
                 .schema = "StripeEvent",
                 .response_schema = "StripeAck",
                 .errors = {401, 503}},
                [this](const http::Request& request, const http::RouteContext&) { return StripeWebhook(request); });
}

boost::asio::awaitable<http::Response> BillingApi::ListPlans(const Principal& caller) {
  const int64_t tenant_id = caller.tenant_id;
  auto load = [this, tenant_id]() -> Result<boost::json::object> {
    auto plans = store_.billing().ListPlans();
    if (!plans) return plans.error();
    auto current = billing::PlanOf(store_.billing(), tenant_id, config_.default_plan);
    if (!current) return current.error();
    boost::json::array data;
    for (const auto& plan : *plans) {
      // Where tenants pay through Stripe, the operator's own unlimited plan is not for sale.
      if (config_.BillingEnabled() && plan.name == billing::kSelfHostedPlan && current->name != plan.name) continue;
      data.push_back(billing::ToJson(plan));
    }
    boost::json::array checkout_plans;
    if (CheckStripeLinks()) {
      for (const auto& [plan, price] : checkout_prices_) checkout_plans.push_back(boost::json::string(plan));
    }
    return boost::json::object{{"data", std::move(data)},
                               {"current_plan", current->name},
                               {"billing_enabled", config_.BillingEnabled()},
                               {"checkout_plans", std::move(checkout_plans)}};
  };
  auto body = co_await pool_.Run(load);
  if (!body) co_return http::ErrorResponse(body.error());
  co_return http::JsonResponse(http::Status::ok, *body);
}

boost::asio::awaitable<http::Response> BillingApi::GetUsage(const Principal& caller, const http::RouteContext& route) {
  const billing::DayRange month = billing::UtcMonth(NowMs());
  std::string from = std::string(route.Query("from").value_or(month.first));
  std::string to = std::string(route.Query("to").value_or(month.last));
  if (!billing::IsDay(from) || !billing::IsDay(to)) {
    co_return http::ErrorResponse(Error::InvalidArgument("from and to must be calendar days written YYYY-MM-DD"));
  }
  if (from > to) co_return http::ErrorResponse(Error::InvalidArgument("from must not be after to"));
  if (DayNumber(to) - DayNumber(from) >= kMaxUsageDays) {
    co_return http::ErrorResponse(
        Error::InvalidArgument("a usage range spans at most " + std::to_string(kMaxUsageDays) + " days"));
  }
  const int64_t tenant_id = caller.tenant_id;
  auto load = [this, tenant_id, &from, &to, &month]() -> Result<boost::json::object> {
    auto plan = billing::PlanOf(store_.billing(), tenant_id, config_.default_plan);
    if (!plan) return plan.error();
    auto days = store_.billing().ListUsage(tenant_id, from, to);
    if (!days) return days.error();
    auto this_month = store_.billing().ListUsage(tenant_id, month.first, month.last);
    if (!this_month) return this_month.error();
    store::Usage total;
    for (const auto& day : *this_month) {
      total.ai_replies += day.ai_replies;
      total.credits += day.credits;
      total.prompt_tokens += day.prompt_tokens;
      total.completion_tokens += day.completion_tokens;
      total.messages_in += day.messages_in;
      total.messages_out += day.messages_out;
    }
    auto media_bytes = store_.media().UsageBytes(tenant_id);
    if (!media_bytes) return media_bytes.error();
    boost::json::array data;
    for (const auto& day : *days) data.push_back(UsageJson(day));
    return boost::json::object{
        {"plan", plan->name},
        {"range", {{"from", from}, {"to", to}}},
        {"days", std::move(data)},
        {"month", {{"from", month.first}, {"to", month.last}, {"totals", UsageJson(total)}}},
        {"quotas", {{"ai_replies", Nullable(plan->monthly_ai_replies)}, {"credits", Nullable(plan->monthly_credits)}}},
        {"remaining",
         {{"ai_replies", Nullable(billing::Remaining(plan->monthly_ai_replies, total.ai_replies))},
          {"credits", Nullable(billing::Remaining(plan->monthly_credits, total.credits))}}},
        {"storage", {{"media_bytes", *media_bytes}}}};
  };
  auto body = co_await pool_.Run(load);
  if (!body) co_return http::ErrorResponse(body.error());
  co_return http::JsonResponse(http::Status::ok, *body);
}

boost::asio::awaitable<http::Response> BillingApi::GetSubscription(const Principal& caller) {
  const int64_t tenant_id = caller.tenant_id;
  auto load = [this, tenant_id]() -> Result<boost::json::object> {
    auto row = store_.billing().GetTenantBilling(tenant_id);
    if (!row) return row.error();
    auto plan = billing::PlanOf(store_.billing(), tenant_id, config_.default_plan);
    if (!plan) return plan.error();
    auto text_or_null = [](const std::string& s) {
      return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
    };
    return boost::json::object{
        {"plan", plan->name},
        {"status", row->subscription_status.empty() ? "none" : row->subscription_status},
        {"current_period_end", row->current_period_end
                                   ? boost::json::value(FormatTimestamp(*row->current_period_end * 1000))
                                   : boost::json::value(nullptr)},
        {"stripe_customer_id", text_or_null(row->stripe_customer_id)},
        {"stripe_subscription_id", text_or_null(row->stripe_subscription_id)},
        {"price_id", text_or_null(row->price_id)}};
  };
  auto body = co_await pool_.Run(load);
  if (!body) co_return http::ErrorResponse(body.error());
  co_return http::JsonResponse(http::Status::ok, *body);
}

boost::asio::awaitable<http::Response> BillingApi::StripeWebhook(const http::Request& request) {
  const std::string& payload = request.body();
  auto header = request["Stripe-Signature"];
  auto verified = billing::VerifyStripeSignature(std::string_view(header.data(), header.size()), payload,
                                                 config_.stripe_webhook_secret, NowMs() / 1000);
  if (!verified) {
    log::Warn("stripe_signature_rejected", {{"reason", verified.error().message}});
    co_return http::ErrorResponse(verified.error());
  }
  auto mapped = billing::MapStripeEvent(payload, mapping_);
  if (!mapped) co_return http::ErrorResponse(mapped.error());
  if (!*mapped)
    co_return http::JsonResponse(http::Status::ok, boost::json::object{{"received", true}, {"handled", false}});
  const store::StripeChange& change = **mapped;
  const int64_t now_ms = NowMs();
  auto apply = [this, &change, now_ms] { return store_.billing().ApplyStripeChange(change, now_ms); };
  auto applied = co_await pool_.Run(apply);
  // A failure answers 5xx: Stripe delivers the event again later.
  if (!applied) co_return http::ErrorResponse(applied.error());
  boost::json::object fields{
      {"event_id", change.event_id}, {"type", change.event_type}, {"outcome", store::ToString(applied->outcome)}};
  if (applied->tenant_id) fields["tenant_id"] = *applied->tenant_id;
  if (applied->outcome == store::StripeOutcome::kUnknownCustomer) {
    fields["customer_id"] = change.customer_id;
    log::Warn("stripe_unknown_customer", std::move(fields));
  } else {
    if (change.status && change.price_id.size() > 0 && !change.plan && change.status != "incomplete") {
      fields["unmapped_price"] = change.price_id;  // PARLEY_STRIPE_PRICE_PLANS lacks it: the plan stays.
    }
    log::Info("stripe_event", std::move(fields));
  }
  if (applied->tenant_id && applied->plan_before != applied->plan_after) {
    // A plan change is an administrative action on the tenant, made by Stripe.
    store::AuditEntry audit{
        0,
        *applied->tenant_id,
        "stripe",
        "plan.change",
        "tenant",
        std::to_string(*applied->tenant_id),
        SerializeJson(boost::json::object{{"from", applied->plan_before.value_or(config_.default_plan)},
                                          {"to", applied->plan_after.value_or(config_.default_plan)},
                                          {"event_id", change.event_id},
                                          {"event_type", change.event_type}}),
        now_ms};
    co_await RecordAudit(store_, pool_, audit);
  }
  co_return http::JsonResponse(
      http::Status::ok,
      boost::json::object{{"received", true}, {"handled", true}, {"outcome", store::ToString(applied->outcome)}});
}

Result<void> BillingApi::CheckStripeLinks() const {
  if (!config_.BillingEnabled()) {
    return Error::Conflict(
        "billing is off on this server: the operator sets STRIPE_SECRET_KEY and "
        "STRIPE_WEBHOOK_SECRET to turn it on");
  }
  if (config_.public_url.empty()) {
    return Error::Conflict("PARLEY_PUBLIC_URL is not set: Stripe needs the address to send people back to");
  }
  return Ok();
}

boost::asio::awaitable<http::Response> BillingApi::Checkout(const Principal& caller, const http::Request& request) {
  if (auto ready = CheckStripeLinks(); !ready) co_return http::ErrorResponse(ready.error());
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  for (const auto& [key, value] : *body) {
    if (key != "plan") co_return http::ErrorResponse(Error::InvalidArgument("unknown field " + std::string(key)));
  }
  const auto* plan_field = body->if_contains("plan");
  if (plan_field == nullptr || !plan_field->is_string()) {
    co_return http::ErrorResponse(Error::InvalidArgument("plan must be the name of a plan"));
  }
  const std::string plan(plan_field->as_string());
  auto price = checkout_prices_.find(plan);
  if (price == checkout_prices_.end()) {
    std::string sold;
    for (const auto& [name, id] : checkout_prices_) sold += (sold.empty() ? "" : ", ") + name;
    co_return http::ErrorResponse(Error::InvalidArgument("the plan '" + plan + "' is not sold through Stripe" +
                                                         (sold.empty() ? "" : "; these are: " + sold)));
  }
  const int64_t tenant_id = caller.tenant_id;
  auto load = [this, tenant_id] { return store_.billing().GetTenantBilling(tenant_id); };
  auto row = co_await pool_.Run(load);
  if (!row) co_return http::ErrorResponse(row.error());
  if (SubscriptionRuns(*row)) {
    co_return http::ErrorResponse(Error::Conflict(
        "the tenant already has a Stripe subscription (" + row->subscription_status +
        "): its plan changes in the Customer Portal (POST /api/billing/portal with change_plan), not a second one"));
  }
  billing::CheckoutSessionRequest session{tenant_id,
                                          price->second,
                                          row->stripe_customer_id,
                                          config_.public_url + "/billing?checkout=success",
                                          config_.public_url + "/billing?checkout=cancelled",
                                          IdempotencyKey("checkout")};
  auto url = co_await stripe_.CreateCheckoutSession(std::move(session));
  if (!url) {
    log::Warn("stripe_checkout_failed", {{"tenant_id", tenant_id}, {"plan", plan}, {"reason", url.error().message}});
    co_return http::ErrorResponse(url.error());
  }
  log::Info("stripe_checkout_created", {{"tenant_id", tenant_id}, {"plan", plan}});
  co_return http::JsonResponse(http::Status::ok, UrlAnswer(*url));
}

boost::asio::awaitable<http::Response> BillingApi::Portal(const Principal& caller, const http::Request& request) {
  if (auto ready = CheckStripeLinks(); !ready) co_return http::ErrorResponse(ready.error());
  bool change_plan = false;
  if (!request.body().empty()) {
    auto body = http::ParseJsonObject(request);
    if (!body) co_return http::ErrorResponse(body.error());
    for (const auto& [key, value] : *body) {
      if (key != "change_plan") {
        co_return http::ErrorResponse(Error::InvalidArgument("unknown field " + std::string(key)));
      }
      if (!value.is_bool() && !value.is_null()) {
        co_return http::ErrorResponse(Error::InvalidArgument("change_plan must be a boolean"));
      }
      change_plan = value.is_bool() && value.as_bool();
    }
  }
  const int64_t tenant_id = caller.tenant_id;
  auto load = [this, tenant_id] { return store_.billing().GetTenantBilling(tenant_id); };
  auto row = co_await pool_.Run(load);
  if (!row) co_return http::ErrorResponse(row.error());
  if (row->stripe_customer_id.empty()) {
    co_return http::ErrorResponse(Error::Conflict(
        "the tenant is not a Stripe customer yet: subscribe to a plan first (POST /api/billing/checkout)"));
  }
  if (change_plan && !SubscriptionRuns(*row)) {
    co_return http::ErrorResponse(Error::Conflict(
        "the tenant has no running subscription to change: subscribe through POST /api/billing/checkout"));
  }
  billing::PortalSessionRequest session{row->stripe_customer_id, config_.public_url + "/billing",
                                        change_plan ? row->stripe_subscription_id : std::string(),
                                        IdempotencyKey("portal")};
  auto url = co_await stripe_.CreatePortalSession(std::move(session));
  if (!url) {
    log::Warn("stripe_portal_failed", {{"tenant_id", tenant_id}, {"reason", url.error().message}});
    co_return http::ErrorResponse(url.error());
  }
  co_return http::JsonResponse(http::Status::ok, UrlAnswer(*url));
}

}  // namespace parley::api
