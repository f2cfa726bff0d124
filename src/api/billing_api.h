#pragma once
// Plans, usage and subscriptions in the tenant API, and Stripe's webhook:
//   GET  /api/plans              the plan catalog, with the caller's current plan
//   GET  /api/usage              ?from=YYYY-MM-DD&to=YYYY-MM-DD (default: this UTC month): usage per day, this
//                                month's totals, the plan's quotas and what remains
//   GET  /api/subscriptions      the tenant's plan and Stripe subscription (status, current period end, ids)
//   POST /api/billing/checkout   {"plan"} → {"url"} of a Stripe Checkout Session subscribing the tenant (owners)
//   POST /api/billing/portal     {"change_plan"?} → {"url"} of the tenant customer's Stripe Customer Portal (owners)
//   POST /api/stripe/webhook     public: verified by Stripe-Signature, each event id handled once (docs/billing.md)

#include "api/route_table.h"
#include "billing/stripe.h"
#include "billing/stripe_api.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "store/store.h"

namespace parley::api {

class BillingApi {
 public:
  // Every reference must outlive this. `client` reaches Stripe's API (PARLEY_STRIPE_API_BASE_URL).
  BillingApi(const Config& config, store::Store& store, BlockingPool& pool, http::Client& client,
             billing::StripeMapping mapping);

  void RegisterRoutes(RouteTable& routes);

 private:
  boost::asio::awaitable<http::Response> ListPlans(const Principal& caller);
  boost::asio::awaitable<http::Response> GetUsage(const Principal& caller, const http::RouteContext& route);
  boost::asio::awaitable<http::Response> GetSubscription(const Principal& caller);
  boost::asio::awaitable<http::Response> StripeWebhook(const http::Request& request);
  boost::asio::awaitable<http::Response> Checkout(const Principal& caller, const http::Request& request);
  boost::asio::awaitable<http::Response> Portal(const Principal& caller, const http::Request& request);

  // Ok when tenants can be sent to Stripe: billing on and PARLEY_PUBLIC_URL set (Stripe sends people back
  // there); kConflict saying which is missing otherwise.
  Result<void> CheckStripeLinks() const;

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  const billing::StripeMapping mapping_;
  //! Plan name → the price Checkout sells it at (billing::CheckoutPrices of PARLEY_STRIPE_PRICE_PLANS).
  std::map<std::string, std::string> checkout_prices_;
  billing::StripeApi stripe_;
};

}  // namespace parley::api
