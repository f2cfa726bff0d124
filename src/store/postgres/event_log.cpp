// The event log on PostgreSQL: reading a tenant's events with the rows they name, in one snapshot, and pruning in
// small transactions, by the SQLite backend's rules (sqlite/event_log.cpp). Appending is AppendEvent
// and WriteEvents (postgres_store.cpp), inside the transaction of the change it tells of.

#include "store/event_data.h"
#include "store/events.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/postgres/sub_stores.h"

#include <algorithm>

namespace parley::store::postgres {
namespace {

constexpr char kEventBounds[] = "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM events WHERE tenant_id = $1";
constexpr char kEventsAfter[] =
    "SELECT id, type, created_at, data, (data::jsonb->>'conversation_id')::bigint,"
    " (data::jsonb->>'message_id')::bigint, (data::jsonb->>'support_item_id')::bigint,"
    " (data::jsonb->>'erased_conversation_id')::bigint, data::jsonb ? 'media_status' FROM events"
    " WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3";
constexpr char kEventConversation[] = PG_SELECT_CONVERSATION " WHERE c.id = $1 AND c.tenant_id = $2";
constexpr char kEventMessage[] = "SELECT " PG_MESSAGE_COLUMNS " FROM messages WHERE id = $1 AND tenant_id = $2";
constexpr char kEventSupportItem[] =
    "SELECT " PG_SUPPORT_COLUMNS " FROM support_items WHERE id = $1 AND tenant_id = $2";
constexpr char kTenants[] = "SELECT id FROM tenants ORDER BY id";
// $2: the oldest id + a batch, $3: the newest id (always kept), $4: the age cut-off, $5: how many to keep.
constexpr char kPruneEvents[] =
    "DELETE FROM events WHERE tenant_id = $1 AND id < $2 AND id < $3 AND (created_at < $4 OR id <= $3 - $5)";
// Rows one pruning transaction looks at.
constexpr int64_t kPruneBatch = 1000;
constexpr int kMaxReadLimit = 1000;

// The row `sql` selects for (id, tenant), read by `read` into `into`; left empty when the row is gone.
template <class T, class ReadRow>
Result<void> Load(Connection& db, const char* sql, int64_t id, int64_t tenant_id, ReadRow read,
                  std::optional<T>& into) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(sql, Params(id, tenant_id)));
  if (!rows.empty()) into = read(rows, 0);
  return Ok();
}

class PostgresEventLog final : public EventLog {
 public:
  explicit PostgresEventLog(PostgresStore& store) : store_(store) {}

  // Read() is one snapshot for the bounds, the events and their rows.
  Result<EventRead> Read(int64_t tenant_id, int64_t after_id, int limit) override {
    limit = std::clamp(limit, 1, kMaxReadLimit);
    auto snapshot = store_.Read<EventRead>([&](Connection& db) -> Result<EventRead> {
      EventRead read;
      STORE_ASSIGN_OR_RETURN(auto bounds, db.Query(kEventBounds, Params(tenant_id)));
      const int64_t oldest = bounds.Int(0, 0);
      read.last_id = bounds.Int(0, 1);
      if (after_id > read.last_id || (oldest > 0 && after_id < oldest - 1)) {
        read.gap = true;
        return read;
      }
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kEventsAfter, Params(tenant_id, after_id, limit)));
      for (int i = 0; i < rows.size(); ++i) {
        auto type = ParseEventType(rows.Text(i, 1));
        if (!type) continue;  // Written by a newer version: this one cannot render it.
        Event event;
        event.id = rows.Int(i, 0);
        event.type = *type;
        event.created_at_ms = rows.Int(i, 2);
        event.data = rows.String(i, 3);
        const std::optional<int64_t> conversation_id = rows.OptionalInt(i, 4);
        const std::optional<int64_t> message_id = rows.OptionalInt(i, 5);
        const std::optional<int64_t> support_item_id = rows.OptionalInt(i, 6);
        switch (event.type) {
          case EventType::kMessageCreated:
            if (message_id) STORE_TRY(Load(db, kEventMessage, *message_id, tenant_id, ReadMessage, event.message));
            break;
          case EventType::kConversationCreated:
          case EventType::kConversationUpdated:
            if (conversation_id) {
              STORE_TRY(
                  Load(db, kEventConversation, *conversation_id, tenant_id, ReadConversation, event.conversation));
            }
            break;
          case EventType::kSupportOpened:
          case EventType::kSupportResolved:
            if (support_item_id) {
              STORE_TRY(Load(db, kEventSupportItem, *support_item_id, tenant_id, ReadSupportItem, event.support_item));
            }
            break;
          case EventType::kConversationDeleted:
            // Read out as every conversation event names its conversation (see ErasedConversationEventData).
            if (auto erased = rows.OptionalInt(i, 7)) event.data = ConversationEventData(*erased);
            break;
          case EventType::kMessageUpdated:
            // A media kept or given up on: the message, for the media object its readers show.
            if (message_id && rows.Bool(i, 8)) {
              STORE_TRY(Load(db, kEventMessage, *message_id, tenant_id, ReadMessage, event.message));
            }
            break;
          case EventType::kDocumentProgress:
            break;  // Its data is the whole story.
        }
        read.events.push_back(std::move(event));
      }
      return read;
    });
    if (!snapshot) return snapshot.error();
    STORE_TRY(AttachEventMedia(store_, tenant_id, snapshot->events));
    return snapshot;
  }

  Result<int64_t> LastId(int64_t tenant_id) override {
    return store_.Read<int64_t>([&](Connection& db) -> Result<int64_t> {
      STORE_ASSIGN_OR_RETURN(auto bounds, db.Query(kEventBounds, Params(tenant_id)));
      return bounds.Int(0, 1);
    });
  }

  Result<int64_t> Prune(const EventRetention& retention, int64_t now_ms) override {
    auto tenants = store_.ReadAll<int64_t>(kTenants, Params(), [](const Rows& rows, int i) { return rows.Int(i, 0); });
    if (!tenants) return tenants.error();
    int64_t removed = 0;
    for (int64_t tenant_id : *tenants) {
      for (;;) {
        auto changes = store_.Write<int64_t>([&](Connection& db, EventNotes&) -> Result<int64_t> {
          STORE_ASSIGN_OR_RETURN(auto bounds, db.Query(kEventBounds, Params(tenant_id)));
          const int64_t oldest = bounds.Int(0, 0);
          const int64_t newest = bounds.Int(0, 1);
          if (newest == 0) return int64_t{0};
          STORE_ASSIGN_OR_RETURN(
              auto pruned, db.Query(kPruneEvents, Params(tenant_id, oldest + kPruneBatch, newest,
                                                         now_ms - retention.max_age_ms, retention.max_per_tenant)));
          return pruned.affected();
        });
        if (!changes) return changes.error();
        removed += *changes;
        if (*changes == 0) break;
      }
    }
    return removed;
  }

 private:
  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<EventLog> MakePostgresEventLog(PostgresStore& store) {
  return std::make_unique<PostgresEventLog>(store);
}

}  // namespace parley::store::postgres
