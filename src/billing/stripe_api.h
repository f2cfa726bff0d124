#pragma once
// The calls Parley makes to Stripe's API, through the one HTTP client: a Checkout Session that subscribes a tenant
// to a plan, and a Customer Portal session where a paying tenant manages its subscription (payment method,
// invoices, plan, cancellation). Both answer a URL to send the person's browser to; what they lead to comes back
// later as webhook events (billing/stripe.h).
//
// Requests follow Stripe's API reference: POST with a form-encoded body (nested fields as `a[0][b]=…`), the secret
// key as a bearer token, and an Idempotency-Key, so that the client's retries of one call (after a 5xx or a lost
// connection) never create two sessions. Stripe's refusals (`{"error": {"type", "message", …}}`) complete with
// kUnavailable carrying Stripe's message: they are the operator's configuration to fix (a price that does not
// exist, a revoked key), not the caller's request.

#include "core/error.h"
#include "http/client.h"
#include "http/form.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace parley::billing {

using http::FormFields;  // The body, encoded by http::FormEncode (brackets in names percent-encoded).

// `PARLEY_STRIPE_PRICE_PLANS` read the other way: plan name → the price Checkout sells it at, the first price
// listed for the plan (a plan may have several prices, a monthly and a yearly one, which webhooks all map).
Result<std::map<std::string, std::string>> CheckoutPrices(std::string_view price_plans);

struct CheckoutSessionRequest {
  int64_t tenant_id = 0;    //!< client_reference_id: checkout.session.completed links it to the customer.
  std::string price_id;     //!< The plan's Stripe price.
  std::string customer_id;  //!< The tenant's Stripe customer when it has one (else Checkout creates one).
  std::string success_url;
  std::string cancel_url;
  std::string idempotency_key;
};

struct PortalSessionRequest {
  std::string customer_id;
  std::string return_url;
  //! When set, the portal opens on changing this subscription's plan (flow_data type subscription_update).
  std::string change_plan_of_subscription;
  std::string idempotency_key;
};

// The form fields of POST /v1/checkout/sessions for `request` (pure; tests read them).
FormFields CheckoutSessionFields(const CheckoutSessionRequest& request);
// The form fields of POST /v1/billing_portal/sessions for `request`.
FormFields PortalSessionFields(const PortalSessionRequest& request);

// The `url` of a session object Stripe answered with `status` and `body`; kUnavailable with Stripe's message for
// an error answer or a body without a URL.
Result<std::string> ReadSessionUrl(int status, std::string_view body);

class StripeApi {
 public:
  // `client` must outlive this. `base_url`: https://api.stripe.com (PARLEY_STRIPE_API_BASE_URL), without /v1.
  StripeApi(http::Client& client, std::string base_url, std::string secret_key)
      : client_(client), base_url_(std::move(base_url)), secret_key_(std::move(secret_key)) {}

  // The Checkout Session's URL.
  boost::asio::awaitable<Result<std::string>> CreateCheckoutSession(CheckoutSessionRequest request);
  // The Customer Portal session's URL.
  boost::asio::awaitable<Result<std::string>> CreatePortalSession(PortalSessionRequest request);

 private:
  boost::asio::awaitable<Result<std::string>> PostSession(std::string path, FormFields fields,
                                                          std::string idempotency_key);

  http::Client& client_;
  const std::string base_url_;
  const std::string secret_key_;
};

}  // namespace parley::billing
