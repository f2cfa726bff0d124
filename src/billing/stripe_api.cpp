#include "billing/stripe_api.h"

#include "billing/billing.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace parley::billing {
namespace {

// Stripe's error object: {"error": {"type", "code", "message", "param"}}.
std::string StripeMessage(const boost::json::value& body) {
  const auto* object = body.if_object();
  const auto* error = object ? object->if_contains("error") : nullptr;
  if (error == nullptr || !error->is_object()) return {};
  const auto* message = error->as_object().if_contains("message");
  return message && message->is_string() ? std::string(message->as_string()) : std::string();
}

}  // namespace

Result<std::map<std::string, std::string>> CheckoutPrices(std::string_view price_plans) {
  auto entries = PricePlanEntries(price_plans);
  if (!entries) return entries.error();
  std::map<std::string, std::string> by_plan;
  for (auto& [price, plan] : *entries) by_plan.emplace(std::move(plan), std::move(price));  // The first listed wins.
  return by_plan;
}

FormFields CheckoutSessionFields(const CheckoutSessionRequest& request) {
  const std::string tenant = std::to_string(request.tenant_id);
  FormFields fields{
      {"mode", "subscription"},
      {"line_items[0][price]", request.price_id},
      {"line_items[0][quantity]", "1"},
      {"client_reference_id", tenant},
      {"success_url", request.success_url},
      {"cancel_url", request.cancel_url},
      // On the subscription too: its events then name the tenant (MapStripeEvent reads metadata.tenant_id).
      {"subscription_data[metadata][tenant_id]", tenant}};
  if (!request.customer_id.empty()) fields.emplace_back("customer", request.customer_id);
  return fields;
}

FormFields PortalSessionFields(const PortalSessionRequest& request) {
  FormFields fields{{"customer", request.customer_id}, {"return_url", request.return_url}};
  if (!request.change_plan_of_subscription.empty()) {
    fields.emplace_back("flow_data[type]", "subscription_update");
    fields.emplace_back("flow_data[subscription_update][subscription]", request.change_plan_of_subscription);
  }
  return fields;
}

Result<std::string> ReadSessionUrl(int status, std::string_view body) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(body, ec);
  if (status < 200 || status >= 300) {
    std::string message = ec ? std::string() : StripeMessage(parsed);
    if (message.empty()) message = "HTTP " + std::to_string(status);
    return Error::Unavailable("Stripe refused the request: " + message);
  }
  const auto* object = ec ? nullptr : parsed.if_object();
  const auto* url = object ? object->if_contains("url") : nullptr;
  if (url == nullptr || !url->is_string() || url->as_string().empty()) {
    return Error::Unavailable("Stripe answered without a session URL");
  }
  return std::string(url->as_string());
}

boost::asio::awaitable<Result<std::string>> StripeApi::CreateCheckoutSession(CheckoutSessionRequest request) {
  co_return co_await PostSession("/v1/checkout/sessions", CheckoutSessionFields(request), request.idempotency_key);
}

boost::asio::awaitable<Result<std::string>> StripeApi::CreatePortalSession(PortalSessionRequest request) {
  co_return co_await PostSession("/v1/billing_portal/sessions", PortalSessionFields(request), request.idempotency_key);
}

boost::asio::awaitable<Result<std::string>> StripeApi::PostSession(std::string path, FormFields fields,
                                                                   std::string idempotency_key) {
  std::string_view base = base_url_;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  http::ClientRequest request;
  request.method = "POST";
  request.url = std::string(base) + path;
  request.headers = {{"Authorization", "Bearer " + secret_key_},
                     {"Content-Type", "application/x-www-form-urlencoded"},
                     {"Idempotency-Key", std::move(idempotency_key)}};
  request.body = http::FormEncode(fields);
  Result<http::ClientResponse> response = co_await client_.Send(std::move(request));
  if (!response) {
    co_return Error::Unavailable("Stripe cannot be reached", response.error().message + ": " + response.error().detail);
  }
  co_return ReadSessionUrl(response->status, response->body);
}

}  // namespace parley::billing
