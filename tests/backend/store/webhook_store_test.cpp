// Outbound webhook endpoints, deliveries and cursors on every backend, dispatchers in several processes included.

#include "store_test.h"

#include "store/events.h"
#include "store/webhook_store.h"

#include <atomic>
#include <set>
#include <thread>

namespace parley::store::testing {
namespace {

class WebhookStoreTest : public StoreTest {
 protected:
  WebhookStore& webhooks() { return store_->webhooks(); }

  WebhookEndpoint Endpoint(const std::string& url, bool enabled = true) {
    return webhooks()
        .CreateEndpoint(tenant_.id, {url, "", {"message.created", "support.opened"}, enabled, "sealed"}, kT0)
        .value();
  }

  NewWebhookDelivery Delivery(int64_t endpoint_id, int64_t event_id) {
    return {endpoint_id, event_id, "message.created", std::nullopt, "{\"id\":" + std::to_string(event_id) + "}"};
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, WebhookStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(WebhookStoreTest, EndpointsAreTheTenantsAndTheFirstStartsTheCursorAtTheLogsEnd) {
  ASSERT_TRUE(Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})));  // Two events before any endpoint.
  WebhookEndpoint endpoint = Endpoint("https://example.test/hook");
  EXPECT_EQ(endpoint.event_types, (std::vector<std::string>{"message.created", "support.opened"}));
  EXPECT_TRUE(endpoint.enabled);
  auto cursors = webhooks().Cursors().value();
  ASSERT_EQ(cursors.size(), 1u);
  EXPECT_EQ(cursors[0].tenant_id, tenant_.id);
  EXPECT_EQ(cursors[0].last_event_id, 2);

  WebhookEndpointUpdate update;
  update.enabled = false;
  update.event_types = std::vector<std::string>{"support.opened"};
  WebhookEndpoint updated = webhooks().UpdateEndpoint(tenant_.id, endpoint.id, update, kT0 + 1).value();
  EXPECT_FALSE(updated.enabled);
  EXPECT_EQ(updated.event_types, (std::vector<std::string>{"support.opened"}));
  EXPECT_EQ(updated.url, "https://example.test/hook");
  EXPECT_EQ(updated.updated_at_ms, kT0 + 1);

