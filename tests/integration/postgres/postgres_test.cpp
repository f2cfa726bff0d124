// The real binary on PostgreSQL: PARLEY_DATABASE_URL names a database of the test's own on the backend servers'
// PostgreSQL (support/backend_servers.h), created for it and dropped afterwards. The CLI prepares the tenant, its
// channel and its knowledge there; a signed webhook is stored there and answered offline from that knowledge through
// the fake Graph API; the operator's commands say what they did, and refuse what only works on SQLite.

#include "integration/postgres/own_database.h"
#include "integration/tenant_fixture.h"
#include "store/postgres/pg.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
namespace pg = store::postgres;

constexpr const char* kToken = "EAAG-postgres-token";
constexpr const char* kGuide = R"(# Opening hours
We are open Monday to Friday from 8:00 to 19:00. On Saturday we open from 9:00 to 17:00. On Sunday we open from 10:00 to 14:00.

# Delivery
We deliver within 5 km of the shop for 3 euros. Orders above 30 euros are delivered free of charge.
)";

// Each migration `parley migrate --status` printed, one JSON object a line.
std::vector<json::object> StatusLines(const std::string& out) {
  std::vector<json::object> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line).as_object());
  return lines;
}

class PostgresIntegrationTest : public TenantFixture {
 protected:
  void SetUp() override {
    url_ = database_.url();
    ASSERT_NO_FATAL_FAILURE(MakeServer({{"PARLEY_DATABASE_URL", url_},
                                        {"PARLEY_DATABASE_POOL", "4"},
                                        {"PARLEY_BATCH_WINDOW_MS", "300"},
                                        {"PARLEY_BATCH_MAX_WAIT_MS", "3000"}}));
  }
  void TearDown() override {
    if (parley_ && parley_->running()) parley_->Terminate();
    parley_.reset();
  }

  // The one integer `sql` reads from the test's database.
  int64_t QueryPostgres(const std::string& sql) { return database_.QueryInt(sql); }

  std::string SentText(size_t index) {
    auto sends = graph_.sends();
    if (index >= sends.size()) return {};
    return std::string(sends[index].body.at("text").at("body").as_string());
  }

  OwnDatabase database_;
  std::string url_;
};

