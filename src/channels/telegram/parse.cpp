#include "channels/telegram/parse.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <functional>
#include <utility>

#include "channels/meta/parse_json.h"
#include "core/json.h"

namespace parley::channels::telegram {
namespace {

namespace json = boost::json;
using meta::FieldReader;

constexpr std::string_view kCallbackPrefix = "callback:";

// "First Last", or the chat's title for a group.
std::string ChatName(FieldReader& read, const json::object& chat) {
  std::string name = read.String(chat, "title");
  if (!name.empty()) return name;
  name = read.String(chat, "first_name");
  const std::string last = read.String(chat, "last_name");
  if (!last.empty()) name += (name.empty() ? "" : " ") + last;
  if (name.empty()) name = read.String(chat, "username");
  return name;
}

// The largest of a photo's sizes (Telegram lists them smallest first).
const json::object* LargestPhoto(FieldReader& read, const json::array& sizes) {
  const json::object* largest = nullptr;
  double largest_area = -1;
  for (const json::value& size : sizes) {
    const json::object* photo = read.Element(size, "photo");
    if (photo == nullptr) continue;
    // In floating point: two hostile 64-bit sides would overflow a product of integers.
    const double area = static_cast<double>(read.Integer(*photo, "width")) * read.Integer(*photo, "height");
    if (area > largest_area) {
      largest = photo;
      largest_area = area;
    }
  }
  return largest;
}

// A file Telegram keeps (voice, audio, document, video, sticker): Parley keeps its file_id to fetch it with getFile.
Media FileMedia(FieldReader& read, const json::object& file) {
  Media media;
  media.id = read.String(file, "file_id");
  media.mime_type = read.String(file, "mime_type");
  media.filename = read.String(file, "file_name");
  return media;
}

// The content of a Message (text, caption, media, location) into `m`.
void ParseContent(FieldReader& read, const json::object& o, UnifiedMessage& m) {
  if (auto text = read.OptString(o, "text")) {
    m.type = MessageType::kText;
    m.text = std::move(text);
    return;
  }
  m.text = read.OptString(o, "caption");
  if (const json::array* photo = read.Array(o, "photo")) {
    m.type = MessageType::kImage;
    if (const json::object* largest = LargestPhoto(read, *photo)) {
      m.media = Media{.id = read.String(*largest, "file_id"), .mime_type = "image/jpeg"};
    }
  } else if (const json::object* voice = read.Object(o, "voice")) {
    m.type = MessageType::kAudio;
    m.media = FileMedia(read, *voice);
    m.media->voice = true;
  } else if (const json::object* audio = read.Object(o, "audio")) {
    m.type = MessageType::kAudio;
    m.media = FileMedia(read, *audio);
  } else if (const json::object* document = read.Object(o, "document")) {
    m.type = MessageType::kDocument;
    m.media = FileMedia(read, *document);
  } else if (const json::object* video = read.Object(o, "video")) {
    m.type = MessageType::kVideo;
    m.media = FileMedia(read, *video);
  } else if (const json::object* sticker = read.Object(o, "sticker")) {
    m.type = MessageType::kSticker;
    m.media = FileMedia(read, *sticker);
    m.media->animated = read.Bool(*sticker, "is_animated") || read.Bool(*sticker, "is_video");
  } else if (const json::object* location = read.Object(o, "location")) {
    m.type = MessageType::kLocation;
    m.location =
        Location{read.Number(*location, "latitude").value_or(0), read.Number(*location, "longitude").value_or(0)};
    if (const json::object* venue = read.Object(o, "venue")) {
      m.location->name = read.String(*venue, "title");
      m.location->address = read.String(*venue, "address");
    }
  } else {
    m.type = MessageType::kUnsupported;
    std::string kind;
    for (const auto& [key, value] : o) {
      if (key != "message_id" && key != "from" && key != "chat" && key != "date" && key != "edit_date" &&
          key != "message_thread_id" && key != "reply_to_message" && key != "forward_origin") {
        kind = std::string(key);
        break;
      }
    }
    m.error = MessageError{0, "unsupported message type", kind};
  }
}

// A Message (or an edited one) of the update into `events`.
void ParseMessage(FieldReader& read, const json::object& o, bool edited, WebhookEvents& events) {
  const json::object* chat = read.Object(o, "chat");
  const int64_t message_id = read.Integer(o, "message_id");
  if (chat == nullptr || message_id == 0) {
    read.Fail("a message needs message_id and chat");
    return;
  }
  const int64_t chat_id = read.Integer(*chat, "id");
  UnifiedMessage m;
  m.platform = Platform(kName);
  m.contact_id = std::to_string(chat_id);
  m.contact_name = ChatName(read, *chat);
  m.platform_message_id = MessageKey(chat_id, message_id);
  m.timestamp_ms = read.TimestampMs(o, "date");
  if (edited) {
    const int64_t edit_date = read.Integer(o, "edit_date");
    m.edit_of = m.platform_message_id;
    m.platform_message_id += ":edit:" + std::to_string(edit_date);
    if (edit_date > 0) m.timestamp_ms = read.TimestampMs(o, "edit_date");
  }
  if (const json::object* replied = read.Object(o, "reply_to_message")) {
    m.reply_to = MessageKey(chat_id, read.Integer(*replied, "message_id"));
  }
  m.forwarded = read.Object(o, "forward_origin") != nullptr;
  ParseContent(read, o, m);
  events.messages.push_back(std::move(m));
}

// The text of the inline keyboard button whose callback_data is `data`, in the message it was pressed under.
std::string ButtonText(FieldReader& read, const json::object* message, std::string_view data) {
  const json::object* markup = message != nullptr ? read.Object(*message, "reply_markup") : nullptr;
  const json::array* rows = markup != nullptr ? read.Array(*markup, "inline_keyboard") : nullptr;
  if (rows == nullptr) return {};
  for (const json::value& row : *rows) {
    const json::array* buttons = row.if_array();
    if (buttons == nullptr) continue;
    for (const json::value& button : *buttons) {
      const json::object* b = button.if_object();
      if (b != nullptr && read.String(*b, "callback_data") == data) return read.String(*b, "text");
    }
  }
  return {};
}

// A CallbackQuery (an inline keyboard button pressed) into `events`.
void ParseCallbackQuery(FieldReader& read, const json::object& o, WebhookEvents& events) {
  const std::string id = read.String(o, "id");
  const json::object* from = read.Object(o, "from");
  if (id.empty() || from == nullptr) {
    read.Fail("a callback_query needs id and from");
    return;
  }
  const json::object* message = read.Object(o, "message");
  const json::object* chat = message != nullptr ? read.Object(*message, "chat") : nullptr;
  UnifiedMessage m;
  m.platform = Platform(kName);
  m.contact_id = std::to_string(read.Integer(chat != nullptr ? *chat : *from, "id"));
  m.contact_name = ChatName(read, chat != nullptr ? *chat : *from);
  m.platform_message_id = std::string(kCallbackPrefix) + id;
  m.type = MessageType::kInteractive;
  Interactive chosen{.kind = "callback_query", .id = read.String(o, "data")};
  chosen.title = ButtonText(read, message, chosen.id);
  if (chosen.title.empty()) chosen.title = chosen.id;
  m.text = chosen.title;
  if (message != nullptr && chat != nullptr) {
    m.reply_to = MessageKey(read.Integer(*chat, "id"), read.Integer(*message, "message_id"));
  }
  m.interactive = std::move(chosen);
  events.messages.push_back(std::move(m));
}

}  // namespace

bool IsBotToken(std::string_view token) {
  const size_t colon = token.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == token.size()) return false;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto secret = [&digit](char c) {
    return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
  };
  const std::string_view id = token.substr(0, colon);
  const std::string_view rest = token.substr(colon + 1);
  return std::all_of(id.begin(), id.end(), digit) && std::all_of(rest.begin(), rest.end(), secret);
}

