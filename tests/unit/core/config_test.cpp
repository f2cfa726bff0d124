#include "core/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace parley {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

std::string WriteToml(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("parley-config-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(ConfigTest, DefaultsMatchTheDocumentedOnes) {
  auto config = LoadConfig(FakeEnv({}));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->listen, "127.0.0.1:8080");
  EXPECT_EQ(config->data_dir, "./data");
  EXPECT_EQ(config->database_url, "sqlite://./data/parley.db");
  EXPECT_EQ(config->batch_window_ms, 2000);
  EXPECT_EQ(config->batch_max_wait_ms, 10000);
  EXPECT_EQ(config->processing_timeout_ms, 30000);
  EXPECT_EQ(config->max_body_bytes, 1 << 20);
  EXPECT_EQ(config->graph_api_base_url, "https://graph.facebook.com/v23.0");
  EXPECT_FALSE(config->auto_reply_text.empty());
}

TEST(ConfigTest, TenantsDefaultToTheSelfHostedPlanUnlessBillingIsOn) {
  EXPECT_EQ(LoadConfig(FakeEnv({})).value().default_plan, "self-hosted");
  EXPECT_EQ(LoadConfig(FakeEnv({{"STRIPE_WEBHOOK_SECRET", "whsec_x"}})).value().default_plan, "self-hosted");
  auto billing = LoadConfig(FakeEnv({{"STRIPE_WEBHOOK_SECRET", "whsec_x"}, {"STRIPE_SECRET_KEY", "sk_x"}})).value();
  EXPECT_TRUE(billing.BillingEnabled());
  EXPECT_EQ(billing.default_plan, "free");
  EXPECT_EQ(LoadConfig(FakeEnv({{"PARLEY_DEFAULT_PLAN", "pro"}})).value().default_plan, "pro");
}

TEST(ConfigTest, ListSettingsSplitAtCommasTrimmedWithoutEmptyEntries) {
  EXPECT_EQ(SplitListSetting(" 10.0.0.0/8,\tfd00::/8 ,, wiki.internal,"),
            (std::vector<std::string_view>{"10.0.0.0/8", "fd00::/8", "wiki.internal"}));
  EXPECT_TRUE(SplitListSetting("").empty());
  EXPECT_TRUE(SplitListSetting(" , ").empty());
}

TEST(ConfigTest, TheExampleProductionFileLoads) {
  auto config = LoadConfig(FakeEnv({}), std::string(PARLEY_SOURCE_DIR) + "/deploy/parley.example.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->public_url, "https://parley.example.com");
  EXPECT_EQ(config->data_dir, "/var/lib/parley");
  EXPECT_EQ(config->SqlitePath(), "/var/lib/parley/parley.db");
}

TEST(ConfigTest, EnvironmentWinsOverTheFile) {
  auto path = WriteToml("batch_window_ms = 1500\nlisten = \"0.0.0.0:9000\"\n");
  auto config = LoadConfig(FakeEnv({{"PARLEY_BATCH_WINDOW_MS", "700"}, {"PARLEY_DATA_DIR", "/tmp/x"}}), path);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->batch_window_ms, 700);
  EXPECT_EQ(config->listen, "0.0.0.0:9000");
  EXPECT_EQ(config->database_url, "sqlite:///tmp/x/parley.db");
  EXPECT_EQ(config->SqlitePath(), "/tmp/x/parley.db");
}

TEST(ConfigTest, BadValuesNameTheKey) {
  auto bad_int = LoadConfig(FakeEnv({{"PARLEY_BATCH_WINDOW_MS", "soon"}}));
  ASSERT_FALSE(bad_int);
  EXPECT_NE(bad_int.error().message.find("PARLEY_BATCH_WINDOW_MS"), std::string::npos);
  auto out_of_range = LoadConfig(FakeEnv({{"PARLEY_HTTP_THREADS", "0"}}));
  ASSERT_FALSE(out_of_range);
  auto bad_enum = LoadConfig(FakeEnv({{"PARLEY_LOG_LEVEL", "loud"}}));
  ASSERT_FALSE(bad_enum);
  auto inverted = LoadConfig(FakeEnv({{"PARLEY_BATCH_WINDOW_MS", "5000"}, {"PARLEY_BATCH_MAX_WAIT_MS", "1000"}}));
  ASSERT_FALSE(inverted);
  auto long_reply = LoadConfig(FakeEnv({{"PARLEY_AUTO_REPLY_TEXT", std::string(1001, 'a')}}));
  ASSERT_FALSE(long_reply);
}

