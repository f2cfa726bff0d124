// The dashboard's side of the server over real HTTP: the session cookie and its CSRF token beside bearer tokens and
// API keys, the security headers, and the built dashboard served from PARLEY_WEB_DIR at `/`.

#include "integration/harness.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

namespace parley::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kPassword = "owner-password-1";
constexpr const char* kIndexHtml = "<!doctype html><title>Parley</title><div id=\"root\"></div>";
constexpr const char* kAppJs = "console.log('dashboard')";
constexpr const char* kCsp =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

class BrowserSessionTest : public ::testing::Test {
 protected:
  // Starts Parley with a tenant, its owner, and `env`; PARLEY_WEB_DIR defaults to an empty directory's `web`.
  void Boot(std::map<std::string, std::string> env = {}) {
    env.emplace("PARLEY_RESPONDER", "away_message");
    parley_ = std::make_unique<ParleyProcess>(env);
    web_dir_ = fs::path(parley_->data_dir()) / "web";
    parley_->env().emplace("PARLEY_WEB_DIR", web_dir_.string());
    const CreatedTenant tenant = CreateTenant(*parley_, "Acme");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = tenant.id;
    api_key_ = tenant.api_key;
    auto user = parley_->Cli({"user", "create", "--tenant", tenant_id_, "--email", "ana@acme.test", "--role", "owner",
                              "--password", kPassword});
    ASSERT_EQ(user.exit_code, 0) << user.out;
    parley_->Start();
  }

  HttpResult Login() {
    return Call("POST", parley_->url("/api/auth/login"),
                json::serialize(json::object{{"email", "ana@acme.test"}, {"password", kPassword}}),
                {{"Content-Type", "application/json"}});
  }

  // What a browser sends back of the login's Set-Cookie: "parley_session=<token>".
  static std::string CookieOf(const HttpResult& login) {
    const std::string& set_cookie = login.headers.at("set-cookie");
    return set_cookie.substr(0, set_cookie.find(';'));
  }

  HttpResult WithCookie(const std::string& method, const std::string& path, const std::string& cookie,
                        Headers extra = {}, const std::string& body = {}) {
    extra.emplace_back("Cookie", "theme=dark; " + cookie);
    extra.emplace_back("Content-Type", "application/json");
    return Call(method, parley_->url(path), body, extra);
  }

  std::unique_ptr<ParleyProcess> parley_;
  fs::path web_dir_;
  std::string tenant_id_;
  std::string api_key_;
};

TEST_F(BrowserSessionTest, LoginSetsAnHttpOnlyLaxCookieForTheSessionsLifetime) {
  Boot({{"PARLEY_SESSION_TTL_HOURS", "12"}});
  auto login = Login();
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token(login.Json().at("token").as_string());
  const std::string csrf(login.Json().at("csrf_token").as_string());
  EXPECT_EQ(csrf.size(), 64u);
  EXPECT_EQ(csrf.find_first_not_of("0123456789abcdef"), std::string::npos);

  const std::string& set_cookie = login.headers["set-cookie"];
  EXPECT_TRUE(set_cookie.starts_with("parley_session=" + token + ";")) << set_cookie;
  EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; SameSite=Lax"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; Path=/"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; Max-Age=43200"), std::string::npos) << set_cookie;
  // Served over plain http (no PARLEY_PUBLIC_URL): a Secure cookie would never come back.
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << set_cookie;
  EXPECT_EQ(login.headers.count("strict-transport-security"), 0u);
}

TEST_F(BrowserSessionTest, CookieIsSecureWhenParleyIsReachedOverHttps) {
  Boot({{"PARLEY_PUBLIC_URL", "https://parley.example.com/"}});
  auto login = Login();
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_NE(login.headers["set-cookie"].find("; Secure"), std::string::npos) << login.headers["set-cookie"];
  // Browsers that reached it over HTTPS once never fall back to plain HTTP.
  EXPECT_EQ(login.headers["strict-transport-security"], "max-age=31536000");
}

TEST_F(BrowserSessionTest, SignInRefusesABodyAnotherSiteCouldForge) {
  Boot();
  // A cross-site form or a no-cors fetch can send these without a preflight; application/json it cannot.
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
    auto forged = Call("POST", parley_->url("/api/auth/login"),
                       json::serialize(json::object{{"email", "ana@acme.test"}, {"password", kPassword}}),
                       {{"Content-Type", type}});
    EXPECT_EQ(forged.status, 415) << type << ": " << forged.body;
    EXPECT_EQ(forged.Json().at("error").at("code"), "unsupported_media_type") << type;
    EXPECT_EQ(forged.headers.count("set-cookie"), 0u) << type;
  }
  EXPECT_EQ(Login().status, 200);
}

