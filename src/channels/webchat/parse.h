#pragma once
// The web chat widget's request bodies (the public API of docs/channels.md, "Web chat"), as pure functions: what a
// visitor sends to open a session and to post a message. No I/O; the fuzz target and the fixtures use them.

#include <string>
#include <string_view>

#include "channels/platform.h"
#include "core/error.h"
#include "core/message.h"

namespace parley::channels::webchat {

// The platform's name: stored, in its routes' paths (/api/webchat/…), in metrics labels.
inline constexpr std::string_view kName = "webchat";

//! The longest message either way, in characters (Unicode code points): what a visitor may post, and the agent's
//! limit for one reply.
inline constexpr size_t kMaxTextChars = 4096;
inline constexpr size_t kMaxNameBytes = 100;
inline constexpr size_t kMaxEmailBytes = 254;
inline constexpr size_t kMaxClientIdBytes = 64;

// 1..kMaxClientIdBytes of letters, digits, '-' and '_': a widget's id for a message (a UUID).
bool IsClientId(std::string_view id);
// The Unicode code points of valid UTF-8 `text`: what its limits in characters count.
size_t CodePoints(std::string_view text);

// POST /api/webchat/{public_id}/sessions: {"name"?, "email"?, "language"?}, each optional (empty when absent).
struct SessionRequest {
  std::string name;      //!< At most kMaxNameBytes, no control characters.
  std::string email;     //!< At most kMaxEmailBytes, one '@' between a local part and a dotted domain.
  std::string language;  //!< A primary language subtag ("fr"), lower-cased: 2 or 3 letters.
};
// kInvalidArgument naming the field on anything else (unknown fields included); never throws.
Result<SessionRequest> ParseSessionRequest(std::string_view body);

// POST /api/webchat/{public_id}/messages: {"text": 1..kMaxTextChars characters, "client_id": the widget's id for it}.
struct MessageRequest {
  std::string text;
  std::string client_id;  //!< 1..kMaxClientIdBytes of letters, digits, '-' and '_' (a UUID): makes posting idempotent.
};
// kInvalidArgument naming the field on anything else: malformed JSON, an empty or blank text, too long, not UTF-8,
// a missing or malformed client_id, unknown fields. Never throws.
Result<MessageRequest> ParseMessageRequest(std::string_view body);

// A visitor's message as the platform's parser gives it (PlatformPlugin::parse_webhook): one text message whose
// platform id is the client_id; its account and contact are left empty, filled in by the route from the channel and
// the visitor's token.
Result<WebhookEvents> ParseMessagePost(std::string_view body);

// A message post carrying `message`'s text and id (`parley simulate`'s sample; the id stands for the client_id).
std::string SampleMessagePost(const SampleMessage& message);

}  // namespace parley::channels::webchat
