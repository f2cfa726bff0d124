// The links from the dashboard's Billing page to Stripe, end to end: the real binary against the fake Stripe API
// (tests/fakes/fake_stripe.h). What Stripe receives is checked field by field, as its API reference documents the
// calls: a form-encoded body, the secret key as a bearer token, an Idempotency-Key that the client's retries reuse.

#include "fakes/fake_stripe.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include "core/crypto.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace parley::testing {
namespace {

namespace json = boost::json;

constexpr const char* kApiKey = "sk_test_links_0123456789";
constexpr const char* kWebhookSecret = "whsec_links_0123456789";
constexpr const char* kPublicUrl = "https://desk.example.com";

class BillingLinksTest : public ::testing::Test {
 protected:
  // Billing on (both Stripe secrets), the pro plan sold at two prices (the first listed is Checkout's), the
  // business plan at one.
  void Boot(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{
        {"STRIPE_SECRET_KEY", kApiKey},
        {"STRIPE_WEBHOOK_SECRET", kWebhookSecret},
        {"PARLEY_STRIPE_PRICE_PLANS", "price_pro_month=pro,price_pro_year=pro,price_biz=business"},
        {"PARLEY_STRIPE_API_BASE_URL", stripe_.base_url()},
        {"PARLEY_PUBLIC_URL", kPublicUrl},
    };
    for (auto& [key, value] : extra) {
      if (value.empty()) {
        env.erase(key);
      } else {
        env[key] = value;
      }
    }
    parley_ = std::make_unique<ParleyProcess>(env);
    a_ = CreateTenant(*parley_, "Crumb & Co");
    b_ = CreateTenant(*parley_, "Globex");
    parley_->Start();
  }

  HttpResult Post(const std::string& key, const std::string& path, const json::value& body) {
    return Call("POST", parley_->url(path), json::serialize(body),
                {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}});
  }

  HttpResult Get(const std::string& key, const std::string& path) {
    return Call("GET", parley_->url(path), {}, {{"Authorization", "Bearer " + key}});
  }

  // Stripe's checkout.session.completed for `tenant`, signed as Stripe signs: links the tenant to the customer.
  void CompleteCheckout(const CreatedTenant& tenant, const std::string& customer, const std::string& subscription) {
    const int64_t now = payloads::NowSeconds();
    json::object session{{"id", "cs_test_done"},    {"object", "checkout.session"}, {"client_reference_id", tenant.id},
                         {"customer", customer},    {"subscription", subscription}, {"mode", "subscription"},
                         {"payment_status", "paid"}};
    std::string body = json::serialize(json::object{{"id", "evt_" + customer},
                                                    {"object", "event"},
                                                    {"type", "checkout.session.completed"},
                                                    {"created", now},
                                                    {"data", {{"object", std::move(session)}}}});
    std::string signature =
        "t=" + std::to_string(now) + ",v1=" + crypto::HmacSha256Hex(kWebhookSecret, std::to_string(now) + "." + body);
    auto r = Call("POST", parley_->url("/api/stripe/webhook"), body,
                  {{"Content-Type", "application/json"}, {"Stripe-Signature", signature}});
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.Json().at("outcome"), "applied") << r.body;
  }

  FakeStripe stripe_{kApiKey};
  std::unique_ptr<ParleyProcess> parley_;
  CreatedTenant a_;
  CreatedTenant b_;
};

