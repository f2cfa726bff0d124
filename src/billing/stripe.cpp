#include "billing/stripe.h"

#include "core/crypto.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <vector>

namespace parley::billing {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

const boost::json::value* Path(const boost::json::value& root, std::initializer_list<std::string_view> keys) {
  const boost::json::value* at = &root;
  for (std::string_view key : keys) {
    if (!at->is_object()) return nullptr;
    at = at->as_object().if_contains(key);
    if (at == nullptr) return nullptr;
  }
  return at;
}

std::string String(const boost::json::value& root, std::initializer_list<std::string_view> keys) {
  const auto* v = Path(root, keys);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A reference that Stripe gives as an id, or as the expanded object when the request asked for it.
std::string Id(const boost::json::value& root, std::string_view key) {
  const auto* v = Path(root, {key});
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->as_string());
  return String(*v, {"id"});
}

std::optional<int64_t> Integer(const boost::json::value& root, std::initializer_list<std::string_view> keys) {
  const auto* v = Path(root, keys);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return std::nullopt;
}

// The tenant named by a string id (client_reference_id, metadata.tenant_id); nullopt when absent or not a number.
std::optional<int64_t> TenantId(const std::string& text) {
  auto id = ParseInt(text);
  if (!id || *id <= 0) return std::nullopt;
  return id;
}

const boost::json::value* FirstItem(const boost::json::value& list_owner, std::string_view list) {
  const auto* data = Path(list_owner, {list, "data"});
  if (data == nullptr || !data->is_array() || data->as_array().empty()) return nullptr;
  return &data->as_array().front();
}

void MapSubscription(const boost::json::value& sub, bool deleted, const StripeMapping& mapping,
                     store::StripeChange& change) {
  change.subscription_id = String(sub, {"id"});
  change.customer_id = Id(sub, "customer");
  change.tenant_id = TenantId(String(sub, {"metadata", "tenant_id"}));
  std::string status = deleted ? "canceled" : String(sub, {"status"});
  const boost::json::value* item = FirstItem(sub, "items");
  if (item != nullptr) {
    change.price_id = String(*item, {"price", "id"});
    change.current_period_end = Integer(*item, {"current_period_end"});
  }
  if (change.price_id.empty()) change.price_id = String(sub, {"plan", "id"});  // Legacy plan objects.
  if (auto top = Integer(sub, {"current_period_end"})) change.current_period_end = top;
  if (!status.empty()) change.status = status;
  if (deleted || status == "canceled" || status == "unpaid" || status == "incomplete_expired" || status == "paused") {
    change.plan = std::string();  // The default plan.
  } else if (status == "active" || status == "trialing" || status == "past_due") {
    auto mapped = mapping.price_plans.find(change.price_id);
    if (mapped != mapping.price_plans.end()) change.plan = mapped->second;
  }
}

bool MapInvoice(const boost::json::value& invoice, std::string status, store::StripeChange& change) {
  change.customer_id = Id(invoice, "customer");
  change.subscription_id = Id(invoice, "subscription");
  std::string tenant = String(invoice, {"subscription_details", "metadata", "tenant_id"});
  if (const auto* parent = Path(invoice, {"parent", "subscription_details"}); parent != nullptr) {
    if (change.subscription_id.empty()) change.subscription_id = Id(*parent, "subscription");
    if (tenant.empty()) tenant = String(*parent, {"metadata", "tenant_id"});
  }
  // An invoice outside any subscription (a one-off charge) says nothing about the plan.
  if (change.subscription_id.empty()) return false;
  change.tenant_id = TenantId(tenant);
  change.status = std::move(status);
  if (const boost::json::value* line = FirstItem(invoice, "lines")) {
    change.current_period_end = Integer(*line, {"period", "end"});
  }
  return true;
}

}  // namespace

Result<void> VerifyStripeSignature(std::string_view header, std::string_view payload, std::string_view secret,
                                   int64_t now_s, int64_t tolerance_s) {
  if (secret.empty()) return Error::InvalidArgument("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)");
  if (header.empty()) return Error::InvalidArgument("missing Stripe-Signature header");
  std::optional<int64_t> timestamp;
  std::vector<std::string_view> signatures;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view part = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) return Error::InvalidArgument("malformed Stripe-Signature header");
    std::string_view key = part.substr(0, eq);
    std::string_view value = part.substr(eq + 1);
    if (key == "t") {
      timestamp = ParseInt(value);
      if (!timestamp) return Error::InvalidArgument("malformed Stripe-Signature timestamp");
    } else if (key == "v1") {
      signatures.push_back(value);
    }
  }
  if (!timestamp) return Error::InvalidArgument("Stripe-Signature has no timestamp");
  if (signatures.empty()) return Error::InvalidArgument("Stripe-Signature has no v1 signature");
  std::string signed_payload = std::to_string(*timestamp);
  signed_payload += '.';
  signed_payload += payload;
  const std::string expected = crypto::HmacSha256Hex(secret, signed_payload);
  bool matched = false;
  // Every candidate is compared, matched or not, so the time taken does not depend on which one matches.
  for (std::string_view signature : signatures) matched |= crypto::ConstantTimeEquals(expected, signature);
  if (!matched) return Error::InvalidArgument("no Stripe signature matches the payload");
  if (*timestamp < now_s - tolerance_s || *timestamp > now_s + tolerance_s) {
    return Error::InvalidArgument("Stripe-Signature timestamp is outside the tolerance");
  }
  return Ok();
}

std::string SignStripePayload(std::string_view payload, std::string_view secret, int64_t t) {
  std::string signed_payload = std::to_string(t) + "." + std::string(payload);
  return "t=" + std::to_string(t) + ",v1=" + crypto::HmacSha256Hex(secret, signed_payload);
}

Result<std::optional<store::StripeChange>> MapStripeEvent(std::string_view body, const StripeMapping& mapping) {
  boost::system::error_code ec;
  boost::json::value event = boost::json::parse(body, ec);
  if (ec || !event.is_object()) return Error::InvalidArgument("the body is not a JSON object");
  store::StripeChange change;
  change.event_id = String(event, {"id"});
  change.event_type = String(event, {"type"});
  auto created = Integer(event, {"created"});
  const boost::json::value* object = Path(event, {"data", "object"});
  if (change.event_id.empty() || change.event_type.empty() || !created || object == nullptr || !object->is_object()) {
    return Error::InvalidArgument("not a Stripe event (id, type, created and data.object are required)");
  }
  change.created = *created;
  const std::string& type = change.event_type;
  if (type == "checkout.session.completed") {
    change.tenant_id = TenantId(String(*object, {"client_reference_id"}));
    if (!change.tenant_id) change.tenant_id = TenantId(String(*object, {"metadata", "tenant_id"}));
    change.customer_id = Id(*object, "customer");
    change.subscription_id = Id(*object, "subscription");
  } else if (type == "customer.subscription.created" || type == "customer.subscription.updated" ||
             type == "customer.subscription.deleted") {
    MapSubscription(*object, type == "customer.subscription.deleted", mapping, change);
  } else if (type == "invoice.paid" || type == "invoice.payment_failed") {
    if (!MapInvoice(*object, type == "invoice.paid" ? "active" : "past_due", change)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  return std::optional<store::StripeChange>(std::move(change));
}

}  // namespace parley::billing