std::string MessageKey(int64_t chat_id, int64_t message_id) {
  return std::to_string(chat_id) + ":" + std::to_string(message_id);
}

Result<WebhookEvents> ParseTelegramUpdate(std::string_view body) {
  meta::ParseArena arena;
  Result<json::value> doc = meta::ParseJson(body, arena.storage());
  if (!doc) return doc.error();
  const json::object* update = doc->if_object();
  if (update == nullptr) return Error::InvalidArgument("an update must be a JSON object");
  FieldReader read;
  if (read.Integer(*update, "update_id") == 0 && !update->contains("update_id")) {
    return Error::InvalidArgument("an update needs update_id");
  }
  WebhookEvents events;
  if (const json::object* message = read.Object(*update, "message")) {
    ParseMessage(read, *message, false, events);
  } else if (const json::object* edited = read.Object(*update, "edited_message")) {
    ParseMessage(read, *edited, true, events);
  } else if (const json::object* callback = read.Object(*update, "callback_query")) {
    ParseCallbackQuery(read, *callback, events);
  } else {
    ++events.ignored;
  }
  if (!read.ok()) return read.error();
  return events;
}

std::string CallbackQueryId(const WebhookEvents& events) {
  for (const UnifiedMessage& m : events.messages) {
    if (m.interactive && m.interactive->kind == "callback_query" &&
        m.platform_message_id.starts_with(kCallbackPrefix)) {
      return m.platform_message_id.substr(kCallbackPrefix.size());
    }
  }
  return {};
}

