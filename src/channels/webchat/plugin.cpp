// The web chat as Parley's registry knows it (channels/platform.h): no webhook, public routes of its own for the
// widget (routes.h), a channel added with its name and allowed origins.

#include "channels/webchat/parse.h"
#include "channels/webchat/routes.h"
#include "channels/webchat/settings.h"
#include "channels/webchat/webchat_channel.h"

namespace parley::channels::webchat {
namespace {

const ConfigKey kMessagesPerMinute{
    "webchat_messages_per_minute",
    "PARLEY_WEBCHAT_MESSAGES_PER_MINUTE",
    "integer",
    "`20`",
    "Messages one web chat visitor may post per minute (a burst of as many, then that rate); an address may post "
    "five times as many.",
    false};
const ConfigKey kFilesPerMinute{
    "webchat_files_per_minute",
    "PARLEY_WEBCHAT_FILES_PER_MINUTE",
    "integer",
    "`5`",
    "Files one web chat visitor may send per minute (a burst of as many, then that rate); an address may send five "
    "times as many.",
    false};
const ConfigKey kSessionsPerMinute{"webchat_sessions_per_minute",
                                   "PARLEY_WEBCHAT_SESSIONS_PER_MINUTE",
                                   "integer",
                                   "`10`",
                                   "Web chat sessions one address may open per minute.",
                                   false};

// The API reference's shapes of the widget's API (routes.h).
constexpr std::string_view kApiSchemas = R"json({
  "WebchatTexts": {
    "type": "object",
    "description": "The widget's texts in one language.",
    "required": ["launcher", "title", "message_label", "send", "greeting", "name_label", "email_label", "start"],
    "properties": {
      "launcher": {"type": "string"}, "title": {"type": "string"}, "message_label": {"type": "string"},
      "send": {"type": "string"}, "greeting": {"type": "string"}, "name_label": {"type": "string"},
      "email_label": {"type": "string"}, "start": {"type": "string"}
    }
  },
  "WebchatConfig": {
    "type": "object",
    "required": ["name", "color", "texts", "languages", "max_file_bytes"],
    "properties": {
      "name": {"type": "string", "description": "The channel's name, the chat's title."},
      "color": {"type": "string", "description": "The widget's colour, #rrggbb."},
      "texts": {"$ref": "#/components/schemas/WebchatTexts"},
      "languages": {"type": "object", "description": "Every language the widget can show (en and fr at least), by primary language subtag.",
                    "additionalProperties": {"$ref": "#/components/schemas/WebchatTexts"}},
      "max_file_bytes": {"type": "integer", "description": "The largest upload the server reads (PARLEY_MAX_UPLOAD_BYTES); each kind of file has its own limit within it (image 5 MB, audio and video 16 MB, document 100 MB)."}
    }
  },
  "WebchatSessionRequest": {
    "type": "object",
    "properties": {
      "name": {"type": "string", "maxLength": 100},
      "email": {"type": "string", "maxLength": 254, "format": "email"},
      "language": {"type": "string", "description": "The visitor's language tag (fr, en-GB)."}
    }
  },
  "WebchatSession": {
    "type": "object",
    "required": ["token", "visitor_id", "expires_at"],
    "properties": {
      "token": {"type": "string", "description": "Opaque; sent back as Authorization: Bearer (or ?token= on the event stream)."},
      "visitor_id": {"type": "string"},
      "expires_at": {"type": "string", "format": "date-time"}
    }
  },
  "WebchatMessage": {
    "type": "object",
    "required": ["id", "role", "text", "created_at", "client_id", "media"],
    "properties": {
      "id": {"type": "string"},
      "role": {"type": "string", "enum": ["visitor", "assistant", "agent"], "description": "Who wrote it: the visitor, the AI assistant or a person of the business."},
      "text": {"type": "string", "description": "The message, or a file's caption (may be empty)."},
      "created_at": {"type": "string", "format": "date-time"},
      "client_id": {"type": ["string", "null"], "description": "The widget's id of a visitor's message."},
      "media": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/WebchatFile"}], "description": "The visitor's or a person's file; null for a message without one."}
    }
  },
  "WebchatFile": {
    "type": "object",
    "required": ["type", "mime_type", "bytes", "filename", "status", "url", "thumbnail_url"],
    "properties": {
      "type": {"type": "string", "enum": ["image", "audio", "video", "document"]},
      "mime_type": {"type": "string", "description": "Sniffed from the file's bytes."},
      "bytes": {"type": "integer", "description": "The file's size; 0 while the visitor's file is pending."},
      "filename": {"type": ["string", "null"]},
      "status": {"type": "string", "enum": ["pending", "ready", "failed", "refused"], "description": "pending while the visitor's file is being prepared and read; ready once kept (a person's file always is); failed once no longer kept (retention)."},
      "url": {"type": ["string", "null"], "description": "A signed link to the file that needs no session and expires (PARLEY_MEDIA_URL_TTL_HOURS, 24 by default), made at each read; documents are served as attachments. Null once the file is no longer kept (retention). Absolute under PARLEY_PUBLIC_URL, else a path on Parley's origin."},
      "thumbnail_url": {"type": ["string", "null"], "description": "Images: a signed link to a thumbnail (JPEG, at most 256 px); null otherwise."}
    }
  },
  "WebchatMessageList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/WebchatMessage"}}}
  },
  "WebchatMessageRequest": {
    "type": "object",
    "required": ["text", "client_id"],
    "properties": {
      "text": {"type": "string", "minLength": 1, "maxLength": 4096},
      "client_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "description": "The widget's id for the message (a UUID): posting it again stores nothing more."}
    }
  },
  "WebchatFileForm": {
    "type": "object",
    "required": ["file", "client_id"],
    "properties": {
      "file": {"type": "string", "format": "binary", "description": "The file, with its name. Its type is read from its bytes (JPEG, PNG, GIF and WebP pictures; recordings; MP4 and 3GP videos; PDF, Office and text documents), never from its name or Content-Type, within its kind's limit: 413 over it, 415 for another type, and nothing is kept."},
      "client_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "description": "The widget's id for the message (a UUID): posting it again stores nothing more."},
      "text": {"type": "string", "maxLength": 4096, "description": "The file's caption."}
    }
  },
  "WebchatMessageAccepted": {
    "type": "object",
    "required": ["id", "created_at"],
    "properties": {"id": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}
  }
})json";

}  // namespace