TEST_F(BrowserSessionTest, CookieAuthenticatesAndStateChangesNeedTheCsrfToken) {
  Boot();
  auto login = Login();
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string cookie = CookieOf(login);
  const std::string csrf(login.Json().at("csrf_token").as_string());

  auto me = WithCookie("GET", "/api/auth/me", cookie);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Json().at("user").at("email"), "ana@acme.test");
  EXPECT_EQ(me.Json().at("csrf_token").as_string(), csrf);  // A reloaded page learns it here.

  const std::string key = R"({"name":"from the dashboard"})";
  for (const Headers& wrong : {Headers{}, Headers{{"X-CSRF-Token", ""}},
                               Headers{{"X-CSRF-Token", (csrf[0] == '0' ? "1" : "0") + csrf.substr(1)}},
                               Headers{{"X-CSRF-Token", csrf.substr(0, 63)}}}) {
    auto refused = WithCookie("POST", "/api/api-keys", cookie, wrong, key);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.Json().at("error").at("code"), "permission_denied");
    EXPECT_EQ(refused.Json().at("error").at("message"), "missing or wrong X-CSRF-Token header");
  }
  auto created = WithCookie("POST", "/api/api-keys", cookie, {{"X-CSRF-Token", csrf}}, key);
  EXPECT_EQ(created.status, 201) << created.body;
  // Nothing was created by the refused attempts.
  auto keys = WithCookie("GET", "/api/api-keys", cookie);
  ASSERT_EQ(keys.status, 200) << keys.body;
  EXPECT_EQ(keys.Json().at("data").as_array().size(), 2u);  // The tenant's first key and this one.

  // Another session's token does not stand in for this one's.
  auto other = Login();
  ASSERT_EQ(other.status, 200);
  EXPECT_NE(other.Json().at("csrf_token").as_string(), csrf);
  EXPECT_EQ(WithCookie("POST", "/api/api-keys", cookie,
                       {{"X-CSRF-Token", std::string(other.Json().at("csrf_token").as_string())}}, key)
                .status,
            403);
}