std::vector<std::string> SplitForTelegram(std::string_view text, size_t max_utf16) {
  std::vector<std::string> pieces;
  while (!text.empty()) {
    size_t units = 0;
    size_t end = 0;         // Bytes of whole code points that fit.
    size_t last_break = 0;  // Bytes up to and including the last newline or space that fits.
    while (end < text.size()) {
      const auto lead = static_cast<unsigned char>(text[end]);
      const size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
      const size_t code_units = length == 4 ? 2 : 1;
      if (units + code_units > max_utf16 || end + length > text.size()) break;
      units += code_units;
      end += length;
      if (lead == '\n' || lead == ' ') last_break = end;
    }
    if (end == text.size()) {
      pieces.emplace_back(text);
      break;
    }
    if (end == 0) end = text.size();  // A malformed tail shorter than its lead byte says: kept whole.
    const size_t cut = last_break > 0 ? last_break : end;
    pieces.emplace_back(text.substr(0, cut));
    text.remove_prefix(cut);
  }
  return pieces;
}

json::value ChatIdValue(std::string_view chat_id) {
  int64_t number = 0;
  auto [end, ec] = std::from_chars(chat_id.data(), chat_id.data() + chat_id.size(), number);
  if (ec == std::errc() && end == chat_id.data() + chat_id.size()) return number;
  return json::string(chat_id);
}

namespace {

// The characters MarkdownV2 reserves outside entities, and the backslash that escapes them.
bool Reserved(char c) { return std::string_view("_*[]()~`>#+-=|{}.!\\").find(c) != std::string_view::npos; }

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    if (Reserved(c)) out += '\\';
    out += c;
  }
}

// Inside code and pre only the backquote and the backslash are escaped.
void AppendCode(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '`' || c == '\\') out += '\\';
    out += c;
  }
}

bool WordByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || std::isalnum(byte) != 0;
}

bool Blank(char c) { return c == ' ' || c == '\n' || c == '\t'; }

// Where the marker at `open` closes on the same line (the end of the pair's text), or npos when it does not open a
// pair: it follows a non-letter, is followed by a non-blank, and a later one on the line closes it after a non-blank
// and before a non-letter.
size_t ClosingMarker(std::string_view text, size_t open) {
  const char marker = text[open];
  if (open > 0 && (WordByte(text[open - 1]) || text[open - 1] == marker)) return std::string_view::npos;
  if (open + 1 >= text.size() || Blank(text[open + 1]) || text[open + 1] == marker) return std::string_view::npos;
  for (size_t close = open + 2; close < text.size() && text[close] != '\n'; ++close) {
    if (text[close] != marker || Blank(text[close - 1])) continue;
    if (close + 1 < text.size() && (WordByte(text[close + 1]) || text[close + 1] == marker)) continue;
    return close;
  }
  return std::string_view::npos;
}

}  // namespace

