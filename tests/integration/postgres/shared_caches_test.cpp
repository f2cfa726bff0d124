// The authenticator's cache across processes (issue 18 §2): two gateways on one PostgreSQL database of the test's own
// and one redis-server of the test's own. A credential the second gateway has accepted (and so cached for 30 s) is
// refused by it at once when the first gateway revokes it: an API key deleted, a session logged out, a user demoted
// or removed. "At once" is within 2 s, well under the cache's 30 s, which is what it took before invalidations went
// through Redis.

#include "integration/harness.h"
#include "integration/postgres/own_database.h"
#include "integration/tenant_fixture.h"
#include "support/own_redis_server.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kMasterKey = "9a1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
// Well under the authenticator's 30 s cache: only an invalidation can make the other gateway refuse this soon.
constexpr auto kAtOnce = 2s;

class SharedCachesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::map<std::string, std::string> env{
        {"PARLEY_DATABASE_URL", database_.url()}, {"PARLEY_DATABASE_POOL", "4"}, {"PARLEY_REDIS_URL", redis_.url()},
        {"PARLEY_MASTER_KEY", kMasterKey},        {"PARLEY_ROLE", "gateway"},    {"PARLEY_RESPONDER", "away_message"}};
    a_ = std::make_unique<ParleyProcess>(env);
    b_ = std::make_unique<ParleyProcess>(env);
    const CreatedTenant tenant = CreateTenant(*a_, "Acme");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = tenant.id;
    owner_key_ = tenant.api_key;
    a_->Start();
    b_->Start();
  }

  void TearDown() override {
    for (auto* process : {a_.get(), b_.get()}) {
      if (process != nullptr && process->running()) process->Terminate();
    }
  }

  static HttpResult As(ParleyProcess& server, const std::string& token, const std::string& method,
                       const std::string& path, const std::string& body = {}) {
    return Call(method, server.url(path), body,
                {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }

  // A person of the tenant with `role`; their id.
  int64_t CreateUser(const std::string& email, const std::string& role) {
    auto out = a_->Cli({"user", "create", "--tenant", tenant_id_, "--email", email, "--role", role, "--password",
                        "correct horse battery"});
    EXPECT_EQ(out.exit_code, 0) << out.out << out.err;
    return json::parse(out.out).at("user_id").to_number<int64_t>();
  }

  // Signs `email` in on `server`; the session's token.
  static std::string LogIn(ParleyProcess& server, const std::string& email) {
    auto session = Call("POST", server.url("/api/auth/login"),
                        json::serialize(json::object{{"email", email}, {"password", "correct horse battery"}}),
                        {{"Content-Type", "application/json"}});
    EXPECT_EQ(session.status, 200) << session.body;
    return std::string(session.Json().at("token").as_string());
  }

  // Whether `server` answers `path` with `status` for `token` within kAtOnce.
  static bool AnswersSoon(ParleyProcess& server, const std::string& token, const std::string& path, int status) {
    return Eventually([&] { return As(server, token, "GET", path).status == status; }, kAtOnce);
  }

  OwnDatabase database_;
  OwnRedisServer redis_;
  std::unique_ptr<ParleyProcess> a_;
  std::unique_ptr<ParleyProcess> b_;
  std::string tenant_id_;
  std::string owner_key_;
};

TEST_F(SharedCachesTest, AnApiKeyRevokedThroughOneGatewayIsRefusedAtOnceByTheOther) {
  auto created = As(*a_, owner_key_, "POST", "/api/api-keys", R"({"name":"Zapier","role":"agent"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string secret(created.Json().at("key").as_string());
  const std::string id = std::to_string(created.Json().at("id").to_number<int64_t>());
  // B accepts it, and caches it from now on.
  ASSERT_EQ(As(*b_, secret, "GET", "/api/auth/me").status, 200);
  ASSERT_EQ(As(*b_, secret, "GET", "/api/conversations").status, 200);

  ASSERT_EQ(As(*a_, owner_key_, "DELETE", "/api/api-keys/" + id).status, 204);
  EXPECT_EQ(As(*a_, secret, "GET", "/api/auth/me").status, 401);
  EXPECT_TRUE(AnswersSoon(*b_, secret, "/api/auth/me", 401)) << a_->logs() << b_->logs();
}

TEST_F(SharedCachesTest, ASessionLoggedOutThroughOneGatewayIsRefusedAtOnceByTheOther) {
  CreateUser("ada@acme.test", "agent");
  const std::string session = LogIn(*a_, "ada@acme.test");
  ASSERT_EQ(As(*b_, session, "GET", "/api/auth/me").status, 200);

  ASSERT_EQ(As(*a_, session, "POST", "/api/auth/logout").status, 204);
  EXPECT_TRUE(AnswersSoon(*b_, session, "/api/auth/me", 401)) << a_->logs() << b_->logs();
}

TEST_F(SharedCachesTest, AUserDemotedOrRemovedThroughOneGatewayLosesTheirAccessAtOnceOnTheOther) {
  const int64_t id = CreateUser("grace@acme.test", "admin");
  const std::string session = LogIn(*b_, "grace@acme.test");
  // An admin's route, accepted and cached by B.
  ASSERT_EQ(As(*b_, session, "GET", "/api/api-keys").status, 200);

  auto demoted = As(*a_, owner_key_, "PATCH", "/api/users/" + std::to_string(id), R"({"role":"agent"})");
  ASSERT_EQ(demoted.status, 200) << demoted.body;
  EXPECT_TRUE(AnswersSoon(*b_, session, "/api/api-keys", 403)) << a_->logs() << b_->logs();
  EXPECT_EQ(As(*b_, session, "GET", "/api/auth/me").status, 200);

  ASSERT_EQ(As(*a_, owner_key_, "DELETE", "/api/users/" + std::to_string(id)).status, 204);
  EXPECT_TRUE(AnswersSoon(*b_, session, "/api/auth/me", 401)) << a_->logs() << b_->logs();
}

}  // namespace
}  // namespace parley::testing
