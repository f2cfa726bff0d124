#include "core/message.h"

#include <boost/json.hpp>

#include <array>
#include <utility>

namespace parley {
namespace {

template <class E, size_t N>
std::optional<E> FromName(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view s) {
  for (const auto& [value, name] : names) {
    if (name == s) return value;
  }
  return std::nullopt;
}

template <class E, size_t N>
std::string_view ToName(const std::array<std::pair<E, std::string_view>, N>& names, E e) {
  for (const auto& [value, name] : names) {
    if (value == e) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<MessageType, std::string_view>, 13> kTypes{{
    {MessageType::kText, "text"},
    {MessageType::kImage, "image"},
    {MessageType::kAudio, "audio"},
    {MessageType::kVideo, "video"},
    {MessageType::kDocument, "document"},
    {MessageType::kSticker, "sticker"},
    {MessageType::kLocation, "location"},
    {MessageType::kContacts, "contacts"},
    {MessageType::kInteractive, "interactive"},
    {MessageType::kReaction, "reaction"},
    {MessageType::kComment, "comment"},
    {MessageType::kUnsupported, "unsupported"},
    {MessageType::kNote, "note"},
}};

constexpr std::array<std::pair<MessageStatus, std::string_view>, 7> kStatuses{{
    {MessageStatus::kReceived, "received"},
    {MessageStatus::kQueued, "queued"},
    {MessageStatus::kSent, "sent"},
    {MessageStatus::kDelivered, "delivered"},
    {MessageStatus::kRead, "read"},
    {MessageStatus::kFailed, "failed"},
    {MessageStatus::kDeleted, "deleted"},
}};

void PutIfNotEmpty(boost::json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) o[key] = value;
}

}  // namespace

std::string_view ToString(const Platform& p) { return p.name(); }

std::optional<Platform> ParsePlatform(std::string_view s) {
  constexpr size_t kMaxName = 32;
  if (s.empty() || s.size() > kMaxName || s[0] < 'a' || s[0] > 'z') return std::nullopt;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return std::nullopt;
  }
  return Platform(s);
}
std::string_view ToString(Direction d) { return d == Direction::kIn ? "in" : "out"; }
std::string_view ToString(MessageType t) { return ToName(kTypes, t); }
std::optional<MessageType> ParseMessageType(std::string_view s) { return FromName(kTypes, s); }
std::string_view ToString(MessageStatus s) { return ToName(kStatuses, s); }
std::optional<MessageStatus> ParseMessageStatus(std::string_view s) { return FromName(kStatuses, s); }

boost::json::object ToJsonDetails(const UnifiedMessage& m) {
  boost::json::object o;
  o["platform"] = ToString(m.platform);
  o["account_id"] = m.account_id;
  o["platform_message_id"] = m.platform_message_id;
  o["contact_id"] = m.contact_id;
  PutIfNotEmpty(o, "contact_name", m.contact_name);
  o["timestamp_ms"] = m.timestamp_ms;
  o["type"] = ToString(m.type);
  o["text"] = m.text ? boost::json::value(*m.text) : boost::json::value(nullptr);
  if (m.media) {
    boost::json::object media;
    PutIfNotEmpty(media, "id", m.media->id);
    PutIfNotEmpty(media, "url", m.media->url);
    PutIfNotEmpty(media, "mime_type", m.media->mime_type);
    PutIfNotEmpty(media, "sha256", m.media->sha256);
    PutIfNotEmpty(media, "filename", m.media->filename);
    if (m.media->voice) media["voice"] = true;
    if (m.media->animated) media["animated"] = true;
    o["media"] = std::move(media);
  }
  if (m.location) {
    boost::json::object loc{{"latitude", m.location->latitude}, {"longitude", m.location->longitude}};
    PutIfNotEmpty(loc, "name", m.location->name);
    PutIfNotEmpty(loc, "address", m.location->address);
    PutIfNotEmpty(loc, "url", m.location->url);
    o["location"] = std::move(loc);
  }
  if (m.contacts) o["contacts"] = *m.contacts;
  if (m.interactive) {
    boost::json::object it{{"kind", m.interactive->kind}};
    PutIfNotEmpty(it, "id", m.interactive->id);
    PutIfNotEmpty(it, "title", m.interactive->title);
    PutIfNotEmpty(it, "description", m.interactive->description);
    o["interactive"] = std::move(it);
  }
  if (m.reaction) {
    o["reaction"] = boost::json::object{{"message_id", m.reaction->message_id}, {"emoji", m.reaction->emoji}};
  }
  if (m.referral) {
    boost::json::object r;
    PutIfNotEmpty(r, "source_type", m.referral->source_type);
    PutIfNotEmpty(r, "source_id", m.referral->source_id);
    PutIfNotEmpty(r, "source_url", m.referral->source_url);
    PutIfNotEmpty(r, "headline", m.referral->headline);
    PutIfNotEmpty(r, "body", m.referral->body);
    PutIfNotEmpty(r, "ctwa_clid", m.referral->ctwa_clid);
    PutIfNotEmpty(r, "ref", m.referral->ref);
    o["referral"] = std::move(r);
  }
  if (m.comment) {
    boost::json::object c{{"media_id", m.comment->media_id}};
    PutIfNotEmpty(c, "media_product_type", m.comment->media_product_type);
    PutIfNotEmpty(c, "ad_id", m.comment->ad_id);
    if (m.comment->live) c["live"] = true;
    o["comment"] = std::move(c);
  }
  if (m.error) {
    boost::json::object e{{"code", m.error->code}, {"title", m.error->title}};
    PutIfNotEmpty(e, "detail", m.error->detail);
    o["error"] = std::move(e);
  }
  PutIfNotEmpty(o, "reply_to", m.reply_to);
  PutIfNotEmpty(o, "story_id", m.story_id);
  PutIfNotEmpty(o, "story_url", m.story_url);
  PutIfNotEmpty(o, "edit_of", m.edit_of);
  if (m.forwarded) o["forwarded"] = true;
  if (m.platform_notice) o["platform_notice"] = true;
  return o;
}

}  // namespace parley

namespace parley {

boost::json::object TemplateJson(const TemplateMessage& t) {
  boost::json::array parameters;
  for (const auto& p : t.parameters) parameters.emplace_back(p);
  boost::json::object o{{"name", t.name}, {"language", t.language}, {"parameters", std::move(parameters)}};
  if (!t.parameter_names.empty()) {
    boost::json::array names;
    for (const auto& n : t.parameter_names) names.emplace_back(n);
    o["parameter_names"] = std::move(names);
  }
  return o;
}

std::optional<TemplateMessage> TemplateFromJson(const boost::json::value& value) {
  const auto* o = value.if_object();
  if (o == nullptr) return std::nullopt;
  const auto* name = o->if_contains("name");
  const auto* language = o->if_contains("language");
  if (name == nullptr || !name->is_string() || language == nullptr || !language->is_string()) return std::nullopt;
  TemplateMessage t{std::string(name->as_string()), std::string(language->as_string()), {}, {}};
  auto strings = [](const boost::json::value* v, std::vector<std::string>& out) {
    if (v == nullptr) return true;
    if (!v->is_array()) return false;
    for (const auto& e : v->as_array()) {
      if (!e.is_string()) return false;
      out.emplace_back(e.as_string());
    }
    return true;
  };
  if (!strings(o->if_contains("parameters"), t.parameters) ||
      !strings(o->if_contains("parameter_names"), t.parameter_names)) {
    return std::nullopt;
  }
  if (!t.parameter_names.empty() && t.parameter_names.size() != t.parameters.size()) return std::nullopt;
  return t;
}

}  // namespace parley
