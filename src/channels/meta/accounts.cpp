#include "channels/meta/accounts.h"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <optional>
#include <utility>

namespace parley::channels::meta {
namespace {

constexpr std::string_view kPlatformPlaceholder = "{platform}";

// `base` + "/" + `path` with `query` appended, percent-encoded. nullopt when `base` is not a URL.
std::optional<std::string> BuildUrl(std::string_view base, std::string_view path,
                                    const std::vector<std::pair<std::string, std::string>>& query) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  std::string joined(base);
  if (!path.empty()) {
    joined += '/';
    joined += path;
  }
  auto parsed = boost::urls::parse_uri(joined);
  if (!parsed) return std::nullopt;
  boost::urls::url url(*parsed);
  // Everything but unreserved characters is escaped: a '+' left as is would read as a space.
  for (const auto& [key, value] : query) {
    std::string encoded_key = boost::urls::encode(key, boost::urls::unreserved_chars);
    std::string encoded_value = boost::urls::encode(value, boost::urls::unreserved_chars);
    url.encoded_params().append({encoded_key, encoded_value});
  }
  return std::string(url.buffer());
}

}  // namespace

std::string OAuthApp::RedirectUri(Platform platform) const {
  std::string uri = redirect_uri;
  if (auto at = uri.find(kPlatformPlaceholder); at != std::string::npos) {
    uri.replace(at, kPlatformPlaceholder.size(), ToString(platform));
  }
  return uri;
}

std::string AuthorizationUrl(const OAuthApp& app, Platform platform, const MetaLogin& login, std::string_view state) {
  return BuildUrl(app.dialog_url, {},
                  {{"client_id", app.client_id},
                   {"redirect_uri", app.RedirectUri(platform)},
                   {"state", std::string(state)},
                   {"scope", std::string(login.scopes)},
                   {"response_type", "code"}})
      .value_or(std::string());
}

boost::asio::awaitable<Result<boost::json::object>> GraphAccounts::Get(
    std::string path, std::vector<std::pair<std::string, std::string>> query, std::string bearer) {
  auto url = BuildUrl(base_url_, path, query);
  if (!url) co_return Error::Unavailable("the Graph API base URL is not a valid URL");
  http::ClientRequest request;
  request.method = "GET";
  request.url = std::move(*url);
  if (!bearer.empty()) request.headers = {{"Authorization", "Bearer " + bearer}};
  Result<http::ClientResponse> response = co_await client_.Send(std::move(request));
  if (!response) {
    co_return Error::Unavailable("the platform cannot be reached",
                                 response.error().message + ": " + response.error().detail);
  }
  co_return ReadGraphAnswer(response->status, response->body);
}

boost::asio::awaitable<Result<AccountInfo>> GraphAccounts::CheckAccount(const AccountCheck& check,
                                                                        std::string account_id,
                                                                        std::string access_token) {
  std::vector<std::pair<std::string, std::string>> query{{"fields", std::string(check.fields)}};
  auto answer = co_await Get(account_id, std::move(query), std::move(access_token));
  if (!answer) {
    Error e = answer.error();
    if (e.code == ErrorCode::kInvalidArgument)
      e.message = std::string(check.display_name) + " refused the credentials: " + e.message;
    co_return e;
  }
  co_return check.parse(*answer);
}

boost::asio::awaitable<Result<ContactProfile>> GraphAccounts::LookUpProfile(std::string contact_id,
                                                                            std::string_view fields,
                                                                            std::string access_token) {
  std::vector<std::pair<std::string, std::string>> query{{"fields", std::string(fields)}};
  auto answer = co_await Get(std::move(contact_id), std::move(query), std::move(access_token));
  if (!answer) co_return answer.error();
  co_return ParseContactProfile(*answer);
}

boost::asio::awaitable<Result<std::string>> GraphAccounts::ExchangeCode(const OAuthApp& app, Platform platform,
                                                                        std::string code) {
  std::vector<std::pair<std::string, std::string>> query{{"client_id", app.client_id},
                                                         {"redirect_uri", app.RedirectUri(platform)},
                                                         {"client_secret", app.client_secret},
                                                         {"code", std::move(code)}};
  std::string path = "oauth/access_token";
  std::string no_bearer;
  auto answer = co_await Get(std::move(path), std::move(query), std::move(no_bearer));
  if (!answer) {
    Error e = answer.error();
    if (e.code == ErrorCode::kInvalidArgument) e.message = "Meta refused the authorization code: " + e.message;
    co_return e;
  }
  co_return ParseAccessToken(*answer);
}

boost::asio::awaitable<Result<std::vector<DiscoveredAccount>>> GraphAccounts::Discover(const OAuthApp& app,
                                                                                       MetaLogin::Discovery discovery,
                                                                                       std::string user_token) {
  std::vector<DiscoveredAccount> accounts;
  if (discovery != MetaLogin::Discovery::kWhatsAppNumbers) {
    const bool instagram = discovery == MetaLogin::Discovery::kInstagramPages;
    std::vector<std::pair<std::string, std::string>> query{
        {"fields",
         instagram ? "id,name,access_token,instagram_business_account{id,username}" : "id,name,access_token"}};
    std::string path = "me/accounts";
    auto pages = co_await Get(std::move(path), std::move(query), user_token);
    if (!pages) co_return pages.error();
    co_return instagram ? ParseInstagramPages(*pages) : ParsePages(*pages);
  }
  // The app token ("{app-id}|{app-secret}") may inspect any token issued to the app.
  std::vector<std::pair<std::string, std::string>> debug_query{{"input_token", user_token}};
  std::string debug_path = "debug_token";
  std::string app_token = app.client_id + "|" + app.client_secret;
  auto debug = co_await Get(std::move(debug_path), std::move(debug_query), std::move(app_token));
  if (!debug) co_return debug.error();
  auto waba_ids = ParseSharedWabaIds(*debug);
  if (!waba_ids) co_return waba_ids.error();
  for (const std::string& waba_id : *waba_ids) {
    std::vector<std::pair<std::string, std::string>> query{{"fields", "id,display_phone_number,verified_name"}};
    std::string path = waba_id + "/phone_numbers";
    auto numbers = co_await Get(std::move(path), std::move(query), user_token);
    if (!numbers) co_return numbers.error();
    auto parsed = ParsePhoneNumbers(*numbers);
    if (!parsed) co_return parsed.error();
    for (AccountInfo& number : *parsed) accounts.push_back({std::move(number), user_token, waba_id});
  }
  co_return accounts;
}

}  // namespace parley::channels::meta
