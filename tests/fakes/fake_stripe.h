#pragma once
// A local stand-in for Stripe's API (https://docs.stripe.com/api), the two calls Parley makes:
//   POST /v1/checkout/sessions          → a Checkout Session object ({"id": "cs_test_…", "object":
//                                          "checkout.session", "url", "mode", "client_reference_id", …});
//   POST /v1/billing_portal/sessions    → a Customer Portal session ({"id": "bps_…", "object":
//                                          "billing_portal.session", "customer", "return_url", "flow", "url"}).
// Like Stripe it reads form-encoded bodies, wants the secret key as a bearer token (401 otherwise), answers errors as
// {"error": {"type", "code", "message", "param"}} (an unknown price or customer: 400 resource_missing), and replays
// the first answer to a repeated Idempotency-Key (400 idempotency_error when the parameters differ). Records every
// request. Runs its own thread; safe to query from the test thread.

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace parley::testing {

struct StripeRequest {
  std::string method;
  std::string path;
  std::string authorization;
  std::string content_type;
  std::string idempotency_key;
  std::vector<std::pair<std::string, std::string>> form;  //!< The body's fields, decoded, in order.
  std::string raw_body;

  // The value of form field `name` ("" when absent).
  std::string Field(const std::string& name) const;
};

class FakeStripe {
 public:
  // `secret_key`: the only key the fake accepts.
  explicit FakeStripe(std::string secret_key);
  ~FakeStripe();

  std::string base_url() const;  //!< http://127.0.0.1:PORT, without /v1.
  std::vector<StripeRequest> requests() const;

  // A price Checkout may sell; others are "No such price".
  void AddPrice(const std::string& price_id);
  // A customer the portal may open for; others are "No such customer".
  void AddCustomer(const std::string& customer_id);
  // The next `n` requests answer `status` with Stripe's api_error (before any other check), as an outage does.
  void FailNext(int n, int status);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::testing
