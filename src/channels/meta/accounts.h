#pragma once
// The Graph API calls behind channel administration, through the one HTTP client: checking an account's
// credentials before it is saved, and connecting accounts with Meta's OAuth (Facebook Login for Business): the
// authorization URL, the code exchange and the discovery of the accounts the login granted.
//
// Every call completes with the decoded answer, kInvalidArgument carrying Meta's message when the platform refuses
// (a bad token, an unknown id, an expired code), or kUnavailable when it cannot be reached or fails (after the
// client's retries). Tokens travel in the Authorization header, never in a logged URL or error.

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "channels/meta/parse_accounts.h"
#include "channels/platform.h"
#include "core/error.h"
#include "core/message.h"
#include "http/client.h"

namespace parley::channels::meta {

// How a platform's account is checked: the fields asked of GET /{account_id} and how its answer reads.
struct AccountCheck {
  std::string_view display_name;  //!< "WhatsApp", in "WhatsApp refused the credentials: …".
  std::string_view fields;        //!< "display_phone_number,verified_name".
  Result<AccountInfo> (*parse)(const boost::json::object& answer) = nullptr;
};

// The Meta app that accounts are connected to.
struct OAuthApp {
  std::string client_id;      //!< The app id.
  std::string client_secret;  //!< Never logged.
  std::string redirect_uri;   //!< The callback URL, with "{platform}" standing for whatsapp or instagram.
  std::string dialog_url = "https://www.facebook.com/v23.0/dialog/oauth";

  bool configured() const { return !client_id.empty() && !client_secret.empty() && !redirect_uri.empty(); }
  // redirect_uri for `platform`.
  std::string RedirectUri(Platform platform) const;
};

// The Login dialog URL to send the browser to: client_id, redirect_uri, state, scope (`login`'s) and
// response_type=code.
std::string AuthorizationUrl(const OAuthApp& app, Platform platform, const MetaLogin& login, std::string_view state);

class GraphAccounts {
 public:
  // `client` must outlive this. `base_url` is the Graph API base (https://graph.facebook.com/v23.0).
  GraphAccounts(http::Client& client, std::string base_url) : client_(client), base_url_(std::move(base_url)) {}

  // GET /{account_id} with `check`'s fields, as the credentials check of a channel about to be saved.
  boost::asio::awaitable<Result<AccountInfo>> CheckAccount(const AccountCheck& check, std::string account_id,
                                                           std::string access_token);

  // GET /{contact_id}?fields=`fields` with the channel's token: a customer's profile (Meta's User Profile API, read
  // by ParseContactProfile). kInvalidArgument with Meta's message when it refuses (no permission, no consent, the
  // customer blocked the account).
  boost::asio::awaitable<Result<ContactProfile>> LookUpProfile(std::string contact_id, std::string_view fields,
                                                               std::string access_token);

  // GET /oauth/access_token: the login's access token for the code the dialog returned.
  boost::asio::awaitable<Result<std::string>> ExchangeCode(const OAuthApp& app, Platform platform, std::string code);

  // The accounts `user_token` gives access to. kWhatsAppNumbers (Embedded Signup): the WhatsApp Business Accounts
  // in debug_token's granular scopes (asked with the app token), then each one's phone numbers, all reached with the
  // login's token, each with its WABA id. kInstagramPages: the Pages of /me/accounts that have an Instagram business
  // account, each with its Page token. kPages: the Pages of /me/accounts, each with its Page token.
  boost::asio::awaitable<Result<std::vector<DiscoveredAccount>>> Discover(const OAuthApp& app,
                                                                          MetaLogin::Discovery discovery,
                                                                          std::string user_token);

 private:
  // GET {base_url}/{path}?{query} with a bearer token, decoded by ReadGraphAnswer.
  boost::asio::awaitable<Result<boost::json::object>> Get(std::string path,
                                                          std::vector<std::pair<std::string, std::string>> query,
                                                          std::string bearer);

  http::Client& client_;
  const std::string base_url_;
};

}  // namespace parley::channels::meta
