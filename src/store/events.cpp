#include "store/events.h"

#include <array>
#include <map>
#include <utility>

namespace parley::store {
namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 8> kEventTypes{{
    {EventType::kMessageCreated, "message.created"},
    {EventType::kMessageUpdated, "message.updated"},
    {EventType::kConversationCreated, "conversation.created"},
    {EventType::kConversationUpdated, "conversation.updated"},
    {EventType::kConversationDeleted, "conversation.deleted"},
    {EventType::kSupportOpened, "support.opened"},
    {EventType::kSupportResolved, "support.resolved"},
    {EventType::kDocumentProgress, "document.progress"},
}};

}  // namespace

std::string_view ToString(EventType type) {
  for (const auto& [value, name] : kEventTypes) {
    if (value == type) return name;
  }
  return "message.created";
}

std::optional<EventType> ParseEventType(std::string_view text) {
  for (const auto& [value, name] : kEventTypes) {
    if (name == text) return value;
  }
  return std::nullopt;
}

Result<void> AttachEventMedia(Store& store, int64_t tenant_id, std::vector<Event>& events) {
  // A message may be named by several events of a page (created, then its media kept).
  std::map<int64_t, std::vector<StoredMessage*>> with_media;
  for (Event& event : events) {
    if (event.message && event.message->details.contains("media")) {
      with_media[event.message->id].push_back(&*event.message);
    }
  }
  if (with_media.empty()) return Ok();
  std::vector<int64_t> ids;
  for (const auto& [id, messages] : with_media) ids.push_back(id);
  auto records = store.media().ForMessages(tenant_id, ids);
  if (!records) return records.error();
  for (const MediaRecord& record : *records) {
    auto found = with_media.find(record.message_id);
    if (found == with_media.end()) continue;
    for (StoredMessage* message : found->second) message->media = record;
  }
  return Ok();
}

}  // namespace parley::store
