#include "api/billing_api.h"

#include "api/auth.h"
#include "billing/billing.h"
#include "billing/meter.h"
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

}  // namespace

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
                  "what remains",
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
    return boost::json::object{
        {"data", std::move(data)}, {"current_plan", current->name}, {"billing_enabled", config_.BillingEnabled()}};
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
          {"credits", Nullable(billing::Remaining(plan->monthly_credits, total.credits))}}}};
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

}  // namespace parley::api