TEST(ConfigTest, PublicUrlIsAnHttpUrlKeptWithoutTrailingSlash) {
  auto unset = LoadConfig(FakeEnv({})).value();
  EXPECT_EQ(unset.public_url, "");
  EXPECT_FALSE(unset.ServedOverHttps());
  auto https = LoadConfig(FakeEnv({{"PARLEY_PUBLIC_URL", "https://parley.example.com/"}})).value();
  EXPECT_EQ(https.public_url, "https://parley.example.com");
  EXPECT_TRUE(https.ServedOverHttps());
  auto with_path = LoadConfig(FakeEnv({{"PARLEY_PUBLIC_URL", "http://10.0.0.5:8080/parley"}})).value();
  EXPECT_EQ(with_path.public_url, "http://10.0.0.5:8080/parley");
  EXPECT_FALSE(with_path.ServedOverHttps());
  for (const char* bad :
       {"parley.example.com", "ftp://parley.example.com", "https://", "https:///x", "https://parley.example.com/?a=1",
        "https://parley.example.com/#top", "https://user@parley.example.com", "https://parley example.com"}) {
    auto config = LoadConfig(FakeEnv({{"PARLEY_PUBLIC_URL", bad}}));
    ASSERT_FALSE(config) << bad;
    EXPECT_NE(config.error().message.find("PARLEY_PUBLIC_URL"), std::string::npos) << bad;
  }
}

TEST(ConfigTest, RedisUrlIsOptionalAndNeverEchoed) {
  EXPECT_TRUE(LoadConfig(FakeEnv({})).value().redis_url.empty());
  EXPECT_EQ(LoadConfig(FakeEnv({{"PARLEY_REDIS_URL", "redis://:pw@10.0.0.9:6379/1"}})).value().redis_url,
            "redis://:pw@10.0.0.9:6379/1");
  auto wrong = LoadConfig(FakeEnv({{"PARLEY_REDIS_URL", "rediss://:hunter2@cache:6380"}}));
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("PARLEY_REDIS_URL"), std::string::npos);
  EXPECT_EQ(wrong.error().message.find("hunter2"), std::string::npos);
  // TLS is the one thing a well-formed URL can ask that this build cannot give: the refusal says what to do instead.
  EXPECT_NE(wrong.error().message.find("stunnel"), std::string::npos) << wrong.error().message;
  auto other_scheme = LoadConfig(FakeEnv({{"PARLEY_REDIS_URL", "http://cache:6379"}}));
  ASSERT_FALSE(other_scheme);
  EXPECT_NE(other_scheme.error().message.find("must start with redis://"), std::string::npos);
}

// An empty PARLEY_DATABASE_URL (an unset variable in a unit file or a compose file) is the embedded store, so that
// `parley backup` and the listening line speak of SQLite, not of PostgreSQL.
TEST(ConfigTest, AnEmptyDatabaseUrlIsTheSqliteStoreInTheDataDirectory) {
  auto config = LoadConfig(FakeEnv({{"PARLEY_DATABASE_URL", ""}, {"PARLEY_DATA_DIR", "/tmp/x"}}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->database_url, "sqlite:///tmp/x/parley.db");
  EXPECT_EQ(config->SqlitePath(), "/tmp/x/parley.db");
}

TEST(ConfigTest, DatabaseUrlNamesSqliteOrPostgresAndIsNeverEchoed) {
  auto postgres = LoadConfig(FakeEnv({{"PARLEY_DATABASE_URL", "postgresql://parley:pw@db:5432/parley"},
                                      {"PARLEY_DATABASE_POOL", "16"}}))
                      .value();
  EXPECT_EQ(postgres.database_url, "postgresql://parley:pw@db:5432/parley");
  EXPECT_EQ(postgres.database_pool, 16);
  EXPECT_EQ(postgres.SqlitePath(), "");
  EXPECT_EQ(LoadConfig(FakeEnv({})).value().database_pool, 8);
  EXPECT_TRUE(LoadConfig(FakeEnv({{"PARLEY_DATABASE_URL", "postgres://db/parley"}})));
  auto wrong = LoadConfig(FakeEnv({{"PARLEY_DATABASE_URL", "mysql://root:hunter2@db/parley"}}));
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("PARLEY_DATABASE_URL"), std::string::npos);
  EXPECT_EQ(wrong.error().message.find("hunter2"), std::string::npos);
  EXPECT_FALSE(LoadConfig(FakeEnv({{"PARLEY_DATABASE_POOL", "0"}})));
}

