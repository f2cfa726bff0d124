// Stripe-Signature verification and the mapping of Stripe events (older and 2025 "basil" shapes) onto
// subscription changes.

#include "billing/stripe.h"

#include "core/crypto.h"

#include <gtest/gtest.h>

namespace parley::billing {
namespace {

constexpr char kSecret[] = "whsec_test_secret";
constexpr int64_t kNow = 1'800'000'000;
constexpr char kBody[] = R"({"id":"evt_1","type":"invoice.paid"})";

std::string V1(std::string_view payload, std::string_view secret, int64_t t) {
  return crypto::HmacSha256Hex(secret, std::to_string(t) + "." + std::string(payload));
}

TEST(StripeSignature, AcceptsAGoodSignature) {
  EXPECT_TRUE(VerifyStripeSignature(SignStripePayload(kBody, kSecret, kNow), kBody, kSecret, kNow));
  // Within the tolerance, either way.
  EXPECT_TRUE(VerifyStripeSignature(SignStripePayload(kBody, kSecret, kNow - 300), kBody, kSecret, kNow));
  EXPECT_TRUE(VerifyStripeSignature(SignStripePayload(kBody, kSecret, kNow + 300), kBody, kSecret, kNow));
}

TEST(StripeSignature, RejectsAWrongSecret) {
  auto checked = VerifyStripeSignature(SignStripePayload(kBody, "whsec_other", kNow), kBody, kSecret, kNow);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(checked.error().message, "no Stripe signature matches the payload");
}

TEST(StripeSignature, RejectsATamperedBody) {
  std::string header = SignStripePayload(kBody, kSecret, kNow);
  EXPECT_FALSE(VerifyStripeSignature(header, R"({"id":"evt_1","type":"invoice.paid" })", kSecret, kNow));
}

TEST(StripeSignature, RejectsTimestampsBeyondTheTolerance) {
  auto old = VerifyStripeSignature(SignStripePayload(kBody, kSecret, kNow - 301), kBody, kSecret, kNow);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().message, "Stripe-Signature timestamp is outside the tolerance");
  EXPECT_FALSE(VerifyStripeSignature(SignStripePayload(kBody, kSecret, kNow + 301), kBody, kSecret, kNow));
  // The timestamp is signed: moving it breaks the signature.
  std::string moved = "t=" + std::to_string(kNow) + ",v1=" + V1(kBody, kSecret, kNow - 1000);
  EXPECT_FALSE(VerifyStripeSignature(moved, kBody, kSecret, kNow));
}

TEST(StripeSignature, AcceptsAnyOfSeveralV1Values) {
  std::string header = "t=" + std::to_string(kNow) + ",v1=" + V1(kBody, "whsec_old", kNow) +
                       ",v1=" + V1(kBody, kSecret, kNow) + ",v0=" + std::string(64, '0');
  EXPECT_TRUE(VerifyStripeSignature(header, kBody, kSecret, kNow));
  header = "t=" + std::to_string(kNow) + ",v1=" + V1(kBody, "whsec_old", kNow) + ",v1=deadbeef";
  EXPECT_FALSE(VerifyStripeSignature(header, kBody, kSecret, kNow));
}

TEST(StripeSignature, RejectsMalformedHeadersWithAReason) {
  const std::string good = V1(kBody, kSecret, kNow);
  struct Case {
    std::string header;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"", "missing Stripe-Signature header"},
           {"garbage", "malformed Stripe-Signature header"},
           {"t=abc,v1=" + good, "malformed Stripe-Signature timestamp"},
           {"v1=" + good, "Stripe-Signature has no timestamp"},
           {"t=" + std::to_string(kNow), "Stripe-Signature has no v1 signature"},
           {"t=" + std::to_string(kNow) + ",v0=" + good, "Stripe-Signature has no v1 signature"},
       }) {
    auto checked = VerifyStripeSignature(c.header, kBody, kSecret, kNow);
    ASSERT_FALSE(checked) << c.header;
    EXPECT_EQ(checked.error().message, c.message) << c.header;
  }
  auto unconfigured = VerifyStripeSignature(SignStripePayload(kBody, kSecret, kNow), kBody, "", kNow);
  ASSERT_FALSE(unconfigured);
  EXPECT_NE(unconfigured.error().message.find("STRIPE_WEBHOOK_SECRET"), std::string::npos);
}

StripeMapping Mapping() { return {{{"price_pro", "pro"}, {"price_biz", "business"}}}; }

store::StripeChange Map(const std::string& body) {
  auto mapped = MapStripeEvent(body, Mapping());
  EXPECT_TRUE(mapped) << body;
  EXPECT_TRUE(mapped && mapped->has_value()) << body;
  return mapped && *mapped ? **mapped : store::StripeChange{};
}

TEST(StripeEvents, CheckoutLinksTheTenantToTheCustomer) {
  auto change = Map(R"({"id":"evt_1","object":"event","type":"checkout.session.completed","created":1700000000,
    "data":{"object":{"id":"cs_1","object":"checkout.session","client_reference_id":"7","customer":"cus_1",
    "subscription":"sub_1","mode":"subscription","payment_status":"paid"}}})");
  EXPECT_EQ(change.event_id, "evt_1");
  EXPECT_EQ(change.created, 1700000000);
  EXPECT_EQ(change.tenant_id, 7);
  EXPECT_EQ(change.customer_id, "cus_1");
  EXPECT_EQ(change.subscription_id, "sub_1");
  EXPECT_FALSE(change.status.has_value());
  EXPECT_FALSE(change.plan.has_value());
}

