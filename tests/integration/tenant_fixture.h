#pragma once
// The set-up of the integration tests that run a tenant's WhatsApp traffic through the real binary: the server with
// the fake Graph API, the tenant (and Globex, another tenant, to show what one cannot see of the other), its WhatsApp
// channel, people who sign in, customers' messages through the signed webhook, and the JSON API.
//
// A test's SetUp calls the steps it needs, each under ASSERT_NO_FATAL_FAILURE so that a failed step ends it:
//   ASSERT_NO_FATAL_FAILURE(MakeServer({{"PARLEY_BATCH_WINDOW_MS", "200"}}));
//   ASSERT_NO_FATAL_FAILURE(CreateTenants("Acme"));
//   ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel("EAAG-some-token"));
//   parley_->Start();

#include "fakes/fake_graph.h"
#include "integration/harness.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace parley::testing {

// A tenant as `parley tenant create` made it.
struct CreatedTenant {
  std::string id;
  std::string api_key;
};

// `parley tenant create --name name` on `parley`'s store (the server need not run). A failed command fails the test,
// and the tenant is then empty.
CreatedTenant CreateTenant(const ParleyProcess& parley, const std::string& name);

// POSTs `body` to the WhatsApp webhook signed with `app_secret`, as Meta does.
HttpResult PostSignedWhatsApp(const ParleyProcess& parley, const std::string& app_secret, const std::string& body);

// Runs `sql` on the server's database, as an older version or a person could have written it.
void ExecSql(const ParleyProcess& parley, const std::string& sql);
// The first column of the first row `sql` reads from the server's database (-1 without one).
int64_t QueryInt(const ParleyProcess& parley, const std::string& sql);

class TenantFixture : public ::testing::Test {
 protected:
  // What the server checks webhooks' signatures with, and the number of the tenant's WhatsApp channel by default.
  static constexpr const char* kWhatsAppSecret = "wa-app-secret-integration-tests";
  static constexpr const char* kPhoneNumberId = "106540352240077";

  // The server's environment: the WhatsApp app's secret and verify token and the fake Graph API, then `env`, which
  // may replace any of them.
  std::map<std::string, std::string> ServerEnv(const std::map<std::string, std::string>& env) const;
  // parley_, not started yet, with ServerEnv(env).
  void MakeServer(const std::map<std::string, std::string>& env);
  // `parley tenant create`: tenant_id_ and key_; with `other`, Globex too: other_id_ and other_key_.
  void CreateTenants(const std::string& name = "Acme", bool other = true);
  // A WhatsApp channel of `tenant_id` (the tenant's when empty) on `phone_number_id`.
  void AddWhatsAppChannel(const std::string& access_token, const std::string& phone_number_id = kPhoneNumberId,
                          const std::string& tenant_id = {});
  // A person of the tenant, with the CLI's default role when `role` is empty; their id in `id` when given.
  void CreateUser(const std::string& email, const std::string& password, const std::string& role = {},
                  int64_t* id = nullptr);
  // Signs in on the started server; the session's token in `token`.
  void LogIn(const std::string& email, const std::string& password, std::string* token);

  // A JSON API call with `key` (the tenant's API key when empty) as the bearer token.
  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {},
                 const std::string& key = {}, std::vector<std::pair<std::string, std::string>> headers = {});
  // A customer's text message to `phone_number_id` through the signed webhook.
  HttpResult PostCustomerText(const std::string& from, const std::string& message_id, const std::string& text,
                              const std::string& phone_number_id = kPhoneNumberId);
  // The id of the first conversation `key`'s tenant finds searching for `query`, once it does (0 after 5 s).
  int64_t WaitForConversation(const std::string& query, const std::string& key = {});

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string tenant_id_;
  std::string key_;
  std::string other_id_;
  std::string other_key_;
};

}  // namespace parley::testing
