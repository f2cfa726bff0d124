// `parley serve --role`: a gateway and workers sharing one store and one Redis (a redis-server of the test's own).
// The gateway takes the webhooks and the API and arms the debounce in Redis; a worker fires it, answers and delivers,
// and serves only its probes. A worker killed with work in hand is replaced by another and nothing is lost or sent
// twice; deadlines Redis forgets are restored from the store; a channel removed through one gateway stops being routed
// by another at once (each caches routes; the removal goes through Redis). The processes share a SQLite store here
// (one machine); the same roles on PostgreSQL are in integration/postgres/.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"
#include "support/own_redis_server.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <cstdlib>
#include <set>
#include <thread>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kSecret = "wa-app-secret-for-tests";
constexpr const char* kPhoneNumberId = "106540352242922";
constexpr const char* kAutoReply = "Thanks! We are away right now and will answer soon.";

class RolesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gateway_ = std::make_unique<ParleyProcess>(Env("gateway"));
    const CreatedTenant tenant = CreateTenant(*gateway_, "Acme Bakery");
    ASSERT_FALSE(tenant.id.empty());
    api_key_ = tenant.api_key;
    auto wa = gateway_->Cli({"channel", "add", "whatsapp", "--tenant", tenant.id, "--phone-number-id", kPhoneNumberId,
                             "--access-token", "EAAG-whatsapp-token"});
    ASSERT_EQ(wa.exit_code, 0) << wa.out;
    gateway_->Start();
  }

  std::map<std::string, std::string> Env(const std::string& role) {
    return {{"WHATSAPP_APP_SECRET", kSecret},
            {"WHATSAPP_VERIFY_TOKEN", "wa-verify-token"},
            {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
            {"PARLEY_BATCH_WINDOW_MS", "300"},
            {"PARLEY_BATCH_MAX_WAIT_MS", "3000"},
            {"PARLEY_AUTO_REPLY_TEXT", kAutoReply},
            {"PARLEY_RESPONDER", "away_message"},
            {"PARLEY_REDIS_URL", redis_.url()},
            // A worker's sweep of the store runs this often: short, so that the tests see it work.
            {"PARLEY_PROCESSING_TIMEOUT_MS", "1000"},
            {"PARLEY_ROLE", role}};
  }

  // A worker on the gateway's store.
  std::unique_ptr<ParleyProcess> StartWorker() {
    auto worker = std::make_unique<ParleyProcess>(Env("worker"));
    worker->env()["PARLEY_DATA_DIR"] = gateway_->data_dir();
    worker->Start();
    return worker;
  }

  HttpResult PostWhatsApp(const std::string& from, const std::string& id, const std::string& text) {
    const std::string body = payloads::WhatsAppText(kPhoneNumberId, from, id, text, payloads::NowSeconds());
    return Call("POST", gateway_->url("/api/whatsapp/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kSecret, body)}});
  }

  std::multiset<std::string> Recipients() {
    std::multiset<std::string> recipients;
    for (const auto& send : graph_.sends()) recipients.insert(std::string(send.body.at("to").as_string()));
    return recipients;
  }

  OwnRedisServer redis_;
  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> gateway_;
  std::string api_key_;
};

TEST_F(RolesTest, TheGatewayStoresAndAWorkerAnswers) {
  ASSERT_EQ(PostWhatsApp("16505551234", "wamid.r1", "hello").status, 200);
  std::this_thread::sleep_for(1500ms);  // Past the window: a gateway alone answers nothing.
  EXPECT_TRUE(graph_.sends().empty()) << gateway_->logs();

  auto worker = StartWorker();
  ASSERT_TRUE(graph_.WaitForSends(1, 10s)) << worker->logs();
  EXPECT_EQ(graph_.sends()[0].body.at("text").at("body"), kAutoReply);
  // Armed by the gateway, fired by the worker (Redis), while both run.
  ASSERT_EQ(PostWhatsApp("16505559999", "wamid.r2", "hi").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(2, 10s)) << worker->logs();
  std::this_thread::sleep_for(1000ms);
  EXPECT_EQ(graph_.sends().size(), 2u);
}

TEST_F(RolesTest, ABurstThroughTwoGatewaysGetsOneReply) {
  // A window long enough for every burst to arrive within it however slow the machine.
  gateway_->Terminate();
  gateway_->env()["PARLEY_BATCH_WINDOW_MS"] = "2000";
  gateway_->Start();
  auto second_gateway = std::make_unique<ParleyProcess>(gateway_->env());
  second_gateway->env()["PARLEY_DATA_DIR"] = gateway_->data_dir();
  second_gateway->Start();
  auto worker_a = StartWorker();
  auto worker_b = StartWorker();
  constexpr int kCustomers = 10;
  constexpr int kPerBurst = 3;
  for (int m = 0; m < kPerBurst; ++m) {
    for (int c = 0; c < kCustomers; ++c) {
      // Each customer's messages reach the gateways in turn, as a load balancer spreads them.
      ParleyProcess& gateway = (c + m) % 2 == 0 ? *gateway_ : *second_gateway;
      const std::string body = payloads::WhatsAppText(kPhoneNumberId, "3361300" + std::to_string(1000 + c),
                                                      "wamid.b" + std::to_string(c) + "_" + std::to_string(m),
                                                      "part " + std::to_string(m), payloads::NowSeconds());
      auto stored = Call("POST", gateway.url("/api/whatsapp/webhook"), body,
                         {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kSecret, body)}});
      ASSERT_EQ(stored.status, 200) << stored.body;
    }
  }
  ASSERT_TRUE(graph_.WaitForSends(kCustomers, 15s)) << worker_a->logs() << worker_b->logs();
  std::this_thread::sleep_for(2000ms);
  const auto recipients = Recipients();
  EXPECT_EQ(recipients.size(), static_cast<size_t>(kCustomers));
  EXPECT_EQ(std::set<std::string>(recipients.begin(), recipients.end()).size(), static_cast<size_t>(kCustomers));
}

