#pragma once
// A web chat channel's settings (store::Channel::settings), as the channels API and `parley channel add webchat`
// give them and the widget reads them back: the origins whose pages may embed it, its colour and its texts.
//
//   {"allowed_origins": ["https://shop.example"], "webchat_color": "#0b5cff",
//    "webchat_texts": {"fr": {"greeting": "Bonjour !"}}}

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/error.h"

namespace parley::channels::webchat {

inline constexpr std::string_view kAllowedOrigins = "allowed_origins";
inline constexpr std::string_view kColor = "webchat_color";
inline constexpr std::string_view kTexts = "webchat_texts";
inline constexpr std::string_view kDefaultColor = "#0b5cff";

// An allowed origin as browsers send it in `Origin`: "scheme://host[:port]", scheme http or https, lower-case, no
// path, query, user, trailing slash or wildcard. Returns it as given; kInvalidArgument saying why otherwise.
Result<std::string> ParseOrigin(std::string_view text);

// PlatformPlugin::check_settings: allowed_origins (a non-empty list of origins, duplicates dropped), webchat_color
// ("#rrggbb", optional) and webchat_texts ({language: {text key: string of at most 500 bytes}}, optional, keys among
// TextKeys()); kInvalidArgument naming what is wrong, or unknown keys.
Result<boost::json::object> CheckSettings(const boost::json::object& settings);

// Whether `origin` (a request's Origin header) is one of the channel's, compared exactly.
bool OriginAllowed(const boost::json::object& settings, std::string_view origin);

// The keys of the widget's texts: launcher, title, message_label, send, greeting, name_label, email_label, start.
const std::vector<std::string_view>& TextKeys();

// GET /api/webchat/{public_id}/config's answer: {"name", "color", "texts" (English), "languages": {"en": …, "fr": …}},
// each language's built-in texts with the channel's overrides merged over them; a language only the overrides name
// gets English's texts under its own.
boost::json::object WidgetConfig(std::string_view name, const boost::json::object& settings);

// The tag to paste into a site: <script src="{public_url}/webchat/widget.js" data-channel="{public_id}" async>.
std::string ScriptTag(std::string_view public_url, std::string_view public_id);

// PlatformPlugin::channel_details: {"allowed_origins": […], "script": the tag, "webchat_color": … or null,
// "webchat_texts": the overrides ({} when none)}.
boost::json::object ChannelDetails(std::string_view public_id, const boost::json::object& settings,
                                   std::string_view public_url);

}  // namespace parley::channels::webchat
