// Outbound webhooks against the real binary: a receiver on 127.0.0.1 (opened to tenant URLs by
// PARLEY_OUTBOUND_ALLOW, as an operator would) checks each delivery's signature the way a customer's server would,
// with OpenSSL's HMAC and the secret shown once at creation; a failing receiver that recovers sees the same delivery
// again; a restart while deliveries wait loses none of them; and the API tells each delivery's outcome.

#include "fakes/fake_graph.h"
#include "http/server.h"
#include "integration/harness.h"
#include "integration/payloads.h"

#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <ctime>
#include <mutex>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

constexpr const char* kWhatsAppSecret = "wa-app-secret-webhooks-tests";
constexpr const char* kPhoneNumberId = "106540352240777";

// What a customer's server does with X-Parley-Signature: split t= and v1=, refuse a stale t, recompute the HMAC of
// "<t>.<raw body>" with its secret and compare in constant time.
bool VerifyAsACustomerWould(const std::string& secret, const std::string& header, const std::string& body) {
  std::string t;
  std::string v1;
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    std::string part = header.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (part.starts_with("t=")) t = part.substr(2);
    if (part.starts_with("v1=")) v1 = part.substr(3);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (t.empty() || v1.size() != 64) return false;
  if (std::llabs(std::stoll(t) - static_cast<long long>(std::time(nullptr))) > 300) return false;
  const std::string signed_payload = t + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_payload.data()), signed_payload.size(), mac, &length);
  static const char* kHex = "0123456789abcdef";
  std::string expected;
  for (unsigned int i = 0; i < length; ++i) {
    expected += kHex[mac[i] >> 4];
    expected += kHex[mac[i] & 15];
  }
  return expected.size() == v1.size() && CRYPTO_memcmp(expected.data(), v1.data(), v1.size()) == 0;
}

struct Received {
  std::string target;
  std::string body;
  std::string event;
  std::string delivery;
  std::string signature;
  int answered = 0;
};

// The customer's endpoint: POST /hook records every request and answers `status` (500 while it is "down").
class Receiver {
 public:
  Receiver() {
    router_.Add(http::Verb::post, "/hook",
                [this](const http::Request& request, const http::RouteContext&) -> asio::awaitable<http::Response> {
                  Received got;
                  got.target = std::string(request.target());
                  got.body = request.body();
                  got.event = std::string(request["X-Parley-Event"]);
                  got.delivery = std::string(request["X-Parley-Delivery"]);
                  got.signature = std::string(request["X-Parley-Signature"]);
                  got.answered = status_.load();
                  {
                    std::lock_guard lock(mutex_);
                    received_.push_back(got);
                  }
                  co_return http::TextResponse(static_cast<http::Status>(got.answered), "ok");
                });
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<http::Server>(io_.get_executor(), options, router_);
    EXPECT_TRUE(server_->Start().has_value());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Receiver() {
    asio::co_spawn(io_, server_->Stop(), asio::use_future).wait_for(5s);
    work_.reset();
    io_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook"; }
  void set_status(int status) { status_ = status; }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::vector<Received> Of(const std::string& event) const {
    std::vector<Received> matching;
    for (const auto& r : received()) {
      if (r.event == event) matching.push_back(r);
    }
    return matching;
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::atomic<int> status_{200};
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  std::thread thread_;
};

class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"WHATSAPP_APP_SECRET", kWhatsAppSecret},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"},
        {"PARLEY_WEBHOOK_RETRY_BASE_MS", "200"},
        {"PARLEY_WEBHOOK_RETRY_MAX_MS", "400"},
        {"PARLEY_WEBHOOK_TIMEOUT_MS", "2000"},
        // Nobody answers during a test: the only events are those the test causes.
        {"PARLEY_BATCH_WINDOW_MS", "600000"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "600000"},
    });
    auto tenant = json::parse(parley_->Cli({"tenant", "create", "--name", "Acme"}).out);
    tenant_id_ = std::to_string(tenant.at("tenant_id").to_number<int64_t>());
    key_ = std::string(tenant.at("api_key").as_string());
    ASSERT_EQ(parley_
                  ->Cli({"channel", "add", "whatsapp", "--tenant", tenant_id_, "--phone-number-id", kPhoneNumberId,
                         "--access-token", "EAAG-webhooks-token"})
                  .exit_code,
              0);
    parley_->Start();
  }

  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {}) {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + key_}, {"Content-Type", "application/json"}});
  }
  void Customer(const std::string& id, const std::string& text) {
    std::string body = payloads::WhatsAppText(kPhoneNumberId, "33622222222", id, text);
    ASSERT_EQ(Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                   {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kWhatsAppSecret, body)}})
                  .status,
              200);
  }
  // Creates an endpoint for `events` (all when empty) and returns its answer, secret included.
  json::object AddEndpoint(const std::string& url, const json::array& events = {}) {
    json::object body{{"url", url}, {"description", "CRM"}};
    if (!events.empty()) body["events"] = events;
    auto created = Api("POST", "/api/webhook-endpoints", json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return created.Json().as_object();
  }
  json::array Deliveries(int64_t endpoint) {
    auto page = Api("GET", "/api/webhook-endpoints/" + std::to_string(endpoint) + "/deliveries");
    EXPECT_EQ(page.status, 200) << page.body;
    return page.Json().at("data").as_array();
  }

  FakeGraph graph_;
  Receiver receiver_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string tenant_id_;
  std::string key_;
};

