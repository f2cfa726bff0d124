// Plans, quotas and Stripe billing end to end: the real binary, the fake Graph API and the fake OpenAI server.
// A quota reached in the middle of a burst answered concurrently, media a plan does not cover, Stripe events in
// and out of order, replayed, badly signed and for unknown customers, and two tenants that never see each other.

#include "fakes/fake_graph.h"
#include "fakes/fake_openai.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include "core/crypto.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <future>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kWhatsAppSecret = "wa-app-secret-billing-tests";
constexpr const char* kPhoneNumberId = "106540352240777";
constexpr const char* kStripeSecret = "whsec_billing_tests_0123456789";
constexpr const char* kStripeApiKey = "sk_test_billing_tests_0123456789";
// The built-in English quota message (agent/messages.h): a customer over the plan's replies is not told about plans.
constexpr const char* kQuotaHandoff = "Thank you for your message. A member of our team will answer you here shortly.";
constexpr const char* kGuide = R"(# Opening hours
We are open Monday to Friday from 8:00 to 19:00. On Sunday we open from 10:00 to 14:00.
)";

class BillingTest : public ::testing::Test {
 protected:
  void Boot(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{
        {"WHATSAPP_APP_SECRET", kWhatsAppSecret},
        {"WHATSAPP_VERIFY_TOKEN", "wa-verify"},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"PARLEY_BATCH_WINDOW_MS", "300"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "3000"},
        {"STRIPE_SECRET_KEY", kStripeApiKey},
        {"STRIPE_WEBHOOK_SECRET", kStripeSecret},
        {"PARLEY_STRIPE_PRICE_PLANS", "price_pro=pro,price_biz=business"},
    };
    for (auto& [key, value] : extra) env[key] = value;
    parley_ = std::make_unique<ParleyProcess>(env);
    a_ = CreateTenant(*parley_, "Crumb & Co");
    b_ = CreateTenant(*parley_, "Globex");
  }

  void AddChannelAndGuide(const CreatedTenant& tenant) {
    ASSERT_EQ(parley_
                  ->Cli({"channel", "add", "whatsapp", "--tenant", tenant.id, "--phone-number-id", kPhoneNumberId,
                         "--access-token", "EAAG-billing-token"})
                  .exit_code,
              0);
    std::string path = parley_->data_dir() + "/guide.md";
    std::ofstream(path) << kGuide;
    auto added = parley_->Cli({"kb", "add", "--tenant", tenant.id, path});
    ASSERT_EQ(added.exit_code, 0) << added.out;
  }

  HttpResult Api(const CreatedTenant& tenant, const std::string& method, const std::string& path) {
    return Call(method, parley_->url(path), {}, {{"Authorization", "Bearer " + tenant.api_key}});
  }

  HttpResult PostWhatsApp(const std::string& body) {
    return Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kWhatsAppSecret, body)}});
  }

  HttpResult PostStripe(const std::string& body, std::optional<std::string> signature = std::nullopt) {
    const int64_t now = payloads::NowSeconds();
    std::string header = signature.value_or(
        "t=" + std::to_string(now) + ",v1=" + crypto::HmacSha256Hex(kStripeSecret, std::to_string(now) + "." + body));
    return Call("POST", parley_->url("/api/stripe/webhook"), body,
                {{"Content-Type", "application/json"}, {"Stripe-Signature", header}});
  }

  static std::string Event(const std::string& id, const std::string& type, int64_t created, json::object object) {
    return json::serialize(json::object{{"id", id},
                                        {"object", "event"},
                                        {"type", type},
                                        {"created", created},
                                        {"livemode", false},
                                        {"data", {{"object", std::move(object)}}}});
  }
  static json::object SubscriptionObject(const std::string& status, const std::string& price, int64_t period_end) {
    return json::object{{"id", "sub_A"},
                        {"object", "subscription"},
                        {"customer", "cus_A"},
                        {"status", status},
                        {"items",
                         {{"object", "list"},
                          {"data", json::array{{{"id", "si_A"},
                                                {"price", {{"id", price}, {"object", "price"}}},
                                                {"current_period_end", period_end}}}}}}};
  }

  FakeGraph graph_;
  FakeOpenAi model_;
  std::unique_ptr<ParleyProcess> parley_;
  CreatedTenant a_;
  CreatedTenant b_;
};

