#pragma once
// The unified message model: what every platform's webhook is parsed into, what the store keeps and what the
// read API shows. A platform adapter (channels/<platform>) is the only code that knows a platform's own format.

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

enum class Platform { kWhatsApp, kInstagram };
std::string_view ToString(Platform p);
std::optional<Platform> ParsePlatform(std::string_view s);

enum class Direction { kIn, kOut };
std::string_view ToString(Direction d);

// The kinds of message the read API shows (issue #2's closed list).
enum class MessageType {
  kText,
  kImage,
  kAudio,
  kVideo,
  kDocument,
  kSticker,
  kLocation,
  kContacts,
  kInteractive,  //!< Button and list replies, quick replies, postbacks; `text` holds the chosen title.
  kReaction,
  kComment,
  kUnsupported,  //!< Content Parley cannot show; `error` says why.
  kNote,         //!< A private note of the business's people in the thread: never sent to the customer.
};
std::string_view ToString(MessageType t);
std::optional<MessageType> ParseMessageType(std::string_view s);

// Lifecycle of a message. Inbound messages are `received` (or `deleted` when the customer unsends one);
// outbound ones go queued → sent → delivered → read, or `failed` with an error.
enum class MessageStatus { kReceived, kQueued, kSent, kDelivered, kRead, kFailed, kDeleted };
std::string_view ToString(MessageStatus s);
std::optional<MessageStatus> ParseMessageStatus(std::string_view s);

struct Media {
  std::string id;         //!< Platform media id (WhatsApp) or empty.
  std::string url;        //!< Direct URL when the platform gives one (Instagram attachments).
  std::string mime_type;  //!< Empty when the platform does not say.
  std::string sha256;
  std::string filename;   //!< Documents only.
  bool voice = false;     //!< WhatsApp voice note.
  bool animated = false;  //!< Animated sticker.
};

struct Location {
  double latitude = 0;
  double longitude = 0;
  std::string name;
  std::string address;
  std::string url;
};

struct Interactive {
  std::string kind;   //!< button_reply, list_reply, button, quick_reply, postback.
  std::string id;     //!< The reply id or payload the business defined.
  std::string title;  //!< What the customer saw and chose.
  std::string description;
};

struct Reaction {
  std::string message_id;  //!< Platform id of the message reacted to.
  std::string emoji;       //!< Empty when the reaction was removed.
};

// Where a conversation came from: a click-to-WhatsApp ad, an Instagram ad or a story.
struct Referral {
  std::string source_type;
  std::string source_id;
  std::string source_url;
  std::string headline;
  std::string body;
  std::string ctwa_clid;
  std::string ref;
};

struct MessageError {
  int code = 0;
  std::string title;
  std::string detail;
};

// An approved WhatsApp message template to send, the only message WhatsApp delivers more than 24 hours after the
// customer's last one: its name and language code, and the values of its body's placeholders in their order.
struct TemplateMessage {
  std::string name;
  std::string language;
  std::vector<std::string> parameters;
  //! The placeholders' names, parallel to `parameters`, when the template's parameter_format is NAMED
  //! ({{first_name}}); empty for positional ones ({{1}}).
  std::vector<std::string> parameter_names;
};

// One customer message (or, for outbound, one business message) in platform-neutral form.
struct UnifiedMessage {
  Platform platform = Platform::kWhatsApp;
  std::string account_id;           //!< WhatsApp phone_number_id or Instagram account id: selects the channel.
  std::string platform_message_id;  //!< wamid / mid: the de-duplication key within a channel.
  std::string contact_id;           //!< The customer's platform id (wa_id / IGSID).
  std::string contact_name;         //!< Profile name when the payload carries one.
  int64_t timestamp_ms = 0;         //!< Platform timestamp (ms since epoch).
  MessageType type = MessageType::kText;
  std::optional<std::string> text;  //!< Text, caption or chosen title; nullopt when there is none.
  std::optional<Media> media;
  std::optional<Location> location;
  std::optional<boost::json::value> contacts;  //!< WhatsApp contacts array, as sent.
  std::optional<Interactive> interactive;
  std::optional<Reaction> reaction;
  std::optional<Referral> referral;
  std::optional<MessageError> error;
  std::string reply_to;  //!< Platform id of the message this one replies to (context / reply_to.mid).
  std::string story_id;  //!< Instagram story reply or mention.
  std::string story_url;
  bool forwarded = false;
  bool platform_notice = false;  //!< Written by the platform about the customer (a changed number), not by them.
};

// A delivery status for a message the business sent (WhatsApp `statuses[]`, Instagram `read`).
struct StatusUpdate {
  Platform platform = Platform::kWhatsApp;
  std::string account_id;
  std::string platform_message_id;  //!< The outbound message; for Instagram reads, the newest message read.
  std::string recipient_id;
  MessageStatus status = MessageStatus::kSent;
  int64_t timestamp_ms = 0;
  std::optional<MessageError> error;
  bool watermark = false;  //!< Instagram read receipts: every earlier outbound message in the thread is read too.
};

// A customer unsent a message (Instagram `is_deleted`).
struct Deletion {
  Platform platform = Platform::kInstagram;
  std::string account_id;
  std::string platform_message_id;
  std::string contact_id;
};

// A message the business sent from the platform's own app (an Instagram echo). Parley stores it in the thread
// and, unless it is a reply Parley sent itself, takes it as a person taking the conversation over.
struct BusinessEcho {
  Platform platform = Platform::kInstagram;
  std::string account_id;
  std::string contact_id;  //!< The customer it was sent to.
  std::string platform_message_id;
  std::optional<std::string> text;
  int64_t timestamp_ms = 0;
};

// Everything one webhook payload carries, after parsing.
struct WebhookEvents {
  std::vector<UnifiedMessage> messages;
  std::vector<StatusUpdate> statuses;
  std::vector<Deletion> deletions;
  std::vector<BusinessEcho> echoes;
  int ignored = 0;  //!< Events deliberately skipped (fields Parley does not handle), for metrics.
};

// The unified message as JSON, in the read API's shape (without store-assigned fields).
boost::json::object ToJsonDetails(const UnifiedMessage& m);

// A template as a message's details keep it and the read API shows it: {"name", "language", "parameters": [...]}
// with "parameter_names" when it has named placeholders. TemplateFromJson reads it back; nullopt when `value` is
// not that shape.
boost::json::object TemplateJson(const TemplateMessage& t);
std::optional<TemplateMessage> TemplateFromJson(const boost::json::value& value);

}  // namespace parley
