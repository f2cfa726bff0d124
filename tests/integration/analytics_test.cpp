// Analytics and tenant settings over the real binary (issue 17): a signed webhook's conversations answered by the bot
// (a Q&A pair), handed to a person (asked for one), answered by a person and resolved, counted in the tenant's own
// day: with a zone whose date differs from UTC's right now, the traffic is on the local date and none of it on UTC's.
// Automation rate, escalations by reason, response-time medians, credits against the billing usage, and the CSV.

#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <ctime>
#include <sstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string UtcDate(std::time_t at) {
  std::tm tm{};
  gmtime_r(&at, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

class AnalyticsTest : public TenantFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeServer({{"PARLEY_BATCH_WINDOW_MS", "200"}, {"PARLEY_BATCH_MAX_WAIT_MS", "2000"}}));
    ASSERT_NO_FATAL_FAILURE(CreateTenants("Crumb & Co"));
    ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel("EAAG-analytics-token"));
    ASSERT_NO_FATAL_FAILURE(CreateUser("ana@crumb.test", "agent-password-1", "agent"));
    parley_->Start();
    ASSERT_NO_FATAL_FAILURE(LogIn("ana@crumb.test", "agent-password-1", &agent_));
  }

  void Customer(const std::string& from, const std::string& id, const std::string& text) {
    ASSERT_EQ(PostCustomerText(from, id, text).status, 200);
  }

  int64_t ConversationOf(const std::string& from) {
    auto list = Api("GET", "/api/conversations?q=" + from).Json();
    return list.at("data").as_array().empty() ? 0 : list.at("data").at(0).at("id").to_number<int64_t>();
  }

  json::object Totals(const std::string& query) {
    auto answer = Api("GET", "/api/analytics" + query);
    EXPECT_EQ(answer.status, 200) << answer.body;
    json::value body = answer.Json();
    return body.at("totals").as_object();
  }

  // A day of traffic: an automated conversation, one handed to a person who answers and resolves it.
  void Traffic() {
    ASSERT_EQ(
        Api("POST", "/api/faq-qa", R"({"questions":["Do you have gluten-free bread?"],"answer":"Yes, every Friday."})")
            .status,
        201);
    Customer("33611111111", "wamid.a1", "Do you have gluten-free bread?");
    Customer("33622222222", "wamid.b1", "I want to talk to a real person please");
    ASSERT_TRUE(graph_.WaitForSends(2, 10s)) << parley_->logs();
    const int64_t handed = ConversationOf("33622222222");
    ASSERT_GT(handed, 0);
    auto reply =
        Api("POST", "/api/conversations/" + std::to_string(handed) + "/messages", R"({"text":"Hello, Ana here."})");
    ASSERT_EQ(reply.status, 202) << reply.body;
    auto support = Api("GET", "/api/support?status=open").Json();
    ASSERT_EQ(support.at("data").as_array().size(), 1u);
    const auto item = support.at("data").at(0).at("id").to_number<int64_t>();
    ASSERT_EQ(Api("POST", "/api/support/" + std::to_string(item) + "/resolve", "{}").status, 200);
  }

  std::string agent_;
};

