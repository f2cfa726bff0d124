#include "store/billing_store.h"

#include <boost/json/parse.hpp>

namespace parley::store {

std::string_view ToString(StripeOutcome outcome) {
  switch (outcome) {
    case StripeOutcome::kApplied:
      return "applied";
    case StripeOutcome::kStale:
      return "stale";
    case StripeOutcome::kDuplicate:
      return "duplicate";
    case StripeOutcome::kUnknownCustomer:
      return "unknown_customer";
  }
  return "applied";
}

boost::json::object ChangeToJson(const StripeChange& c) {
  boost::json::object o{
      {"event_id", c.event_id},       {"event_type", c.event_type},           {"created", c.created},
      {"customer_id", c.customer_id}, {"subscription_id", c.subscription_id}, {"price_id", c.price_id}};
  if (c.status) o["status"] = *c.status;
  if (c.plan) o["plan"] = *c.plan;
  if (c.current_period_end) o["current_period_end"] = *c.current_period_end;
  return o;
}

Result<StripeChange> ChangeFromJson(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return Error::Internal("a parked Stripe change is not a JSON object");
  const boost::json::object& o = value.as_object();
  auto text_of = [&o](std::string_view key) -> std::string {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  StripeChange c;
  c.event_id = text_of("event_id");
  c.event_type = text_of("event_type");
  c.customer_id = text_of("customer_id");
  c.subscription_id = text_of("subscription_id");
  c.price_id = text_of("price_id");
  if (const auto* v = o.if_contains("created"); v != nullptr && v->is_int64()) c.created = v->as_int64();
  if (const auto* v = o.if_contains("status"); v != nullptr && v->is_string()) c.status = std::string(v->as_string());
  if (const auto* v = o.if_contains("plan"); v != nullptr && v->is_string()) c.plan = std::string(v->as_string());
  if (const auto* v = o.if_contains("current_period_end"); v != nullptr && v->is_int64()) {
    c.current_period_end = v->as_int64();
  }
  return c;
}

}  // namespace parley::store
