// The pure parts of the Stripe API calls: the form encoding Stripe reads, the plan → price choice, the session
// fields, and how Stripe's answers are read.

#include "billing/stripe_api.h"

#include <gtest/gtest.h>

namespace parley::billing {
namespace {

TEST(StripeApiTest, FormEncodingEscapesEverythingButUnreservedCharacters) {
  EXPECT_EQ(http::FormEncode({{"line_items[0][price]", "price_1"}, {"success_url", "https://a.example/b?c=d&e={F}"}}),
            "line_items%5B0%5D%5Bprice%5D=price_1&success_url=https%3A%2F%2Fa.example%2Fb%3Fc%3Dd%26e%3D%7BF%7D");
  EXPECT_EQ(http::FormEncode({{"name", "a b+c~é"}}), "name=a%20b%2Bc~%C3%A9");
  EXPECT_EQ(http::FormEncode({}), "");
}

TEST(StripeApiTest, CheckoutSellsEachPlanAtTheFirstPriceListed) {
  auto prices = CheckoutPrices("price_m=pro, price_y=pro,price_b=business");
  ASSERT_TRUE(prices);
  EXPECT_EQ(*prices, (std::map<std::string, std::string>{{"pro", "price_m"}, {"business", "price_b"}}));
  EXPECT_TRUE(CheckoutPrices("")->empty());
  EXPECT_FALSE(CheckoutPrices("price_m"));
}

TEST(StripeApiTest, CheckoutSessionFields) {
  CheckoutSessionRequest request{
      12,   "price_m", "", "https://d.example/billing?checkout=success", "https://d.example/billing?checkout=cancelled",
      "key"};
  FormFields expected{{"mode", "subscription"},
                      {"line_items[0][price]", "price_m"},
                      {"line_items[0][quantity]", "1"},
                      {"client_reference_id", "12"},
                      {"success_url", "https://d.example/billing?checkout=success"},
                      {"cancel_url", "https://d.example/billing?checkout=cancelled"},
                      {"subscription_data[metadata][tenant_id]", "12"}};
  EXPECT_EQ(CheckoutSessionFields(request), expected);
  request.customer_id = "cus_1";
  expected.emplace_back("customer", "cus_1");
  EXPECT_EQ(CheckoutSessionFields(request), expected);
}

TEST(StripeApiTest, PortalSessionFields) {
  PortalSessionRequest request{"cus_1", "https://d.example/billing", "", "key"};
  EXPECT_EQ(PortalSessionFields(request),
            (FormFields{{"customer", "cus_1"}, {"return_url", "https://d.example/billing"}}));
  request.change_plan_of_subscription = "sub_1";
  EXPECT_EQ(PortalSessionFields(request), (FormFields{{"customer", "cus_1"},
                                                      {"return_url", "https://d.example/billing"},
                                                      {"flow_data[type]", "subscription_update"},
                                                      {"flow_data[subscription_update][subscription]", "sub_1"}}));
}

TEST(StripeApiTest, ReadsTheSessionUrlOrStripesMessage) {
  auto url = ReadSessionUrl(
      200, R"({"id":"cs_1","object":"checkout.session","url":"https://checkout.stripe.com/c/pay/cs_1"})");
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, "https://checkout.stripe.com/c/pay/cs_1");

  auto refused = ReadSessionUrl(
      400,
      R"({"error":{"code":"resource_missing","message":"No such price: 'price_x'","param":"line_items[0][price]","type":"invalid_request_error"}})");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(refused.error().message, "Stripe refused the request: No such price: 'price_x'");

  EXPECT_EQ(ReadSessionUrl(502, "<html>bad gateway</html>").error().message, "Stripe refused the request: HTTP 502");
  EXPECT_EQ(ReadSessionUrl(200, R"({"id":"cs_1"})").error().message, "Stripe answered without a session URL");
}

}  // namespace
}  // namespace parley::billing
