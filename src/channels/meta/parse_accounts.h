#pragma once
// Decoding of the Graph API answers that connecting an account relies on: the credentials check of a WhatsApp
// phone number or an Instagram account, Meta's OAuth code exchange, and the discovery of the accounts a login
// granted (debug_token's granular scopes, a WhatsApp Business Account's phone numbers, the Pages with their
// Instagram business accounts). Network-free: it belongs to parley_channel_parsers.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/message.h"

namespace parley::channels::meta {

// What the platform says about a connected account.
struct AccountInfo {
  std::string id;
  std::string display_phone_number;  //!< WhatsApp.
  std::string verified_name;         //!< WhatsApp.
  std::string username;              //!< Instagram's username; a Page's name.
};

// An account a login gave access to, with the token that reaches it.
struct DiscoveredAccount {
  AccountInfo info;
  std::string access_token;  //!< WhatsApp: the business token of the login; Instagram: its Page's token.
  std::string waba_id;       //!< WhatsApp: the Business Account the number belongs to (its templates live there).
};

// A Graph answer as a JSON object. A 2xx with a JSON object yields it. A 4xx is the platform's refusal:
// kInvalidArgument with Meta's error message (e.g. "Invalid OAuth access token - Cannot parse access token").
// A 429, a 5xx, or a 2xx that is not a JSON object: kUnavailable ("the platform answered HTTP 503"), the excerpt in
// the detail.
Result<boost::json::object> ReadGraphAnswer(int http_status, std::string_view body);

// GET /{phone_number_id}?fields=display_phone_number,verified_name. kInvalidArgument when `id` is missing.
Result<AccountInfo> ParseWhatsAppNumber(const boost::json::object& answer);
// GET /{ig_account_id}?fields=id,username. kInvalidArgument when `id` is missing.
Result<AccountInfo> ParseInstagramAccount(const boost::json::object& answer);
// A customer's profile from Meta's User Profile API: Messenger's GET /{PSID}?fields=first_name,last_name,profile_pic
// (the name is the two joined by a space) or Instagram's GET /{IGSID}?fields=name,username,profile_pic. Each field may
// be absent or null (a customer without a name or picture). kInvalidArgument when one has the wrong type.
Result<ContactProfile> ParseContactProfile(const boost::json::object& answer);
// GET /{page_id}?fields=id,name: the Page's name in `username`. kInvalidArgument when `id` is missing.
Result<AccountInfo> ParsePage(const boost::json::object& answer);

// GET /oauth/access_token: {"access_token","token_type","expires_in"}. kInvalidArgument without a token.
Result<std::string> ParseAccessToken(const boost::json::object& answer);
// GET /debug_token: the WhatsApp Business Account ids in data.granular_scopes for whatsapp_business_management,
// newest first as Meta lists them. kInvalidArgument when data.is_valid is false.
Result<std::vector<std::string>> ParseSharedWabaIds(const boost::json::object& answer);
// GET /{waba_id}/phone_numbers: data[] with id, display_phone_number, verified_name.
Result<std::vector<AccountInfo>> ParsePhoneNumbers(const boost::json::object& answer);
// GET /me/accounts?fields=id,name,access_token,instagram_business_account{id,username}: the Pages that have an
// Instagram business account, as that account with the Page's token. Pages without one are skipped.
Result<std::vector<DiscoveredAccount>> ParseInstagramPages(const boost::json::object& answer);

// GET /me/accounts?fields=id,name,access_token: every Page the login manages, with its Page token.
Result<std::vector<DiscoveredAccount>> ParsePages(const boost::json::object& answer);

}  // namespace parley::channels::meta