std::string ToMarkdownV2(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (text.substr(i, 3) == "```") {
      const size_t close = text.find("```", i + 3);
      if (close != std::string_view::npos && close > i + 3) {
        std::string_view code = text.substr(i + 3, close - i - 3);
        // A one-line block is inline code: after ``` Telegram reads the rest of the first line as the language.
        if (code.find('\n') == std::string_view::npos) {
          out += '`';
          AppendCode(out, code);
          out += '`';
        } else {
          // The newline ends an empty language line, which Telegram drops.
          out += "```\n";
          AppendCode(out, code);
          out += "```";
        }
        i = close + 3;
        continue;
      }
    } else if (c == '`') {
      const size_t close = text.find_first_of("`\n", i + 1);
      if (close != std::string_view::npos && text[close] == '`' && close > i + 1) {
        out += '`';
        AppendCode(out, text.substr(i + 1, close - i - 1));
        out += '`';
        i = close + 1;
        continue;
      }
    } else if (c == '*' || c == '_' || c == '~') {
      if (const size_t close = ClosingMarker(text, i); close != std::string_view::npos) {
        out += c;
        AppendEscaped(out, text.substr(i + 1, close - i - 1));
        out += c;
        i = close + 1;
        continue;
      }
    }
    AppendEscaped(out, text.substr(i, 1));
    ++i;
  }
  return out;
}

bool RefusedFormatting(const SendResult& sent) {
  return sent.error && sent.error->code == 400 && sent.error->title.find("can't parse entities") != std::string::npos;
}

json::object SendMessageParams(std::string_view chat_id, std::string_view text, std::string_view reply_to,
                               TextMode mode) {
  json::object params{{"chat_id", ChatIdValue(chat_id)}};
  if (mode == TextMode::kMarkdownV2) {
    params["text"] = ToMarkdownV2(text);
    params["parse_mode"] = "MarkdownV2";
  } else {
    params["text"] = text;
  }
  const size_t colon = reply_to.rfind(':');
  if (colon != std::string_view::npos && reply_to.substr(0, colon) == chat_id) {
    int64_t message_id = 0;
    const std::string_view number = reply_to.substr(colon + 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), message_id);
    if (ec == std::errc() && end == number.data() + number.size()) {
      params["reply_parameters"] = json::object{{"message_id", message_id}, {"allow_sending_without_reply", true}};
    }
  }
  return params;
}

json::object TypingParams(std::string_view chat_id) {
  return {{"chat_id", ChatIdValue(chat_id)}, {"action", "typing"}};
}

BotApiAnswer ParseBotApiAnswer(int http_status, std::string_view body) {
  BotApiAnswer answer;
  Result<json::value> doc = meta::ParseJson(body);
  const json::object* root = doc ? doc->if_object() : nullptr;
  const json::value* ok = root != nullptr ? root->if_contains("ok") : nullptr;
  if (ok == nullptr || !ok->is_bool()) {
    answer.error = {http_status, "HTTP " + std::to_string(http_status), std::string(body.substr(0, 200))};
    return answer;
  }
  answer.ok = ok->get_bool() && http_status / 100 == 2;
  if (answer.ok) {
    if (const json::value* result = root->if_contains("result")) answer.result = *result;
    return answer;
  }
  FieldReader read;
  answer.error.code = static_cast<int>(read.Integer(*root, "error_code"));
  if (answer.error.code == 0) answer.error.code = http_status;
  answer.error.title = read.String(*root, "description");
  if (answer.error.title.empty()) answer.error.title = "HTTP " + std::to_string(http_status);
  if (const json::object* parameters = read.Object(*root, "parameters")) {
    answer.retry_after_s = std::clamp<int64_t>(read.Integer(*parameters, "retry_after"), 0, 86400);
  }
  return answer;
}

