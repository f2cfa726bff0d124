#include "channels/meta/oauth_state.h"
#include "channels/registry.h"

#include "channels/meta/accounts.h"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>

namespace parley::channels::meta {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

crypto::SecretBox Box(char fill = 'k') { return crypto::SecretBox::Create(std::string(32, fill)).value(); }

OAuthState State() { return {42, Platform("instagram"), "admin", 7, std::nullopt, kNow + kOAuthStateLifetimeMs}; }

TEST(OAuthStateTest, OpensToWhatWasSealed) {
  auto box = Box();
  auto opened = OpenOAuthState(SealOAuthState(State(), box), box, kNow);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->tenant_id, 42);
  EXPECT_EQ(opened->platform, Platform("instagram"));
  EXPECT_EQ(opened->role, "admin");
  EXPECT_EQ(opened->user_id, 7);
  EXPECT_FALSE(opened->api_key_id);
  EXPECT_EQ(opened->expires_at_ms, kNow + kOAuthStateLifetimeMs);
}

TEST(OAuthStateTest, IsUrlSafeAndDifferentEachTime) {
  auto box = Box();
  std::string a = SealOAuthState(State(), box);
  std::string b = SealOAuthState(State(), box);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
}

TEST(OAuthStateTest, ExpiresAtItsDeadline) {
  auto box = Box();
  std::string sealed = SealOAuthState(State(), box);
  EXPECT_TRUE(OpenOAuthState(sealed, box, kNow + kOAuthStateLifetimeMs - 1));
  auto expired = OpenOAuthState(sealed, box, kNow + kOAuthStateLifetimeMs);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
}

TEST(OAuthStateTest, RefusesAlteredForeignAndUnrelatedText) {
  auto box = Box();
  std::string sealed = SealOAuthState(State(), box);
  for (size_t at : {size_t{0}, sealed.size() / 2, sealed.size() - 1}) {
    std::string tampered = sealed;
    tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
    EXPECT_EQ(OpenOAuthState(tampered, box, kNow).error().code, ErrorCode::kInvalidArgument) << at;
  }
  EXPECT_FALSE(OpenOAuthState(sealed, Box('z'), kNow));  // Another server's key.
  EXPECT_FALSE(OpenOAuthState("", box, kNow));
  EXPECT_FALSE(OpenOAuthState("not-a-state", box, kNow));
  // Something else sealed under the same key (a channel token, say) is not a state.
  EXPECT_FALSE(OpenOAuthState(box.Seal("EAAG-token"), box, kNow));
  EXPECT_FALSE(OpenOAuthState(box.Seal(R"({"tenant_id":42,"platform":"whatsapp","expires_at_ms":9e15})"), box, kNow));
}

TEST(OAuthAppTest, AuthorizationUrlCarriesTheLoginParameters) {
  OAuthApp app{"1234567890", "app-secret", "https://parley.example/api/social-accounts/connect/{platform}/callback",
               "https://www.facebook.com/v23.0/dialog/oauth"};
  EXPECT_EQ(app.RedirectUri(Platform("whatsapp")),
            "https://parley.example/api/social-accounts/connect/whatsapp/callback");
  const PlatformPlugin& instagram = *FindPlatform("instagram");
  std::string url = AuthorizationUrl(app, instagram.platform(), *instagram.meta_login, "st/ate+1");
  auto parsed = boost::urls::parse_uri(url);
  ASSERT_TRUE(parsed) << url;
  EXPECT_EQ(parsed->encoded_host(), "www.facebook.com");
  EXPECT_EQ(parsed->path(), "/v23.0/dialog/oauth");
  auto params = parsed->params();
  EXPECT_EQ((*params.find("client_id")).value, "1234567890");
  EXPECT_EQ((*params.find("redirect_uri")).value,
            "https://parley.example/api/social-accounts/connect/instagram/callback");
  EXPECT_EQ((*params.find("state")).value, "st/ate+1");
  EXPECT_EQ((*params.find("response_type")).value, "code");
  EXPECT_NE((*params.find("scope")).value.find("instagram_manage_messages"), std::string::npos);
  EXPECT_FALSE(params.contains("client_secret"));
  EXPECT_NE(FindPlatform("whatsapp")->meta_login->scopes.find("whatsapp_business_messaging"), std::string_view::npos);
}

// The flow's id travels inside the sealed state: the store's flow (store::OAuthFlowStore) is found again from it.
TEST(OAuthStateTest, CarriesTheFlowId) {
  auto box = Box();
  OAuthState state = State();
  state.flow = "f3J9pQ-flow-id";
  auto opened = OpenOAuthState(SealOAuthState(state, box), box, kNow);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->flow, "f3J9pQ-flow-id");
  EXPECT_TRUE(OpenOAuthState(SealOAuthState(State(), box), box, kNow)->flow.empty());
}

}  // namespace
}  // namespace parley::channels::meta