TEST_F(BillingTest, QuotaReachedMidBurstAnswersExactlyTheQuotaAndEscalatesTheRest) {
  Boot({{"PARLEY_LLM_BASE_URL", model_.base_url()}});
  AddChannelAndGuide(a_);
  auto put = parley_->Cli({"plan", "put", "--name", "tiny", "--ai-replies", "2", "--credits", "100"});
  ASSERT_EQ(put.exit_code, 0) << put.out;
  auto moved = parley_->Cli({"tenant", "plan", "--tenant", a_.id, "--plan", "tiny"});
  ASSERT_EQ(moved.exit_code, 0) << moved.out;
  EXPECT_EQ(json::parse(moved.out).at("previous_plan"), "free");
  model_.set_reply(FakeOpenAi::Answering("On Sunday we open from 10:00 to 14:00."));
  parley_->Start();

  // Five customers write at once: their bursts fall due together and are answered concurrently.
  constexpr int kCustomers = 5;
  std::vector<std::future<int>> posts;
  for (int i = 0; i < kCustomers; ++i) {
    posts.push_back(std::async(std::launch::async, [this, i] {
      return PostWhatsApp(payloads::WhatsAppText(kPhoneNumberId, "3361000000" + std::to_string(i),
                                                 "wamid.burst" + std::to_string(i), "When can I come on Sunday?"))
          .status;
    }));
  }
  for (auto& post : posts) ASSERT_EQ(post.get(), 200);
  ASSERT_TRUE(graph_.WaitForSends(kCustomers, 10s)) << parley_->logs();

  EXPECT_EQ(model_.requests().size(), 4u);  // A triage and an answer for each of the two; none past the quota.
  int answers = 0;
  int handoffs = 0;
  for (const auto& send : graph_.sends()) {
    std::string text(send.body.at("text").at("body").as_string());
    if (text == "On Sunday we open from 10:00 to 14:00.") ++answers;
    if (text == kQuotaHandoff) ++handoffs;
  }
  EXPECT_EQ(answers, 2);
  EXPECT_EQ(handoffs, 3);

  auto conversations = Api(a_, "GET", "/api/conversations").Json().at("data").as_array();
  ASSERT_EQ(conversations.size(), static_cast<size_t>(kCustomers));
  int quota_escalations = 0;
  for (const auto& c : conversations) {
    if (c.at("mode") == "human" && c.at("handoff_reason") == "quota") ++quota_escalations;
  }
  EXPECT_EQ(quota_escalations, 3);
  // Nobody is left unaware: each escalation waits for a person, and the operator's metrics count them.
  auto support = Api(a_, "GET", "/api/support?status=open").Json().at("data").as_array();
  EXPECT_EQ(std::count_if(support.begin(), support.end(),
                          [](const json::value& item) { return item.at("reason") == "quota"; }),
            3);
  auto metrics = Call("GET", parley_->url("/metrics"));
  EXPECT_NE(metrics.body.find("parley_quota_exhausted_total{quota=\"ai_replies_exhausted\"} 3"), std::string::npos)
      << metrics.body;

  auto usage = Api(a_, "GET", "/api/usage");
  ASSERT_EQ(usage.status, 200) << usage.body;
  auto u = usage.Json();
  EXPECT_EQ(u.at("plan"), "tiny");
  EXPECT_EQ(u.at("month").at("totals").at("ai_replies").to_number<int64_t>(), 2);
  EXPECT_EQ(u.at("month").at("totals").at("messages_in").to_number<int64_t>(), kCustomers);
  EXPECT_EQ(u.at("quotas").at("ai_replies").to_number<int64_t>(), 2);
  EXPECT_EQ(u.at("remaining").at("ai_replies").to_number<int64_t>(), 0);
  // Credits come from the token counts the model reported: at least the minimum per answer.
  EXPECT_GT(u.at("month").at("totals").at("prompt_tokens").to_number<int64_t>(), 0);
  EXPECT_GT(u.at("month").at("totals").at("completion_tokens").to_number<int64_t>(), 0);
  EXPECT_GE(u.at("month").at("totals").at("credits").to_number<int64_t>(), 2);
  ASSERT_EQ(u.at("days").as_array().size(), 1u);

  // The other tenant sees none of it.
  auto other = Api(b_, "GET", "/api/usage").Json();
  EXPECT_EQ(other.at("plan"), "free");
  EXPECT_EQ(other.at("month").at("totals").at("ai_replies").to_number<int64_t>(), 0);
  EXPECT_TRUE(other.at("days").as_array().empty());
}

