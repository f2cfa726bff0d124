#pragma once
// The unified message model: what every platform's webhook is parsed into, what the store keeps and what the
// read API shows. A platform adapter (channels/<platform>) is the only code that knows a platform's own format.

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

// A messaging platform, by its name ("whatsapp", "instagram", …). The set of platforms is open: channels/registry.h
// lists them, and nothing below it knows one from another. Stored and shown as its name.
class Platform {
 public:
  Platform() = default;  //!< No platform: the empty name.
  explicit Platform(std::string_view name) : name_(name) {}
  const std::string& name() const { return name_; }
  bool empty() const { return name_.empty(); }
  friend bool operator==(const Platform&, const Platform&) = default;
  friend auto operator<=>(const Platform&, const Platform&) = default;

 private:
  std::string name_;
};
std::string_view ToString(const Platform& p);
// A platform name as Parley writes them: 1 to 32 lowercase ASCII letters, digits or '_', starting with a letter;
// nullopt otherwise. Whether such a platform is registered is channels::FindPlatform's question.
std::optional<Platform> ParsePlatform(std::string_view s);

// How a platform shows text: plain, or the chat markers WhatsApp reads (*bold*, _italic_, ~strike~, ```mono```),
// which Telegram's channel sends as MarkdownV2.
enum class Markup { kPlain, kChatMarkers };

// What one outbound text message may be on a platform.
struct TextRules {
  size_t max_length = 1000;  //!< Unicode code points per message.
  Markup markup = Markup::kPlain;
  friend bool operator==(const TextRules&, const TextRules&) = default;
};

// When a platform accepts a business's message after the customer's last one. 0 means "no limit" for both windows.
struct MessagingWindow {
  int64_t free_form_ms = 0;  //!< Any message within this (Meta: 24 hours).
  //! A person's reply tagged HUMAN_AGENT within this, past the free-form window (Instagram, Messenger: 7 days);
  //! 0: the platform has no such tag.
  int64_t human_agent_ms = 0;
  //! Past the free-form window only an approved message template goes out (WhatsApp); templates are refused on
  //! platforms without this.
  bool templates = false;
  friend bool operator==(const MessagingWindow&, const MessagingWindow&) = default;
};

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

// What a platform says about a channel's account when its credentials are checked; fields it lacks stay empty.
struct AccountProfile {
  std::string display_phone_number;  //!< WhatsApp.
  std::string verified_name;         //!< WhatsApp.
  std::string username;              //!< Instagram's username; Messenger's Page name; Telegram's bot username.
  //! The account the token belongs to, on platforms whose channels are added with a token alone (Telegram's bot
  //! id); empty elsewhere.
  std::string account_id;
};

// What a platform tells about a customer when asked (Channel::LookUpProfile); fields it lacks stay empty.
struct ContactProfile {
  std::string name;         //!< The name the customer shows: Messenger's first and last name, Instagram's name.
  std::string username;     //!< Instagram's username.
  std::string picture_url;  //!< Their profile picture, at a URL the platform lets expire within days.
};

// A public comment on the business's post (Instagram's `comments` and `live_comments` webhooks): what it was written
// on. Its message's platform_message_id is the comment's id and reply_to the comment it answers (empty for a top-level
// one). The store keeps a commenter's comments on one post in a conversation of their own (Conversation::comment_on).
struct Comment {
  std::string media_id;            //!< The post, reel, story, ad or live video commented on.
  std::string media_product_type;  //!< As the platform names it: FEED, REELS, STORY, AD, LIVE…
  std::string ad_id;               //!< The ad, when the post is boosted (Meta may then notify the comment twice).
  bool live = false;               //!< Written during a live broadcast: a private reply goes only while it lasts.
};

// One customer message (or, for outbound, one business message) in platform-neutral form.
struct UnifiedMessage {
  Platform platform;
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
  std::optional<Comment> comment;  //!< Set on kComment messages.
  std::optional<MessageError> error;
  std::string reply_to;  //!< Platform id of the message this one replies to (context / reply_to.mid).
  std::string story_id;  //!< Instagram story reply or mention.
  std::string story_url;
  std::string edit_of;  //!< The platform id of the message this one is a new version of (Telegram's edits).
  bool forwarded = false;
  bool platform_notice = false;  //!< Written by the platform about the customer (a changed number), not by them.
};

// A delivery status for a message the business sent (WhatsApp `statuses[]`, Instagram `read`).
struct StatusUpdate {
  Platform platform;
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
  Platform platform;
  std::string account_id;
  std::string platform_message_id;
  std::string contact_id;
};

// A message the business sent from the platform's own app (an Instagram echo). Parley stores it in the thread
// and, unless it is a reply Parley sent itself, takes it as a person taking the conversation over.
struct BusinessEcho {
  Platform platform;
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