  const int64_t globex = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id;
  EXPECT_EQ(webhooks().GetEndpoint(globex, endpoint.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(webhooks().UpdateEndpoint(globex, endpoint.id, update, kT0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(webhooks().DeleteEndpoint(globex, endpoint.id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(webhooks().ListEndpoints(globex).value().empty());

  for (int i = 1; i < kMaxWebhookEndpoints; ++i) Endpoint("https://example.test/" + std::to_string(i));
  EXPECT_EQ(webhooks().CreateEndpoint(tenant_.id, {"https://example.test/x", "", {}, true, "s"}, kT0).error().code,
            ErrorCode::kConflict);
  // The last endpoint takes the cursor along.
  for (const auto& e : webhooks().ListEndpoints(tenant_.id).value()) {
    ASSERT_TRUE(webhooks().DeleteEndpoint(tenant_.id, e.id));
  }
  EXPECT_TRUE(webhooks().Cursors().value().empty());
}

TEST_P(WebhookStoreTest, EnqueuingMovesTheCursorOnlyFromWhereItWas) {
  WebhookEndpoint endpoint = Endpoint("https://example.test/hook");
  ASSERT_TRUE(
      webhooks().Enqueue(tenant_.id, 0, 3, {Delivery(endpoint.id, 2), Delivery(endpoint.id, 3)}, kT0, kT0 + 60'000));
  // Another process delivered events 1..3 first: this one stores nothing.
  EXPECT_EQ(webhooks().Enqueue(tenant_.id, 0, 3, {Delivery(endpoint.id, 2)}, kT0, kT0 + 60'000).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(webhooks().Cursors().value().at(0).last_event_id, 3);
  auto page = webhooks().ListDeliveries(tenant_.id, endpoint.id, std::nullopt, 1).value();
  ASSERT_EQ(page.data.size(), 1u);
  EXPECT_EQ(page.data[0].event_id, 3);  // Newest first.
  EXPECT_EQ(page.data[0].status, DeliveryStatus::kPending);
  ASSERT_TRUE(page.next_cursor);
  auto rest = webhooks().ListDeliveries(tenant_.id, endpoint.id, page.next_cursor, 10).value();
  ASSERT_EQ(rest.data.size(), 1u);
  EXPECT_EQ(rest.data[0].event_id, 2);
  EXPECT_FALSE(rest.next_cursor);

  WebhookDelivery ping = webhooks().EnqueueOne(tenant_.id, Delivery(endpoint.id, 0), kT0 + 5, kT0 + 60'000).value();
  EXPECT_EQ(ping.event_id, 0);
  EXPECT_EQ(ping.payload, "{\"id\":0}");
  EXPECT_EQ(webhooks().GetDelivery(tenant_.id, ping.id).value().created_at_ms, kT0 + 5);
  EXPECT_EQ(webhooks().EnqueueOne(tenant_.id + 99, Delivery(endpoint.id, 0), kT0, kT0).error().code,
            ErrorCode::kNotFound);
}

TEST_P(WebhookStoreTest, DueDeliveriesAreLeasedPerEndpointRetriedAndEnded) {
  WebhookEndpoint first = Endpoint("https://one.test/hook");
  WebhookEndpoint second = Endpoint("https://two.test/hook");
  WebhookEndpoint off = Endpoint("https://off.test/hook", /*enabled=*/false);
  ASSERT_TRUE(webhooks().Enqueue(
      tenant_.id, 0, 4, {Delivery(first.id, 1), Delivery(first.id, 2), Delivery(second.id, 3), Delivery(off.id, 4)},
      kT0, kT0 + 60'000));
  EXPECT_EQ(webhooks().NextDueAt().value(), kT0);
  // One per endpoint at a time; a disabled endpoint's delivery waits.
  auto leased = webhooks().LeaseDue(kT0 + 1, kT0 + 30'000, 10, 1, {}).value();
  ASSERT_EQ(leased.size(), 2u);
  EXPECT_EQ(leased[0].delivery.event_id, 1);
  EXPECT_EQ(leased[0].url, "https://one.test/hook");
  EXPECT_EQ(leased[0].secret_sealed, "sealed");
  EXPECT_EQ(leased[1].delivery.event_id, 3);
  EXPECT_TRUE(webhooks().LeaseDue(kT0 + 2, kT0 + 30'000, 10, 1, {{first.id, 1}, {second.id, 1}}).value().empty());

  ASSERT_TRUE(webhooks().RecordAttempt(leased[0], {500, "HTTP 500", kT0 + 10'000}, kT0 + 3));
  ASSERT_TRUE(webhooks().RecordAttempt(leased[1], {200, "", std::nullopt}, kT0 + 3));
  // A stale lease records nothing.
  ASSERT_TRUE(webhooks().RecordAttempt(leased[1], {500, "late", std::nullopt}, kT0 + 4));
  WebhookDelivery done = webhooks().GetDelivery(tenant_.id, leased[1].delivery.id).value();
  EXPECT_EQ(done.status, DeliveryStatus::kSucceeded);
  EXPECT_EQ(done.attempts, 1);
  EXPECT_EQ(done.response_status, 200);
  WebhookDelivery retried = webhooks().GetDelivery(tenant_.id, leased[0].delivery.id).value();
  EXPECT_EQ(retried.status, DeliveryStatus::kPending);
  EXPECT_EQ(retried.next_attempt_at_ms, kT0 + 10'000);
  EXPECT_EQ(retried.last_error, "HTTP 500");

  // Event 2 is due now; event 1 again at kT0 + 10 s.
  auto next = webhooks().LeaseDue(kT0 + 5, kT0 + 30'000, 10, 5, {}).value();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].delivery.event_id, 2);
  ASSERT_TRUE(webhooks().RecordAttempt(next[0], {410, "gone", std::nullopt}, kT0 + 6));
  EXPECT_EQ(webhooks().GetDelivery(tenant_.id, next[0].delivery.id).value().status, DeliveryStatus::kFailed);
  EXPECT_EQ(webhooks().NextDueAt().value(), kT0 + 10'000);

  EXPECT_EQ(webhooks().PruneDeliveries(kT0 + 7).value(), 2);  // The succeeded and the failed one.
  EXPECT_EQ(webhooks().PruneDeliveries(kT0 + 7).value(), 0);
}

TEST_P(WebhookStoreTest, DispatchersInSeveralProcessesLeaseEachDeliveryOnce) {
  std::vector<WebhookEndpoint> endpoints;
  for (int i = 0; i < 4; ++i) endpoints.push_back(Endpoint("https://example.test/" + std::to_string(i)));
  std::vector<NewWebhookDelivery> deliveries;
  for (int i = 1; i <= 40; ++i) deliveries.push_back(Delivery(endpoints[i % 4].id, i));
  ASSERT_TRUE(webhooks().Enqueue(tenant_.id, 0, 40, deliveries, kT0, kT0 + 60'000));
  std::vector<std::unique_ptr<Store>> dispatchers;
  for (int i = 0; i < 4; ++i) dispatchers.push_back(backend_->OpenAnother());
  std::mutex mutex;
  std::vector<int64_t> leased;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (auto& dispatcher : dispatchers) {
    threads.emplace_back([&, store = dispatcher.get()] {
      for (int round = 0; round < 10; ++round) {
        auto jobs = store->webhooks().LeaseDue(kT0 + 1, kT0 + 60'000, 3, 100, {});
        if (!jobs) {
          ++errors;
          continue;
        }
        std::lock_guard lock(mutex);
        for (const auto& job : *jobs) leased.push_back(job.delivery.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& dispatcher : dispatchers) dispatcher->Close();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(std::set<int64_t>(leased.begin(), leased.end()).size(), leased.size());
  EXPECT_EQ(leased.size(), 40u);
}

}  // namespace
}  // namespace parley::store::testing