TEST_F(BillingTest, WithoutStripeTenantsStartOnTheSelfHostedPlanWithoutLimits) {
  Boot({{"STRIPE_SECRET_KEY", ""}});  // The webhook secret alone does not make a SaaS.
  parley_->Start();
  auto plans = Api(a_, "GET", "/api/plans");
  ASSERT_EQ(plans.status, 200) << plans.body;
  EXPECT_EQ(plans.Json().at("current_plan"), "self-hosted");
  EXPECT_EQ(plans.Json().at("billing_enabled"), false);
  auto usage = Api(a_, "GET", "/api/usage").Json();
  EXPECT_EQ(usage.at("plan"), "self-hosted");
  EXPECT_TRUE(usage.at("quotas").at("ai_replies").is_null()) << json::serialize(usage);
  EXPECT_TRUE(usage.at("remaining").at("ai_replies").is_null()) << json::serialize(usage);
}

TEST_F(BillingTest, WithBillingOnTenantsStartFreeAndTheSelfHostedPlanIsNotForSale) {
  Boot();
  parley_->Start();
  auto plans = Api(a_, "GET", "/api/plans").Json();
  EXPECT_EQ(plans.at("current_plan"), "free");
  EXPECT_EQ(plans.at("billing_enabled"), true);
  for (const auto& plan : plans.at("data").as_array()) EXPECT_NE(plan.at("name"), "self-hosted");
}

TEST_F(BillingTest, AnImageOnAPlanWithoutImagesGetsTheNotice) {
  Boot({{"PARLEY_LLM_BASE_URL", model_.base_url()}, {"PARLEY_IMAGE_NOTICE", "Images are not supported here."}});
  AddChannelAndGuide(a_);  // On the free plan: no images.
  parley_->Start();
  json::object value{{"messaging_product", "whatsapp"},
                     {"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", kPhoneNumberId}}},
                     {"contacts", json::array{{{"profile", {{"name", "Sheena Nelson"}}}, {"wa_id", "33620000000"}}}},
                     {"messages", json::array{{{"from", "33620000000"},
                                               {"id", "wamid.image1"},
                                               {"timestamp", std::to_string(payloads::NowSeconds())},
                                               {"type", "image"},
                                               {"image",
                                                {{"caption", "Is this cake available?"},
                                                 {"mime_type", "image/jpeg"},
                                                 {"sha256", "c0ffee"},
                                                 {"id", "1234567890"}}}}}}};
  std::string body = json::serialize(json::object{
      {"object", "whatsapp_business_account"},
      {"entry", json::array{{{"id", "102290129340398"},
                             {"changes", json::array{{{"value", std::move(value)}, {"field", "messages"}}}}}}}});
  ASSERT_EQ(PostWhatsApp(body).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 10s)) << parley_->logs();
  EXPECT_EQ(graph_.sends()[0].body.at("text").at("body"), "Images are not supported here.");
  EXPECT_TRUE(model_.requests().empty());
  auto conversation = Api(a_, "GET", "/api/conversations").Json().at("data").as_array().at(0);
  EXPECT_EQ(conversation.at("mode"), "bot");
  auto usage = Api(a_, "GET", "/api/usage").Json();
  EXPECT_EQ(usage.at("month").at("totals").at("ai_replies").to_number<int64_t>(), 0);
  EXPECT_EQ(usage.at("month").at("totals").at("messages_out").to_number<int64_t>(), 1);
}

