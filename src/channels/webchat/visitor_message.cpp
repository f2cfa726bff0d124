#include "channels/webchat/visitor_message.h"

#include "core/time.h"

namespace parley::channels::webchat {
namespace {

namespace json = boost::json;

json::value FileJson(const store::StoredMessage& m, const MediaLinkSigner& sign) {
  if (!m.media) return nullptr;
  const store::MediaRecord& record = *m.media;
  const bool kept = record.status == store::MediaStatus::kReady;
  json::value filename = nullptr;
  std::string mime_type = record.mime_type;
  if (const json::value* media = m.details.if_contains("media"); media != nullptr && media->is_object()) {
    const json::value* name = media->as_object().if_contains("filename");
    if (name != nullptr && name->is_string() && !name->as_string().empty()) filename = *name;
    // A visitor's upload is sniffed before it is stored; its record knows the type once the fetcher is done.
    const json::value* declared = media->as_object().if_contains("mime_type");
    if (mime_type.empty() && declared != nullptr && declared->is_string()) mime_type = declared->as_string();
  }
  json::value url = nullptr;
  json::value thumbnail_url = nullptr;
  if (kept && !record.file_key.empty()) url = sign(record.tenant_id, record.public_id, false);
  if (kept && !record.thumbnail_key.empty()) thumbnail_url = sign(record.tenant_id, record.public_id, true);
  return json::object{{"type", ToString(record.type)},
                      {"mime_type", std::move(mime_type)},
                      {"bytes", record.bytes},
                      {"filename", std::move(filename)},
                      {"status", ToString(record.status)},
                      {"url", std::move(url)},
                      {"thumbnail_url", std::move(thumbnail_url)}};
}

}  // namespace

json::object VisitorMessageJson(const store::StoredMessage& m, std::string_view visitor_id,
                                const MediaLinkSigner& sign) {
  std::string_view role = "visitor";
  json::value client_id = nullptr;
  if (m.direction == Direction::kIn) {
    const std::string prefix = std::string(visitor_id) + ":";
    if (m.platform_message_id.starts_with(prefix)) client_id = m.platform_message_id.substr(prefix.size());
  } else {
    const json::value* sent_by = m.details.if_contains("sent_by");
    role = sent_by != nullptr && sent_by->is_string() && sent_by->as_string() == "person" ? "agent" : "assistant";
  }
  return json::object{{"id", std::to_string(m.id)},        {"role", role},
                      {"text", m.text.value_or("")},       {"created_at", FormatTimestamp(m.created_at_ms)},
                      {"client_id", std::move(client_id)}, {"media", FileJson(m, sign)}};
}

}  // namespace parley::channels::webchat
