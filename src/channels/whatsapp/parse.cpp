#include "channels/whatsapp/parse.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <climits>
#include <string>
#include <utility>

#include "channels/meta/parse_json.h"

namespace parley::channels::whatsapp {
namespace {

namespace json = boost::json;
using meta::FieldReader;

int ClampCode(int64_t code) { return code >= INT_MIN && code <= INT_MAX ? static_cast<int>(code) : 0; }

// The first entry of an `errors` array ({code, title, message, error_data.details}), as Meta puts the reason
// for unsupported messages and failed statuses there.
std::optional<MessageError> FirstError(FieldReader& read, const json::object& o) {
  const json::array* errors = read.Array(o, "errors");
  if (errors == nullptr || errors->empty()) return std::nullopt;
  const json::object* e = read.Element(errors->front(), "errors");
  if (e == nullptr) return std::nullopt;
  MessageError error;
  error.code = ClampCode(read.Integer(*e, "code"));
  error.title = read.String(*e, "title");
  std::string message = read.String(*e, "message");
  if (error.title.empty()) error.title = message;
  if (const json::object* data = read.Object(*e, "error_data")) error.detail = read.String(*data, "details");
  if (error.detail.empty() && message != error.title) error.detail = std::move(message);
  return error;
}

// The profile name WhatsApp sends beside the messages, matched by wa_id; a lone contact is the sender even
// when its wa_id is formatted differently from `from` (Meta normalizes some countries' numbers).
std::string ContactName(FieldReader& read, const json::array* contacts, std::string_view wa_id) {
  if (contacts == nullptr) return {};
  std::string lone_name;
  for (const json::value& v : *contacts) {
    const json::object* c = read.Element(v, "contacts");
    if (c == nullptr) continue;
    const json::object* profile = read.Object(*c, "profile");
    std::string name = profile != nullptr ? read.String(*profile, "name") : std::string();
    if (read.String(*c, "wa_id") == wa_id) return name;
    lone_name = std::move(name);
  }
  return contacts->size() == 1 ? lone_name : std::string();
}

std::optional<MessageType> MediaType(std::string_view type) {
  if (type == "image") return MessageType::kImage;
  if (type == "video") return MessageType::kVideo;
  if (type == "audio") return MessageType::kAudio;
  if (type == "document") return MessageType::kDocument;
  if (type == "sticker") return MessageType::kSticker;
  return std::nullopt;
}

void ReadMedia(FieldReader& read, const json::object& o, std::string_view type, UnifiedMessage& m) {
  Media media;
  if (const json::object* body = read.Object(o, type)) {
    media.id = read.String(*body, "id");
    media.url = read.String(*body, "url");
    media.mime_type = read.String(*body, "mime_type");
    media.sha256 = read.String(*body, "sha256");
    media.filename = read.String(*body, "filename");
    media.voice = read.Bool(*body, "voice");
    media.animated = read.Bool(*body, "animated");
    m.text = read.OptString(*body, "caption");
  }
  m.media = std::move(media);
}

void ReadInteractive(FieldReader& read, const json::object& o, UnifiedMessage& m) {
  m.type = MessageType::kInteractive;
  Interactive it;
  const json::object* body = read.Object(o, "interactive");
  if (body != nullptr) {
    it.kind = read.String(*body, "type");
    if (const json::object* reply = read.Object(*body, it.kind)) {
      if (it.kind == "nfm_reply") {
        // A WhatsApp Flow's answer: `body` is what the customer saw, `name` says which flow.
        it.id = read.String(*reply, "name");
        it.title = read.String(*reply, "body");
      } else {
        it.id = read.String(*reply, "id");
        it.title = read.String(*reply, "title");
        it.description = read.String(*reply, "description");
      }
    }
  }
  m.text = it.title;
  m.interactive = std::move(it);
}

void ReadLocation(FieldReader& read, const json::object& o, UnifiedMessage& m) {
  Location location;
  if (const json::object* body = read.Object(o, "location")) {
    location.latitude = read.Number(*body, "latitude").value_or(0);
    location.longitude = read.Number(*body, "longitude").value_or(0);
    location.name = read.String(*body, "name");
    location.address = read.String(*body, "address");
    location.url = read.String(*body, "url");
  }
  m.location = std::move(location);
}

void ReadReferral(FieldReader& read, const json::object& o, UnifiedMessage& m) {
  const json::object* r = read.Object(o, "referral");
  if (r == nullptr) return;
  Referral referral;
  referral.source_type = read.String(*r, "source_type");
  referral.source_id = read.String(*r, "source_id");
  referral.source_url = read.String(*r, "source_url");
  referral.headline = read.String(*r, "headline");
  referral.body = read.String(*r, "body");
  referral.ctwa_clid = read.String(*r, "ctwa_clid");
  m.referral = std::move(referral);
}

void ReadContent(FieldReader& read, const json::object& o, std::string_view type, UnifiedMessage& m) {
  if (type == "text") {
    m.type = MessageType::kText;
    if (const json::object* text = read.Object(o, "text")) m.text = read.OptString(*text, "body");
  } else if (std::optional<MessageType> media_type = MediaType(type)) {
    m.type = *media_type;
    ReadMedia(read, o, type, m);
  } else if (type == "location") {
    m.type = MessageType::kLocation;
    ReadLocation(read, o, m);
  } else if (type == "contacts") {
    m.type = MessageType::kContacts;
    // Copied into default storage: the document's arena dies with the parse.
    m.contacts = read.Array(o, "contacts") != nullptr ? json::value(o.at("contacts"), json::storage_ptr())
                                                      : json::value(json::array());
  } else if (type == "interactive") {
    ReadInteractive(read, o, m);
  } else if (type == "button") {
    // A quick-reply button of a template: the payload is what the business defined, the text what was shown.
    m.type = MessageType::kInteractive;
    Interactive it{"button", {}, {}, {}};
    if (const json::object* button = read.Object(o, "button")) {
      it.id = read.String(*button, "payload");
      it.title = read.String(*button, "text");
    }
    m.text = it.title;
    m.interactive = std::move(it);
  } else if (type == "reaction") {
    m.type = MessageType::kReaction;
    Reaction reaction;
    if (const json::object* body = read.Object(o, "reaction")) {
      reaction.message_id = read.String(*body, "message_id");
      reaction.emoji = read.String(*body, "emoji");  // Absent when the customer removed the reaction.
    }
    m.reaction = std::move(reaction);
  } else if (type == "order") {
    m.type = MessageType::kUnsupported;
    MessageError error{0, "order messages are not handled", {}};
    if (const json::object* order = read.Object(o, "order")) {
      m.text = read.OptString(*order, "text");
      const json::array* items = read.Array(*order, "product_items");
      error.detail = "catalog " + read.String(*order, "catalog_id") + ", " +
                     std::to_string(items != nullptr ? items->size() : 0) + " item(s)";
    }
    m.error = std::move(error);
  } else if (type == "system") {
    // Number changes and the like: shown in the thread, never answered.
    m.type = MessageType::kUnsupported;
    m.platform_notice = true;
    MessageError error{0, "system messages are not handled", {}};
    if (const json::object* system = read.Object(o, "system")) {
      m.text = read.OptString(*system, "body");
      error.detail = read.String(*system, "type");
    }
    m.error = std::move(error);
  } else {
    // "unsupported" and types newer than this parser: WhatsApp explains them in errors[] when it can.
    m.type = MessageType::kUnsupported;
    m.error = FirstError(read, o);
    if (!m.error) m.error = MessageError{0, "unsupported message type", std::string(type)};
  }
}

void ParseMessage(FieldReader& read, const json::object& o, const std::string& account_id, const json::array* contacts,
                  WebhookEvents& events) {
  UnifiedMessage m;
  m.platform = Platform(kName);
  m.account_id = account_id;
  m.platform_message_id = read.String(o, "id");
  m.contact_id = read.String(o, "from");
  if (m.platform_message_id.empty() || m.contact_id.empty()) {
    read.Fail("each message needs a string \"id\" and \"from\"");
    return;
  }
  m.contact_name = ContactName(read, contacts, m.contact_id);
  m.timestamp_ms = read.TimestampMs(o, "timestamp");
  if (const json::object* context = read.Object(o, "context")) {
    m.reply_to = read.String(*context, "id");
    bool forwarded = read.Bool(*context, "forwarded");
    bool frequently_forwarded = read.Bool(*context, "frequently_forwarded");
    m.forwarded = forwarded || frequently_forwarded;
  }
  ReadReferral(read, o, m);
  ReadContent(read, o, read.String(o, "type"), m);
  events.messages.push_back(std::move(m));
}

std::optional<MessageStatus> KnownStatus(std::string_view s) {
  if (s == "sent") return MessageStatus::kSent;
  if (s == "delivered") return MessageStatus::kDelivered;
  if (s == "read") return MessageStatus::kRead;
  if (s == "failed") return MessageStatus::kFailed;
  return std::nullopt;
}

void ParseStatus(FieldReader& read, const json::object& o, const std::string& account_id, WebhookEvents& events) {
  StatusUpdate u;
  u.platform = Platform(kName);
  u.account_id = account_id;
  u.platform_message_id = read.String(o, "id");
  u.recipient_id = read.String(o, "recipient_id");
  u.timestamp_ms = read.TimestampMs(o, "timestamp");
  std::string status = read.String(o, "status");
  if (u.platform_message_id.empty()) {
    read.Fail("each status needs a string \"id\"");
    return;
  }
  u.error = FirstError(read, o);
  std::optional<MessageStatus> known = KnownStatus(status);
  if (!known) {
    // "deleted", "warning" and future values say nothing about delivery.
    ++events.ignored;
    return;
  }
  u.status = *known;
  if (u.status == MessageStatus::kFailed && !u.error) u.error = MessageError{0, "delivery failed", {}};
  events.statuses.push_back(std::move(u));
}

void ParseValue(FieldReader& read, const json::object& value, WebhookEvents& events) {
  const json::object* metadata = read.Object(value, "metadata");
  std::string account_id = metadata != nullptr ? read.String(*metadata, "phone_number_id") : std::string();
  const json::array* contacts = read.Array(value, "contacts");
  const json::array* messages = read.Array(value, "messages");
  const json::array* statuses = read.Array(value, "statuses");
  const bool has_events = (messages != nullptr && !messages->empty()) || (statuses != nullptr && !statuses->empty());
  if (has_events && account_id.empty()) {
    // Without it the payload cannot be routed to a channel, so it is not something to acknowledge and drop.
    read.Fail("field \"metadata.phone_number_id\" is required with messages or statuses");
    return;
  }
  if (messages != nullptr) {
    for (const json::value& v : *messages) {
      if (const json::object* o = read.Element(v, "messages")) ParseMessage(read, *o, account_id, contacts, events);
    }
  }
  if (statuses != nullptr) {
    for (const json::value& v : *statuses) {
      if (const json::object* o = read.Element(v, "statuses")) ParseStatus(read, *o, account_id, events);
    }
  }
  // Errors at the value level concern the whole number (throttling, a suspended account): logged by Meta's
  // dashboard, nothing to store per conversation.
  if (const json::array* errors = read.Array(value, "errors")) events.ignored += static_cast<int>(errors->size());
}

}  // namespace

Result<WebhookEvents> ParseWhatsAppWebhook(std::string_view body) {
  meta::ParseArena arena;
  Result<json::value> doc = meta::ParseJson(body, arena.storage());
  if (!doc) return doc.error();
  const json::object* root = doc->if_object();
  if (root == nullptr) return Error::InvalidArgument("the webhook body must be a JSON object");
  FieldReader read;
  if (std::string object = read.String(*root, "object"); read.ok() && object != "whatsapp_business_account") {
    return Error::InvalidArgument("field \"object\" must be \"whatsapp_business_account\"");
  }
  WebhookEvents events;
  if (const json::array* entries = read.RequiredArray(*root, "entry")) {
    for (const json::value& ev : *entries) {
      const json::object* entry = read.Element(ev, "entry");
      const json::array* changes = entry != nullptr ? read.Array(*entry, "changes") : nullptr;
      if (changes == nullptr) continue;
      for (const json::value& cv : *changes) {
        const json::object* change = read.Element(cv, "changes");
        if (change == nullptr) continue;
        if (read.String(*change, "field") != "messages") {
          ++events.ignored;  // account_update, message_template_status_update, …: not conversations.
          continue;
        }
        if (const json::object* value = read.Object(*change, "value")) ParseValue(read, *value, events);
      }
    }
  }
  if (!read.ok()) return read.error();
  return events;
}

json::object TextMessageBody(std::string_view to, std::string_view text, std::string_view reply_to) {
  json::object body{{"messaging_product", "whatsapp"},
                    {"recipient_type", "individual"},
                    {"to", to},
                    {"type", "text"},
                    {"text", json::object{{"preview_url", false}, {"body", text}}}};
  if (!reply_to.empty()) body["context"] = json::object{{"message_id", reply_to}};
  return body;
}

json::object MediaMessageBody(std::string_view to, std::string_view media_id, MessageType type,
                              std::string_view caption, std::string_view filename) {
  std::string_view kind = "document";
  if (type == MessageType::kImage) kind = "image";
  if (type == MessageType::kAudio) kind = "audio";
  if (type == MessageType::kVideo) kind = "video";
  json::object media{{"id", media_id}};
  if (!caption.empty() && type != MessageType::kAudio) media["caption"] = caption;
  if (kind == "document" && !filename.empty()) media["filename"] = filename;
  return json::object{{"messaging_product", "whatsapp"},
                      {"recipient_type", "individual"},
                      {"to", to},
                      {"type", kind},
                      {kind, std::move(media)}};
}

json::object MarkReadBody(std::string_view message_id) {
  return json::object{{"messaging_product", "whatsapp"},
                      {"status", "read"},
                      {"message_id", message_id},
                      {"typing_indicator", json::object{{"type", "text"}}}};
}

SendResult ParseSendResponse(int http_status, std::string_view body) {
  if (http_status < 200 || http_status >= 300) return SendResult{{}, meta::ParseGraphError(http_status, body)};
  // A 2xx means WhatsApp accepted the message: an unreadable body must not make the caller send it twice.
  SendResult result;
  Result<json::value> doc = meta::ParseJson(body);
  const json::object* root = doc ? doc->if_object() : nullptr;
  const json::value* messages = root != nullptr ? root->if_contains("messages") : nullptr;
  const json::array* list = messages != nullptr ? messages->if_array() : nullptr;
  const json::object* first = list != nullptr && !list->empty() ? list->front().if_object() : nullptr;
  const json::value* id = first != nullptr ? first->if_contains("id") : nullptr;
  if (id != nullptr && id->is_string()) result.platform_message_id = std::string(id->get_string());
  return result;
}

SendResult ParseUploadResponse(int http_status, std::string_view body) {
  if (http_status < 200 || http_status >= 300) return SendResult{{}, meta::ParseGraphError(http_status, body)};
  Result<json::value> doc = meta::ParseJson(body);
  const json::object* root = doc ? doc->if_object() : nullptr;
  const json::value* id = root != nullptr ? root->if_contains("id") : nullptr;
  if (id == nullptr || !id->is_string() || id->get_string().empty()) {
    return SendResult{
        {}, MessageError{0, "WhatsApp's media upload answered no media id", std::string(body.substr(0, 200))}};
  }
  SendResult result;
  result.platform_message_id = std::string(id->get_string());
  return result;
}

}  // namespace parley::channels::whatsapp