TEST_F(AnalyticsTest, TenantSettingsAreValidatedAuditedAndAdminsOnly) {
  auto tenant = Api("GET", "/api/tenant");
  ASSERT_EQ(tenant.status, 200) << tenant.body;
  EXPECT_EQ(tenant.Json(), json::parse(R"({"id":)" + tenant_id_ +
                                       R"(,"name":"Crumb & Co","time_zone":"UTC","message_retention_days":null})"));
  auto changed = Api("PATCH", "/api/tenant", R"({"time_zone":"Europe/Paris","message_retention_days":90})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Json().at("time_zone"), "Europe/Paris");
  EXPECT_EQ(changed.Json().at("message_retention_days"), 90);
  EXPECT_EQ(Api("PATCH", "/api/tenant", R"({"message_retention_days":null})").Json().at("message_retention_days"),
            nullptr);
  for (const char* bad : {R"({"time_zone":"Mars/Olympus"})", R"({"time_zone":"+02:00"})",
                          R"({"message_retention_days":0})", R"({"message_retention_days":3651})",
                          R"({"message_retention_days":"30"})", R"({"name":""})", R"({"color":"red"})"}) {
    EXPECT_EQ(Api("PATCH", "/api/tenant", bad).status, 400) << bad;
  }
  EXPECT_EQ(Api("PATCH", "/api/tenant", R"({"time_zone":"Asia/Tokyo"})", agent_).status, 403);
  EXPECT_EQ(Api("GET", "/api/tenant", "", agent_).Json().at("time_zone"), "Europe/Paris");
  EXPECT_EQ(Api("GET", "/api/tenant", "", other_key_).Json().at("time_zone"), "UTC");
  auto audit = Api("GET", "/api/audit-logs?action=tenant.update").Json();
  EXPECT_EQ(audit.at("data").as_array().size(), 2u);
}

TEST_F(AnalyticsTest, ADayOfTrafficIsCountedInTheTenantsDay) {
  Traffic();
  const std::time_t now = std::time(nullptr);
  const std::string utc_today = UtcDate(now);
  // Figures in UTC first: automation, escalations by reason, medians, credits as billing counts them.
  const std::string today = "?from=" + utc_today + "&to=" + utc_today;
  json::object totals;
  ASSERT_TRUE(Eventually([&] { return (totals = Totals(today)).at("resolution_median_s").is_number(); }, 5s));
  EXPECT_EQ(totals.at("conversations_started"), 2);
  EXPECT_EQ(totals.at("conversations_answered_by_bot"), 2);  // The Q&A answer and the hand-off message.
  EXPECT_EQ(totals.at("conversations_handed_off"), 1);
  EXPECT_EQ(totals.at("conversations_automated"), 1);
  EXPECT_EQ(totals.at("automation_rate"), 0.5);
  EXPECT_EQ(totals.at("messages_in"), 2);
  EXPECT_EQ(totals.at("messages_out_bot"), 2);
  EXPECT_EQ(totals.at("messages_out_person"), 1);
  EXPECT_EQ(totals.at("escalations"), 1);
  EXPECT_EQ(totals.at("escalations_by_reason"), json::parse(R"({"human_requested":1})"));
  EXPECT_TRUE(totals.at("first_response_bot_median_s").is_number());
  EXPECT_LT(totals.at("first_response_bot_median_s").to_number<double>(), 10);
  EXPECT_TRUE(totals.at("first_response_person_median_s").is_number());
  auto usage = Api("GET", "/api/usage?from=" + utc_today + "&to=" + utc_today).Json();
  const auto& days = usage.at("days").as_array();
  EXPECT_EQ(totals.at("credits").to_number<int64_t>(),
            days.empty() ? 0 : days.at(0).at("credits").to_number<int64_t>());
  EXPECT_EQ(Totals("?from=" + utc_today + "&to=" + utc_today).at("conversations_started"), 2);  // Stable.
  // Another tenant sees none of it, nor does a filter on a channel that is not the tenant's.
  EXPECT_EQ(Api("GET", "/api/analytics" + today, "", other_key_).Json().at("totals").at("conversations_started"), 0);

  // A zone whose date is not UTC's right now: +14 h from 10:00 UTC on (tomorrow there), else -11 h (yesterday).
  std::tm tm{};
  gmtime_r(&now, &tm);
  const bool east = tm.tm_hour >= 10;
  const std::string zone = east ? "Pacific/Kiritimati" : "Pacific/Pago_Pago";
  const std::string local_today = UtcDate(now + (east ? 86400 : -86400));
  ASSERT_EQ(Api("PATCH", "/api/tenant", R"({"time_zone":")" + zone + R"("})").status, 200);
  auto local = Api("GET", "/api/analytics").Json();  // The default range ends on the tenant's today.
  EXPECT_EQ(std::string(local.at("time_zone").as_string()), zone);
  EXPECT_EQ(std::string(local.at("to").as_string()), local_today);
  EXPECT_EQ(local.at("series").as_array().size(), 30u);
  EXPECT_EQ(local.at("series").as_array().back().at("conversations_started"), 2);
  EXPECT_EQ(local.at("totals").at("conversations_started"), 2);
  EXPECT_EQ(Totals("?from=" + local_today + "&to=" + local_today).at("messages_in"), 2);
  // The UTC date, as a day of that zone, holds none of it (unless it is that zone's today, which it is not).
  EXPECT_EQ(Totals(today).at("messages_in"), 0);
  // Weeks: whole ISO weeks, the traffic in the one holding the local day.
  auto weeks = Api("GET", "/api/analytics?granularity=week&from=" + local_today + "&to=" + local_today).Json();
  ASSERT_EQ(weeks.at("series").as_array().size(), 1u);
  EXPECT_EQ(weeks.at("series").at(0).at("conversations_started"), 2);
  EXPECT_LE(std::string(weeks.at("from").as_string()), local_today);

  for (const char* bad : {"?granularity=month", "?from=2026-13-01", "?from=2026-12-02&to=2026-12-01",
                          "?from=2020-01-01&to=2026-01-01", "?channel=abc"}) {
    EXPECT_EQ(Api("GET", std::string("/api/analytics") + bad).status, 400) << bad;
  }
}

TEST_F(AnalyticsTest, CsvHasARowPerDayAndATotal) {
  Traffic();
  const std::string day = UtcDate(std::time(nullptr));
  const std::string range = "?from=" + day + "&to=" + day;
  ASSERT_TRUE(Eventually([&] { return Totals(range).at("resolution_median_s").is_number(); }, 5s));
  auto csv = Api("GET", "/api/analytics.csv" + range);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.headers["content-type"], "text/csv; charset=utf-8");
  EXPECT_NE(csv.headers["content-disposition"].find("attachment; filename=\"analytics-"), std::string::npos);
  std::istringstream lines(csv.body);
  std::string header, row, total, extra;
  std::getline(lines, header);
  std::getline(lines, row);
  std::getline(lines, total);
  EXPECT_FALSE(std::getline(lines, extra) && !extra.empty());
  EXPECT_EQ(header.rfind("period,conversations_started,conversations_answered_by_bot,conversations_handed_off,"
                         "conversations_automated,automation_rate,messages_in,messages_out_bot,messages_out_person,"
                         "escalations,",
                         0),
            0u)
      << header;
  EXPECT_NE(header.find(",escalations_human_requested\r"), std::string::npos) << header;
  EXPECT_EQ(row.rfind(day + ",2,2,1,1,0.5,2,2,1,1,", 0), 0u) << row;
  EXPECT_EQ(total.rfind("total,2,2,1,1,0.5,2,2,1,1,", 0), 0u) << total;
  // The same answer from /api/analytics with format=csv or Accept: text/csv.
  EXPECT_EQ(Api("GET", "/api/analytics" + range + "&format=csv").body, csv.body);
  EXPECT_EQ(Api("GET", "/api/analytics" + range, "", {}, {{"Accept", "text/csv"}}).body, csv.body);
  EXPECT_EQ(Api("GET", "/api/analytics.csv" + range, "", agent_).status, 200);  // Any role reads them.
}

}  // namespace
}  // namespace parley::testing
