#include "api/auth.h"

#include <gtest/gtest.h>
#include <boost/beast/http/field.hpp>

namespace parley::api {
namespace {

using boost::beast::http::field;

http::RequestHeader Header(std::vector<std::pair<field, std::string>> fields) {
  http::RequestHeader header;
  header.method(http::Verb::get);
  header.target("/api/auth/me");
  for (auto& [name, value] : fields) header.insert(name, value);
  return header;
}

TEST(CookieValueTest, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(CookieValue(Header({{field::cookie, "parley_session=prs_abc"}}), "parley_session"), "prs_abc");
  EXPECT_EQ(CookieValue(Header({{field::cookie, "theme=dark;  parley_session=prs_abc ; lang=fr"}}), "parley_session"),
            "prs_abc");
  EXPECT_EQ(CookieValue(Header({{field::cookie, "parley_session=\"prs_abc\""}}), "parley_session"), "prs_abc");
  // Split over several lines, as an HTTP/2 proxy may send them.
  EXPECT_EQ(
      CookieValue(Header({{field::cookie, "theme=dark"}, {field::cookie, "parley_session=prs_x"}}), "parley_session"),
      "prs_x");
  // Names are whole: a cookie whose name merely contains it is another cookie.
  EXPECT_EQ(
      CookieValue(Header({{field::cookie, "old_parley_session=prs_a; parley_session_x=prs_b"}}), "parley_session"), "");
  EXPECT_EQ(CookieValue(Header({{field::cookie, "parley_session"}}), "parley_session"), "");
  EXPECT_EQ(CookieValue(Header({}), "parley_session"), "");
}

TEST(CredentialOfTest, AnAuthorizationHeaderWinsOverTheCookie) {
  auto bearer =
      CredentialOf(Header({{field::authorization, "Bearer pk_key"}, {field::cookie, "parley_session=prs_c"}}));
  EXPECT_EQ(bearer.token, "pk_key");
  EXPECT_FALSE(bearer.from_cookie);
  // Even a malformed one: the caller meant it, and gets its 401.
  auto malformed =
      CredentialOf(Header({{field::authorization, "Basic eDp5"}, {field::cookie, "parley_session=prs_c"}}));
  EXPECT_EQ(malformed.token, "");
  EXPECT_FALSE(malformed.from_cookie);
  auto cookie = CredentialOf(Header({{field::cookie, "parley_session=prs_c"}}));
  EXPECT_EQ(cookie.token, "prs_c");
  EXPECT_TRUE(cookie.from_cookie);
  EXPECT_EQ(CredentialOf(Header({})).token, "");
}

TEST(SessionCookieTest, KeepsTheSessionFromScriptsAndOtherSites) {
  EXPECT_EQ(SessionCookie("prs_abc", 3600, false),
            "parley_session=prs_abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax");
  EXPECT_EQ(SessionCookie("prs_abc", 3600, true),
            "parley_session=prs_abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax; Secure");
  EXPECT_EQ(SessionCookie("", 0, false), "parley_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
}

}  // namespace
}  // namespace parley::api
