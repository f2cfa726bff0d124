#include "store/message_media.h"

#include <map>

namespace parley::store {

bool CarriesMedia(const StoredMessage& message) {
  if (message.direction != Direction::kIn) return false;
  const auto* media = message.details.if_contains("media");
  if (media == nullptr || !media->is_object()) return false;
  auto named = [&media](std::string_view key) {
    const auto* value = media->as_object().if_contains(key);
    return value != nullptr && value->is_string() && !value->as_string().empty();
  };
  return named("id") || named("url");
}

bool ShowsMedia(const StoredMessage& message) {
  const auto* media = message.details.if_contains("media");
  return media != nullptr && media->is_object();
}

Result<void> AttachMediaRecords(Store& store, int64_t tenant_id, std::vector<StoredMessage>& messages,
                                bool (*carries)(const StoredMessage&)) {
  std::vector<int64_t> ids;
  for (const auto& message : messages) {
    if (carries(message)) ids.push_back(message.id);
  }
  if (ids.empty()) return Ok();
  auto records = store.media().ForMessages(tenant_id, ids);
  if (!records) return records.error();
  std::map<int64_t, MediaRecord*> by_message;
  for (auto& record : *records) by_message[record.message_id] = &record;
  for (auto& message : messages) {
    auto found = by_message.find(message.id);
    if (found != by_message.end()) message.media = std::move(*found->second);
  }
  return Ok();
}

}  // namespace parley::store