TEST_F(BillingLinksTest, CheckoutCreatesASubscriptionSessionAsStripeDocumentsIt) {
  stripe_.AddPrice("price_pro_month");
  Boot();
  auto plans = Get(a_.api_key, "/api/plans");
  ASSERT_EQ(plans.status, 200) << plans.body;
  EXPECT_EQ(plans.Json().at("checkout_plans"), (json::array{"business", "pro"}));

  auto r = Post(a_.api_key, "/api/billing/checkout", json::object{{"plan", "pro"}});
  ASSERT_EQ(r.status, 200) << r.body << parley_->logs();
  EXPECT_EQ(r.Json().at("url"), "https://checkout.stripe.com/c/pay/cs_test_fake1");

  auto received = stripe_.requests();
  ASSERT_EQ(received.size(), 1u);
  const StripeRequest& call = received[0];
  EXPECT_EQ(call.path, "/v1/checkout/sessions");
  EXPECT_EQ(call.authorization, std::string("Bearer ") + kApiKey);
  EXPECT_EQ(call.content_type, "application/x-www-form-urlencoded");
  EXPECT_TRUE(call.idempotency_key.starts_with("parley-checkout-")) << call.idempotency_key;
  EXPECT_EQ(call.Field("mode"), "subscription");
  EXPECT_EQ(call.Field("line_items[0][price]"), "price_pro_month");
  EXPECT_EQ(call.Field("line_items[0][quantity]"), "1");
  EXPECT_EQ(call.Field("client_reference_id"), a_.id);
  EXPECT_EQ(call.Field("success_url"), std::string(kPublicUrl) + "/billing?checkout=success");
  EXPECT_EQ(call.Field("cancel_url"), std::string(kPublicUrl) + "/billing?checkout=cancelled");
  EXPECT_EQ(call.Field("customer"), "") << "a tenant without a customer lets Checkout create one";
  // Brackets travel percent-encoded, as Stripe's form encoding writes nested parameters.
  EXPECT_NE(call.raw_body.find("line_items%5B0%5D%5Bprice%5D=price_pro_month"), std::string::npos) << call.raw_body;

  // Each call has its own key: a second checkout is a second session, not a replay of the first.
  auto again = Post(a_.api_key, "/api/billing/checkout", json::object{{"plan", "pro"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json().at("url"), "https://checkout.stripe.com/c/pay/cs_test_fake2");
  EXPECT_NE(stripe_.requests().at(1).idempotency_key, call.idempotency_key);
}

TEST_F(BillingLinksTest, TheClientsRetriesReuseOneIdempotencyKey) {
  stripe_.AddPrice("price_biz");
  Boot();
  stripe_.FailNext(1, 500);
  auto r = Post(a_.api_key, "/api/billing/checkout", json::object{{"plan", "business"}});
  ASSERT_EQ(r.status, 200) << r.body << parley_->logs();
  auto received = stripe_.requests();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].idempotency_key, received[1].idempotency_key);
  EXPECT_EQ(received[0].raw_body, received[1].raw_body);
  EXPECT_EQ(received[1].Field("line_items[0][price]"), "price_biz");
}

TEST_F(BillingLinksTest, ASubscribedTenantGetsThePortalAndNoSecondCheckout) {
  stripe_.AddPrice("price_pro_month");
  stripe_.AddCustomer("cus_links_A");
  Boot();
  // Before Stripe knows the tenant, there is no portal to open.
  auto early = Post(a_.api_key, "/api/billing/portal", json::object{});
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_NE(early.body.find("not a Stripe customer yet"), std::string::npos) << early.body;
  EXPECT_TRUE(stripe_.requests().empty());

  CompleteCheckout(a_, "cus_links_A", "sub_links_A");
  // The subscription's own event may come later: its id alone already forbids a second Checkout.
  ASSERT_EQ(Get(a_.api_key, "/api/subscriptions").Json().at("stripe_subscription_id"), "sub_links_A");

  auto portal = Post(a_.api_key, "/api/billing/portal", json::object{});
  ASSERT_EQ(portal.status, 200) << portal.body << parley_->logs();
  EXPECT_EQ(portal.Json().at("url"), "https://billing.stripe.com/p/session/test_bps_fake1");
  auto call = stripe_.requests().back();
  EXPECT_EQ(call.path, "/v1/billing_portal/sessions");
  EXPECT_EQ(call.authorization, std::string("Bearer ") + kApiKey);
  EXPECT_TRUE(call.idempotency_key.starts_with("parley-portal-")) << call.idempotency_key;
  EXPECT_EQ(call.Field("customer"), "cus_links_A");
  EXPECT_EQ(call.Field("return_url"), std::string(kPublicUrl) + "/billing");
  EXPECT_EQ(call.Field("flow_data[type]"), "");

  // Changing plans opens the portal on the subscription: Checkout would start a second one, billed twice.
  auto change = Post(a_.api_key, "/api/billing/portal", json::object{{"change_plan", true}});
  ASSERT_EQ(change.status, 200) << change.body;
  call = stripe_.requests().back();
  EXPECT_EQ(call.Field("flow_data[type]"), "subscription_update");
  EXPECT_EQ(call.Field("flow_data[subscription_update][subscription]"), "sub_links_A");
  const size_t sent = stripe_.requests().size();
  auto second = Post(a_.api_key, "/api/billing/checkout", json::object{{"plan", "pro"}});
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_NE(second.body.find("Customer Portal"), std::string::npos) << second.body;
  EXPECT_EQ(stripe_.requests().size(), sent);

  // The other tenant is nobody's customer: its portal stays closed.
  EXPECT_EQ(Post(b_.api_key, "/api/billing/portal", json::object{}).status, 409);
}

