#pragma once
// Plans, usage and subscriptions in the tenant API, and Stripe's webhook:
//   GET  /api/plans              the plan catalog, with the caller's current plan
//   GET  /api/usage              ?from=YYYY-MM-DD&to=YYYY-MM-DD (default: this UTC month): usage per day, this
//                                month's totals, the plan's quotas and what remains
//   GET  /api/subscriptions      the tenant's plan and Stripe subscription (status, current period end, ids)
//   POST /api/stripe/webhook     public: verified by Stripe-Signature, each event id handled once (docs/billing.md)

#include "api/route_table.h"
#include "billing/stripe.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "store/store.h"

namespace parley::api {

class BillingApi {
 public:
  // Every reference must outlive this.
  BillingApi(const Config& config, store::Store& store, BlockingPool& pool, billing::StripeMapping mapping)
      : config_(config), store_(store), pool_(pool), mapping_(std::move(mapping)) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  boost::asio::awaitable<http::Response> ListPlans(const Principal& caller);
  boost::asio::awaitable<http::Response> GetUsage(const Principal& caller, const http::RouteContext& route);
  boost::asio::awaitable<http::Response> GetSubscription(const Principal& caller);
  boost::asio::awaitable<http::Response> StripeWebhook(const http::Request& request);

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  const billing::StripeMapping mapping_;
};

}  // namespace parley::api
