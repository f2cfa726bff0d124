#include "store/message_media.h"

#include <algorithm>
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

Result<void> AttachMediaRecords(Store& store, int64_t tenant_id, std::span<StoredMessage* const> messages,
                                bool (*carries)(const StoredMessage&)) {
  std::vector<int64_t> ids;
  for (const StoredMessage* message : messages) {
    if (carries(*message)) ids.push_back(message->id);
  }
  if (ids.empty()) return Ok();
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto records = store.media().ForMessages(tenant_id, ids);
  if (!records) return records.error();
  std::map<int64_t, const MediaRecord*> by_message;
  for (const auto& record : *records) by_message[record.message_id] = &record;
  for (StoredMessage* message : messages) {
    auto found = by_message.find(message->id);
    if (found != by_message.end()) message->media = *found->second;
  }
  return Ok();
}

Result<void> AttachMediaRecords(Store& store, int64_t tenant_id, std::vector<StoredMessage>& messages,
                                bool (*carries)(const StoredMessage&)) {
  std::vector<StoredMessage*> each;
  each.reserve(messages.size());
  for (StoredMessage& message : messages) each.push_back(&message);
  return AttachMediaRecords(store, tenant_id, each, carries);
}

}  // namespace parley::store
