// Access over real HTTP: login sessions, roles on every kind of route, API keys shown once and revoked at once,
// users and their guard rails, the audit log, per-tenant rate limits and the OpenAPI reference.

#include "integration/harness.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kOwnerPassword = "owner-password-1";

class AccessTest : public ::testing::Test {
 protected:
  void Boot(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{{"PARLEY_RESPONDER", "away_message"}};
    for (auto& [key, value] : extra) env[key] = value;
    parley_ = std::make_unique<ParleyProcess>(env);
    acme_ = CreateTenant(*parley_, "Acme");
    globex_ = CreateTenant(*parley_, "Globex");
    parley_->Start();
  }

  json::object CreateUserCli(const std::string& tenant, const std::string& email, const std::string& role,
                             const std::string& password = {}) {
    std::vector<std::string> args{"user", "create", "--tenant", tenant, "--email", email, "--role", role};
    if (!password.empty()) {
      args.push_back("--password");
      args.push_back(password);
    }
    auto out = parley_->Cli(args);
    EXPECT_EQ(out.exit_code, 0) << out.out;
    return json::parse(out.out).as_object();
  }

  HttpResult As(const std::string& token, const std::string& method, const std::string& path,
                const std::string& body = {}) {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }

  HttpResult Login(const std::string& email, const std::string& password) {
    return Call("POST", parley_->url("/api/auth/login"),
                json::serialize(json::object{{"email", email}, {"password", password}}),
                {{"Content-Type", "application/json"}});
  }

  std::string SessionFor(const std::string& email, const std::string& password) {
    auto login = Login(email, password);
    EXPECT_EQ(login.status, 200) << login.body;
    return std::string(login.Json().at("token").as_string());
  }

  std::unique_ptr<ParleyProcess> parley_;
  CreatedTenant acme_;
  CreatedTenant globex_;
};

TEST_F(AccessTest, LoginGivesASessionThatIdentifiesTheUserUntilLogout) {
  Boot();
  auto created = CreateUserCli(acme_.id, "Ana@Acme.test", "owner", kOwnerPassword);
  EXPECT_EQ(created.at("email"), "ana@acme.test");
  EXPECT_FALSE(created.contains("password"));

  auto login = Login(" ana@acme.test ", kOwnerPassword);
  ASSERT_EQ(login.status, 200) << login.body;
  auto body = login.Json().as_object();
  std::string token(body.at("token").as_string());
  EXPECT_TRUE(token.starts_with("prs_"));
  EXPECT_EQ(body.at("user").at("role"), "owner");
  EXPECT_FALSE(body.at("user").as_object().contains("password_hash"));
  EXPECT_FALSE(body.at("expires_at").as_string().empty());

  auto me = As(token, "GET", "/api/auth/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Json().at("tenant_id").to_number<int64_t>(), std::stoll(acme_.id));
  EXPECT_EQ(me.Json().at("user").at("email"), "ana@acme.test");
  EXPECT_EQ(As(token, "GET", "/api/conversations").status, 200);

  EXPECT_EQ(As(token, "POST", "/api/auth/logout").status, 204);
  EXPECT_EQ(As(token, "GET", "/api/auth/me").status, 401);
  // An API key is not a session: it is revoked, not logged out.
  EXPECT_EQ(As(acme_.api_key, "POST", "/api/auth/logout").status, 400);
}

TEST_F(AccessTest, WrongCredentialsGetOneAnswerAndGuessingIsSlowedDown) {
  // Every attempt here comes from 127.0.0.1: the address's own limit (guard_test.cpp) is raised out of the way.
  Boot({{"PARLEY_LOGIN_PER_ADDRESS_BURST", "100"}});
  CreateUserCli(acme_.id, "ana@acme.test", "owner", kOwnerPassword);
  auto wrong = Login("ana@acme.test", "not-the-password");
  EXPECT_EQ(wrong.status, 401);
  auto unknown = Login("nobody@acme.test", "not-the-password");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.Json().at("error").at("message"), unknown.Json().at("error").at("message"));
  EXPECT_EQ(Login("", "x").status, 400);

  // Ten guesses at once, then one every 6 s (LoginLimits): the guesser is refused within a few more, however slowly a
  // loaded machine answers each (at 12 attempts, a refill during slow answers once let every one through).
  std::string retry_after;
  for (int i = 0; i < 30 && retry_after.empty(); ++i) {
    auto attempt = Login("ana@acme.test", "guess-" + std::to_string(i));
    if (attempt.status == 429) retry_after = attempt.headers["retry-after"];
  }
  ASSERT_FALSE(retry_after.empty()) << "30 wrong guesses in a row were never refused";
  EXPECT_GE(std::stoi(retry_after), 1);
  // Another account is not slowed down by them.
  CreateUserCli(acme_.id, "bo@acme.test", "agent", "agent-password-1");
  EXPECT_EQ(Login("bo@acme.test", "agent-password-1").status, 200);
}