TEST_F(BrowserSessionTest, ProgramsNeedNoCsrfTokenAndTheirHeaderWinsOverACookie) {
  Boot();
  auto login = Login();
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token(login.Json().at("token").as_string());
  const std::string key = R"({"name":"script"})";

  auto by_session = Call("POST", parley_->url("/api/api-keys"), key,
                         {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  EXPECT_EQ(by_session.status, 201) << by_session.body;
  auto by_key = Call("POST", parley_->url("/api/api-keys"), key,
                     {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}});
  EXPECT_EQ(by_key.status, 201) << by_key.body;
  EXPECT_FALSE(Call("GET", parley_->url("/api/auth/me"), {}, {{"Authorization", "Bearer " + token}})
                   .Json()
                   .as_object()
                   .contains("csrf_token"));

  // A wrong bearer token is refused even when a valid cookie rides along; an API key is no cookie.
  auto wrong = WithCookie("GET", "/api/auth/me", CookieOf(login), {{"Authorization", "Bearer prs_wrong"}});
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_EQ(WithCookie("GET", "/api/auth/me", "parley_session=" + api_key_).status, 401);
  EXPECT_EQ(Call("GET", parley_->url("/api/auth/me")).status, 401);
}

TEST_F(BrowserSessionTest, LogoutClearsTheCookieAndEndsTheSession) {
  Boot();
  auto login = Login();
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string cookie = CookieOf(login);
  const std::string csrf(login.Json().at("csrf_token").as_string());

  EXPECT_EQ(WithCookie("POST", "/api/auth/logout", cookie).status, 403);  // A foreign page cannot log you out.
  auto logout = WithCookie("POST", "/api/auth/logout", cookie, {{"X-CSRF-Token", csrf}});
  ASSERT_EQ(logout.status, 204) << logout.body;
  const std::string& cleared = logout.headers["set-cookie"];
  EXPECT_TRUE(cleared.starts_with("parley_session=;")) << cleared;
  EXPECT_NE(cleared.find("; Max-Age=0"), std::string::npos) << cleared;
  EXPECT_NE(cleared.find("; Path=/"), std::string::npos) << cleared;

  EXPECT_EQ(WithCookie("GET", "/api/auth/me", cookie).status, 401);
  EXPECT_EQ(WithCookie("POST", "/api/api-keys", cookie, {{"X-CSRF-Token", csrf}}, R"({"name":"late"})").status, 401);
}

TEST_F(BrowserSessionTest, EveryAnswerCarriesTheSecurityHeadersAndHtmlItsPolicy) {
  Boot();
  WriteFile(web_dir_ / "index.html", kIndexHtml);
  for (const auto& answer : {Call("GET", parley_->url("/health")), Call("GET", parley_->url("/api/nope")), Login(),
                             Call("GET", parley_->url("/api/auth/me")), Call("GET", parley_->url("/inbox"))}) {
    EXPECT_EQ(answer.headers.at("x-content-type-options"), "nosniff");
    EXPECT_EQ(answer.headers.at("referrer-policy"), "same-origin");
    EXPECT_EQ(answer.headers.at("x-frame-options"), "DENY");
    const bool html = answer.headers.at("content-type").starts_with("text/html");
    EXPECT_EQ(answer.headers.contains("content-security-policy"), html) << answer.headers.at("content-type");
  }
  EXPECT_EQ(Call("GET", parley_->url("/inbox")).headers.at("content-security-policy"), kCsp);
}

TEST_F(BrowserSessionTest, ServesTheBuiltDashboardAndItsRoutes) {
  Boot();
  WriteFile(web_dir_ / "index.html", kIndexHtml);
  WriteFile(web_dir_ / "assets" / "index-4f2a9c.js", kAppJs);
  WriteFile(web_dir_ / "favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
  WriteFile(fs::path(parley_->data_dir()) / "secret.txt", "not for the web");
  fs::create_symlink(fs::path(parley_->data_dir()) / "secret.txt", web_dir_ / "leak.txt");

  for (const std::string path : {"/", "/index.html", "/inbox/12", "/inbox/12?tab=notes", "/sign-in"}) {
    auto page = Call("GET", parley_->url(path));
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.body, kIndexHtml) << path;
    EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8") << path;
    EXPECT_EQ(page.headers["cache-control"], "no-cache") << path;
  }
  auto asset = Call("GET", parley_->url("/assets/index-4f2a9c.js"));
  EXPECT_EQ(asset.status, 200);
  EXPECT_EQ(asset.body, kAppJs);
  EXPECT_EQ(asset.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(asset.headers["cache-control"], "public, max-age=31536000, immutable");
  ASSERT_FALSE(asset.headers["etag"].empty());
  EXPECT_EQ(Call("GET", parley_->url("/assets/index-4f2a9c.js"), {}, {{"If-None-Match", asset.headers["etag"]}}).status,
            304);
  EXPECT_EQ(Call("GET", parley_->url("/assets/index-0ld.js")).status, 404);
  EXPECT_EQ(Call("GET", parley_->url("/favicon.svg")).headers["content-type"], "image/svg+xml");

  // HEAD: the same header, no body.
  auto head = Call("HEAD", parley_->url("/inbox/12"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.headers["content-length"], std::to_string(std::string(kIndexHtml).size()));

  // Nothing outside the directory, however the path is spelt.
  for (const std::string path : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
                                 "/assets%2f..%2f..%2fsecret.txt", "/.%2e/secret.txt"}) {
    auto escape = Call("GET", parley_->url(path));
    EXPECT_EQ(escape.status, 400) << path;
    EXPECT_EQ(escape.body.find("not for the web"), std::string::npos) << path;
  }
  auto leak = Call("GET", parley_->url("/leak.txt"));
  EXPECT_EQ(leak.status, 404);
  EXPECT_EQ(leak.body.find("not for the web"), std::string::npos);

  // The API's paths stay the API's.
  for (const std::string path : {"/api/nope", "/api", "/api/auth/nope"}) {
    auto api = Call("GET", parley_->url(path));
    EXPECT_EQ(api.status, 404) << path;
    EXPECT_EQ(api.Json().at("error").at("code"), "not_found") << path;
  }
  auto post = Call("POST", parley_->url("/inbox/12"));
  EXPECT_EQ(post.status, 404);
  EXPECT_EQ(post.Json().at("error").at("code"), "not_found");
  EXPECT_EQ(Call("GET", parley_->url("/health")).Json().at("status"), "ok");
}

TEST_F(BrowserSessionTest, WithoutABuiltDashboardPagesSayHowToBuildIt) {
  Boot();  // The web directory was never created.
  auto page = Call("GET", parley_->url("/"));
  EXPECT_EQ(page.status, 404);
  EXPECT_TRUE(page.headers["content-type"].starts_with("text/html")) << page.headers["content-type"];
  EXPECT_NE(page.body.find("make build"), std::string::npos) << page.body;
  EXPECT_NE(Call("GET", parley_->url("/inbox/3")).body.find("make build"), std::string::npos);
  auto api = Call("GET", parley_->url("/api/nope"));
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.Json().at("error").at("code"), "not_found");

  // Built while Parley runs: served at once.
  WriteFile(web_dir_ / "index.html", kIndexHtml);
  EXPECT_EQ(Call("GET", parley_->url("/inbox/3")).body, kIndexHtml);
}

}  // namespace
}  // namespace parley::testing
