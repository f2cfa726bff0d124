#include "channels/meta/parse_messaging.h"

#include <boost/json/value.hpp>
#include <utility>

namespace parley::channels::meta {

namespace json = boost::json;

Result<WebhookEvents> ParseEntries(std::string_view body, std::string_view object, EntryParser parse_entry) {
  ParseArena arena;
  Result<json::value> doc = ParseJson(body, arena.storage());
  if (!doc) return doc.error();
  const json::object* root = doc->if_object();
  if (root == nullptr) return Error::InvalidArgument("the webhook body must be a JSON object");
  FieldReader read;
  if (std::string kind = read.String(*root, "object"); read.ok() && kind != object) {
    return Error::InvalidArgument("field \"object\" must be \"" + std::string(object) + "\"");
  }
  WebhookEvents events;
  if (const json::array* entries = read.RequiredArray(*root, "entry")) {
    for (const json::value& v : *entries) {
      if (const json::object* entry = read.Element(v, "entry")) parse_entry(read, *entry, events);
    }
  }
  if (!read.ok()) return read.error();
  return events;
}

std::optional<Referral> ReadReferral(FieldReader& read, const json::object& o) {
  const json::object* r = read.Object(o, "referral");
  if (r == nullptr) return std::nullopt;
  Referral referral;
  referral.ref = read.String(*r, "ref");
  referral.source_type = read.String(*r, "source");
  referral.source_id = read.String(*r, "ad_id");
  if (const json::object* ad = read.Object(*r, "ads_context_data")) {
    referral.headline = read.String(*ad, "ad_title");
    referral.source_url = read.String(*ad, "photo_url");
    if (referral.source_url.empty()) referral.source_url = read.String(*ad, "video_url");
  }
  return referral;
}

std::string SyntheticId(std::string_view kind, const UnifiedMessage& m, std::string_view extra) {
  std::string id(kind);
  id.append(":").append(m.contact_id).append(":").append(std::to_string(m.timestamp_ms));
  if (!extra.empty()) id.append(":").append(extra);
  return id;
}

void ParseReaction(FieldReader& read, const json::object& reaction, UnifiedMessage base, WebhookEvents& events) {
  Reaction r{read.String(reaction, "mid"), {}};
  if (r.message_id.empty()) {
    read.Fail("each reaction needs a string \"mid\"");
    return;
  }
  if (read.String(reaction, "action") != "unreact") r.emoji = read.String(reaction, "emoji");
  base.type = MessageType::kReaction;
  base.platform_message_id = SyntheticId("reaction", base, r.message_id);
  base.reaction = std::move(r);
  events.messages.push_back(std::move(base));
}

json::object SenderActionBody(std::string_view recipient_id, std::string_view action) {
  return json::object{{"recipient", json::object{{"id", recipient_id}}}, {"sender_action", action}};
}

SendResult ParseSendResponse(int http_status, std::string_view body) {
  if (http_status < 200 || http_status >= 300) return SendResult{{}, ParseGraphError(http_status, body)};
  // A 2xx means Meta accepted the message: an unreadable body must not make the caller send it twice.
  SendResult result;
  Result<json::value> doc = ParseJson(body);
  const json::object* root = doc ? doc->if_object() : nullptr;
  const json::value* id = root != nullptr ? root->if_contains("message_id") : nullptr;
  if (id != nullptr && id->is_string()) result.platform_message_id = std::string(id->get_string());
  return result;
}

}  // namespace parley::channels::meta
