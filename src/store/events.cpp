#include "store/events.h"

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

}  // namespace parley::store