MediaMethod MediaMethodFor(MessageType type, std::string_view mime_type) {
  switch (type) {
    case MessageType::kImage:
      return {"sendPhoto", "photo"};
    case MessageType::kAudio:
      return mime_type == "audio/ogg" ? MediaMethod{"sendVoice", "voice"} : MediaMethod{"sendAudio", "audio"};
    case MessageType::kVideo:
      return {"sendVideo", "video"};
    default:
      return {"sendDocument", "document"};
  }
}

SendResult ParseSentMessage(int http_status, std::string_view body) {
  BotApiAnswer answer = ParseBotApiAnswer(http_status, body);
  if (!answer.ok) {
    SendResult refused{{}, std::move(answer.error)};
    refused.retry_after_ms = answer.retry_after_s * 1000;
    return refused;
  }
  const json::object* message = answer.result.if_object();
  FieldReader read;
  const json::object* chat = message != nullptr ? read.Object(*message, "chat") : nullptr;
  if (chat == nullptr) return SendResult{};  // sendChatAction and the like answer `true`.
  return SendResult{MessageKey(read.Integer(*chat, "id"), read.Integer(*message, "message_id"))};
}

Error MediaGone(std::string detail) {
  return {ErrorCode::kNotFound, "Telegram no longer has this media", std::move(detail)};
}

Result<TelegramFile> ParseGetFile(int http_status, std::string_view body, int64_t max_bytes) {
  BotApiAnswer answer = ParseBotApiAnswer(http_status, body);
  if (!answer.ok) {
    const std::string detail = "getFile: " + answer.error.title;
    if (answer.error.title.find("too big") != std::string::npos) return MediaTooLarge(max_bytes, detail);
    if (http_status == 401 || http_status == 403) {
      return Error{ErrorCode::kPermissionDenied, "Telegram refused the channel's bot token", detail};
    }
    if (http_status == 429 || http_status >= 500)
      return Error::Unavailable("Telegram did not deliver the media", detail);
    return MediaGone(detail);
  }
  const json::object* file = answer.result.if_object();
  FieldReader read;
  TelegramFile found;
  found.path = file != nullptr ? read.String(*file, "file_path") : std::string();
  if (found.path.empty()) return MediaGone("getFile: no file_path");
  if (file->contains("file_size")) found.size = read.Integer(*file, "file_size");
  if (found.size > max_bytes) return MediaTooLarge(max_bytes, "declared " + std::to_string(found.size) + " bytes");
  return found;
}

Result<AccountProfile> ParseGetMe(int http_status, std::string_view body) {
  BotApiAnswer answer = ParseBotApiAnswer(http_status, body);
  if (!answer.ok) return Error::InvalidArgument("Telegram refused the bot token: " + answer.error.title);
  const json::object* bot = answer.result.if_object();
  FieldReader read;
  const int64_t id = bot != nullptr ? read.Integer(*bot, "id") : 0;
  if (id == 0) return Error::InvalidArgument("Telegram's getMe answered no bot id");
  AccountProfile profile;
  profile.username = read.String(*bot, "username");
  profile.account_id = std::to_string(id);
  return profile;
}

std::string SampleUpdate(const SampleMessage& m) {
  int64_t user_id = 0;
  std::from_chars(m.from.data(), m.from.data() + m.from.size(), user_id);
  // Telegram numbers messages with small integers; the sample's unique id is folded into one.
  const auto message_id = static_cast<int64_t>(std::hash<std::string>{}(m.message_id) & 0x7fffffff);
  const json::object user{{"id", user_id}, {"is_bot", false}, {"first_name", m.name}};
  return SerializeJson(json::object{{"update_id", message_id},
                                    {"message",
                                     {{"message_id", message_id},
                                      {"from", user},
                                      {"chat", {{"id", user_id}, {"first_name", m.name}, {"type", "private"}}},
                                      {"date", m.timestamp_ms / 1000},
                                      {"text", m.text}}}});
}

}  // namespace parley::channels::telegram
