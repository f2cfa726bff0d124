#pragma once
// The store's event log: what changed for each tenant, in order, for the dashboard's live stream (GET /api/events,
// docs/dashboard.md) and its catch-up after a reconnect. The store appends an event in the same transaction as the
// change it describes (a message stored, a status moved, a conversation taken over, …), so the log never tells of a
// change that did not commit nor misses one that did. After each commit the store calls StoreOptions::on_events,
// which announces the new ids on the event bus (events/event_bus.h); listeners then read the log from here.
//
// Ids increase by one per tenant (1, 2, 3, …) and are never reused. The log is bounded: Prune drops events past an
// age and beyond a count per tenant, always keeping each tenant's newest one (which carries the count on).

#include "core/error.h"
#include "store/store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

enum class EventType {
  kMessageCreated,       //!< data {conversation_id, message_id}
  kMessageUpdated,       //!< data {conversation_id, message_id, status, error}: the status it moved to.
  kConversationCreated,  //!< data {conversation_id}
  kConversationUpdated,  //!< data {conversation_id}: mode, assignee, status or activity changed.
  kConversationDeleted,  //!< data {conversation_id} as read: erased with its contact, the id is all that is left.
  kSupportOpened,        //!< data {support_item_id, conversation_id}
  kSupportResolved,      //!< data {support_item_id, conversation_id}
  kDocumentProgress,     //!< data {document_id, status, progress, chunks, error}
};
std::string_view ToString(EventType type);  // "message.created", …
std::optional<EventType> ParseEventType(std::string_view text);

// One event of the log, with the rows its data names as they are when it is read (so a catch-up shows the current
// state of a message or conversation, and the events that follow tell how it got there).
struct Event {
  int64_t id = 0;
  EventType type = EventType::kMessageCreated;
  int64_t created_at_ms = 0;
  std::string data;  //!< The JSON object appended (see EventType).
  // Read with the event; nullopt when its type names none, or when the row is gone.
  std::optional<Conversation> conversation;  //!< conversation.*
  //! message.created, and message.updated when its media changed (`media_status`): with its media record
  //! (StoredMessage::media) when its details name a media, so that the event can show it as the thread does.
  std::optional<StoredMessage> message;
  std::optional<SupportItem> support_item;  //!< support.*
};

// A tenant's events after an id.
struct EventRead {
  std::vector<Event> events;  //!< Oldest first.
  int64_t last_id = 0;        //!< The tenant's newest id (0: none yet), whatever `events` holds.
  // The events after the asked id are no longer all in the log (pruned), or the id is one the log never gave (above
  // last_id): the reader has missed events and must start over from the current state. `events` is then empty.
  bool gap = false;
};

// How much of the log to keep.
struct EventRetention {
  int64_t max_age_ms = int64_t{24} * 3600 * 1000;  //!< Older events go…
  int64_t max_per_tenant = 50000;                  //!< …and so do a tenant's events beyond this many.
};

// Sets StoredMessage::media of each event's message whose details hold a media (store/message_media.h ShowsMedia,
// AttachMediaRecords). For the backends' Read, after its snapshot: a record read a moment later is at least as new as
// the event. Blocking.
Result<void> AttachEventMedia(Store& store, int64_t tenant_id, std::vector<Event>& events);

class EventLog {
 public:
  virtual ~EventLog() = default;

  // `tenant_id`'s events with ids above `after_id`, at most `limit` (clamped to 1..1000), oldest first. Reads one
  // snapshot. kUnavailable when the store is closed.
  virtual Result<EventRead> Read(int64_t tenant_id, int64_t after_id, int limit) = 0;
  // The tenant's newest id, 0 when it has none yet.
  virtual Result<int64_t> LastId(int64_t tenant_id) = 0;
  // Drops what `retention` no longer keeps, in small writes that never hold the writer long, and returns how many
  // events went. A tenant's newest event always stays.
  virtual Result<int64_t> Prune(const EventRetention& retention, int64_t now_ms) = 0;
};

}  // namespace parley::store
