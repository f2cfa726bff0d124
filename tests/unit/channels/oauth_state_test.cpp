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

TEST(OAuthFlowsTest, AFlowServesOneCallback) {
  OAuthFlows flows;
  OAuthState state = State();
  flows.Begin(state, kNow);
  EXPECT_GE(state.flow.size(), 20u);
  auto first = flows.Take(state.flow, kNow + 1000);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->tenant_id, 42);
  EXPECT_EQ(first->user_id, 7);
  auto second = flows.Take(state.flow, kNow + 2000);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(second.error().message.find("already"), std::string::npos);
  EXPECT_FALSE(flows.Take("", kNow));
  EXPECT_FALSE(flows.Take("never-begun", kNow));
}

TEST(OAuthFlowsTest, AFlowExpiresWithItsState) {
  OAuthFlows flows;
  OAuthState state = State();
  flows.Begin(state, kNow);
  auto late = flows.Take(state.flow, kNow + kOAuthStateLifetimeMs);
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("expired"), std::string::npos);
  EXPECT_FALSE(flows.Take(state.flow, kNow));  // Forgotten, even though it had expired.
}

TEST(OAuthFlowsTest, TheFlowIdTravelsInTheSealedState) {
  auto box = Box();
  OAuthFlows flows;
  OAuthState state = State();
  flows.Begin(state, kNow);
  auto opened = OpenOAuthState(SealOAuthState(state, box), box, kNow);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->flow, state.flow);
  EXPECT_TRUE(flows.Take(opened->flow, kNow));
}

TEST(OAuthFlowsTest, ManyPendingFlowsDropTheOnesThatExpireFirst) {
  OAuthFlows flows;
  OAuthState oldest = State();
  oldest.expires_at_ms = kNow + 10;
  flows.Begin(oldest, kNow);
  std::string newest_flow;
  for (size_t i = 1; i <= OAuthFlows::kMaxPending; ++i) {
    OAuthState state = State();
    state.expires_at_ms = kNow + kOAuthStateLifetimeMs + static_cast<int64_t>(i);
    flows.Begin(state, kNow);
    newest_flow = state.flow;
  }
  EXPECT_FALSE(flows.Take(oldest.flow, kNow));
  EXPECT_TRUE(flows.Take(newest_flow, kNow));
}

}  // namespace
}  // namespace parley::channels::meta