TEST_F(WebhooksTest, EventsArriveSignedWithTheSecretShownOnceAndTheEnvelopeOfTheEventStream) {
  json::object endpoint = AddEndpoint(receiver_.url());
  const std::string secret(endpoint.at("secret").as_string());
  const int64_t id = endpoint.at("id").to_number<int64_t>();
  EXPECT_TRUE(secret.starts_with("whsec_"));
  EXPECT_EQ(endpoint.at("events").as_array().size(), 7u);
  // The secret is in the creation's answer only.
  auto listed = Api("GET", "/api/webhook-endpoints");
  EXPECT_EQ(listed.body.find(secret), std::string::npos);
  EXPECT_EQ(listed.body.find("secret"), std::string::npos);
  EXPECT_EQ(listed.Json().at("data").as_array().size(), 1u);

  Customer("wamid.WH1", "Do you deliver on Sunday?");
  ASSERT_TRUE(Eventually([&] { return receiver_.Of("message.created").size() == 1; }, 10s)) << parley_->logs();
  const Received got = receiver_.Of("message.created").front();
  EXPECT_TRUE(VerifyAsACustomerWould(secret, got.signature, got.body)) << got.signature;
  EXPECT_FALSE(VerifyAsACustomerWould("whsec_wrong", got.signature, got.body));
  EXPECT_FALSE(VerifyAsACustomerWould(secret, got.signature, got.body + " "));
  json::object envelope = json::parse(got.body).as_object();
  EXPECT_EQ(envelope.at("type"), "message.created");
  EXPECT_EQ(envelope.at("data").at("message").at("text"), "Do you deliver on Sunday?");
  EXPECT_TRUE(envelope.at("id").is_int64());
  EXPECT_TRUE(std::string(envelope.at("created_at").as_string()).ends_with("Z"));
  ASSERT_TRUE(Eventually([&] { return receiver_.Of("conversation.created").size() == 1; }, 5s));

  // The log says so, with the delivery id the receiver saw.
  ASSERT_TRUE(Eventually(
      [&] {
        for (const auto& d : Deliveries(id)) {
          if (std::to_string(d.at("id").to_number<int64_t>()) == got.delivery && d.at("status") == "succeeded") {
            return d.at("response_status") == 200 && d.at("attempts") == 1 && d.at("next_attempt_at").is_null();
          }
        }
        return false;
      },
      5s));

  // A ping, and a rotated secret: the old one no longer verifies.
  auto rotated = Api("POST", "/api/webhook-endpoints/" + std::to_string(id) + "/rotate-secret");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string new_secret(rotated.Json().at("secret").as_string());
  EXPECT_NE(new_secret, secret);
  ASSERT_EQ(Api("POST", "/api/webhook-endpoints/" + std::to_string(id) + "/ping").status, 202);
  ASSERT_TRUE(Eventually([&] { return receiver_.Of("ping").size() == 1; }, 5s));
  const Received ping = receiver_.Of("ping").front();
  EXPECT_TRUE(VerifyAsACustomerWould(new_secret, ping.signature, ping.body));
  EXPECT_FALSE(VerifyAsACustomerWould(secret, ping.signature, ping.body));
  EXPECT_EQ(json::parse(ping.body).at("data").at("endpoint_id").to_number<int64_t>(), id);

  // Endpoint changes are in the audit log, without the secret.
  auto audit = Api("GET", "/api/audit-logs?action=webhook_endpoint.create");
  EXPECT_EQ(audit.Json().at("data").as_array().size(), 1u);
  EXPECT_EQ(audit.body.find(secret), std::string::npos);
  EXPECT_EQ(Api("GET", "/api/audit-logs?action=webhook_endpoint.rotate_secret").Json().at("data").as_array().size(),
            1u);
}

