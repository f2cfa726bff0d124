#pragma once
// The `data` JSON of each event type of the store's event log (store/events.h), written the same way by every
// backend.

#include "core/message.h"
#include "store/knowledge_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::store {

// The `data` of each event type (EventType says which fields it has).
std::string ConversationEventData(int64_t conversation_id);
// conversation.deleted, stored as {erased_conversation_id} and read as {conversation_id}: after an erasure no event
// in the log names the conversation as the events of its rows did (contact_store.cpp sweeps those by that key), only
// this notice that it is gone.
std::string ErasedConversationEventData(int64_t conversation_id);
std::string MessageEventData(int64_t conversation_id, int64_t message_id);
std::string MessageStatusEventData(int64_t conversation_id, int64_t message_id, MessageStatus status,
                                   const std::optional<MessageError>& error);
// message.updated when a customer's media file is kept or given up on: the message's own status beside
// `media_status` ("ready" or "failed"), which tells a reader to load the message's media again.
std::string MessageMediaEventData(int64_t conversation_id, int64_t message_id, MessageStatus status,
                                  std::string_view media_status);
// message.updated when a person hid, showed again or deleted a customer's comment: status deleted for a deletion
// (`hidden` nullopt), else received beside `comment_hidden`, whether it is hidden now.
std::string CommentChangeEventData(int64_t conversation_id, int64_t message_id, std::optional<bool> hidden);
std::string SupportEventData(int64_t support_item_id, int64_t conversation_id);
// document.progress: `chunks` only once ready, `error` empty when none.
std::string DocumentProgressEventData(int64_t document_id, DocumentStatus status, double progress, int64_t chunks,
                                      std::string_view error);

}  // namespace parley::store