TEST_F(BillingTest, StripeEventsInAndOutOfOrderReplayedAndIsolated) {
  Boot();
  parley_->Start();
  const int64_t now = payloads::NowSeconds();

  // The subscription arrives before the checkout that links it to a tenant: acknowledged, kept.
  std::string created = Event("evt_sub_created", "customer.subscription.created", now - 50,
                              SubscriptionObject("active", "price_pro", now + 30 * 86400));
  auto r = PostStripe(created);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("outcome"), "unknown_customer");
  EXPECT_EQ(Api(a_, "GET", "/api/subscriptions").Json().at("plan"), "free");

  std::string checkout = Event("evt_checkout", "checkout.session.completed", now - 40,
                               json::object{{"id", "cs_test_1"},
                                            {"object", "checkout.session"},
                                            {"client_reference_id", a_.id},
                                            {"customer", "cus_A"},
                                            {"subscription", "sub_A"},
                                            {"mode", "subscription"},
                                            {"payment_status", "paid"}});
  ASSERT_EQ(PostStripe(checkout).status, 200);
  auto sub = Api(a_, "GET", "/api/subscriptions");
  ASSERT_EQ(sub.status, 200) << sub.body;
  auto s = sub.Json();
  EXPECT_EQ(s.at("plan"), "pro");
  EXPECT_EQ(s.at("status"), "active");
  EXPECT_EQ(s.at("stripe_customer_id"), "cus_A");
  EXPECT_EQ(s.at("stripe_subscription_id"), "sub_A");
  EXPECT_TRUE(s.at("current_period_end").is_string());

  // A replay changes nothing and still answers 200.
  r = PostStripe(checkout);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json().at("outcome"), "duplicate");

  // A badly signed event is refused with a reason and not stored: the same id is applied once signed well.
  std::string upgrade = Event("evt_upgrade", "customer.subscription.updated", now - 10,
                              SubscriptionObject("active", "price_biz", now + 30 * 86400));
  r = PostStripe(upgrade, "t=" + std::to_string(now) + ",v1=" + std::string(64, 'a'));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("no Stripe signature matches"), std::string::npos) << r.body;
  r = PostStripe(upgrade, "t=" + std::to_string(now - 1000) + ",v1=" +
                              crypto::HmacSha256Hex(kStripeSecret, std::to_string(now - 1000) + "." + upgrade));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("tolerance"), std::string::npos) << r.body;
  EXPECT_EQ(Api(a_, "GET", "/api/subscriptions").Json().at("plan"), "pro");
  r = PostStripe(upgrade);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json().at("outcome"), "applied");
  EXPECT_EQ(Api(a_, "GET", "/api/subscriptions").Json().at("plan"), "business");
  // The plan change shows in the quotas and the catalog.
  auto usage = Api(a_, "GET", "/api/usage").Json();
  EXPECT_EQ(usage.at("plan"), "business");
  EXPECT_EQ(usage.at("quotas").at("ai_replies").to_number<int64_t>(), 100000);
  auto plans = Api(a_, "GET", "/api/plans").Json();
  EXPECT_EQ(plans.at("current_plan"), "business");
  EXPECT_EQ(plans.at("data").as_array().size(), 4u);

  // Older than the upgrade, delivered late: stale, the plan stays.
  std::string late = Event("evt_late_downgrade", "customer.subscription.updated", now - 20,
                           SubscriptionObject("past_due", "price_pro", now + 30 * 86400));
  r = PostStripe(late);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json().at("outcome"), "stale");
  s = Api(a_, "GET", "/api/subscriptions").Json();
  EXPECT_EQ(s.at("plan"), "business");
  EXPECT_EQ(s.at("status"), "active");

  // A failed payment (2025 invoice shape) sets past_due and keeps the plan.
  std::string failed =
      Event("evt_invoice_failed", "invoice.payment_failed", now - 5,
            json::object{
                {"id", "in_1"},
                {"object", "invoice"},
                {"customer", "cus_A"},
                {"parent", {{"type", "subscription_details"}, {"subscription_details", {{"subscription", "sub_A"}}}}}});
  ASSERT_EQ(PostStripe(failed).status, 200);
  s = Api(a_, "GET", "/api/subscriptions").Json();
  EXPECT_EQ(s.at("status"), "past_due");
  EXPECT_EQ(s.at("plan"), "business");

  // An unknown customer is acknowledged and logged.
  std::string stranger = Event("evt_stranger", "customer.subscription.updated", now,
                               json::object{{"id", "sub_Z"}, {"customer", "cus_Z"}, {"status", "active"}});
  r = PostStripe(stranger);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json().at("outcome"), "unknown_customer");
  EXPECT_TRUE(Eventually([&] { return parley_->logs().find("stripe_unknown_customer") != std::string::npos; }, 2s));

  // Deleted: back to the default plan.
  std::string deleted = Event("evt_deleted", "customer.subscription.deleted", now,
                              SubscriptionObject("canceled", "price_biz", now + 30 * 86400));
  ASSERT_EQ(PostStripe(deleted).status, 200);
  s = Api(a_, "GET", "/api/subscriptions").Json();
  EXPECT_EQ(s.at("plan"), "free");
  EXPECT_EQ(s.at("status"), "canceled");

  // Each plan change Stripe made is in the tenant's audit log, by "stripe"; none in the other tenant's.
  auto audit = Api(a_, "GET", "/api/audit-logs?actor=stripe&action=plan.change");
  ASSERT_EQ(audit.status, 200) << audit.body;
  auto entries = audit.Json().at("data").as_array();
  ASSERT_EQ(entries.size(), 3u);  // free → pro, pro → business, business → free; newest first
  EXPECT_EQ(entries[0].at("details").at("from"), "business");
  EXPECT_EQ(entries[0].at("details").at("to"), "free");
  EXPECT_EQ(entries[2].at("details").at("to"), "pro");
  EXPECT_TRUE(Api(b_, "GET", "/api/audit-logs?actor=stripe").Json().at("data").as_array().empty());

  // The other tenant never sees any of it.
  auto other = Api(b_, "GET", "/api/subscriptions").Json();
  EXPECT_EQ(other.at("plan"), "free");
  EXPECT_EQ(other.at("status"), "none");
  EXPECT_TRUE(other.at("stripe_customer_id").is_null());
  EXPECT_TRUE(other.at("stripe_subscription_id").is_null());
}

