#include "channels/instagram/parse.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <utility>

#include "channels/meta/parse_json.h"
#include "channels/meta/parse_messaging.h"

namespace parley::channels::instagram {
namespace {

namespace json = boost::json;
using meta::FieldReader;
using meta::ReadReferral;
using meta::SyntheticId;

// What one webhook entry says about every event in it.
struct EntryContext {
  std::string account_id;  //!< entry.id: the business's Instagram account.
  int64_t time_ms = 0;     //!< entry.time: when Meta sent it; comments carry no timestamp of their own.
};

// How an attachment type shows in the unified model. Instagram sends only a CDN URL, never a mime type, so the
// shared-post and reel types map to the kind of media their URL usually points to.
struct AttachmentKind {
  MessageType type = MessageType::kUnsupported;
  bool animated = false;
  bool story_mention = false;
};

AttachmentKind KindOf(std::string_view type) {
  if (type == "image" || type == "share" || type == "ig_post") return {MessageType::kImage};
  if (type == "animated_image") return {MessageType::kImage, true};
  if (type == "video" || type == "ig_reel" || type == "reel") return {MessageType::kVideo};
  if (type == "audio") return {MessageType::kAudio};
  if (type == "file") return {MessageType::kDocument};
  if (type == "story_mention") return {MessageType::kImage, false, true};
  if (type == "like_heart") return {MessageType::kSticker};
  return {};
}

void ParseAttachments(FieldReader& read, const json::array& attachments, UnifiedMessage base, WebhookEvents& events) {
  const std::string mid = base.platform_message_id;
  for (size_t i = 0; i < attachments.size(); ++i) {
    const json::object* a = read.Element(attachments[i], "attachments");
    if (a == nullptr) return;
    UnifiedMessage m = base;
    if (i > 0) {
      m.platform_message_id = mid + "#" + std::to_string(i + 1);
      m.text.reset();
    }
    std::string type = read.String(*a, "type");
    AttachmentKind kind = KindOf(type);
    Media media;
    if (const json::object* payload = read.Object(*a, "payload")) {
      media.url = read.String(*payload, "url");
      // Reels and shared posts carry their caption as `title`.
      if (!m.text) m.text = read.OptString(*payload, "title");
    }
    media.animated = kind.animated;
    m.type = kind.type;
    if (kind.type == MessageType::kUnsupported) {
      m.error = MessageError{0, "unsupported attachment type", type};
    } else {
      if (kind.story_mention) m.story_url = media.url;
      m.media = std::move(media);
    }
    events.messages.push_back(std::move(m));
  }
}

void ParseMessage(FieldReader& read, const json::object& message, UnifiedMessage base, WebhookEvents& events) {
  base.platform_message_id = read.String(message, "mid");
  if (base.platform_message_id.empty() || base.contact_id.empty()) {
    read.Fail("each message needs a string \"mid\" and \"sender.id\"");
    return;
  }
  if (read.Bool(message, "is_deleted")) {
    events.deletions.push_back(Deletion{Platform(kName), base.account_id, base.platform_message_id, base.contact_id});
    return;
  }
  base.text = read.OptString(message, "text");
  if (const json::object* reply_to = read.Object(message, "reply_to")) {
    base.reply_to = read.String(*reply_to, "mid");
    if (const json::object* story = read.Object(*reply_to, "story")) {
      base.story_id = read.String(*story, "id");
      base.story_url = read.String(*story, "url");
    }
  }
  base.referral = ReadReferral(read, message);
  if (read.Bool(message, "is_unsupported")) {
    base.type = MessageType::kUnsupported;
    base.error = MessageError{0, "unsupported content", "Instagram does not deliver this content to apps"};
    events.messages.push_back(std::move(base));
    return;
  }
  if (const json::object* quick_reply = read.Object(message, "quick_reply")) {
    base.type = MessageType::kInteractive;
    base.interactive = Interactive{"quick_reply", read.String(*quick_reply, "payload"), base.text.value_or(""), {}};
    events.messages.push_back(std::move(base));
    return;
  }
  if (const json::array* attachments = read.Array(message, "attachments"); attachments && !attachments->empty()) {
    ParseAttachments(read, *attachments, std::move(base), events);
    return;
  }
  base.type = MessageType::kText;
  events.messages.push_back(std::move(base));
}

void ParseEvent(FieldReader& read, const json::object& event, const EntryContext& entry, WebhookEvents& events) {
  UnifiedMessage base;
  base.platform = Platform(kName);
  const json::object* sender = read.Object(event, "sender");
  const json::object* recipient = read.Object(event, "recipient");
  base.contact_id = sender != nullptr ? read.String(*sender, "id") : std::string();
  base.account_id = entry.account_id;
  if (base.account_id.empty() && recipient != nullptr) base.account_id = read.String(*recipient, "id");
  base.timestamp_ms = read.TimestampMs(event, "timestamp");

  if (const json::object* message = read.Object(event, "message")) {
    if (read.Bool(*message, "is_echo")) {
      // The business's own message: sent by Parley (already stored) or by a person from Instagram's app.
      BusinessEcho echo{Platform(kName),
                        base.account_id,
                        recipient != nullptr ? read.String(*recipient, "id") : std::string(),
                        read.String(*message, "mid"),
                        read.OptString(*message, "text"),
                        base.timestamp_ms};
      if (echo.platform_message_id.empty() || echo.contact_id.empty()) {
        read.Fail("each echo needs a string \"mid\" and \"recipient.id\"");
        return;
      }
      events.echoes.push_back(std::move(echo));
      return;
    }
    ParseMessage(read, *message, std::move(base), events);
    return;
  }
  if (base.contact_id.empty()) {
    // Only messages may be echoes without a customer; every other event comes from one.
    if (read.Object(event, "reaction") || read.Object(event, "read") || read.Object(event, "postback") ||
        read.Object(event, "referral")) {
      read.Fail("each event needs a string \"sender.id\"");
    } else {
      ++events.ignored;
    }
    return;
  }
  if (const json::object* reaction = read.Object(event, "reaction")) {
    meta::ParseReaction(read, *reaction, std::move(base), events);
  } else if (const json::object* seen = read.Object(event, "read")) {
    std::string mid = read.String(*seen, "mid");
    if (mid.empty()) {
      ++events.ignored;  // Pre-v12 receipts carry only a watermark time, which names no message.
      return;
    }
    events.statuses.push_back(StatusUpdate{Platform(kName), base.account_id, std::move(mid), base.contact_id,
                                           MessageStatus::kRead, base.timestamp_ms, std::nullopt, true});
  } else if (const json::object* postback = read.Object(event, "postback")) {
    Interactive it{"postback", read.String(*postback, "payload"), read.String(*postback, "title"), {}};
    base.type = MessageType::kInteractive;
    base.platform_message_id = read.String(*postback, "mid");
    if (base.platform_message_id.empty()) base.platform_message_id = SyntheticId("postback", base, it.id);
    base.text = it.title;
    base.interactive = std::move(it);
    events.messages.push_back(std::move(base));
  } else if (std::optional<Referral> referral = ReadReferral(read, event)) {
    // An ig.me link with a ref opened an existing thread: no text, but the agent may greet by the ref.
    base.type = MessageType::kInteractive;
    base.interactive = Interactive{"referral", referral->ref, {}, {}};
    base.platform_message_id = SyntheticId("referral", base, referral->ref);
    base.referral = std::move(referral);
    events.messages.push_back(std::move(base));
  } else {
    ++events.ignored;  // message_edit, optins, handovers, …
  }
}

void ParseComment(FieldReader& read, const json::object& value, bool live, const EntryContext& entry,
                  WebhookEvents& events) {
  UnifiedMessage m;
  m.platform = Platform(kName);
  m.type = MessageType::kComment;
  m.account_id = entry.account_id;
  m.platform_message_id = read.String(value, "id");
  if (const json::object* from = read.Object(value, "from")) {
    m.contact_id = read.String(*from, "id");
    m.contact_name = read.String(*from, "username");
  }
  Comment comment;
  comment.live = live;
  if (const json::object* media = read.Object(value, "media")) {
    comment.media_id = read.String(*media, "id");
    comment.media_product_type = read.String(*media, "media_product_type");
    comment.ad_id = read.String(*media, "ad_id");
  }
  if (m.platform_message_id.empty() || m.contact_id.empty() || comment.media_id.empty()) {
    read.Fail("each comment needs a string \"id\", \"from.id\" and \"media.id\"");
    return;
  }
  if (m.contact_id == entry.account_id) {
    ++events.ignored;  // The business's own comment or public reply.
    return;
  }
  m.timestamp_ms = entry.time_ms;
  m.text = read.OptString(value, "text");
  m.reply_to = read.String(value, "parent_id");
  m.comment = std::move(comment);
  events.messages.push_back(std::move(m));
}

void ParseEntry(FieldReader& read, const json::object& entry, WebhookEvents& events) {
  EntryContext context{read.String(entry, "id"), read.TimestampMs(entry, "time")};
  if (const json::array* messaging = read.Array(entry, "messaging")) {
    for (const json::value& v : *messaging) {
      if (const json::object* event = read.Element(v, "messaging")) ParseEvent(read, *event, context, events);
    }
  }
  if (const json::array* changes = read.Array(entry, "changes")) {
    for (const json::value& v : *changes) {
      const json::object* change = read.Element(v, "changes");
      if (change == nullptr) continue;
      std::string field = read.String(*change, "field");
      const json::object* value = read.Object(*change, "value");
      if (value == nullptr) {
        ++events.ignored;
      } else if (field == "messages") {
        ParseEvent(read, *value, context, events);
      } else if (field == "comments" || field == "live_comments") {
        ParseComment(read, *value, field == "live_comments", context, events);
      } else {
        ++events.ignored;  // mentions, story_insights, …
      }
    }
  }
  if (const json::array* standby = read.Array(entry, "standby")) {
    events.ignored += static_cast<int>(standby->size());  // Another app controls those conversations.
  }
}

}  // namespace

Result<WebhookEvents> ParseInstagramWebhook(std::string_view body) {
  return meta::ParseEntries(body, "instagram", &ParseEntry);
}

json::object TextMessageBody(std::string_view recipient_id, std::string_view text, std::string_view reply_to,
                             MessageTag tag) {
  json::object message{{"text", text}};
  if (!reply_to.empty()) message["reply_to"] = json::object{{"mid", reply_to}};
  json::object body{{"recipient", json::object{{"id", recipient_id}}}, {"message", std::move(message)}};
  if (tag == MessageTag::kHumanAgent) {
    body["messaging_type"] = "MESSAGE_TAG";
    body["tag"] = "HUMAN_AGENT";
  }
  return body;
}

json::object PrivateReplyBody(std::string_view comment_id, std::string_view text) {
  return json::object{{"recipient", json::object{{"comment_id", comment_id}}},
                      {"message", json::object{{"text", text}}}};
}

json::object CommentReplyBody(std::string_view text) { return json::object{{"message", text}}; }

json::object HideCommentBody(bool hide) { return json::object{{"hide", hide}}; }

SendResult ParseCommentReplyResponse(int http_status, std::string_view body) {
  if (http_status < 200 || http_status >= 300) return SendResult{{}, meta::ParseGraphError(http_status, body)};
  // A 2xx means the reply is published: an unreadable body must not make the caller publish it twice.
  SendResult result;
  Result<json::value> doc = meta::ParseJson(body);
  const json::object* root = doc ? doc->if_object() : nullptr;
  const json::value* id = root != nullptr ? root->if_contains("id") : nullptr;
  if (id != nullptr && id->is_string()) result.platform_message_id = std::string(id->get_string());
  return result;
}

}  // namespace parley::channels::instagram
