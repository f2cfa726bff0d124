#include "channels/registry.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/crypto.h"
#include "support/platform_rules.h"

namespace parley::channels {
namespace {

TEST(RegistryTest, ListsEachPlatformOnceByAValidName) {
  std::set<std::string> names;
  for (const PlatformPlugin* plugin : Platforms()) {
    EXPECT_TRUE(ParsePlatform(plugin->name)) << plugin->name;
    EXPECT_TRUE(names.insert(std::string(plugin->name)).second) << plugin->name << " is listed twice";
    EXPECT_EQ(FindPlatform(plugin->name), plugin);
    EXPECT_FALSE(plugin->display_name.empty());
    EXPECT_TRUE(plugin->make_channel && plugin->parse_webhook && plugin->sample_webhook) << plugin->name;
    if (plugin->webhook.verification == WebhookSpec::Verification::kNone) {
      // Its customers reach its own routes, which authenticate them: no webhook, no account nor token to give.
      EXPECT_EQ(plugin->webhook_path(), "") << plugin->name;
      EXPECT_NE(plugin->make_routes, nullptr) << plugin->name;
      EXPECT_EQ(plugin->Field(ChannelField::Target::kAccountId), nullptr) << plugin->name;
      continue;
    }
    const bool per_channel = plugin->webhook.verification == WebhookSpec::Verification::kChannelSecret;
    EXPECT_EQ(plugin->webhook_path(),
              "/api/" + std::string(plugin->name) + "/webhook" + (per_channel ? "/{public_id}" : ""));
    EXPECT_FALSE(plugin->webhook.signature_header.empty());
    // Meta's webhooks name the account; a per-channel webhook's path names the channel, whose token names the
    // account (CheckAccount's AccountProfile::account_id).
    EXPECT_EQ(plugin->Field(ChannelField::Target::kAccountId) != nullptr, !per_channel) << plugin->name;
    const ChannelField* token = plugin->Field(ChannelField::Target::kAccessToken);
    ASSERT_NE(token, nullptr) << plugin->name;
    EXPECT_TRUE(token->secret);
  }
  EXPECT_TRUE(names.contains("whatsapp"));
  EXPECT_TRUE(names.contains("instagram"));
  EXPECT_EQ(FindPlatform("telex"), nullptr);
  EXPECT_EQ(FindPlatform(Platform()), nullptr);
}

TEST(RegistryTest, TheStoreAndAgentTestsUseTheRulesThePlatformsDeclare) {
  EXPECT_EQ(TraitsOf(Platform("whatsapp")).window, testing::kWhatsAppWindow);
  EXPECT_EQ(TraitsOf(Platform("instagram")).window, testing::kInstagramWindow);
  EXPECT_EQ(TraitsOf(Platform("whatsapp")).text, testing::kWhatsAppText);
  EXPECT_EQ(TraitsOf(Platform("instagram")).text, testing::kInstagramText);
  EXPECT_EQ(TraitsOf(Platform("gone")).text.max_length, 1000u);
}

TEST(RegistryTest, ConfigKeysNameEachPlatformsSecrets) {
  std::set<std::string> envs;
  for (const ConfigKey& key : PlatformConfigKeys()) envs.insert(key.env);
  for (const char* env :
       {"WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "INSTAGRAM_APP_SECRET", "INSTAGRAM_VERIFY_TOKEN"}) {
    EXPECT_TRUE(envs.contains(env)) << env;
  }
  auto config = LoadConfig(
      [](const std::string& name) -> std::optional<std::string> {
        if (name == "INSTAGRAM_APP_SECRET") return "ig-secret";
        return std::nullopt;
      },
      std::nullopt, PlatformConfigKeys());
  ASSERT_TRUE(config);
  EXPECT_EQ(config->PlatformSetting("instagram_app_secret"), "ig-secret");
}

TEST(RegistryTest, CommittedConfigurationDocsMatchTheTableAndThePlatforms) {
  std::ifstream in(std::string(PARLEY_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(committed.str(), ConfigMarkdown(PlatformConfigKeys()))
      << "run `make docs` to regenerate docs/configuration.md";
}

TEST(RegistryTest, EveryPlatformHasAFixtureCorpus) {
  for (const PlatformPlugin* plugin : Platforms()) {
    EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::path(PARLEY_TEST_DATA_DIR) / plugin->name))
        << "tests/data/" << plugin->name;
  }
}

// Each platform's sample webhook (`parley simulate`) is one its own channel verifies and parses into the message.
TEST(RegistryTest, SampleWebhooksParseIntoTheirMessage) {
  for (const PlatformPlugin* plugin : Platforms()) {
    Config config;
    config.platform_settings[plugin->webhook.app_secret.name] = "app-secret";
    boost::asio::io_context io;
    http::Client client(io.get_executor(), {});
    ChannelSet set = MakeChannels(config, client);
    Channel* channel = set.Get(plugin->platform());
    ASSERT_NE(channel, nullptr) << plugin->name;
    EXPECT_EQ(channel->platform(), plugin->platform());
    const std::string body = plugin->sample_webhook(
        {"1234567890", "1555000111", "Ana", "Is the bakery open today?", "x1", 1'700'000'000'000});
    const bool per_channel = plugin->webhook.verification == WebhookSpec::Verification::kChannelSecret;
    const bool no_webhook = plugin->webhook.verification == WebhookSpec::Verification::kNone;
    if (no_webhook) {
      EXPECT_FALSE(channel->VerifySignature(body, "sha256=" + crypto::HmacSha256Hex("app-secret", body)));
      EXPECT_TRUE(channel->WebhookSecret("123:token", "public-1").empty()) << plugin->name;
    } else if (per_channel) {
      EXPECT_FALSE(channel->VerifySignature(body, "sha256=" + crypto::HmacSha256Hex("app-secret", body)));
      EXPECT_FALSE(channel->WebhookSecret("123:token", "public-1").empty()) << plugin->name;
    } else {
      EXPECT_TRUE(channel->VerifySignature(body, "sha256=" + crypto::HmacSha256Hex("app-secret", body)))
          << plugin->name;
      EXPECT_TRUE(channel->WebhookSecret("123:token", "public-1").empty()) << plugin->name;
    }
    auto events = channel->Parse(body);
    ASSERT_TRUE(events) << plugin->name << ": " << events.error().message;
    ASSERT_EQ(events->messages.size(), 1u) << plugin->name;
    const UnifiedMessage& m = events->messages[0];
    EXPECT_EQ(m.platform, plugin->platform());
    // A per-channel webhook's account is its channel's, filled in by the route; a platform without webhooks has its
    // route fill in the customer too (the web chat's visitor, from their token).
    EXPECT_EQ(m.account_id, per_channel || no_webhook ? "" : "1234567890");
    EXPECT_EQ(m.contact_id, no_webhook ? "" : "1555000111");
    EXPECT_EQ(m.text, "Is the bakery open today?");
  }
}

TEST(ChannelSetTest, GetsTheChannelOfAPlatformAndNothingForOthers) {
  boost::asio::io_context io;
  http::Client client(io.get_executor(), {});
  ChannelSet set = MakeChannels(Config{}, client);
  for (const PlatformPlugin* plugin : Platforms()) {
    ASSERT_NE(set.Get(plugin->platform()), nullptr);
    EXPECT_EQ(set.Get(plugin->platform())->platform(), plugin->platform());
  }
  EXPECT_EQ(set.Get(Platform("telex")), nullptr);
}

}  // namespace
}  // namespace parley::channels