TEST_F(AccessTest, RolesAreEnforcedOnEveryKindOfRoute) {
  Boot();
  CreateUserCli(acme_.id, "ana@acme.test", "owner", kOwnerPassword);
  std::string owner = SessionFor("ana@acme.test", kOwnerPassword);
  auto agent_user = As(owner, "POST", "/api/users",
                       R"({"email":"bo@acme.test","password":"agent-password-1","role":"agent","name":"Bo"})");
  ASSERT_EQ(agent_user.status, 201) << agent_user.body;
  std::string agent = SessionFor("bo@acme.test", "agent-password-1");

  // Agents work the inbox and read knowledge; administration is refused with 403.
  EXPECT_EQ(As(agent, "GET", "/api/conversations").status, 200);
  EXPECT_EQ(As(agent, "GET", "/api/faq-qa").status, 200);
  EXPECT_EQ(As(agent, "POST", "/api/faq-qa", R"({"question":"q?","answer":"a"})").status, 403);
  EXPECT_EQ(As(agent, "PUT", "/api/ai-settings", "{}").status, 403);
  EXPECT_EQ(As(agent, "GET", "/api/api-keys").status, 403);
  EXPECT_EQ(As(agent, "GET", "/api/users").status, 403);
  EXPECT_EQ(As(agent, "GET", "/api/audit-logs").status, 403);
  auto forbidden = As(agent, "POST", "/api/api-keys", R"({"name":"mine"})");
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.Json().at("error").at("code"), "permission_denied");
  // Without credentials: 401 everywhere.
  EXPECT_EQ(Call("GET", parley_->url("/api/users")).status, 401);
  EXPECT_EQ(As("prs_forged", "GET", "/api/users").status, 401);
}

TEST_F(AccessTest, ApiKeysAreShownOnceCarryARoleAndStopWorkingWhenRevoked) {
  Boot();
  auto created = As(acme_.api_key, "POST", "/api/api-keys", R"({"name":"Zapier","role":"agent"})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto key = created.Json().as_object();
  std::string secret(key.at("key").as_string());
  EXPECT_TRUE(secret.starts_with("pk_"));
  EXPECT_TRUE(secret.starts_with(std::string(key.at("prefix").as_string())));
  EXPECT_EQ(key.at("role"), "agent");

  auto list = As(acme_.api_key, "GET", "/api/api-keys");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Json().at("data").as_array().size(), 2u);  // the tenant's first key and this one
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  EXPECT_EQ(list.body.find("\"key\""), std::string::npos);

  EXPECT_EQ(As(secret, "GET", "/api/conversations").status, 200);
  EXPECT_EQ(As(secret, "GET", "/api/api-keys").status, 403);
  auto me = As(secret, "GET", "/api/auth/me").Json();
  EXPECT_EQ(me.at("role"), "agent");
  EXPECT_EQ(me.at("api_key").at("id"), key.at("id"));

  EXPECT_EQ(As(acme_.api_key, "POST", "/api/api-keys", R"({"role":"agent"})").status, 400);
  EXPECT_EQ(As(acme_.api_key, "POST", "/api/api-keys", R"({"name":"x","role":"root"})").status, 400);

  std::string id = std::to_string(key.at("id").to_number<int64_t>());
  // Another tenant cannot see or revoke it.
  EXPECT_EQ(As(globex_.api_key, "DELETE", "/api/api-keys/" + id).status, 404);
  EXPECT_EQ(As(globex_.api_key, "GET", "/api/api-keys").Json().at("data").as_array().size(), 1u);
  EXPECT_EQ(As(secret, "GET", "/api/conversations").status, 200);

  EXPECT_EQ(As(acme_.api_key, "DELETE", "/api/api-keys/" + id).status, 204);
  EXPECT_EQ(As(secret, "GET", "/api/conversations").status, 401);
  EXPECT_EQ(As(acme_.api_key, "DELETE", "/api/api-keys/" + id).status, 404);
}

