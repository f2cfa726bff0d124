// The AI studio's server settings through the real binary: outside business hours the hand-off is the out-of-hours
// message in the customer's language (and the trace says why), and each tenant's batch window is the one the
// debounce waits.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <ctime>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kWhatsAppSecret = "wa-app-secret-ai-studio";

// The UTC date `days` from now, YYYY-MM-DD.
std::string UtcDate(int days) {
  std::time_t at = std::time(nullptr) + days * 86400;
  std::tm tm{};
  gmtime_r(&at, &tm);
  char text[11];
  std::strftime(text, sizeof(text), "%Y-%m-%d", &tm);
  return text;
}

class AiStudioTest : public ::testing::Test {
 protected:
  struct Tenant {
    std::string id;
    std::string api_key;
    std::string phone_number_id;
  };

  void Boot(const std::string& window_ms) {
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"WHATSAPP_APP_SECRET", kWhatsAppSecret},
        {"WHATSAPP_VERIFY_TOKEN", "wa-verify"},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"PARLEY_BATCH_WINDOW_MS", window_ms},
        {"PARLEY_BATCH_MAX_WAIT_MS", "30000"},
    });
  }

  Tenant AddTenant(const std::string& name, const std::string& phone_number_id) {
    const CreatedTenant created = CreateTenant(*parley_, name);
    Tenant tenant{created.id, created.api_key, phone_number_id};
    EXPECT_EQ(parley_
                  ->Cli({"channel", "add", "whatsapp", "--tenant", tenant.id, "--phone-number-id", phone_number_id,
                         "--access-token", "EAAG-" + name})
                  .exit_code,
              0);
    return tenant;
  }

  HttpResult Api(const Tenant& tenant, const std::string& method, const std::string& path,
                 const std::string& body = {}) {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + tenant.api_key}, {"Content-Type", "application/json"}});
  }

  HttpResult PostWhatsApp(const Tenant& tenant, const std::string& from, const std::string& id,
                          const std::string& text) {
    std::string body = payloads::WhatsAppText(tenant.phone_number_id, from, id, text);
    return Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kWhatsAppSecret, body)}});
  }

  // The text of the first send to `to`, and when the fake received it.
  std::optional<RecordedRequest> SendTo(const std::string& to) {
    for (auto& send : graph_.sends()) {
      if (send.body.as_object().contains("to") && send.body.at("to") == json::value(to)) return send;
    }
    return std::nullopt;
  }

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
};

TEST_F(AiStudioTest, OutOfHoursTheHandOffIsTheOutOfHoursMessageInTheCustomersLanguage) {
  Boot("200");
  Tenant shop = AddTenant("Boulangerie Martin", "106540352249001");
  parley_->Start();
  ASSERT_EQ(Api(shop, "PATCH", "/api/tenant", R"({"time_zone": "Europe/Paris"})").status, 200);
  // Open every day, all day, but closed today: yesterday, today and tomorrow in UTC cover today in Paris.
  json::object weekly;
  for (const char* day : {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}) {
    weekly[day] = json::array{json::object{{"open", "00:00"}, {"close", "24:00"}}};
  }
  json::object hours{
      {"enabled", true},
      {"weekly", weekly},
      {"closed_dates", json::array{json::string(UtcDate(-1)), json::string(UtcDate(0)), json::string(UtcDate(1))}}};
  auto put = Api(shop, "PUT", "/api/ai-settings", json::serialize(json::object{{"business_hours", hours}}));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json().at("business_hours").at("enabled"), true);
  const std::string out_of_hours(put.Json().at("builtin_messages").at("fr").at("out_of_hours").as_string());
  const std::string handoff(put.Json().at("builtin_messages").at("fr").at("handoff").as_string());
  EXPECT_NE(out_of_hours, handoff);

  ASSERT_EQ(
      PostWhatsApp(shop, "33612345001", "wamid.ooh-1", "Je voudrais parler à un conseiller, s'il vous plaît").status,
      200);
  ASSERT_TRUE(Eventually([&] { return SendTo("33612345001").has_value(); }, 10s)) << parley_->logs();
  EXPECT_EQ(json::value_to<std::string>(SendTo("33612345001")->body.at("text").at("body")), out_of_hours);

  // Handed to a person, and the trace says the business was closed.
  auto support = Api(shop, "GET", "/api/support?status=open").Json().at("data").as_array();
  ASSERT_EQ(support.size(), 1u);
  EXPECT_EQ(support[0].at("reason"), "human_requested");
  auto conversations = Api(shop, "GET", "/api/conversations").Json().at("data").as_array();
  ASSERT_EQ(conversations.size(), 1u);
  auto traces = Api(shop, "GET",
                    "/api/conversations/" + std::to_string(conversations[0].at("id").to_number<int64_t>()) + "/traces")
                    .Json()
                    .at("data")
                    .as_array();
  ASSERT_FALSE(traces.empty());
  const auto& first_stage = traces[0].at("detail").at("trace").at(0);
  EXPECT_EQ(first_stage.at("stage"), "business_hours");
  EXPECT_EQ(first_stage.at("open"), false);
  EXPECT_EQ(first_stage.at("time_zone"), "Europe/Paris");

  // Open again (no closed dates): the usual hand-off.
  hours["closed_dates"] = json::array{};
  ASSERT_EQ(Api(shop, "PUT", "/api/ai-settings", json::serialize(json::object{{"business_hours", hours}})).status, 200);
  ASSERT_EQ(
      PostWhatsApp(shop, "33612345002", "wamid.ooh-2", "Je voudrais parler à un conseiller, s'il vous plaît").status,
      200);
  ASSERT_TRUE(Eventually([&] { return SendTo("33612345002").has_value(); }, 10s)) << parley_->logs();
  EXPECT_EQ(json::value_to<std::string>(SendTo("33612345002")->body.at("text").at("body")), handoff);
}

TEST_F(AiStudioTest, EachTenantsConversationsWaitItsOwnBatchWindow) {
  Boot("200");
  Tenant patient = AddTenant("Patient Shop", "106540352249002");
  Tenant quick = AddTenant("Quick Shop", "106540352249003");
  parley_->Start();
  auto put = Api(patient, "PUT", "/api/ai-settings", R"({"batch_window_ms": 4000})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json().at("batch_window_ms"), 4000);
  EXPECT_EQ(Api(quick, "GET", "/api/ai-settings").Json().at("batch_window_ms"), 200);  // The server's.

  const auto patient_written = std::chrono::steady_clock::now();
  ASSERT_EQ(PostWhatsApp(patient, "33612345101", "wamid.win-1", "Hello").status, 200);
  const auto quick_written = std::chrono::steady_clock::now();
  ASSERT_EQ(PostWhatsApp(quick, "33612345102", "wamid.win-2", "Hello").status, 200);
  ASSERT_TRUE(Eventually([&] { return SendTo("33612345101") && SendTo("33612345102"); }, 15s)) << parley_->logs();
  // The patient shop's greeting waited its 4 s window; the quick shop's only the server's 200 ms, and so went first.
  EXPECT_GE(SendTo("33612345101")->received_at - patient_written, 4000ms);
  EXPECT_GE(SendTo("33612345102")->received_at - quick_written, 200ms);
  EXPECT_LT(SendTo("33612345102")->received_at, SendTo("33612345101")->received_at);
}

}  // namespace
}  // namespace parley::testing
