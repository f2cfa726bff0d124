// A forgotten password without e-mail: `parley user reset-password` prints a one-time link, and
// POST /api/auth/password-reset sets the new password with its token, once.

#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace parley::testing {
namespace {

namespace json = boost::json;

constexpr const char* kOld = "old-password-1";
constexpr const char* kNew = "new-password-2";

class PasswordResetTest : public TenantFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        MakeServer({{"PARLEY_RESPONDER", "away_message"}, {"PARLEY_PUBLIC_URL", "https://parley.example.com/"}}));
    ASSERT_NO_FATAL_FAILURE(CreateTenants("Acme", /*other=*/false));
    ASSERT_NO_FATAL_FAILURE(CreateUser("ana@acme.test", kOld, "owner"));
    parley_->Start();
  }

  HttpResult Login(const std::string& password) {
    return Call("POST", parley_->url("/api/auth/login"),
                json::serialize(json::object{{"email", "ana@acme.test"}, {"password", password}}),
                {{"Content-Type", "application/json"}});
  }

  HttpResult Reset(const std::string& token, const std::string& password) {
    return Call("POST", parley_->url("/api/auth/password-reset"),
                json::serialize(json::object{{"token", token}, {"password", password}}),
                {{"Content-Type", "application/json"}});
  }

  // The token of a new link, checking the link's shape.
  std::string NewLinkToken() {
    auto out = parley_->Cli({"user", "reset-password", "--email", " Ana@Acme.test "});
    EXPECT_EQ(out.exit_code, 0) << out.out;
    auto printed = json::parse(out.out).as_object();
    EXPECT_EQ(printed.at("email"), "ana@acme.test");
    EXPECT_FALSE(printed.at("expires_at").as_string().empty());
    const std::string link(printed.at("link").as_string());
    const std::string prefix = "https://parley.example.com/reset-password?token=";
    EXPECT_TRUE(link.starts_with(prefix)) << link;
    return link.substr(prefix.size());
  }
};

TEST_F(PasswordResetTest, TheLinkSetsANewPasswordOnceAndEndsEverySession) {
  auto before = Login(kOld);
  ASSERT_EQ(before.status, 200) << before.body;
  const std::string session(before.Json().at("token").as_string());
  const std::string token = NewLinkToken();
  EXPECT_TRUE(token.starts_with("prr_")) << token;

  // A password the rules refuse leaves the link usable.
  auto weak = Reset(token, "short");
  EXPECT_EQ(weak.status, 400) << weak.body;
  EXPECT_EQ(Login(kOld).status, 200);

  auto reset = Reset(token, kNew);
  ASSERT_EQ(reset.status, 204) << reset.body;
  EXPECT_EQ(Call("GET", parley_->url("/api/auth/me"), {}, {{"Authorization", "Bearer " + session}}).status, 401);
  EXPECT_EQ(Login(kOld).status, 401);
  EXPECT_EQ(Login(kNew).status, 200);

  auto again = Reset(token, "third-password-3");
  EXPECT_EQ(again.status, 400) << again.body;
  EXPECT_NE(again.Json().at("error").at("message").as_string().find("unknown, used or expired"), std::string::npos);
  EXPECT_EQ(Login(kNew).status, 200);

  auto audit = Call("GET", parley_->url("/api/audit-logs?action=user.password_reset"), {},
                    {{"Authorization", "Bearer " + key_}});
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(audit.Json().at("data").as_array().size(), 1u);
}

TEST_F(PasswordResetTest, OnlyTheNewestLinkOfAKnownUserWorks) {
  const std::string first = NewLinkToken();
  const std::string second = NewLinkToken();
  EXPECT_EQ(Reset(first, kNew).status, 400);
  EXPECT_EQ(Reset("prr_made-up", kNew).status, 400);
  EXPECT_EQ(Reset("", kNew).status, 400);
  EXPECT_EQ(Login(kOld).status, 200);
  EXPECT_EQ(Reset(second, kNew).status, 204);

  auto nobody = parley_->Cli({"user", "reset-password", "--email", "nobody@acme.test"});
  EXPECT_NE(nobody.exit_code, 0);
}

}  // namespace
}  // namespace parley::testing
