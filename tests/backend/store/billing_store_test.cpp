// The billing store on every backend: the plan catalog seeded by the migration, plans by hand, check-and-reserve
// under concurrency, usage recorded with a committed reply (and only then), and Stripe changes applied once, in
// `created` order, parked for unknown customers, and scoped to their tenant.

#include "store_test.h"

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>
#include "core/crypto.h"
#include "store/billing_store.h"

namespace parley::store::testing {
namespace {

class BillingStoreTest : public StoreTest {
 protected:
  BillingStoreTest() { globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id; }

  BillingStore& billing() { return store_->billing(); }

  // Reserves one reply against a quota of `replies` for the month of kT0.
  std::optional<std::string> ReserveWithin(int64_t tenant, int64_t replies, int64_t now = kT0) {
    ReserveRequest request;
    request.tenant_id = tenant;
    request.from_day = "2027-01-01";
    request.to_day = "2027-01-31";
    request.credits = 1;
    request.now_ms = now;
    request.expires_at_ms = now + 60'000;
    request.admit = [replies](const QuotaSnapshot& s) { return s.ai_replies + s.reserved_replies < replies; };
    return billing().Reserve(request).value();
  }

  StripeChange Subscription(std::string event_id, int64_t created, std::string status, std::string plan) {
    StripeChange change;
    change.event_id = std::move(event_id);
    change.event_type = "customer.subscription.updated";
    change.created = created;
    change.customer_id = "cus_A";
    change.subscription_id = "sub_A";
    change.status = std::move(status);
    change.plan = std::move(plan);
    change.price_id = "price_x";
    change.current_period_end = created + 30 * 86400;
    return change;
  }

  StripeChange Checkout(std::string event_id, int64_t created, int64_t tenant) {
    StripeChange change;
    change.event_id = std::move(event_id);
    change.event_type = "checkout.session.completed";
    change.created = created;
    change.tenant_id = tenant;
    change.customer_id = "cus_A";
    change.subscription_id = "sub_A";
    return change;
  }