TEST(ConfigTest, TlsNeedsBothFilesAndMeansHttps) {
  auto tls =
      LoadConfig(FakeEnv({{"PARLEY_TLS_CERT", "/etc/tls/fullchain.pem"}, {"PARLEY_TLS_KEY", "/etc/tls/privkey.pem"}}))
          .value();
  EXPECT_TRUE(tls.TlsEnabled());
  EXPECT_TRUE(tls.ServedOverHttps());  // Secure cookies and Strict-Transport-Security without a public URL.
  auto cert_alone = LoadConfig(FakeEnv({{"PARLEY_TLS_CERT", "/etc/tls/fullchain.pem"}}));
  ASSERT_FALSE(cert_alone);
  EXPECT_NE(cert_alone.error().message.find("PARLEY_TLS_CERT alone"), std::string::npos);
  auto key_alone = LoadConfig(FakeEnv({{"PARLEY_TLS_KEY", "/etc/tls/privkey.pem"}}));
  ASSERT_FALSE(key_alone);
  EXPECT_NE(key_alone.error().message.find("PARLEY_TLS_KEY alone"), std::string::npos);
  EXPECT_FALSE(LoadConfig(FakeEnv({})).value().TlsEnabled());
}

TEST(ConfigTest, WebDirDefaultsToWebBesideTheExecutable) {
  auto config = LoadConfig(FakeEnv({})).value();
  EXPECT_EQ(std::filesystem::path(config.web_dir),
            std::filesystem::read_symlink("/proc/self/exe").parent_path() / "web");
  EXPECT_EQ(LoadConfig(FakeEnv({{"PARLEY_WEB_DIR", "/srv/parley/web"}})).value().web_dir, "/srv/parley/web");
}

TEST(ConfigTest, UnknownTomlKeysAreErrors) {
  auto path = WriteToml("batch_windw_ms = 1500\n");
  auto config = LoadConfig(FakeEnv({}), path);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("batch_windw_ms"), std::string::npos);
}

TEST(ConfigTest, SecretValuesNeverAppearInErrors) {
  auto config = LoadConfig(FakeEnv({{"PARLEY_LOG_LEVEL", "hunter2-secret"}}));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.find("hunter2-secret"), std::string::npos);
}

TEST(ConfigTest, PlatformKeysAreReadIntoPlatformSettings) {
  const std::vector<ConfigKey> keys{{"acme_app_secret", "ACME_APP_SECRET", "string", "(none)", "Signs.", true}};
  auto config = LoadConfig(FakeEnv({{"ACME_APP_SECRET", "s3cret"}}), std::nullopt, keys).value();
  EXPECT_EQ(config.PlatformSetting("acme_app_secret"), "s3cret");
  EXPECT_EQ(config.PlatformSetting("other_app_secret"), "");
  EXPECT_EQ(ConfigKeys(keys).back().env, "ACME_APP_SECRET");
  EXPECT_NE(ConfigMarkdown(keys).find("`ACME_APP_SECRET`"), std::string::npos);
  EXPECT_TRUE(LoadConfig(FakeEnv({{"ACME_APP_SECRET", "s3cret"}})).value().platform_settings.empty());
}

TEST(ConfigTest, EveryKeyHasAnEnvironmentVariableAndADescription) {
  for (const auto& key : ConfigKeys()) {
    EXPECT_FALSE(key.env.empty()) << key.name;
    EXPECT_FALSE(key.description.empty()) << key.name;
  }
}

}  // namespace
}  // namespace parley
