#include "store/events.h"

#include "store/message_media.h"

#include <array>
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
  std::vector<StoredMessage*> messages;
  for (Event& event : events) {
    if (event.message) messages.push_back(&*event.message);
  }
  return AttachMediaRecords(store, tenant_id, messages, &ShowsMedia);
}

}  // namespace parley::store