TEST_F(BillingTest, BillingRoutesAreForOwnersAndAdmins) {
  Boot();
  const std::string password = "agent-password-1";
  auto agent = parley_->Cli(
      {"user", "create", "--tenant", a_.id, "--email", "bo@crumb.test", "--role", "agent", "--password", password});
  ASSERT_EQ(agent.exit_code, 0) << agent.out;
  parley_->Start();
  auto login = Call("POST", parley_->url("/api/auth/login"),
                    json::serialize(json::object{{"email", "bo@crumb.test"}, {"password", password}}),
                    {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 200) << login.body;
  const CreatedTenant agent_session{a_.id, std::string(login.Json().at("token").as_string())};
  for (const char* path : {"/api/usage", "/api/subscriptions", "/api/plans"}) {
    EXPECT_EQ(Api(agent_session, "GET", path).status, 403) << path;
    EXPECT_EQ(Api(a_, "GET", path).status, 200) << path;
  }
  EXPECT_EQ(Call("GET", parley_->url("/api/usage")).status, 401);
  EXPECT_EQ(Call("GET", parley_->url("/api/subscriptions")).status, 401);
  EXPECT_EQ(Call("GET", parley_->url("/api/plans")).status, 401);
  EXPECT_EQ(Api(a_, "GET", "/api/usage?from=2026-02-30").status, 400);
  EXPECT_EQ(Api(a_, "GET", "/api/usage?from=2026-03-02&to=2026-03-01").status, 400);
  EXPECT_EQ(Api(a_, "GET", "/api/usage?from=2020-01-01&to=2026-01-01").status, 400);
  EXPECT_EQ(Api(a_, "GET", "/api/usage?from=2026-01-01&to=2026-01-31").status, 200);
}

}  // namespace
}  // namespace parley::testing