TEST(StripeEvents, ASubscriptionMapsItsPriceToAPlan) {
  // Newer API versions: current_period_end on the items, and an expanded customer.
  auto change = Map(R"({"id":"evt_2","type":"customer.subscription.updated","created":1700000100,
    "data":{"object":{"id":"sub_1","object":"subscription","customer":{"id":"cus_1","object":"customer"},
    "status":"active","metadata":{"tenant_id":"7"},
    "items":{"object":"list","data":[{"id":"si_1","price":{"id":"price_biz"},"current_period_end":1702592100}]}}}})");
  EXPECT_EQ(change.subscription_id, "sub_1");
  EXPECT_EQ(change.customer_id, "cus_1");
  EXPECT_EQ(change.tenant_id, 7);
  EXPECT_EQ(change.status, "active");
  EXPECT_EQ(change.price_id, "price_biz");
  EXPECT_EQ(change.plan, "business");
  EXPECT_EQ(change.current_period_end, 1702592100);

  // Older API versions: current_period_end on the subscription.
  change = Map(R"({"id":"evt_3","type":"customer.subscription.created","created":1700000000,
    "data":{"object":{"id":"sub_1","customer":"cus_1","status":"trialing","current_period_end":1702592000,
    "items":{"data":[{"price":{"id":"price_pro"}}]}}}})");
  EXPECT_EQ(change.plan, "pro");
  EXPECT_EQ(change.current_period_end, 1702592000);
  EXPECT_FALSE(change.tenant_id.has_value());
}

TEST(StripeEvents, StatusDecidesWhetherThePlanApplies) {
  auto with_status = [](const std::string& status) {
    return Map(R"({"id":"evt","type":"customer.subscription.updated","created":1,"data":{"object":{"id":"sub_1",
      "customer":"cus_1","status":")" +
               status + R"(","items":{"data":[{"price":{"id":"price_pro"}}]}}}})");
  };
  EXPECT_EQ(with_status("past_due").plan, "pro");
  EXPECT_EQ(with_status("unpaid").plan, "");
  EXPECT_EQ(with_status("canceled").plan, "");
  EXPECT_EQ(with_status("incomplete_expired").plan, "");
  EXPECT_FALSE(with_status("incomplete").plan.has_value());
  // A price no plan is configured for leaves the plan as it is.
  auto unknown = Map(R"({"id":"evt","type":"customer.subscription.updated","created":1,"data":{"object":{
    "id":"sub_1","customer":"cus_1","status":"active","items":{"data":[{"price":{"id":"price_zzz"}}]}}}})");
  EXPECT_FALSE(unknown.plan.has_value());
  EXPECT_EQ(unknown.price_id, "price_zzz");
}

TEST(StripeEvents, DeletedGoesBackToTheDefaultPlan) {
  auto change = Map(R"({"id":"evt_4","type":"customer.subscription.deleted","created":1700000200,
    "data":{"object":{"id":"sub_1","customer":"cus_1","status":"canceled","items":{"data":[{"price":{"id":"price_pro"}}]}}}})");
  EXPECT_EQ(change.status, "canceled");
  EXPECT_EQ(change.plan, "");
}

TEST(StripeEvents, InvoicesSetTheStatusInBothShapes) {
  auto paid = Map(R"({"id":"evt_5","type":"invoice.paid","created":1700000300,"data":{"object":{"id":"in_1",
    "customer":"cus_1","subscription":"sub_1","status":"paid",
    "lines":{"data":[{"period":{"start":1700000000,"end":1702592000}}]}}}})");
  EXPECT_EQ(paid.status, "active");
  EXPECT_EQ(paid.subscription_id, "sub_1");
  EXPECT_EQ(paid.current_period_end, 1702592000);
  EXPECT_FALSE(paid.plan.has_value());

  auto failed = Map(R"({"id":"evt_6","type":"invoice.payment_failed","created":1700000400,"data":{"object":{
    "id":"in_2","customer":"cus_1","parent":{"type":"subscription_details","subscription_details":{
    "subscription":"sub_1","metadata":{"tenant_id":"7"}}}}}})");
  EXPECT_EQ(failed.status, "past_due");
  EXPECT_EQ(failed.subscription_id, "sub_1");
  EXPECT_EQ(failed.tenant_id, 7);

  // An invoice outside any subscription says nothing about the plan.
  auto one_off = MapStripeEvent(R"({"id":"evt_7","type":"invoice.paid","created":1,"data":{"object":{"id":"in_3",
    "customer":"cus_1"}}})",
                                Mapping());
  ASSERT_TRUE(one_off);
  EXPECT_FALSE(one_off->has_value());
}

TEST(StripeEvents, OtherTypesAreIgnoredAndGarbageIsRejected) {
  auto other =
      MapStripeEvent(R"({"id":"evt_8","type":"charge.succeeded","created":1,"data":{"object":{}}})", Mapping());
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_value());
  EXPECT_FALSE(MapStripeEvent("not json", Mapping()));
  EXPECT_FALSE(MapStripeEvent(R"({"type":"invoice.paid","created":1,"data":{"object":{}}})", Mapping()));
  EXPECT_FALSE(MapStripeEvent(R"({"id":"evt","type":"invoice.paid","data":{"object":{}}})", Mapping()));
  EXPECT_FALSE(MapStripeEvent(R"([1,2])", Mapping()));
}

}  // namespace
}  // namespace parley::billing