TEST_F(WebhooksTest, OnlySubscribedEventsOfEnabledEndpointsAreSentAndBadUrlsAreRefused) {
  auto refused = Api("POST", "/api/webhook-endpoints", R"({"url":"http://169.254.169.254/latest"})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("link-local"), std::string::npos) << refused.body;
  EXPECT_EQ(Api("POST", "/api/webhook-endpoints", R"({"url":"ftp://example.com"})").status, 400);
  EXPECT_EQ(Api("POST", "/api/webhook-endpoints", R"({"url":"https://example.com","events":["nope"]})").status, 400);

  json::object endpoint = AddEndpoint(receiver_.url() + "?first", json::array{"message.created"});
  const std::string path = "/api/webhook-endpoints/" + std::to_string(endpoint.at("id").to_number<int64_t>());
  Customer("wamid.WH2", "First");
  ASSERT_TRUE(Eventually([&] { return receiver_.Of("message.created").size() == 1; }, 10s)) << parley_->logs();
  EXPECT_TRUE(receiver_.Of("conversation.created").empty());  // Not subscribed.

  ASSERT_EQ(Api("PATCH", path, R"({"enabled":false})").status, 200);
  Customer("wamid.WH3", "Second, while disabled");
  // A second endpoint receives the next message: every event before it was fanned out, and none reached the first.
  AddEndpoint(receiver_.url() + "?second", json::array{"message.created"});
  Customer("wamid.WH4", "Third");
  ASSERT_TRUE(Eventually([&] { return receiver_.Of("message.created").size() == 2; }, 10s)) << parley_->logs();
  auto messages = receiver_.Of("message.created");
  EXPECT_EQ(messages[0].target, "/hook?first");
  EXPECT_EQ(json::parse(messages[1].body).at("data").at("message").at("text"), "Third");
  EXPECT_EQ(messages[1].target, "/hook?second");
  EXPECT_EQ(Api("DELETE", path).status, 200);
  EXPECT_EQ(Api("GET", path).status, 404);
}

TEST_F(WebhooksTest, AFailingReceiverGetsTheDeliveryAgainAndARestartLosesNothing) {
  receiver_.set_status(500);
  json::object endpoint = AddEndpoint(receiver_.url(), json::array{"message.created"});
  const std::string secret(endpoint.at("secret").as_string());
  const int64_t id = endpoint.at("id").to_number<int64_t>();
  Customer("wamid.WH5", "Are you open?");
  // Tried, refused, and tried again after the backoff.
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() >= 2; }, 10s)) << parley_->logs();
  ASSERT_TRUE(Eventually(
      [&] {
        auto deliveries = Deliveries(id);
        return deliveries.size() == 1 && deliveries[0].at("status") == "pending" &&
               deliveries[0].at("attempts").to_number<int64_t>() >= 2 && deliveries[0].at("response_status") == 500 &&
               deliveries[0].at("last_error") == "the endpoint answered 500" &&
               !deliveries[0].at("next_attempt_at").is_null();
      },
      5s));

  // The server stops while the delivery waits for its next attempt, the receiver recovers, and the next process
  // sends the delivery.
  ASSERT_EQ(parley_->Terminate(), 0);
  const size_t before_restart = receiver_.received().size();
  receiver_.set_status(202);
  parley_->Start();
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() > before_restart; }, 10s)) << parley_->logs();
  ASSERT_TRUE(Eventually(
      [&] {
        auto deliveries = Deliveries(id);
        return deliveries.size() == 1 && deliveries[0].at("status") == "succeeded" &&
               deliveries[0].at("response_status") == 202;
      },
      5s));
  // Every attempt carried the same delivery id and body, each signed afresh.
  auto all = receiver_.received();
  for (const auto& r : all) {
    EXPECT_EQ(r.delivery, all.front().delivery);
    EXPECT_EQ(r.body, all.front().body);
    EXPECT_TRUE(VerifyAsACustomerWould(secret, r.signature, r.body));
  }
  EXPECT_EQ(all.back().answered, 202);

  // Sent again by hand: a new delivery with the same body.
  auto again = Api(
      "POST", "/api/webhook-endpoints/" + std::to_string(id) + "/deliveries/" + all.front().delivery + "/redeliver");
  ASSERT_EQ(again.status, 202) << again.body;
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() == all.size() + 1; }, 5s));
  EXPECT_EQ(receiver_.received().back().body, all.front().body);
  EXPECT_NE(receiver_.received().back().delivery, all.front().delivery);
}

TEST_F(WebhooksTest, EventsWhileTheServerIsDownAreDeliveredAfterTheRestart) {
  json::object endpoint = AddEndpoint(receiver_.url(), json::array{"message.created"});
  // Stopped with SIGKILL right after the webhook's 200: the event is in the log, its delivery not made yet or not
  // sent yet; the next process takes it from the cursor or the deliveries.
  Customer("wamid.WH6", "Before the crash");
  parley_->Kill9();
  parley_->Start();
  ASSERT_TRUE(Eventually([&] { return receiver_.Of("message.created").size() >= 1; }, 10s)) << parley_->logs();
  EXPECT_EQ(json::parse(receiver_.Of("message.created").front().body).at("data").at("message").at("text"),
            "Before the crash");
  (void)endpoint;
}

}  // namespace
}  // namespace parley::testing