TEST_F(AccessTest, NobodyGrantsMoreThanTheyHoldAndATenantKeepsAnOwner) {
  Boot();
  auto owner_json = CreateUserCli(acme_.id, "ana@acme.test", "owner", kOwnerPassword);
  std::string owner_id = std::to_string(owner_json.at("user_id").to_number<int64_t>());
  auto admin_key = As(acme_.api_key, "POST", "/api/api-keys", R"({"name":"ops","role":"admin"})").Json();
  std::string admin(admin_key.at("key").as_string());

  EXPECT_EQ(
      As(admin, "POST", "/api/users", R"({"email":"x@acme.test","password":"password-123","role":"owner"})").status,
      403);
  EXPECT_EQ(As(admin, "POST", "/api/api-keys", R"({"name":"up","role":"owner"})").status, 403);
  EXPECT_EQ(As(admin, "DELETE", "/api/users/" + owner_id).status, 403);
  EXPECT_EQ(As(admin, "PATCH", "/api/users/" + owner_id, R"({"role":"agent"})").status, 403);
  auto made = As(admin, "POST", "/api/users", R"({"email":"cy@acme.test","password":"password-123","role":"agent"})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string agent_id = std::to_string(made.Json().at("id").to_number<int64_t>());
  EXPECT_EQ(As(admin, "POST", "/api/users", R"({"email":"cy@acme.test","password":"password-123"})").status, 409);
  EXPECT_EQ(As(admin, "POST", "/api/users", R"({"email":"not-an-email","password":"password-123"})").status, 400);
  EXPECT_EQ(As(admin, "POST", "/api/users", R"({"email":"dee@acme.test","password":"short"})").status, 400);

  // The last owner can be neither demoted nor removed, even by themselves.
  std::string owner = SessionFor("ana@acme.test", kOwnerPassword);
  EXPECT_EQ(As(owner, "PATCH", "/api/users/" + owner_id, R"({"role":"admin"})").status, 409);
  EXPECT_EQ(As(owner, "DELETE", "/api/users/" + owner_id).status, 409);

  // An agent changes their own password, not someone else's, and not their role.
  std::string agent = SessionFor("cy@acme.test", "password-123");
  EXPECT_EQ(As(agent, "PATCH", "/api/users/" + agent_id, R"({"role":"admin"})").status, 403);
  EXPECT_EQ(As(agent, "PATCH", "/api/users/" + owner_id, R"({"password":"hijacked-123"})").status, 403);
  EXPECT_EQ(As(agent, "PATCH", "/api/users/" + agent_id, R"({"password":"new-password-456"})").status, 200);
  EXPECT_EQ(Login("cy@acme.test", "password-123").status, 401);
  std::string again = SessionFor("cy@acme.test", "new-password-456");

  // Promoting takes effect at once on live sessions; removing a user ends them.
  EXPECT_EQ(As(again, "GET", "/api/users").status, 403);
  EXPECT_EQ(As(owner, "PATCH", "/api/users/" + agent_id, R"({"role":"admin"})").status, 200);
  EXPECT_EQ(As(again, "GET", "/api/users").status, 200);
  EXPECT_EQ(As(owner, "DELETE", "/api/users/" + agent_id).status, 204);
  EXPECT_EQ(As(again, "GET", "/api/auth/me").status, 401);
}

TEST_F(AccessTest, UsersOfAnotherTenantAreInvisible) {
  Boot();
  auto ana = CreateUserCli(acme_.id, "ana@acme.test", "owner", kOwnerPassword);
  std::string ana_id = std::to_string(ana.at("user_id").to_number<int64_t>());
  CreateUserCli(globex_.id, "gus@globex.test", "owner", "globex-password");
  std::string gus = SessionFor("gus@globex.test", "globex-password");

  auto list = As(gus, "GET", "/api/users");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Json().at("data").as_array().size(), 1u);
  EXPECT_EQ(list.body.find("ana@acme.test"), std::string::npos);
  EXPECT_EQ(As(gus, "PATCH", "/api/users/" + ana_id, R"({"name":"pwned"})").status, 404);
  EXPECT_EQ(As(gus, "DELETE", "/api/users/" + ana_id).status, 404);
  EXPECT_EQ(As(gus, "GET", "/api/audit-logs").body.find("ana@acme.test"), std::string::npos);
}