TEST_F(RolesTest, AChannelRemovedThroughOneGatewayIsNoLongerRoutedByAnother) {
  auto second_gateway = std::make_unique<ParleyProcess>(gateway_->env());
  second_gateway->env()["PARLEY_DATA_DIR"] = gateway_->data_dir();
  second_gateway->Start();
  auto stored = [&](const std::string& id) {
    return QueryInt(*gateway_, "SELECT COUNT(*) FROM messages WHERE platform_message_id = '" + id + "'");
  };
  auto post_to_second = [&](const std::string& id) {
    const std::string body = payloads::WhatsAppText(kPhoneNumberId, "16505557777", id, "hello", payloads::NowSeconds());
    return Call("POST", second_gateway->url("/api/whatsapp/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kSecret, body)}})
        .status;
  };
  // The second gateway routes the channel's messages, and caches the route from now on.
  ASSERT_EQ(post_to_second("wamid.c0"), 200);
  ASSERT_EQ(stored("wamid.c0"), 1);

  auto channels = Call("GET", gateway_->url("/api/social-accounts"), {}, {{"Authorization", "Bearer " + api_key_}});
  ASSERT_EQ(channels.status, 200) << channels.body;
  const auto id = channels.Json().at("data").at(0).at("id").to_number<int64_t>();
  ASSERT_EQ(Call("DELETE", gateway_->url("/api/social-accounts/" + std::to_string(id)), {},
                 {{"Authorization", "Bearer " + api_key_}})
                .status,
            204);
  // Within 2 s, not at the second gateway's next restart: a message to the removed channel is no longer stored.
  int n = 0;
  EXPECT_TRUE(Eventually(
      [&] {
        const std::string message = "wamid.c" + std::to_string(++n);
        return post_to_second(message) == 200 && stored(message) == 0;
      },
      2s))
      << second_gateway->logs();
}

TEST_F(RolesTest, AWorkerServesItsProbesOnly) {
  auto worker = StartWorker();
  EXPECT_EQ(Call("GET", worker->url("/health")).status, 200);
  auto ready = Call("GET", worker->url("/api/health"));
  ASSERT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.Json().at("role"), "worker");
  EXPECT_EQ(Call("GET", worker->url("/metrics")).status, 200);
  EXPECT_EQ(Call("GET", worker->url("/api/conversations"), {}, {{"Authorization", "Bearer " + api_key_}}).status, 404);
  EXPECT_EQ(Call("POST", worker->url("/api/whatsapp/webhook"), "{}").status, 404);
  EXPECT_EQ(Call("GET", worker->url("/")).status, 404);  // No dashboard.
  EXPECT_EQ(Call("GET", gateway_->url("/health")).status, 200);
  EXPECT_EQ(Call("GET", gateway_->url("/api/conversations"), {}, {{"Authorization", "Bearer " + api_key_}}).status,
            200);
}

TEST_F(RolesTest, AKilledWorkersConversationsAreAnsweredByAnotherOnce) {
  // The first worker is killed while answering: its replies wait for a typing indicator that Meta is slow to answer
  // (within the processing timeout), and the claims it holds are its own until they expire.
  graph_.set_indicator_delay(800ms);
  auto first = StartWorker();
  constexpr int kCustomers = 20;
  for (int c = 0; c < kCustomers; ++c) {
    ASSERT_EQ(PostWhatsApp("3361200" + std::to_string(1000 + c), "wamid.k" + std::to_string(c), "msg").status, 200);
  }
  ASSERT_TRUE(Eventually([&] { return !graph_.requests().empty(); }, 10s)) << first->logs();  // answering now
  first->Kill9();
  ASSERT_TRUE(graph_.sends().empty());  // Each reply waits 800 ms for its indicator: none was sent.
  graph_.set_indicator_delay(0ms);
  auto second = StartWorker();
  ASSERT_TRUE(graph_.WaitForSends(kCustomers, 20s)) << second->logs();
  std::this_thread::sleep_for(2000ms);  // Past a sweep: a second copy would have gone out by now.
  const auto recipients = Recipients();
  EXPECT_EQ(recipients.size(), static_cast<size_t>(kCustomers));
  EXPECT_EQ(std::set<std::string>(recipients.begin(), recipients.end()).size(), static_cast<size_t>(kCustomers));
}

TEST_F(RolesTest, DeadlinesRedisForgetsAreRestoredFromTheStore) {
  auto worker = StartWorker();
  gateway_->Terminate();
  gateway_->env()["PARLEY_BATCH_WINDOW_MS"] = "2500";  // Time to flush Redis before the deadline.
  gateway_->Start();
  ASSERT_EQ(PostWhatsApp("16505551234", "wamid.f1", "hello").status, 200);
  const std::string flush = "redis-cli -p " + std::to_string(redis_.port()) + " FLUSHALL > /dev/null";
  ASSERT_EQ(std::system(flush.c_str()), 0);
  // The worker's sweep finds the conversation pending in the store and waiting nowhere: it is answered all the same.
  ASSERT_TRUE(graph_.WaitForSends(1, 15s)) << worker->logs();
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(graph_.sends().size(), 1u);
}

TEST_F(RolesTest, AGatewayOrAWorkerNeedsRedis) {
  auto env = Env("worker");
  env.erase("PARLEY_REDIS_URL");
  ParleyProcess alone(env);
  auto refused = alone.Cli({"serve"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE((refused.out + refused.err).find("PARLEY_REDIS_URL"), std::string::npos) << refused.err;
  auto flag = alone.Cli({"serve", "--role", "teapot"});
  EXPECT_NE(flag.exit_code, 0);
}

}  // namespace
}  // namespace parley::testing