TEST_F(BillingLinksTest, StripesRefusalIsReportedWithItsReason) {
  Boot();  // price_pro_month is not a price the fake Stripe knows.
  auto r = Post(a_.api_key, "/api/billing/checkout", json::object{{"plan", "pro"}});
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("No such price: 'price_pro_month'"), std::string::npos) << r.body;

  auto unsold = Post(a_.api_key, "/api/billing/checkout", json::object{{"plan", "enterprise"}});
  EXPECT_EQ(unsold.status, 400) << unsold.body;
  EXPECT_NE(unsold.body.find("not sold through Stripe"), std::string::npos) << unsold.body;
  EXPECT_EQ(Post(a_.api_key, "/api/billing/checkout", json::object{{"plan", "pro"}, {"price", "x"}}).status, 400);
}

TEST_F(BillingLinksTest, OnlyOwnersOpenStripe) {
  stripe_.AddPrice("price_pro_month");
  Boot();
  auto key = Post(a_.api_key, "/api/api-keys", json::object{{"name", "ops"}, {"role", "admin"}});
  ASSERT_EQ(key.status, 201) << key.body;
  std::string admin(key.Json().at("key").as_string());
  EXPECT_EQ(Post(admin, "/api/billing/checkout", json::object{{"plan", "pro"}}).status, 403);
  EXPECT_EQ(Post(admin, "/api/billing/portal", json::object{}).status, 403);
  EXPECT_TRUE(stripe_.requests().empty());
}

TEST_F(BillingLinksTest, WithoutBillingTheLinksAreRefusedWithAReason) {
  stripe_.AddPrice("price_pro_month");
  Boot({{"STRIPE_SECRET_KEY", ""}, {"STRIPE_WEBHOOK_SECRET", ""}});
  auto plans = Get(a_.api_key, "/api/plans").Json();
  EXPECT_EQ(plans.at("billing_enabled"), false);
  EXPECT_EQ(plans.at("checkout_plans"), json::array());
  auto r = Post(a_.api_key, "/api/billing/checkout", json::object{{"plan", "pro"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("billing is off"), std::string::npos) << r.body;
  EXPECT_EQ(Post(a_.api_key, "/api/billing/portal", json::object{}).status, 409);
  EXPECT_TRUE(stripe_.requests().empty());
}

TEST_F(BillingLinksTest, WithoutAPublicUrlStripeCannotSendPeopleBack) {
  stripe_.AddPrice("price_pro_month");
  Boot({{"PARLEY_PUBLIC_URL", ""}});
  EXPECT_EQ(Get(a_.api_key, "/api/plans").Json().at("checkout_plans"), json::array());
  auto r = Post(a_.api_key, "/api/billing/checkout", json::object{{"plan", "pro"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("PARLEY_PUBLIC_URL"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace parley::testing
