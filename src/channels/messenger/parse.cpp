#include "channels/messenger/parse.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <utility>

#include "channels/meta/parse_json.h"
#include "channels/meta/parse_messaging.h"

namespace parley::channels::messenger {
namespace {

namespace json = boost::json;
using meta::FieldReader;
using meta::ReadReferral;
using meta::SyntheticId;

// Messenger's attachment types as the unified model shows them. A `fallback` is a shared link (its URL in
// `url`, its title in `title`); a `template` comes from another Page's share; neither is media Parley can show.
MessageType KindOf(std::string_view type) {
  if (type == "image") return MessageType::kImage;
  if (type == "video" || type == "reel" || type == "ig_reel") return MessageType::kVideo;
  if (type == "audio") return MessageType::kAudio;
  if (type == "file") return MessageType::kDocument;
  if (type == "location") return MessageType::kLocation;
  return MessageType::kUnsupported;
}

void ParseAttachment(FieldReader& read, const json::object& a, UnifiedMessage& m) {
  const std::string type = read.String(a, "type");
  m.type = KindOf(type);
  const json::object* payload = read.Object(a, "payload");
  if (m.type == MessageType::kLocation) {
    const json::object* coordinates = payload != nullptr ? read.Object(*payload, "coordinates") : nullptr;
    Location location;
    if (coordinates != nullptr) {
      location.latitude = read.Number(*coordinates, "lat").value_or(0);
      location.longitude = read.Number(*coordinates, "long").value_or(0);
    }
    location.name = read.String(a, "title");
    location.url = read.String(a, "url");
    m.location = std::move(location);
    return;
  }
  if (m.type == MessageType::kUnsupported) {
    if (!m.text) m.text = read.OptString(a, "title");
    m.error = MessageError{0, "unsupported attachment type", type};
    return;
  }
  Media media;
  if (payload != nullptr) {
    media.url = read.String(*payload, "url");
    if (!m.text) m.text = read.OptString(*payload, "title");
  }
  // Messenger sends a sticker as an image whose payload carries sticker_id.
  if (payload != nullptr && read.Integer(*payload, "sticker_id") != 0) m.type = MessageType::kSticker;
  m.media = std::move(media);
}

void ParseMessage(FieldReader& read, const json::object& message, UnifiedMessage base, WebhookEvents& events) {
  base.platform_message_id = read.String(message, "mid");
  if (base.platform_message_id.empty() || base.contact_id.empty()) {
    read.Fail("each message needs a string \"mid\" and \"sender.id\"");
    return;
  }
  base.text = read.OptString(message, "text");
  if (const json::object* reply_to = read.Object(message, "reply_to")) base.reply_to = read.String(*reply_to, "mid");
  base.referral = ReadReferral(read, message);
  if (const json::object* quick_reply = read.Object(message, "quick_reply")) {
    base.type = MessageType::kInteractive;
    base.interactive = Interactive{"quick_reply", read.String(*quick_reply, "payload"), base.text.value_or(""), {}};
    events.messages.push_back(std::move(base));
    return;
  }
  const json::array* attachments = read.Array(message, "attachments");
  if (attachments == nullptr || attachments->empty()) {
    base.type = MessageType::kText;
    events.messages.push_back(std::move(base));
    return;
  }
  const std::string mid = base.platform_message_id;
  for (size_t i = 0; i < attachments->size(); ++i) {
    const json::object* a = read.Element((*attachments)[i], "attachments");
    if (a == nullptr) return;
    UnifiedMessage m = base;
    if (i > 0) {
      m.platform_message_id = mid + "#" + std::to_string(i + 1);
      m.text.reset();
    }
    ParseAttachment(read, *a, m);
    events.messages.push_back(std::move(m));
  }
}

void ParseEcho(FieldReader& read, const json::object& message, const json::object* recipient,
               const UnifiedMessage& base, WebhookEvents& events) {
  BusinessEcho echo{Platform(kName),
                    base.account_id,
                    recipient != nullptr ? read.String(*recipient, "id") : std::string(),
                    read.String(message, "mid"),
                    read.OptString(message, "text"),
                    base.timestamp_ms};
  if (echo.platform_message_id.empty() || echo.contact_id.empty()) {
    read.Fail("each echo needs a string \"mid\" and \"recipient.id\"");
    return;
  }
  events.echoes.push_back(std::move(echo));
}

void ParseEvent(FieldReader& read, const json::object& event, const std::string& page_id, WebhookEvents& events) {
  UnifiedMessage base;
  base.platform = Platform(kName);
  const json::object* sender = read.Object(event, "sender");
  const json::object* recipient = read.Object(event, "recipient");
  base.contact_id = sender != nullptr ? read.String(*sender, "id") : std::string();
  base.account_id = page_id;
  if (base.account_id.empty() && recipient != nullptr) base.account_id = read.String(*recipient, "id");
  base.timestamp_ms = read.TimestampMs(event, "timestamp");

  if (const json::object* message = read.Object(event, "message")) {
    // The Page's own message (sent by Parley, already stored, or by a person from the Page's inbox): the sender is
    // the Page and the customer is the recipient.
    if (read.Bool(*message, "is_echo")) {
      ParseEcho(read, *message, recipient, base, events);
    } else {
      ParseMessage(read, *message, std::move(base), events);
    }
    return;
  }
  if (base.contact_id.empty()) {
    if (read.Object(event, "reaction") || read.Object(event, "delivery") || read.Object(event, "postback") ||
        read.Object(event, "referral")) {
      read.Fail("each event needs a string \"sender.id\"");
    } else {
      ++events.ignored;
    }
    return;
  }
  if (const json::object* reaction = read.Object(event, "reaction")) {
    meta::ParseReaction(read, *reaction, std::move(base), events);
  } else if (const json::object* delivery = read.Object(event, "delivery")) {
    const json::array* mids = read.Array(*delivery, "mids");
    if (mids == nullptr || mids->empty()) {
      ++events.ignored;  // A watermark alone names no message.
      return;
    }
    for (const json::value& mid : *mids) {
      if (!mid.is_string() || mid.get_string().empty()) {
        read.Fail("each element of \"mids\" must be a non-empty string");
        return;
      }
      events.statuses.push_back(StatusUpdate{Platform(kName), base.account_id, std::string(mid.get_string()),
                                             base.contact_id, MessageStatus::kDelivered, base.timestamp_ms,
                                             std::nullopt, false});
    }
  } else if (const json::object* postback = read.Object(event, "postback")) {
    Interactive it{"postback", read.String(*postback, "payload"), read.String(*postback, "title"), {}};
    base.type = MessageType::kInteractive;
    base.platform_message_id = read.String(*postback, "mid");
    if (base.platform_message_id.empty()) base.platform_message_id = SyntheticId("postback", base, it.id);
    base.text = it.title;
    base.referral = ReadReferral(read, *postback);
    base.interactive = std::move(it);
    events.messages.push_back(std::move(base));
  } else if (std::optional<Referral> referral = ReadReferral(read, event)) {
    // An m.me link or an ad opened an existing thread: no text, but the agent may greet by the ref.
    base.type = MessageType::kInteractive;
    base.interactive = Interactive{"referral", referral->ref, {}, {}};
    base.platform_message_id = SyntheticId("referral", base, referral->ref);
    base.referral = std::move(referral);
    events.messages.push_back(std::move(base));
  } else {
    ++events.ignored;  // read (a watermark), optins, handovers, account linking, …
  }
}

void ParseEntry(FieldReader& read, const json::object& entry, WebhookEvents& events) {
  const std::string page_id = read.String(entry, "id");
  if (const json::array* messaging = read.Array(entry, "messaging")) {
    for (const json::value& v : *messaging) {
      if (const json::object* event = read.Element(v, "messaging")) ParseEvent(read, *event, page_id, events);
    }
  }
  if (const json::array* standby = read.Array(entry, "standby")) {
    events.ignored += static_cast<int>(standby->size());  // Another app controls those conversations.
  }
  if (const json::array* changes = read.Array(entry, "changes")) {
    events.ignored += static_cast<int>(changes->size());  // Page feed changes: not messages.
  }
}

}  // namespace

Result<WebhookEvents> ParseMessengerWebhook(std::string_view body) {
  return meta::ParseEntries(body, "page", &ParseEntry);
}

json::object TextMessageBody(std::string_view recipient_id, std::string_view text, MessageTag tag) {
  json::object body{{"recipient", json::object{{"id", recipient_id}}},
                    {"messaging_type", tag == MessageTag::kHumanAgent ? "MESSAGE_TAG" : "RESPONSE"},
                    {"message", json::object{{"text", text}}}};
  if (tag == MessageTag::kHumanAgent) body["tag"] = "HUMAN_AGENT";
  return body;
}

}  // namespace parley::channels::messenger
