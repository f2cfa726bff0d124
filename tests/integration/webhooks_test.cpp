// Outbound webhooks against the real binary: a receiver on 127.0.0.1 (opened to tenant URLs by
// PARLEY_OUTBOUND_ALLOW, as an operator would) checks each delivery's signature the way a customer's server would,
// with OpenSSL's HMAC and the secret shown once at creation; a failing receiver that recovers sees the same delivery
// again; a restart while deliveries wait loses none of them; and the API tells each delivery's outcome.

#include "integration/local_http.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <boost/json.hpp>

#include <atomic>
#include <ctime>
#include <mutex>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

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
    server_.router().Add(
        http::Verb::post, "/hook",
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
    server_.Start();
  }

  std::string url() const { return server_.url("/hook"); }
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
  std::atomic<int> status_{200};
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  LocalHttpServer server_;
};

class WebhooksTest : public TenantFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeServer({
        {"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"},
        {"PARLEY_WEBHOOK_RETRY_BASE_MS", "200"},
        {"PARLEY_WEBHOOK_RETRY_MAX_MS", "400"},
        {"PARLEY_WEBHOOK_TIMEOUT_MS", "2000"},
        // Nobody answers during a test: the only events are those the test causes.
        {"PARLEY_BATCH_WINDOW_MS", "600000"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "600000"},
    }));
    ASSERT_NO_FATAL_FAILURE(CreateTenants("Acme", /*other=*/false));
    ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel("EAAG-webhooks-token"));
    parley_->Start();
  }

  void Customer(const std::string& id, const std::string& text) {
    ASSERT_EQ(PostCustomerText("33622222222", id, text).status, 200);
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

  Receiver receiver_;
};

TEST_F(WebhooksTest, EventsArriveSignedWithTheSecretShownOnceAndTheEnvelopeOfTheEventStream) {
  json::object endpoint = AddEndpoint(receiver_.url());
  const std::string secret(endpoint.at("secret").as_string());
  const int64_t id = endpoint.at("id").to_number<int64_t>();
  EXPECT_TRUE(secret.starts_with("whsec_"));
  EXPECT_EQ(endpoint.at("events").as_array().size(), 8u);
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
