// Pending OAuth flows on every backend: a flow begun is taken once, by one taker among concurrent ones and whichever
// process began it; an expired flow is not taken; expired flows are pruned (by a begin, and by the periodic sweep) and
// each tenant keeps a bounded number.

#include "store_test.h"

#include "store/oauth_flow_store.h"

#include <atomic>
#include <thread>

namespace parley::store::testing {
namespace {

constexpr int64_t kLifetime = 15 * 60 * 1000;

class OAuthFlowStoreTest : public StoreTest {
 protected:
  OAuthFlowStoreTest() { globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id; }

  // A flow of `tenant_id` begun at `now` by user 7.
  static OAuthFlow Flow(const std::string& id, int64_t tenant_id, int64_t now = kT0) {
    return {id, tenant_id, Platform("instagram"), 7, std::nullopt, now, now + kLifetime};
  }

  int64_t Pending(int64_t tenant_id) {
    return Count("SELECT COUNT(*) FROM oauth_flows WHERE tenant_id = " + std::to_string(tenant_id));
  }

  OAuthFlowStore& flows() { return store_->oauth_flows(); }
  int64_t globex_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, OAuthFlowStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(OAuthFlowStoreTest, AFlowIsTakenOnceAsItWasBegun) {
  OAuthFlow begun = Flow("flow-1", tenant_.id);
  begun.user_id.reset();
  begun.api_key_id = 12;
  ASSERT_TRUE(flows().BeginFlow(begun, kT0));

  auto taken = flows().TakeFlow("flow-1", kT0 + 60'000);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->id, "flow-1");
  EXPECT_EQ(taken->tenant_id, tenant_.id);
  EXPECT_EQ(taken->platform, Platform("instagram"));
  EXPECT_FALSE(taken->user_id);
  EXPECT_EQ(taken->api_key_id, 12);
  EXPECT_EQ(taken->created_at_ms, kT0);
  EXPECT_EQ(taken->expires_at_ms, kT0 + kLifetime);

  auto again = flows().TakeFlow("flow-1", kT0 + 61'000);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(flows().TakeFlow("never-begun", kT0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(flows().TakeFlow("", kT0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Pending(tenant_.id), 0);
}

TEST_P(OAuthFlowStoreTest, AnExpiredFlowIsNotTakenAndIsGone) {
  ASSERT_TRUE(flows().BeginFlow(Flow("late", tenant_.id), kT0));
  auto late = flows().TakeFlow("late", kT0 + kLifetime);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(flows().TakeFlow("late", kT0).error().code, ErrorCode::kNotFound);  // Deleted, though expired.

  ASSERT_TRUE(flows().BeginFlow(Flow("just-in-time", tenant_.id), kT0));
  EXPECT_TRUE(flows().TakeFlow("just-in-time", kT0 + kLifetime - 1));
}

TEST_P(OAuthFlowStoreTest, BeginningAFlowPrunesTheExpiredOnesOfEveryTenant) {
  ASSERT_TRUE(flows().BeginFlow(Flow("globex-old", globex_), kT0));
  ASSERT_TRUE(flows().BeginFlow(Flow("acme-old", tenant_.id), kT0));
  ASSERT_TRUE(flows().BeginFlow(Flow("globex-live", globex_, kT0 + 60'000), kT0 + 60'000));
  EXPECT_EQ(Pending(globex_), 2);

  const int64_t later = kT0 + kLifetime;  // The first two have expired; globex-live has not.
  ASSERT_TRUE(flows().BeginFlow(Flow("acme-new", tenant_.id, later), later));
  EXPECT_EQ(Pending(tenant_.id), 1);
  EXPECT_EQ(Pending(globex_), 1);
  EXPECT_TRUE(flows().TakeFlow("globex-live", later));
  EXPECT_TRUE(flows().TakeFlow("acme-new", later));
}

// The periodic sweep (app/retention.h): expired flows go without anyone beginning another.
TEST_P(OAuthFlowStoreTest, PruningDeletesTheExpiredFlowsOfEveryTenantAndNothingElse) {
  ASSERT_TRUE(flows().BeginFlow(Flow("globex-old", globex_), kT0));
  ASSERT_TRUE(flows().BeginFlow(Flow("acme-old", tenant_.id), kT0));
  ASSERT_TRUE(flows().BeginFlow(Flow("acme-live", tenant_.id, kT0 + 1), kT0 + 1));

  auto nothing_yet = flows().PruneExpiredFlows(kT0 + kLifetime - 1);
  ASSERT_TRUE(nothing_yet) << nothing_yet.error().message;
  EXPECT_EQ(*nothing_yet, 0);

  auto pruned = flows().PruneExpiredFlows(kT0 + kLifetime);  // The first two expire at this instant.
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 2);
  EXPECT_EQ(Pending(globex_), 0);
  EXPECT_EQ(Pending(tenant_.id), 1);
  EXPECT_TRUE(flows().TakeFlow("acme-live", kT0 + kLifetime));
}

TEST_P(OAuthFlowStoreTest, ATenantKeepsAtMostTheBoundDroppingTheFlowsThatExpireFirst) {
  ASSERT_TRUE(flows().BeginFlow(Flow("globex-1", globex_), kT0));
  for (int i = 0; i <= kMaxPendingOAuthFlowsPerTenant; ++i) {
    ASSERT_TRUE(flows().BeginFlow(Flow(Id("acme-", i), tenant_.id, kT0 + i), kT0 + i)) << i;
  }
  EXPECT_EQ(Pending(tenant_.id), kMaxPendingOAuthFlowsPerTenant);
  EXPECT_EQ(Pending(globex_), 1);  // Another tenant's flows do not count, and are left alone.

  const int64_t now = kT0 + kMaxPendingOAuthFlowsPerTenant;
  EXPECT_EQ(flows().TakeFlow("acme-0", now).error().code, ErrorCode::kNotFound);  // It expired first: dropped.
  EXPECT_TRUE(flows().TakeFlow("acme-1", now));
  EXPECT_TRUE(flows().TakeFlow(Id("acme-", kMaxPendingOAuthFlowsPerTenant), now));
  EXPECT_TRUE(flows().TakeFlow("globex-1", now));
}

TEST_P(OAuthFlowStoreTest, RefusesAnUnknownTenantAndATakenId) {
  auto unknown = flows().BeginFlow(Flow("nobody", 999), kT0);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(flows().BeginFlow(Flow("same", tenant_.id), kT0));
  auto twice = flows().BeginFlow(Flow("same", globex_), kT0 + 1);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_EQ(flows().TakeFlow("same", kT0 + 2)->tenant_id, tenant_.id);  // The first is unchanged.
}

// Two gateways behind a load balancer: the flow is begun through one process and its callback reaches another; of
// callbacks racing with the same state (a browser's retry, a replayed link), across processes, exactly one gets it.
TEST_P(OAuthFlowStoreTest, OneTakerAmongConcurrentOnesWhicheverProcessBeganTheFlow) {
  auto other = backend_->OpenAnother();
  constexpr int kFlows = 10;
  for (int i = 0; i < kFlows; ++i) ASSERT_TRUE(flows().BeginFlow(Flow(Id("f", i), tenant_.id), kT0));

  std::atomic<int> taken{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> takers;
  for (Store* store : {store_, store_, other.get(), other.get()}) {
    takers.emplace_back([&, store] {
      for (int i = 0; i < kFlows; ++i) {
        auto flow = store->oauth_flows().TakeFlow(Id("f", i), kT0 + 1);
        if (flow) {
          ++taken;
        } else if (flow.error().code != ErrorCode::kNotFound) {
          ++failed;
        }
      }
    });
  }
  for (auto& taker : takers) taker.join();
  EXPECT_EQ(taken, kFlows);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(Pending(tenant_.id), 0);
  other->Close();
}

}  // namespace
}  // namespace parley::store::testing
