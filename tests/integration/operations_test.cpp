// Backup, restore and migrations as an operator runs them: the real binary, a server under load while it is backed
// up, and a second data directory filled from the backup.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kSecret = "wa-app-secret-for-operations";
constexpr const char* kPhoneNumberId = "106540352242922";
constexpr const char* kToken = "EAAG-operations-token";

class OperationsTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env() {
    return {{"WHATSAPP_APP_SECRET", kSecret},
            {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
            {"PARLEY_BATCH_WINDOW_MS", "200"},
            {"PARLEY_RESPONDER", "away_message"}};
  }

  void SetUp() override {
    source_ = std::make_unique<ParleyProcess>(Env());
    const CreatedTenant tenant = CreateTenant(*source_, "Acme Bakery");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = tenant.id;
    api_key_ = tenant.api_key;
    auto channel = source_->Cli({"channel", "add", "whatsapp", "--tenant", tenant_id_, "--phone-number-id",
                                 kPhoneNumberId, "--access-token", kToken});
    ASSERT_EQ(channel.exit_code, 0) << channel.out;
    backup_dir_ = fs::temp_directory_path() / ("parley-backup-" + std::to_string(::getpid()) + "-" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(backup_dir_);
  }
  void TearDown() override { fs::remove_all(backup_dir_); }

  static HttpResult PostWhatsApp(const ParleyProcess& parley, const std::string& from, const std::string& id,
                                 const std::string& text) {
    return PostSignedWhatsApp(parley, kSecret,
                              payloads::WhatsAppText(kPhoneNumberId, from, id, text, payloads::NowSeconds()));
  }

  // The platform ids of every message the tenant's conversations hold.
  std::set<std::string> StoredMessageIds(const ParleyProcess& parley) {
    std::set<std::string> ids;
    auto list = Call("GET", parley.url("/api/conversations?limit=200"), {}, {{"Authorization", "Bearer " + api_key_}});
    EXPECT_EQ(list.status, 200) << list.body;
    // Kept in locals: a range over a member of a temporary JSON value would dangle.
    const json::value conversations = list.Json();
    for (const auto& conversation : conversations.at("data").as_array()) {
      const std::string path =
          "/api/conversations/" + std::to_string(conversation.at("id").to_number<int64_t>()) + "/messages?limit=500";
      auto messages = Call("GET", parley.url(path), {}, {{"Authorization", "Bearer " + api_key_}});
      EXPECT_EQ(messages.status, 200) << messages.body;
      const json::value page = messages.Json();
      for (const auto& message : page.at("data").as_array()) {
        if (const auto* id = message.as_object().if_contains("platform_message_id"); id && id->is_string()) {
          ids.insert(std::string(id->as_string()));
        }
      }
    }
    return ids;
  }

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> source_;
  std::string tenant_id_;
  std::string api_key_;
  fs::path backup_dir_;
};

TEST_F(OperationsTest, ABackupTakenUnderLoadRestoresEveryAcknowledgedMessageAndTheChannelToken) {
  source_->Start();
  // Customers keep writing while the backup runs; whatever was acknowledged before it began must be in it.
  std::vector<std::string> acknowledged_before;
  for (int i = 0; i < 40; ++i) {
    const std::string id = "wamid.before." + std::to_string(i);
    ASSERT_EQ(PostWhatsApp(*source_, "1650555" + std::to_string(1000 + i % 8), id, "order " + std::to_string(i)).status,
              200);
    acknowledged_before.push_back(id);
  }
  std::atomic<bool> stop = false;
  std::atomic<int> during = 0;
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      if (PostWhatsApp(*source_, "16505552000", "wamid.during." + std::to_string(i), "still here").status == 200) {
        ++during;
      }
    }
  });
  auto backup = source_->Cli({"backup", "--to", backup_dir_.string()});
  stop = true;
  writer.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  auto printed = json::parse(backup.out).as_object();
  EXPECT_EQ(printed.at("path").as_string(), fs::absolute(backup_dir_).string());
  EXPECT_GT(printed.at("bytes").to_number<int64_t>(), 0);
  EXPECT_TRUE(printed.at("master_key_included").as_bool());
  EXPECT_GT(during.load(), 0) << "the server kept answering during the backup";
  EXPECT_EQ(fs::status(backup_dir_ / "master.key").permissions() & fs::perms::group_all, fs::perms::none);

  // A second machine: an empty data directory filled from the backup, the same environment otherwise.
  ParleyProcess restored(Env());
  auto restore = restored.Cli({"restore", "--from", backup_dir_.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_TRUE(json::parse(restore.out).at("restored").as_bool());
  restored.Start();
  const auto ids = StoredMessageIds(restored);
  for (const auto& id : acknowledged_before) EXPECT_TRUE(ids.count(id)) << id << " was acknowledged before the backup";

  // The channel's sealed token still opens with the restored master key: a reply goes out with it.
  const size_t sends_before = graph_.sends().size();
  ASSERT_EQ(PostWhatsApp(restored, "16505553000", "wamid.after.restore", "hello again").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(sends_before + 1, 10s)) << restored.logs();
  EXPECT_EQ(graph_.sends().back().authorization, std::string("Bearer ") + kToken);
}

TEST_F(OperationsTest, RestoreRefusesADataDirectoryInUseAndADamagedBackup) {
  auto backup = source_->Cli({"backup", "--to", backup_dir_.string()});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  // The source's data directory is not empty: restoring over it would mix two stores.
  auto over = source_->Cli({"restore", "--from", backup_dir_.string()});
  EXPECT_NE(over.exit_code, 0);
  EXPECT_NE(over.err.find("not empty"), std::string::npos) << over.err;
  // A backup into a directory that holds something is refused too, and leaves it alone.
  auto again = source_->Cli({"backup", "--to", backup_dir_.string()});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_TRUE(fs::exists(backup_dir_ / "manifest.json"));

  {
    std::fstream database(backup_dir_ / "parley.db", std::ios::in | std::ios::out | std::ios::binary);
    database.seekp(4096 + 100);
    database.write("damaged", 7);
  }
  ParleyProcess target(Env());
  auto restore = target.Cli({"restore", "--from", backup_dir_.string()});
  EXPECT_NE(restore.exit_code, 0);
  EXPECT_NE(restore.err.find("checksum"), std::string::npos) << restore.err;
  EXPECT_FALSE(fs::exists(fs::path(target.data_dir()) / "parley.db"));
}

TEST_F(OperationsTest, ABackupWithoutItsKeyNeedsTheSameKeyToRestore) {
  const std::string key(64, 'a');
  ParleyProcess keyed([&] {
    auto env = Env();
    env["PARLEY_MASTER_KEY"] = key;
    return env;
  }());
  ASSERT_EQ(keyed.Cli({"migrate"}).exit_code, 0);
  auto backup = keyed.Cli({"backup", "--to", backup_dir_.string()});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_FALSE(json::parse(backup.out).at("master_key_included").as_bool());
  EXPECT_FALSE(fs::exists(backup_dir_ / "master.key"));

  ParleyProcess without_key(Env());
  auto refused = without_key.Cli({"restore", "--from", backup_dir_.string()});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("PARLEY_MASTER_KEY"), std::string::npos) << refused.err;

  auto wrong_env = Env();
  wrong_env["PARLEY_MASTER_KEY"] = std::string(64, 'b');
  ParleyProcess wrong_key(wrong_env);
  auto wrong = wrong_key.Cli({"restore", "--from", backup_dir_.string()});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("not the key"), std::string::npos) << wrong.err;

  auto right_env = Env();
  right_env["PARLEY_MASTER_KEY"] = key;
  ParleyProcess right_key(right_env);
  auto restored = right_key.Cli({"restore", "--from", backup_dir_.string()});
  EXPECT_EQ(restored.exit_code, 0) << restored.out;
}

