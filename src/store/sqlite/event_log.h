#pragma once
// The SQLite backend's event log (store/events.h), private to the backend: the `data` the backend's writes append
// for each kind of change, and the EventLog that reads and prunes the log.

#include "store/events.h"
#include "store/knowledge_store.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace parley::store::sqlite {

// The `data` of each event type (EventType says which fields it has).
std::string ConversationEventData(int64_t conversation_id);
// conversation.deleted, stored as {erased_conversation_id} and read as {conversation_id}: after an erasure no event
// in the log names the conversation as the events of its rows did (contact_store.cpp sweeps those by that key), only
// this notice that it is gone.
std::string ErasedConversationEventData(int64_t conversation_id);
std::string MessageEventData(int64_t conversation_id, int64_t message_id);
std::string MessageStatusEventData(int64_t conversation_id, int64_t message_id, MessageStatus status,
                                   const std::optional<MessageError>& error);
std::string SupportEventData(int64_t support_item_id, int64_t conversation_id);
// document.progress: `chunks` only once ready, `error` empty when none.
std::string DocumentProgressEventData(int64_t document_id, DocumentStatus status, double progress, int64_t chunks,
                                      std::string_view error);

// Resolves the conversation's open support items as kResolveSupportItems does (by `resolved_by`, at `now_ms`) and
// appends support.resolved for each. Runs inside a write (SqliteStore::AppendEvent).
Result<void> ResolveSupportItemsOf(SqliteStore& store, Database& db, int64_t tenant_id, int64_t conversation_id,
                                   std::string_view resolved_by, int64_t now_ms);

std::unique_ptr<EventLog> MakeSqliteEventLog(SqliteStore& store);

}  // namespace parley::store::sqlite
