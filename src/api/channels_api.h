#pragma once
// The tenant's WhatsApp and Instagram channels:
//   channels         GET /api/social-accounts   GET /api/social-accounts/{id}                     (any role)
//                    POST /api/social-accounts {"platform", "account_id", "access_token", "display_name", "waba_id"}
//                    PATCH|PUT /api/social-accounts/{id} {"access_token", "display_name", "enabled", "waba_id"}
//                    and, on a platform with settings of its own, those (the web chat's allowed_origins,
//                    webchat_color, webchat_texts), checked by the platform (PlatformPlugin::check_settings)
//                    DELETE /api/social-accounts/{id}                                            (owners, admins)
//   Meta OAuth       GET /api/social-accounts/connect/{platform} → {"authorization_url", "expires_at"} (admins)
//                    GET /api/social-accounts/connect/{platform}/callback?code=&state=   (public: the state is
//                    the authentication; it serves one callback, whichever process it reaches (the flows are
//                    in the store), expires, and the person or key that started the flow must still be an
//                    owner or admin then). A browser (Accept: text/html) is sent on (303) to the dashboard's
//                    PARLEY_PUBLIC_URL/channels?connect=ok|error&platform=&saved=&skipped=&reason=, which
//                    shows the outcome; other callers get the JSON answer.
// A token is saved only after the platform accepted it (GET /{account_id} on the Graph API): a refusal answers 400
// with the platform's message, an unreachable platform 503, and nothing is saved. Access tokens are never shown:
// answers carry their last four characters at most. Every change goes to the audit log, without the token.
// A WhatsApp channel's waba_id (its WhatsApp Business Account, where its message templates live) is optional;
// Meta's login fills it in, and GET /api/social-accounts/{id}/templates (api/templates_api.h) needs it.

#include "api/auth.h"
#include "api/route_table.h"
#include "channels/meta/accounts.h"
#include "channels/meta/oauth_state.h"
#include "channels/registry.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "core/crypto.h"
#include "store/oauth_flow_store.h"
#include "store/store.h"

namespace parley::api {

class ChannelsApi {
 public:
  // Every reference must outlive this. `box` seals the OAuth state; `client` reaches the Graph API.
  ChannelsApi(const Config& config, store::Store& store, BlockingPool& pool, const crypto::SecretBox& box,
              http::Client& client, const channels::ChannelSet& channels);

  void RegisterRoutes(RouteTable& routes);

 private:
  using Handler = boost::asio::awaitable<http::Response> (ChannelsApi::*)(const Principal& caller,
                                                                          const http::Request& request,
                                                                          const http::RouteContext& route);
  boost::asio::awaitable<http::Response> ListPlatforms(const Principal&, const http::Request&,
                                                       const http::RouteContext&);
  boost::asio::awaitable<http::Response> List(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Get(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Add(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Update(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Remove(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Connect(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Callback(const http::Request& request, const http::RouteContext& route);
  // The callback's work: the ConnectResult answer, or why nothing was connected.
  boost::asio::awaitable<Result<boost::json::object>> CompleteConnect(const http::RouteContext& route);

  // Saves an account the OAuth login gave access to: a new channel, or a new token for the tenant's channel that
  // already has the account.
  boost::asio::awaitable<Result<store::Channel>> SaveConnected(const Principal& caller, Platform platform,
                                                               const channels::meta::DiscoveredAccount& account,
                                                               const AccountProfile& checked);

  // Who started `flow`, with the role they hold now: kPermissionDenied when the user or key is gone or no longer
  // an owner or admin.
  boost::asio::awaitable<Result<Principal>> CurrentCaller(const store::OAuthFlow& flow);

  // Blocking: whether the tenant's plan has room for one more channel (kPlanLimit otherwise).
  Result<void> CheckChannelRoom(int64_t tenant_id);

  store::Store& store_;
  BlockingPool& pool_;
  const std::string default_plan_;
  const std::string dashboard_url_;  //!< PARLEY_PUBLIC_URL; empty: the callback's own origin.
  const crypto::SecretBox& box_;
  const channels::ChannelSet& channels_;  //!< Checks credentials with each platform.
  channels::meta::GraphAccounts graph_;
  const channels::meta::OAuthApp app_;
};

// A platform as GET /api/platforms describes it: its channel fields (the dashboard's form) and its traits.
boost::json::object PlatformJson(const channels::PlatformPlugin& plugin);

// A channel as the API shows it: no token, only its last four characters; what its platform shows besides
// (PlatformPlugin::channel_details, under `public_url`: the web chat's allowed origins and script tag).
boost::json::object ChannelJson(const store::Channel& channel, std::string_view public_url);

// "…" and the last four characters of `token` (only "…" for a token shorter than 12 characters).
std::string TokenHint(std::string_view token);

}  // namespace parley::api
