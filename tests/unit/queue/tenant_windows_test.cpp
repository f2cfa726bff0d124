// Each tenant's debounce window: cached for the ingest path, fetched once per tenant at a time, refreshed after
// the interval, and the batcher's deadlines follow a window that arrives after the conversation was armed.

#include "queue/tenant_windows.h"
#include "queue/batcher.h"

#include "core/clock.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace parley::queue {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;

// Fetches that the test answers by hand.
struct ManualFetches {
  TenantWindows::Fetch fetch() {
    return [this](int64_t tenant_id, std::function<void(std::optional<int64_t>)> done) {
      asked.push_back(tenant_id);
      pending[tenant_id] = std::move(done);
    };
  }
  void Answer(int64_t tenant_id, std::optional<int64_t> window_ms) {
    auto done = std::move(pending.at(tenant_id));
    pending.erase(tenant_id);
    done(window_ms);
  }
  std::vector<int64_t> asked;
  std::map<int64_t, std::function<void(std::optional<int64_t>)>> pending;
};

TEST(TenantWindowsTest, CachedAfterOneFetchAndRefreshedLater) {
  ManualClock clock(kT0);
  ManualFetches fetches;
  TenantWindows windows(2000, fetches.fetch(), clock, 30000);
  std::vector<std::pair<int64_t, int64_t>> told;
  windows.OnFetched([&](int64_t tenant, int64_t window) { told.emplace_back(tenant, window); });

  auto first = windows.Get(7);
  EXPECT_EQ(first.window_ms, 2000);  // Not known yet: the server's.
  EXPECT_TRUE(first.fetching);
  EXPECT_TRUE(windows.Get(7).fetching);
  EXPECT_EQ(fetches.asked, std::vector<int64_t>{7});  // One fetch at a time.
  fetches.Answer(7, 500);
  EXPECT_EQ(told, (std::vector<std::pair<int64_t, int64_t>>{{7, 500}}));
  auto cached = windows.Get(7);
  EXPECT_EQ(cached.window_ms, 500);
  EXPECT_FALSE(cached.fetching);
  clock.Advance(29999);
  EXPECT_FALSE(windows.Get(7).fetching);
  clock.Advance(1);
  auto refreshing = windows.Get(7);
  EXPECT_EQ(refreshing.window_ms, 500);  // The known value while the new one is read.
  EXPECT_TRUE(refreshing.fetching);
  // A failed read keeps the known value.
  fetches.Answer(7, std::nullopt);
  EXPECT_EQ(windows.Get(7).window_ms, 500);
  EXPECT_EQ(fetches.asked.size(), 2u);
}

class BatcherWindowsTest : public ::testing::Test {
 protected:
  void Advance(int64_t ms) {
    clock_.Advance(ms);
    Settle();
  }
  void Settle() {
    io_.restart();
    while (io_.poll() > 0) io_.restart();
  }

  ManualClock clock_{kT0};
  boost::asio::io_context io_;
  ManualFetches fetches_;
  TenantWindows windows_{100, fetches_.fetch(), clock_};
};

TEST_F(BatcherWindowsTest, EachTenantsConversationsWaitItsOwnWindow) {
  auto batcher = MakeMemoryBatcher(io_.get_executor(), {100, 10000, &windows_}, clock_);
  std::map<int64_t, int64_t> fired_at;
  batcher->Start([&](int64_t id) { fired_at[id] = clock_.NowMs(); });
  batcher->Arm({1, /*tenant*/ 10, Platform("whatsapp"), kT0, kT0});
  batcher->Arm({2, /*tenant*/ 20, Platform("whatsapp"), kT0, kT0});
  Settle();
  // Tenant 10 has a window of 1 s, tenant 20 keeps the server's 100 ms; both read after arming.
  fetches_.Answer(10, 1000);
  fetches_.Answer(20, 100);
  Settle();
  Advance(100);
  EXPECT_EQ(fired_at, (std::map<int64_t, int64_t>{{2, kT0 + 100}}));
  Advance(899);
  EXPECT_EQ(fired_at.size(), 1u);
  Advance(1);
  EXPECT_EQ(fired_at[1], kT0 + 1000);
  // Cached now: a new message of tenant 10 waits its window without asking again.
  batcher->Arm({3, 10, Platform("whatsapp"), kT0 + 1000, kT0 + 1000});
  Settle();
  EXPECT_EQ(fetches_.asked.size(), 2u);
  Advance(999);
  EXPECT_FALSE(fired_at.contains(3));
  Advance(1);
  EXPECT_EQ(fired_at[3], kT0 + 2000);
}

TEST_F(BatcherWindowsTest, AWindowReadTooLateDoesNotHandAConversationOverTwice) {
  auto batcher = MakeMemoryBatcher(io_.get_executor(), {100, 10000, &windows_}, clock_);
  std::vector<int64_t> fired;
  batcher->Start([&](int64_t id) { fired.push_back(id); });
  batcher->Arm({1, 10, Platform("whatsapp"), kT0, kT0});
  Settle();
  Advance(100);  // The server's window passed before the tenant's was read.
  EXPECT_EQ(fired, std::vector<int64_t>{1});
  fetches_.Answer(10, 5000);
  Settle();
  Advance(10000);
  EXPECT_EQ(fired, std::vector<int64_t>{1});
  EXPECT_EQ(batcher->waiting(), 0u);
}

}  // namespace
}  // namespace parley::queue