  const int64_t acme_ = tenant_.id;
  int64_t globex_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, BillingStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(BillingStoreTest, TheMigrationSeedsTheCatalogInOrder) {
  auto plans = billing().ListPlans().value();
  ASSERT_EQ(plans.size(), 5u);
  EXPECT_EQ(plans[0].name, "free");
  EXPECT_EQ(plans[3].name, "business");
  EXPECT_EQ(plans[4].name, "self-hosted");
  EXPECT_TRUE(plans[4].images && plans[4].audio);
  EXPECT_FALSE(plans[4].monthly_ai_replies || plans[4].monthly_credits || plans[4].max_channels);
  EXPECT_FALSE(plans[0].images);
  EXPECT_TRUE(plans[2].audio);
  EXPECT_EQ(plans[0].monthly_ai_replies, 100);
  EXPECT_EQ(billing().GetPlan("nope").error().code, ErrorCode::kNotFound);
}

TEST_P(BillingStoreTest, PutPlanAddsOrReplacesWithUnlimitedLimits) {
  Plan plan;
  plan.name = "tiny";
  plan.monthly_ai_replies = 2;
  plan.position = 9;
  auto stored = billing().PutPlan(plan).value();
  EXPECT_EQ(stored.display_name, "tiny");
  EXPECT_EQ(stored.monthly_ai_replies, 2);
  EXPECT_FALSE(stored.monthly_credits.has_value());
  plan.monthly_ai_replies = 3;
  EXPECT_EQ(billing().PutPlan(plan).value().monthly_ai_replies, 3);
  EXPECT_EQ(billing().ListPlans().value().size(), 6u);
}

TEST_P(BillingStoreTest, TenantsStartOnTheDefaultAndChangePlanByHand) {
  EXPECT_FALSE(billing().GetTenantBilling(acme_).value().plan.has_value());
  EXPECT_EQ(billing().SetTenantPlan(acme_, "pro").value(), std::nullopt);
  EXPECT_EQ(billing().GetTenantBilling(acme_).value().plan, "pro");
  EXPECT_EQ(billing().SetTenantPlan(acme_, "starter").value(), "pro");
  EXPECT_EQ(billing().SetTenantPlan(acme_, "platinum").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(billing().SetTenantPlan(999, "pro").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(billing().GetTenantBilling(999).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(billing().GetTenantBilling(globex_).value().plan.has_value());
}

TEST_P(BillingStoreTest, ConcurrentReservationsNeverExceedTheQuota) {
  constexpr int kThreads = 16;
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      if (ReserveWithin(acme_, 5)) ++admitted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 5);
  // Another tenant's quota is its own.
  EXPECT_TRUE(ReserveWithin(globex_, 5).has_value());
}

TEST_P(BillingStoreTest, ReleasedAndExpiredReservationsGiveTheQuotaBack) {
  auto first = ReserveWithin(acme_, 1);
  ASSERT_TRUE(first);
  EXPECT_FALSE(ReserveWithin(acme_, 1));
  ASSERT_TRUE(billing().ReleaseReservation(*first));
  auto second = ReserveWithin(acme_, 1);
  ASSERT_TRUE(second);
  // Never released (a crash): it stops counting once it expires.
  EXPECT_FALSE(ReserveWithin(acme_, 1, kT0 + 59'000));
  EXPECT_TRUE(ReserveWithin(acme_, 1, kT0 + 60'000));
}

TEST_P(BillingStoreTest, RecordedUsageCountsAgainstTheQuotaAndSumsPerDay) {
  auto reservation = ReserveWithin(acme_, 2);
  ASSERT_TRUE(reservation);
  Usage usage{"2027-01-15", 1, 3, 1200, 300, 2, 1};
  ASSERT_TRUE(billing().RecordUsage(acme_, usage, *reservation));
  ASSERT_TRUE(billing().RecordUsage(acme_, Usage{"2027-01-15", 0, 0, 0, 0, 1, 1}, ""));
  ASSERT_TRUE(billing().RecordUsage(acme_, Usage{"2027-01-16", 1, 1, 0, 0, 1, 1}, ""));
  EXPECT_FALSE(ReserveWithin(acme_, 2));  // Two replies recorded this month.
  auto days = billing().ListUsage(acme_, "2027-01-01", "2027-01-31").value();
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].day, "2027-01-15");
  EXPECT_EQ(days[0].ai_replies, 1);
  EXPECT_EQ(days[0].credits, 3);
  EXPECT_EQ(days[0].prompt_tokens, 1200);
  EXPECT_EQ(days[0].messages_in, 3);
  EXPECT_EQ(days[0].messages_out, 2);
  EXPECT_EQ(billing().ListUsage(acme_, "2027-01-16", "2027-01-16").value().size(), 1u);
  EXPECT_TRUE(billing().ListUsage(globex_, "2027-01-01", "2027-01-31").value().empty());
}

TEST_P(BillingStoreTest, CommitReplyRecordsUsageOnlyWhenTheReplyCommits) {
  ASSERT_TRUE(store_->AddChannel({acme_, Platform("whatsapp"), "pn-1", "token"}));
  auto ingest = [&](const std::string& mid) {
    IngestRequest request;
    request.platform = Platform("whatsapp");
    request.received_at_ms = kT0;
    InboundItem item;
    item.message.platform = Platform("whatsapp");
    item.message.account_id = "pn-1";
    item.message.platform_message_id = mid;
    item.message.contact_id = "15550001111";
    item.message.timestamp_ms = kT0;
    item.message.text = "hello";
    request.messages.push_back(item);
    std::promise<Result<IngestOutcome>> done;
    auto future = done.get_future();
    store_->Ingest(std::move(request), [&](Result<IngestOutcome> r) { done.set_value(std::move(r)); });
    return future.get().value().pending.at(0).conversation_id;
  };
  int64_t conversation = ingest("wamid.1");
  Claim claim = *store_->ClaimConversation(conversation, kT0, 30'000).value().claim;
  ingest("wamid.2");  // Supersedes the claim.
  Reply reply;
  reply.messages.push_back({MessageType::kText, "Hi!", ""});
  reply.decision = Decision::kAutoReply;
  reply.usage = Usage{"2027-01-15", 1, 2, 100, 20, 1, 1};
  reply.reservation_id = *ReserveWithin(acme_, 1);
  EXPECT_EQ(store_->CommitReply(claim, reply, kT0, nullptr).value(), CommitResult::kSuperseded);
  EXPECT_TRUE(billing().ListUsage(acme_, "2027-01-01", "2027-01-31").value().empty());

  claim = *store_->ClaimConversation(conversation, kT0 + 1, 30'000).value().claim;
  reply.reservation_id = *ReserveWithin(acme_, 1);  // The superseded one was given back.
  EXPECT_EQ(store_->CommitReply(claim, reply, kT0 + 1, nullptr).value(), CommitResult::kCommitted);
  auto days = billing().ListUsage(acme_, "2027-01-01", "2027-01-31").value();
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].ai_replies, 1);
  EXPECT_EQ(days[0].credits, 2);
  EXPECT_FALSE(ReserveWithin(acme_, 1));  // Counted as used, and the reservation is gone.
  EXPECT_TRUE(ReserveWithin(acme_, 2));
}

TEST_P(BillingStoreTest, StripeEventsApplyOnceAndInCreatedOrder) {
  auto linked = billing().ApplyStripeChange(Checkout("evt_1", 100, acme_), kT0).value();
  EXPECT_EQ(linked.outcome, StripeOutcome::kApplied);
  EXPECT_EQ(linked.tenant_id, acme_);

  auto pro = billing().ApplyStripeChange(Subscription("evt_3", 300, "active", "pro"), kT0).value();
  EXPECT_EQ(pro.outcome, StripeOutcome::kApplied);
  EXPECT_EQ(pro.plan_before, std::nullopt);
  EXPECT_EQ(pro.plan_after, "pro");

  // Older, delivered late: it changes nothing.
  auto late = billing().ApplyStripeChange(Subscription("evt_2", 200, "past_due", "starter"), kT0).value();
  EXPECT_EQ(late.outcome, StripeOutcome::kStale);
  TenantBilling row = billing().GetTenantBilling(acme_).value();
  EXPECT_EQ(row.plan, "pro");
  EXPECT_EQ(row.subscription_status, "active");
  EXPECT_EQ(row.stripe_customer_id, "cus_A");
  EXPECT_EQ(row.stripe_subscription_id, "sub_A");
  EXPECT_EQ(row.current_period_end, 300 + 30 * 86400);

  // A replay of a handled event is a no-op, even one that would now apply.
  EXPECT_EQ(billing().ApplyStripeChange(Subscription("evt_3", 300, "canceled", ""), kT0).value().outcome,
            StripeOutcome::kDuplicate);
  EXPECT_EQ(billing().GetTenantBilling(acme_).value().plan, "pro");

  // An invoice event changes the status only; a plan change older than it still applies.
  StripeChange failed;
  failed.event_id = "evt_5";
  failed.event_type = "invoice.payment_failed";
  failed.created = 500;
  failed.customer_id = "cus_A";
  failed.subscription_id = "sub_A";
  failed.status = "past_due";
  EXPECT_EQ(billing().ApplyStripeChange(failed, kT0).value().outcome, StripeOutcome::kApplied);
  auto business = billing().ApplyStripeChange(Subscription("evt_4", 400, "active", "business"), kT0).value();
  EXPECT_EQ(business.outcome, StripeOutcome::kApplied);
  row = billing().GetTenantBilling(acme_).value();
  EXPECT_EQ(row.plan, "business");
  EXPECT_EQ(row.subscription_status, "past_due");

  // Deleted: back to the default plan.
  StripeChange deleted = Subscription("evt_6", 600, "canceled", "");
  deleted.event_type = "customer.subscription.deleted";
  auto canceled = billing().ApplyStripeChange(deleted, kT0).value();
  EXPECT_EQ(canceled.plan_before, "business");
  EXPECT_EQ(canceled.plan_after, std::nullopt);
  EXPECT_EQ(billing().GetTenantBilling(globex_).value().stripe_customer_id, "");
}

TEST_P(BillingStoreTest, EventsForAnUnknownCustomerWaitForTheLink) {
  // Stripe often delivers the subscription before the checkout session that names the tenant.
  auto parked = billing().ApplyStripeChange(Subscription("evt_sub", 100, "active", "pro"), kT0).value();
  EXPECT_EQ(parked.outcome, StripeOutcome::kUnknownCustomer);
  EXPECT_FALSE(parked.tenant_id.has_value());
  EXPECT_FALSE(billing().GetTenantBilling(acme_).value().plan.has_value());

  auto linked = billing().ApplyStripeChange(Checkout("evt_checkout", 101, acme_), kT0).value();
  EXPECT_EQ(linked.outcome, StripeOutcome::kApplied);
  EXPECT_EQ(linked.parked_applied, 1);
  EXPECT_EQ(linked.plan_after, "pro");
  EXPECT_EQ(billing().GetTenantBilling(acme_).value().subscription_status, "active");
  // The parked event is handled now: a redelivery is a duplicate.
  EXPECT_EQ(billing().ApplyStripeChange(Subscription("evt_sub", 100, "active", "pro"), kT0).value().outcome,
            StripeOutcome::kDuplicate);
}

TEST_P(BillingStoreTest, AChangeNamingAnUnknownTenantIsAnUnknownCustomer) {
  auto result = billing().ApplyStripeChange(Checkout("evt_x", 100, 424242), kT0).value();
  EXPECT_EQ(result.outcome, StripeOutcome::kUnknownCustomer);
}

TEST_P(BillingStoreTest, ACustomerStaysWithTheTenantItWasLinkedToFirst) {
  ASSERT_TRUE(billing().ApplyStripeChange(Checkout("evt_1", 100, acme_), kT0));
  ASSERT_TRUE(billing().ApplyStripeChange(Checkout("evt_2", 101, globex_), kT0));
  EXPECT_EQ(billing().GetTenantBilling(acme_).value().stripe_customer_id, "cus_A");
  EXPECT_EQ(billing().GetTenantBilling(globex_).value().stripe_customer_id, "");
}

}  // namespace
}  // namespace parley::store::testing
