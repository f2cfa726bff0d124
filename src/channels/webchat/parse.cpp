#include "channels/webchat/parse.h"

#include <algorithm>

#include <boost/json/parse.hpp>

#include "core/json.h"
#include "core/utf8.h"

namespace parley::channels::webchat {
namespace {

namespace json = boost::json;

Result<json::object> ParseObject(std::string_view body) {
  json::parse_options options;
  options.max_depth = 8;
  boost::system::error_code ec;
  json::value value = json::parse(body, ec, {}, options);
  if (ec) return Error::InvalidArgument("the body is not valid JSON");
  if (!value.is_object()) return Error::InvalidArgument("the body must be a JSON object");
  return std::move(value.as_object());
}

Result<void> OnlyFields(const json::object& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
      return Error::InvalidArgument("unknown field " + std::string(key));
    }
  }
  return Ok();
}

// The string `name` of `body`: empty when absent or null; kInvalidArgument when another type or not UTF-8.
Result<std::string> StringField(const json::object& body, std::string_view name) {
  const json::value* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::string();
  if (!value->is_string()) return Error::InvalidArgument(std::string(name) + " must be a string");
  std::string text(value->as_string());
  if (!IsValidUtf8(text)) return Error::InvalidArgument(std::string(name) + " must be valid UTF-8");
  return text;
}

bool HasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < ' ' || c == 0x7f; });
}

bool IsEmail(std::string_view email) {
  const size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = email.substr(at + 1);
  const size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size()) return false;
  return std::none_of(email.begin(), email.end(), [](char c) { return c == ' ' || c == '<' || c == '>'; });
}

}  // namespace

size_t CodePoints(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool IsClientId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxClientIdBytes && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Result<SessionRequest> ParseSessionRequest(std::string_view body) {
  SessionRequest request;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return request;  // No body: an anonymous visitor.
  auto object = ParseObject(body);
  if (!object) return object.error();
  if (auto only = OnlyFields(*object, {"name", "email", "language"}); !only) return only.error();
  auto name = StringField(*object, "name");
  if (!name) return name.error();
  if (name->size() > kMaxNameBytes || HasControl(*name)) {
    return Error::InvalidArgument("name must be at most 100 bytes, without control characters");
  }
  auto email = StringField(*object, "email");
  if (!email) return email.error();
  if (!email->empty() && (email->size() > kMaxEmailBytes || HasControl(*email) || !IsEmail(*email))) {
    return Error::InvalidArgument("email must be an e-mail address of at most 254 bytes");
  }
  auto language = StringField(*object, "language");
  if (!language) return language.error();
  std::string primary = language->substr(0, language->find_first_of("-_"));
  std::transform(primary.begin(), primary.end(), primary.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  if (!primary.empty() && (primary.size() < 2 || primary.size() > 3 ||
                           !std::all_of(primary.begin(), primary.end(), [](char c) { return c >= 'a' && c <= 'z'; }))) {
    return Error::InvalidArgument("language must be a language tag such as fr or en-GB");
  }
  request.name = std::move(*name);
  request.email = std::move(*email);
  request.language = std::move(primary);
  return request;
}

Result<MessageRequest> ParseMessageRequest(std::string_view body) {
  auto object = ParseObject(body);
  if (!object) return object.error();
  if (auto only = OnlyFields(*object, {"text", "client_id"}); !only) return only.error();
  auto text = StringField(*object, "text");
  if (!text) return text.error();
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) return Error::InvalidArgument("text must not be empty");
  if (CodePoints(*text) > kMaxTextChars) return Error::InvalidArgument("text must be at most 4096 characters");
  auto client_id = StringField(*object, "client_id");
  if (!client_id) return client_id.error();
  if (!IsClientId(*client_id)) {
    return Error::InvalidArgument("client_id must be 1 to 64 letters, digits, '-' or '_' (a UUID)");
  }
  return MessageRequest{std::move(*text), std::move(*client_id)};
}

Result<WebhookEvents> ParseMessagePost(std::string_view body) {
  auto request = ParseMessageRequest(body);
  if (!request) return request.error();
  UnifiedMessage message;
  message.platform = Platform(kName);
  message.platform_message_id = std::move(request->client_id);
  message.type = MessageType::kText;
  message.text = std::move(request->text);
  WebhookEvents events;
  events.messages.push_back(std::move(message));
  return events;
}

std::string SampleMessagePost(const SampleMessage& message) {
  return SerializeJson(json::object{{"text", message.text}, {"client_id", message.message_id}});
}

}  // namespace parley::channels::webchat
