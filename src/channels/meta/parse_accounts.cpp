#include "channels/meta/parse_accounts.h"

#include "channels/meta/parse_json.h"

namespace parley::channels::meta {
namespace {

namespace json = boost::json;

// The `data` array of a Graph list answer; absent means an empty list.
Result<const json::array*> DataArray(const json::object& answer, FieldReader& read) {
  const json::array* data = read.Array(answer, "data");
  if (!read.ok()) return read.error();
  return data;
}

// GET /me/accounts: each Page with its token, as the account itself or (`instagram`) as its Instagram business
// account, Pages without one being skipped.
Result<std::vector<DiscoveredAccount>> PageAccounts(const json::object& answer, bool instagram) {
  FieldReader read;
  auto data = DataArray(answer, read);
  if (!data) return data.error();
  std::vector<DiscoveredAccount> accounts;
  if (*data == nullptr) return accounts;
  for (const json::value& v : **data) {
    const json::object* page = read.Element(v, "data");
    if (page == nullptr) break;
    const json::object* account = instagram ? read.Object(*page, "instagram_business_account") : page;
    std::string page_token = read.String(*page, "access_token");
    if (!read.ok()) break;
    if (account == nullptr) continue;
    auto info = instagram ? ParseInstagramAccount(*account) : ParsePage(*account);
    if (!info) return info.error();
    if (page_token.empty()) return Error::InvalidArgument("a Page came without its access token");
    accounts.push_back({std::move(*info), std::move(page_token)});
  }
  if (!read.ok()) return read.error();
  return accounts;
}

}  // namespace

Result<json::object> ReadGraphAnswer(int http_status, std::string_view body) {
  const bool refused = http_status >= 400 && http_status < 500 && http_status != 429;
  if (refused) {
    MessageError e = ParseGraphError(http_status, body);
    return Error::InvalidArgument(e.title);
  }
  if (http_status < 200 || http_status >= 300) {
    MessageError e = ParseGraphError(http_status, body);
    return Error::Unavailable("the platform answered HTTP " + std::to_string(http_status), e.title + " " + e.detail);
  }
  Result<json::value> doc = ParseJson(body);
  if (!doc || !doc->is_object()) {
    return Error::Unavailable("the platform answered something that is not a JSON object",
                              std::string(body.substr(0, 200)));
  }
  return std::move(doc->as_object());
}

Result<AccountInfo> ParseWhatsAppNumber(const json::object& answer) {
  FieldReader read;
  AccountInfo info{
      read.String(answer, "id"), read.String(answer, "display_phone_number"), read.String(answer, "verified_name"), {}};
  if (!read.ok()) return read.error();
  if (info.id.empty()) return Error::InvalidArgument("the phone number answer has no id");
  return info;
}

Result<AccountInfo> ParseInstagramAccount(const json::object& answer) {
  FieldReader read;
  AccountInfo info{read.String(answer, "id"), {}, {}, read.String(answer, "username")};
  if (!read.ok()) return read.error();
  if (info.id.empty()) return Error::InvalidArgument("the Instagram account answer has no id");
  return info;
}

Result<ContactProfile> ParseContactProfile(const json::object& answer) {
  FieldReader read;
  ContactProfile profile{read.String(answer, "name"), read.String(answer, "username"),
                         read.String(answer, "profile_pic")};
  const std::string first = read.String(answer, "first_name");
  const std::string last = read.String(answer, "last_name");
  if (!read.ok()) return read.error();
  if (profile.name.empty()) profile.name = first.empty() || last.empty() ? first + last : first + ' ' + last;
  return profile;
}

Result<AccountInfo> ParsePage(const json::object& answer) {
  FieldReader read;
  AccountInfo info{read.String(answer, "id"), {}, {}, read.String(answer, "name")};
  if (!read.ok()) return read.error();
  if (info.id.empty()) return Error::InvalidArgument("the Page answer has no id");
  return info;
}

Result<std::string> ParseAccessToken(const json::object& answer) {
  FieldReader read;
  std::string token = read.String(answer, "access_token");
  if (!read.ok()) return read.error();
  if (token.empty()) return Error::InvalidArgument("the code exchange returned no access token");
  return token;
}

Result<std::vector<std::string>> ParseSharedWabaIds(const json::object& answer) {
  FieldReader read;
  const json::object* data = read.Object(answer, "data");
  if (!read.ok()) return read.error();
  if (data == nullptr) return Error::InvalidArgument("debug_token answered without data");
  if (!read.Bool(*data, "is_valid")) return Error::InvalidArgument("the access token is not valid");
  std::vector<std::string> ids;
  if (const json::array* scopes = read.Array(*data, "granular_scopes")) {
    for (const json::value& v : *scopes) {
      const json::object* scope = read.Element(v, "granular_scopes");
      if (scope == nullptr || read.String(*scope, "scope") != "whatsapp_business_management") continue;
      if (const json::array* targets = read.Array(*scope, "target_ids")) {
        for (const json::value& target : *targets) {
          if (!target.is_string()) {
            read.Fail("each element of \"target_ids\" must be a string");
            break;
          }
          ids.emplace_back(target.as_string());
        }
      }
    }
  }
  if (!read.ok()) return read.error();
  return ids;
}

Result<std::vector<AccountInfo>> ParsePhoneNumbers(const json::object& answer) {
  FieldReader read;
  auto data = DataArray(answer, read);
  if (!data) return data.error();
  std::vector<AccountInfo> numbers;
  if (*data == nullptr) return numbers;
  for (const json::value& v : **data) {
    const json::object* number = read.Element(v, "data");
    if (number == nullptr) break;
    auto info = ParseWhatsAppNumber(*number);
    if (!info) return info.error();
    numbers.push_back(std::move(*info));
  }
  if (!read.ok()) return read.error();
  return numbers;
}

Result<std::vector<DiscoveredAccount>> ParseInstagramPages(const json::object& answer) {
  return PageAccounts(answer, /*instagram=*/true);
}

Result<std::vector<DiscoveredAccount>> ParsePages(const json::object& answer) {
  return PageAccounts(answer, /*instagram=*/false);
}

}  // namespace parley::channels::meta
