#include "channels/webchat/settings.h"

#include <algorithm>
#include <charconv>

#include <boost/json/array.hpp>

namespace parley::channels::webchat {
namespace {

namespace json = boost::json;

constexpr size_t kMaxOrigins = 50;
constexpr size_t kMaxOriginBytes = 255;
constexpr size_t kMaxTextBytes = 500;
constexpr size_t kMaxLanguages = 20;

bool IsHostChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

// The built-in texts of one language: English for any language without its own.
const json::object& BuiltIn(std::string_view language) {
  static const json::object kEnglish{{"launcher", "Chat with us"},
                                     {"title", "Chat"},
                                     {"message_label", "Message"},
                                     {"send", "Send"},
                                     {"greeting", "Hello! How can we help?"},
                                     {"name_label", "Name (optional)"},
                                     {"email_label", "E-mail (optional)"},
                                     {"start", "Start chat"}};
  static const json::object kFrench{{"launcher", "Discuter avec nous"},
                                    {"title", "Discussion"},
                                    {"message_label", "Message"},
                                    {"send", "Envoyer"},
                                    {"greeting", "Bonjour ! Comment pouvons-nous vous aider ?"},
                                    {"name_label", "Nom (facultatif)"},
                                    {"email_label", "E-mail (facultatif)"},
                                    {"start", "Commencer"}};
  return language == "fr" ? kFrench : kEnglish;
}

bool IsLanguage(std::string_view language) {
  return language.size() >= 2 && language.size() <= 3 &&
         std::all_of(language.begin(), language.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

Result<json::array> CheckOrigins(const json::value& value) {
  if (!value.is_array() || value.as_array().empty() || value.as_array().size() > kMaxOrigins) {
    return Error::InvalidArgument("allowed_origins must be a list of 1 to 50 origins (https://shop.example)");
  }
  json::array origins;
  for (const json::value& item : value.as_array()) {
    if (!item.is_string()) return Error::InvalidArgument("allowed_origins must hold strings");
    auto origin = ParseOrigin(item.as_string());
    if (!origin) return origin.error();
    if (std::find(origins.begin(), origins.end(), json::value(*origin)) == origins.end())
      origins.push_back(json::value(*origin));
  }
  return origins;
}

Result<std::string> CheckColor(const json::value& value) {
  const bool valid = value.is_string() && value.as_string().size() == 7 && value.as_string()[0] == '#' &&
                     std::all_of(value.as_string().begin() + 1, value.as_string().end(), [](char c) {
                       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                     });
  if (!valid) return Error::InvalidArgument("webchat_color must be a colour such as #0b5cff");
  std::string color(value.as_string());
  std::transform(color.begin(), color.end(), color.begin(),
                 [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
  return color;
}

Result<json::object> CheckTexts(const json::value& value) {
  if (!value.is_object() || value.as_object().size() > kMaxLanguages) {
    return Error::InvalidArgument("webchat_texts must be an object of languages ({\"fr\": {\"greeting\": \"…\"}})");
  }
  const auto& keys = TextKeys();
  for (const auto& [language, texts] : value.as_object()) {
    if (!IsLanguage(language))
      return Error::InvalidArgument("webchat_texts: " + std::string(language) + " is not a language code");
    if (!texts.is_object())
      return Error::InvalidArgument("webchat_texts." + std::string(language) + " must be an object");
    for (const auto& [key, text] : texts.as_object()) {
      if (std::find(keys.begin(), keys.end(), std::string_view(key)) == keys.end()) {
        return Error::InvalidArgument("webchat_texts." + std::string(language) + ": unknown text " + std::string(key));
      }
      if (!text.is_string() || text.as_string().empty() || text.as_string().size() > kMaxTextBytes) {
        return Error::InvalidArgument("webchat_texts." + std::string(language) + "." + std::string(key) +
                                      " must be a string of 1 to 500 bytes");
      }
    }
  }
  return value.as_object();
}

}  // namespace

Result<std::string> ParseOrigin(std::string_view text) {
  const auto refuse = [&text](std::string_view why) {
    return Error::InvalidArgument("allowed origin " + std::string(text.substr(0, 100)) + " " + std::string(why) +
                                  ": give scheme://host[:port], such as https://shop.example");
  };
  if (text.size() > kMaxOriginBytes) return refuse("is too long");
  std::string_view rest;
  if (text.starts_with("https://")) {
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else {
    return refuse("must start with https:// or http://");
  }
  std::string_view host = rest;
  if (const size_t colon = rest.find(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    const std::string_view port = rest.substr(colon + 1);
    int number = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535 ||
        port[0] == '0') {
      return refuse("has no valid port");
    }
  }
  if (host.empty() || !std::all_of(host.begin(), host.end(), IsHostChar) || host.front() == '.' || host.back() == '.' ||
      host.find("..") != std::string_view::npos) {
    return refuse("must be a lower-case host name without a path, a trailing slash or a wildcard");
  }
  return std::string(text);
}

Result<json::object> CheckSettings(const json::object& settings) {
  json::object checked;
  for (const auto& [key, value] : settings) {
    if (key == kAllowedOrigins) {
      auto origins = CheckOrigins(value);
      if (!origins) return origins.error();
      checked[key] = std::move(*origins);
    } else if (key == kColor) {
      if (value.is_null()) continue;
      auto color = CheckColor(value);
      if (!color) return color.error();
      checked[key] = *color;
    } else if (key == kTexts) {
      if (value.is_null()) continue;
      auto texts = CheckTexts(value);
      if (!texts) return texts.error();
      checked[key] = std::move(*texts);
    } else {
      return Error::InvalidArgument("unknown web chat setting " + std::string(key));
    }
  }
  if (!checked.contains(kAllowedOrigins)) {
    return Error::InvalidArgument("allowed_origins is required: the sites (https://shop.example) that embed the chat");
  }
  return checked;
}

bool OriginAllowed(const json::object& settings, std::string_view origin) {
  const json::value* list = settings.if_contains(kAllowedOrigins);
  if (origin.empty() || list == nullptr || !list->is_array()) return false;
  const json::array& origins = list->as_array();
  return std::any_of(origins.begin(), origins.end(),
                     [origin](const json::value& v) { return v.is_string() && v.as_string() == origin; });
}

const std::vector<std::string_view>& TextKeys() {
  static const std::vector<std::string_view> kKeys{"launcher", "title",      "message_label", "send",
                                                   "greeting", "name_label", "email_label",   "start"};
  return kKeys;
}

json::object WidgetConfig(std::string_view name, const json::object& settings) {
  json::object languages{{"en", BuiltIn("en")}, {"fr", BuiltIn("fr")}};
  const json::value* overrides = settings.if_contains(kTexts);
  if (overrides != nullptr && overrides->is_object()) {
    for (const auto& [language, texts] : overrides->as_object()) {
      json::object merged = BuiltIn(language);
      if (texts.is_object()) {
        for (const auto& [key, text] : texts.as_object()) merged[key] = text;
      }
      languages[language] = std::move(merged);
    }
  }
  const json::value* color = settings.if_contains(kColor);
  return json::object{{"name", name},
                      {"color", color != nullptr && color->is_string() ? *color : json::value(kDefaultColor)},
                      {"texts", languages["en"]},
                      {"languages", std::move(languages)}};
}

std::string ScriptTag(std::string_view public_url, std::string_view public_id) {
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  return "<script src=\"" + std::string(public_url) + "/webchat/widget.js\" data-channel=\"" + std::string(public_id) +
         "\" async></script>";
}

json::object ChannelDetails(std::string_view public_id, const json::object& settings, std::string_view public_url) {
  const json::value* origins = settings.if_contains(kAllowedOrigins);
  const json::value* color = settings.if_contains(kColor);
  const json::value* texts = settings.if_contains(kTexts);
  return json::object{{"allowed_origins", origins != nullptr && origins->is_array() ? *origins : json::array()},
                      {"script", ScriptTag(public_url, public_id)},
                      {kColor, color != nullptr ? *color : json::value(nullptr)},
                      {kTexts, texts != nullptr ? *texts : json::value(json::object())}};
}

}  // namespace parley::channels::webchat
