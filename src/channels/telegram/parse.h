#pragma once
// Telegram Bot API formats (https://core.telegram.org/bots/api), as pure functions: an Update posted to a channel's
// webhook into unified events, the parameters Parley sends to the Bot API's methods and the API's answers. No I/O.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "channels/channel.h"
#include "channels/platform.h"
#include "core/error.h"
#include "core/message.h"

namespace parley::channels::telegram {

// The platform's name: stored, in its webhooks' paths, in metrics labels.
inline constexpr std::string_view kName = "telegram";

//! sendMessage's limit: "1-4096 characters after entities parsing", counted in UTF-16 code units as Telegram does.
inline constexpr size_t kMaxMessageUtf16 = 4096;

// Whether `token` has a bot token's form, "<bot id>:<letters, digits, '_' and '-'>": only such a token goes into a
// Bot API URL's path.
bool IsBotToken(std::string_view token);

// A message's platform id: "<chat_id>:<message_id>" (Telegram numbers messages per chat, and the store
// de-duplicates per channel).
std::string MessageKey(int64_t chat_id, int64_t message_id);

// Parses one Update. `message` becomes a UnifiedMessage of its kind (text; photo as an image with its largest
// size's file_id; voice as a voice note; audio; document; video; sticker; location; anything else unsupported,
// saying why); `edited_message` a new message whose platform id carries the edit's date and whose `edit_of` names the
// original, so a redelivered edit is a duplicate and a corrected question is answered; `callback_query` (a button
// pressed) an interactive reply titled with the button's text, whose platform id is "callback:<id>". Updates of
// other kinds are counted in `ignored`. The account id is left empty: the webhook's channel supplies it. The
// contact is the chat (a private chat's id is its user's). kInvalidArgument naming the field on malformed JSON,
// nesting deeper than 64, no update_id, or a field of the wrong type. Never throws.
Result<WebhookEvents> ParseTelegramUpdate(std::string_view body);

// The callback query a parsed update carries (its id), or empty.
std::string CallbackQueryId(const WebhookEvents& events);

// `text` in pieces of at most `max_utf16` UTF-16 code units, cut at code point boundaries (after the last newline or
// space in the piece when there is one). Empty text yields no piece.
std::vector<std::string> SplitForTelegram(std::string_view text, size_t max_utf16 = kMaxMessageUtf16);

// `text` written with chat markers (Markup::kChatMarkers: *bold*, _italic_, ~strike~, `code`, ```pre```) in
// Telegram's MarkdownV2 (https://core.telegram.org/bots/api#markdownv2-style): a pair of markers around text on one
// line (opening after a non-letter, closing before one, neither touching a space on the inside) becomes the
// entity, and every other character MarkdownV2 reserves is escaped, so the text shows as written. No entity is
// nested; Telegram's limit counts the text after entities are parsed, so the conversion never makes a piece longer.
std::string ToMarkdownV2(std::string_view text);

// How sendMessage's text is read: MarkdownV2 (ToMarkdownV2 applied), or as it is (no parse_mode), which is how a
// message Telegram could not parse is sent again.
enum class TextMode { kMarkdownV2, kAsWritten };

// sendMessage's parameters: {"chat_id", "text"} plus "reply_parameters": {"message_id",
// "allow_sending_without_reply": true} when `reply_to` is a message key of that chat, and "parse_mode":
// "MarkdownV2" with the text converted in TextMode::kMarkdownV2.
boost::json::object SendMessageParams(std::string_view chat_id, std::string_view text, std::string_view reply_to,
                                      TextMode mode = TextMode::kMarkdownV2);

// Whether a refused sendMessage was refused for its formatting ("Bad Request: can't parse entities: …"), so the
// same text sent as written will pass.
bool RefusedFormatting(const SendResult& sent);

// sendChatAction's: {"chat_id", "action": "typing"}.
boost::json::object TypingParams(std::string_view chat_id);

// A chat id as the Bot API takes it: the integer when `chat_id` is one, else the string (@channelusername).
boost::json::value ChatIdValue(std::string_view chat_id);

// The Bot API's answer to one call: {"ok": true, "result": …} or {"ok": false, "error_code", "description"}.
struct BotApiAnswer {
  bool ok = false;
  boost::json::value result;
  MessageError error;         //!< error_code and description; for a body that is not the Bot API's, the HTTP status.
  int64_t retry_after_s = 0;  //!< parameters.retry_after: flood control's wait before the call may be repeated.
};
BotApiAnswer ParseBotApiAnswer(int http_status, std::string_view body);

// The Bot API method that sends a file of `type` and the form field that carries it: sendPhoto (photo), sendVoice
// (voice: an OGG/Opus recording, shown as a voice note), sendAudio (audio), sendVideo (video), else sendDocument
// (document).
struct MediaMethod {
  std::string_view name;
  std::string_view field;
};
MediaMethod MediaMethodFor(MessageType type, std::string_view mime_type);

// sendMessage's answer as a SendResult: the sent message's key, or the error (transient for a 5xx, a 429 or a
// network failure, which the caller marks) with flood control's retry_after.
SendResult ParseSentMessage(int http_status, std::string_view body);

// getFile's answer: the file's path under {api_base_url}/file/bot<token>/ and its declared size (-1 when Telegram does
// not say). kPayloadTooLarge when Telegram will not serve it ("file is too big": over the Bot API's 20 MB) or
// declares more than `max_bytes`; kPermissionDenied for a refused token; kUnavailable for a 5xx or 429; kNotFound
// otherwise (an unknown or expired file_id).
struct TelegramFile {
  std::string path;
  int64_t size = -1;
};
Result<TelegramFile> ParseGetFile(int http_status, std::string_view body, int64_t max_bytes);

// A media download's kNotFound: a file Telegram no longer has.
Error MediaGone(std::string detail);

// getMe's answer: the bot's id as the account id and its username; kInvalidArgument with Telegram's description when
// the token is refused.
Result<AccountProfile> ParseGetMe(int http_status, std::string_view body);

// An Update carrying `message` as a text message in a private chat, exactly as Telegram posts one.
std::string SampleUpdate(const SampleMessage& message);

}  // namespace parley::channels::telegram