TEST_F(AccessTest, TheAuditLogSaysWhoDidWhatWithoutSecrets) {
  Boot();
  auto key = As(acme_.api_key, "POST", "/api/api-keys", R"({"name":"Zapier","role":"agent"})").Json();
  std::string secret(key.at("key").as_string());
  auto user = As(acme_.api_key, "POST", "/api/users",
                 R"({"email":"bo@acme.test","password":"very-secret-password","role":"agent"})");
  ASSERT_EQ(user.status, 201);
  std::string user_id = std::to_string(user.Json().at("id").to_number<int64_t>());
  ASSERT_EQ(As(acme_.api_key, "PATCH", "/api/users/" + user_id, R"({"password":"another-secret-password"})").status,
            200);
  ASSERT_EQ(As(acme_.api_key, "POST", "/api/faq-qa", R"({"question":"Open on Sunday?","answer":"Yes"})").status, 201);

  auto audit = As(acme_.api_key, "GET", "/api/audit-logs");
  ASSERT_EQ(audit.status, 200) << audit.body;
  auto entries = audit.Json().at("data").as_array();
  std::vector<std::string> actions;
  for (const auto& e : entries) actions.emplace_back(e.at("action").as_string());
  EXPECT_EQ(actions, (std::vector<std::string>{"faq.create", "user.update", "user.create", "api_key.create"}));
  EXPECT_TRUE(entries[3].at("actor").as_string().starts_with("api_key:"));
  EXPECT_EQ(entries[3].at("details").at("name"), "Zapier");
  EXPECT_EQ(entries[1].at("details").at("password"), "changed");
  for (const char* secret_text : {"very-secret-password", "another-secret-password", "$argon2id"}) {
    EXPECT_EQ(audit.body.find(secret_text), std::string::npos) << secret_text;
  }
  EXPECT_EQ(audit.body.find(secret), std::string::npos);
  EXPECT_EQ(As(acme_.api_key, "GET", "/api/audit-logs?action=user.create").Json().at("data").as_array().size(), 1u);
  auto paged = As(acme_.api_key, "GET", "/api/audit-logs?limit=3").Json();
  ASSERT_FALSE(paged.at("next_cursor").is_null());
  auto rest =
      As(acme_.api_key, "GET", "/api/audit-logs?limit=3&cursor=" + std::string(paged.at("next_cursor").as_string()))
          .Json();
  EXPECT_EQ(rest.at("data").as_array().size(), 1u);
  EXPECT_TRUE(As(globex_.api_key, "GET", "/api/audit-logs").Json().at("data").as_array().empty());
  // Nothing secret in the server's logs either.
  EXPECT_EQ(parley_->logs().find("very-secret-password"), std::string::npos);
  EXPECT_EQ(parley_->logs().find(secret), std::string::npos);
}

TEST_F(AccessTest, EachTenantHasItsOwnRateLimitAnsweredWith429AndRetryAfter) {
  Boot({{"PARLEY_API_RATE_PER_SECOND", "1"}, {"PARLEY_API_RATE_BURST", "3"}});
  for (int i = 0; i < 3; ++i) ASSERT_EQ(As(acme_.api_key, "GET", "/api/conversations").status, 200) << i;
  auto limited = As(acme_.api_key, "GET", "/api/conversations");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Json().at("error").at("code"), "rate_limited");
  ASSERT_TRUE(limited.headers.contains("retry-after"));
  EXPECT_EQ(limited.headers["retry-after"], "1");
  EXPECT_EQ(As(globex_.api_key, "GET", "/api/conversations").status, 200);
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(As(acme_.api_key, "GET", "/api/conversations").status, 200);
}

TEST_F(AccessTest, OpenApiDocumentListsEveryRouteAndIsValidOpenApi31) {
  Boot();
  auto doc = Call("GET", parley_->url("/api/openapi.json"));
  ASSERT_EQ(doc.status, 200);
  auto json_doc = doc.Json().as_object();
  EXPECT_EQ(json_doc.at("openapi"), "3.1.0");
  const auto& paths = json_doc.at("paths").as_object();
  for (const char* path : {"/api/auth/login", "/api/api-keys/{id}", "/api/users/{id}", "/api/audit-logs",
                           "/api/conversations", "/api/faq-qa/{id}", "/api/whatsapp/webhook", "/api/openapi.json"}) {
    EXPECT_TRUE(paths.contains(path)) << path;
  }
  EXPECT_EQ(paths.at("/api/api-keys/{id}").at("delete").at("x-parley-roles"), (json::array{"owner", "admin"}));
  // Every route the server answers is in the document: an undocumented path would answer 404 here.
  for (const auto& [path, item] : paths) {
    for (const auto& [method, op] : item.as_object()) {
      std::string concrete(path);
      for (size_t open; (open = concrete.find('{')) != std::string::npos;) {
        // Rebuilt by appending: g++ 12 at -O3 misreads replace() here as an overlapping copy (-Wrestrict).
        std::string replaced = concrete.substr(0, open);
        replaced.append("1").append(concrete, concrete.find('}', open) + 1);
        concrete = std::move(replaced);
      }
      std::string verb(method);
      for (char& c : verb) c = static_cast<char>(std::toupper(c));
      auto answer = Call(verb, parley_->url(concrete));
      EXPECT_NE(answer.status, 405) << verb << " " << concrete;
      if (answer.status == 404) {
        // The handler's own 404: not_found, or a platform route's own code (the web chat's channel_not_found).
        EXPECT_NE(answer.body.find("not_found\""), std::string::npos) << verb << " " << concrete;
        EXPECT_EQ(answer.body.find("no such route"), std::string::npos) << verb << " " << concrete;
      }
    }
  }

  std::string file = parley_->data_dir() + "/openapi.json";
  std::ofstream(file) << doc.body;
  std::string command = "node " PARLEY_SOURCE_DIR "/tests/openapi/validate.mjs " + file + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << output;
  EXPECT_NE(output.find("valid OpenAPI 3.1"), std::string::npos) << output;
}

}  // namespace
}  // namespace parley::testing