TEST_F(PostgresIntegrationTest, MigrateReportsPendingThenAppliedThenUpToDate) {
  auto before = parley_->Cli({"migrate", "--status"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  const auto pending = StatusLines(before.out);
  ASSERT_FALSE(pending.empty());
  for (const auto& line : pending) EXPECT_EQ(line.at("state"), "pending") << json::serialize(line);
  EXPECT_EQ(QueryPostgres("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"), 0)
      << "--status changed the database";

  auto migrated = parley_->Cli({"migrate"});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  const json::value first = json::parse(migrated.out);
  EXPECT_EQ(first.at("migrated").to_number<int64_t>(), static_cast<int64_t>(pending.size()));
  EXPECT_EQ(first.at("schema_version"), pending.back().at("version"));
  EXPECT_FALSE(first.as_object().contains("up_to_date"));

  auto again = parley_->Cli({"migrate"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out).at("migrated").to_number<int64_t>(), 0);
  EXPECT_TRUE(json::parse(again.out).at("up_to_date").as_bool());

  auto after = parley_->Cli({"migrate", "--status"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  const auto applied = StatusLines(after.out);
  ASSERT_EQ(applied.size(), pending.size());
  for (const auto& line : applied) {
    EXPECT_EQ(line.at("state"), "applied") << json::serialize(line);
    EXPECT_TRUE(line.contains("applied_at"));
  }
  // Nothing of it went to a SQLite file in the data directory.
  EXPECT_FALSE(std::filesystem::exists(parley_->data_dir() + "/parley.db"));
}

TEST_F(PostgresIntegrationTest, TheListeningLineNamesTheDatabaseWithoutItsCredentials) {
  ASSERT_EQ(parley_->Cli({"migrate"}).exit_code, 0);
  // postgresql://parley@host:port/database: the test server trusts loopback, so a password is accepted and ignored.
  const size_t at = url_.find('@');
  ASSERT_NE(at, std::string::npos) << url_;
  parley_->env()["PARLEY_DATABASE_URL"] = url_.substr(0, at) + ":s3cret" + url_.substr(at) + "?application_name=gw";
  parley_->Start();
  const std::string expected = "\"database\":\"postgresql://" + url_.substr(at + 1) + "\"";
  EXPECT_NE(parley_->logs().find(expected), std::string::npos) << parley_->logs();
  EXPECT_EQ(parley_->logs().find("s3cret"), std::string::npos) << parley_->logs();
}

TEST_F(PostgresIntegrationTest, AServerRefusesADatabaseNewerThanItself) {
  ASSERT_EQ(parley_->Cli({"migrate"}).exit_code, 0);
  // A newer Parley's migration, as an older binary would find it after a downgrade.
  auto future = pg::Connection::Open(url_).value();
  ASSERT_TRUE(future->Execute(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_from_the_future', 0)"));

  auto status = parley_->Cli({"migrate", "--status"});
  EXPECT_NE(status.exit_code, 0);
  EXPECT_NE(status.out.find("\"state\":\"unknown\""), std::string::npos) << status.out;
  auto migrate = parley_->Cli({"migrate"});
  EXPECT_NE(migrate.exit_code, 0);
  EXPECT_NE(migrate.err.find("newer than this Parley"), std::string::npos) << migrate.err;
  auto serve = parley_->Cli({"serve"});
  EXPECT_NE(serve.exit_code, 0);
  EXPECT_NE(serve.err.find("newer than this Parley"), std::string::npos) << serve.err;
  EXPECT_EQ(serve.err.find("\"event\":\"listening\""), std::string::npos) << serve.err;
}

TEST_F(PostgresIntegrationTest, BackupAndRestoreSayToUsePgDumpAndKeepTheKey) {
  ASSERT_NO_FATAL_FAILURE(CreateTenants("Acme", /*other=*/false));
  const std::string backup_dir = parley_->data_dir() + "/backup";
  auto backup = parley_->Cli({"backup", "--to", backup_dir});
  EXPECT_NE(backup.exit_code, 0);
  EXPECT_NE(backup.err.find("pg_dump"), std::string::npos) << backup.err;
  EXPECT_NE(backup.err.find("master key"), std::string::npos) << backup.err;
  EXPECT_NE(backup.err.find("master.key"), std::string::npos) << backup.err;
  EXPECT_FALSE(std::filesystem::exists(backup_dir)) << "a refused backup left a directory behind";

  auto restore = parley_->Cli({"restore", "--from", backup_dir});
  EXPECT_NE(restore.exit_code, 0);
  EXPECT_NE(restore.err.find("pg_restore"), std::string::npos) << restore.err;
}

TEST_F(PostgresIntegrationTest, TheCliPreparesATenantAndAWebhookIsStoredAndAnsweredOffline) {
  ASSERT_NO_FATAL_FAILURE(CreateTenants("Acme Bakery", /*other=*/false));
  ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel(kToken));
  ASSERT_NO_FATAL_FAILURE(CreateUser("owner@acme.test", "correct horse battery staple"));
  const std::string guide = parley_->data_dir() + "/bakery-guide.md";
  std::ofstream(guide) << kGuide;
  auto added = parley_->Cli({"kb", "add", "--tenant", tenant_id_, guide});
  ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
  EXPECT_EQ(json::parse(added.out).at("status"), "ready") << added.out;
  auto listed = parley_->Cli({"kb", "list", "--tenant", tenant_id_});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("bakery-guide.md"), std::string::npos) << listed.out;
  EXPECT_EQ(QueryPostgres("SELECT COUNT(*) FROM channels"), 1);

  parley_->Start();
  ASSERT_EQ(PostCustomerText("33612345678", "wamid.pg.q1", "What time do you open on Sunday?").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 10s)) << parley_->logs();
  EXPECT_NE(SentText(0).find("On Sunday we open from 10:00 to 14:00."), std::string::npos) << SentText(0);
  // The channel's token was sealed by the CLI into PostgreSQL and unsealed by the server with the same master key.
  EXPECT_EQ(graph_.sends()[0].authorization, std::string("Bearer ") + kToken);

  // The customer's message and the reply are in PostgreSQL, and the API reads them from there.
  ASSERT_TRUE(Eventually(
      [&] { return QueryPostgres("SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status = 'sent'") == 1; },
      5s));
  EXPECT_EQ(QueryPostgres("SELECT COUNT(*) FROM messages WHERE platform_message_id = 'wamid.pg.q1'"), 1);
  const json::value conversations = Api("GET", "/api/conversations").Json();
  ASSERT_EQ(conversations.at("data").as_array().size(), 1u);
  const int64_t conversation_id = conversations.at("data").at(0).at("id").to_number<int64_t>();
  const json::value messages = Api("GET", "/api/conversations/" + std::to_string(conversation_id) + "/messages").Json();
  ASSERT_EQ(messages.at("data").as_array().size(), 2u);
  EXPECT_EQ(messages.at("data").at(0).at("text"), "What time do you open on Sunday?");
  EXPECT_FALSE(std::filesystem::exists(parley_->data_dir() + "/parley.db"));

  // A second delivery of the same webhook is acknowledged and stored once.
  ASSERT_EQ(PostCustomerText("33612345678", "wamid.pg.q1", "What time do you open on Sunday?").status, 200);
  EXPECT_EQ(QueryPostgres("SELECT COUNT(*) FROM messages WHERE platform_message_id = 'wamid.pg.q1'"), 1);
}

}  // namespace
}  // namespace parley::testing