const PlatformPlugin& Plugin() {
  static const PlatformPlugin plugin{
      .name = kName,
      .display_name = "Web chat",
      .account_noun = "a web chat widget",
      .traits = {.text = {kMaxTextChars, Markup::kPlain},
                 .window = {},
                 .read_receipts = false,
                 .typing_indicator = false,
                 .media = true,
                 .media_source = PlatformTraits::MediaSource::kUploaded,
                 .media_replies = PlatformTraits::MediaReplies::kServed},
      .webhook = {.signature_header = {},
                  .app_secret = {},
                  .verify_token = {},
                  .body_schema = {},
                  .verification = WebhookSpec::Verification::kNone},
      .fields = {{ChannelField::Target::kDisplayName, "display_name", "name", "Name",
                  "The chat's title, shown to visitors (the business's name).", true, false},
                 {ChannelField::Target::kSetting, kAllowedOrigins, "allowed-origin", "Allowed origins",
                  "The sites that embed the chat, as scheme://host[:port] (https://shop.example), one per line; "
                  "pages of other sites are refused.",
                  true, false, true},
                 {ChannelField::Target::kSetting, kColor, "color", "Colour",
                  "The widget's colour, #rrggbb (default #0b5cff).", false, false}},
      .profile_fields = {},
      .meta_login = std::nullopt,
      .demo_account = "",
      .make_channel = [](const Config&, http::Client&) -> std::unique_ptr<Channel> {
        return std::make_unique<WebchatChannel>();
      },
      .parse_webhook = &ParseMessagePost,
      .sample_webhook = &SampleMessagePost,
      .settings = {kMessagesPerMinute, kFilesPerMinute, kSessionsPerMinute},
      .extra_settings = {kTexts},
      .check_settings = &CheckSettings,
      .channel_details = &ChannelDetails,
      .make_routes = &MakeRoutes,
      .api_schemas = kApiSchemas,
      .error_codes = {"origin_not_allowed", "channel_not_found", "invalid_token"}};
  return plugin;
}

}  // namespace parley::channels::webchat