TEST_F(OperationsTest, MigrateSaysWhatItDidAndAServerRefusesANewerDatabase) {
  auto status = source_->Cli({"migrate", "--status"});
  ASSERT_EQ(status.exit_code, 0) << status.out;
  std::istringstream lines(status.out);
  std::string line;
  int applied = 0;
  while (std::getline(lines, line)) {
    auto row = json::parse(line).as_object();
    EXPECT_EQ(row.at("state").as_string(), "applied") << line;
    ++applied;
  }
  EXPECT_GE(applied, 19);
  auto again = source_->Cli({"migrate"});
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(json::parse(again.out).at("migrated").to_number<int64_t>(), 0);
  EXPECT_TRUE(json::parse(again.out).at("up_to_date").as_bool());

  // A newer Parley's migration, as an older binary would find it after a downgrade.
  const std::string database = source_->data_dir() + "/parley.db";
  const std::string insert =
      "python3 -c \"import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute(\\\"INSERT INTO "
      "schema_migrations (version, name, applied_at) VALUES (9999, '9999_from_the_future', 0)\\\"); db.commit()\" '" +
      database + "'";
  ASSERT_EQ(std::system(insert.c_str()), 0) << insert;
  auto unknown = source_->Cli({"migrate", "--status"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.out.find("\"state\":\"unknown\""), std::string::npos) << unknown.out;
  auto refused = source_->Cli({"migrate"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("newer than this Parley"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace parley::testing
