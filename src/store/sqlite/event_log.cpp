// The SQLite event log: appending inside the writer's transaction (the next id is the tenant's MAX(id) + 1, read
// under the write lock, so processes sharing the file agree), reading with the rows the events name, and pruning in
// small writes.

#include "store/sqlite/event_log.h"

#include "core/json.h"
#include "store/sqlite/conversation_row.h"
#include "store/sqlite/message_row.h"
#include "store/sqlite/support_row.h"
#include "store/sqlite/writer.h"

#include <boost/json/object.hpp>

#include <algorithm>
#include <map>
#include <vector>

namespace parley::store::sqlite {
namespace {

constexpr char kNextEventId[] = "SELECT COALESCE(MAX(id), 0) + 1 FROM events WHERE tenant_id = ?1";
constexpr char kInsertEvent[] =
    "INSERT INTO events (tenant_id, id, type, created_at, data) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char kEventsAfter[] =
    "SELECT id, type, created_at, data, json_extract(data, '$.conversation_id'), json_extract(data, '$.message_id'),"
    " json_extract(data, '$.support_item_id'), json_extract(data, '$.erased_conversation_id'),"
    " json_extract(data, '$.media_status') IS NOT NULL FROM events"
    " WHERE tenant_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
constexpr char kEventConversation[] = PARLEY_SELECT_CONVERSATION " WHERE c.id = ?1 AND c.tenant_id = ?2";
constexpr char kEventMessage[] = "SELECT " PARLEY_MESSAGE_COLUMNS " FROM messages WHERE id = ?1 AND tenant_id = ?2";
constexpr char kEventSupportItem[] =
    "SELECT " PARLEY_SUPPORT_COLUMNS " FROM support_items WHERE id = ?1 AND tenant_id = ?2";
constexpr char kOpenSupportItemsOf[] =
    "SELECT id FROM support_items WHERE conversation_id = ?1 AND status = 'open' ORDER BY id";
constexpr char kTenants[] = "SELECT id FROM tenants ORDER BY id";
// ?2: the oldest id + a batch, ?3: the newest id (always kept), ?4: the age cut-off, ?5: how many to keep.
constexpr char kPruneEvents[] =
    "DELETE FROM events WHERE tenant_id = ?1 AND id < ?2 AND id < ?3 AND (created_at < ?4 OR id <= ?3 - ?5)";
// Rows one pruning write looks at: it holds the writer for well under a millisecond.
constexpr int64_t kPruneBatch = 1000;
constexpr int kMaxReadLimit = 1000;

class SqliteEventLog final : public EventLog {
 public:
  explicit SqliteEventLog(SqliteStore& store) : store_(store) {}

  Result<EventRead> Read(int64_t tenant_id, int64_t after_id, int limit) override {
    limit = std::clamp(limit, 1, kMaxReadLimit);
    EventRead read;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      read = EventRead();
      // One snapshot for the bounds, the events and their rows.
      STORE_TRY(db.Run(kBeginRead));
      Result<void> result = ReadIn(db, tenant_id, after_id, limit, read);
      (void)db.Run(kCommit);
      return result;
    }));
    STORE_TRY(AttachEventMedia(store_, tenant_id, read.events));
    return read;
  }

  Result<int64_t> LastId(int64_t tenant_id) override {
    int64_t last = 0;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto bounds, db.Prepare(kEventBounds));
      STORE_TRY(bounds.Bind(1, tenant_id).Step());
      last = bounds.Int(1);
      return Ok();
    }));
    return last;
  }

  Result<int64_t> Prune(const EventRetention& retention, int64_t now_ms) override {
    std::vector<int64_t> tenants;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kTenants));
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) return Ok();
        tenants.push_back(select.Int(0));
      }
    }));
    int64_t removed = 0;
    for (int64_t tenant_id : tenants) {
      for (;;) {
        int64_t changes = 0;
        // Not durable: a prune lost to a power cut is done again by the next one.
        STORE_TRY(store_.Write(
            [&](Database& db) -> Result<void> {
              changes = 0;
              STORE_ASSIGN_OR_RETURN(auto bounds, db.Prepare(kEventBounds));
              STORE_TRY(bounds.Bind(1, tenant_id).Step());
              const int64_t oldest = bounds.Int(0);
              const int64_t newest = bounds.Int(1);
              if (newest == 0) return Ok();
              STORE_ASSIGN_OR_RETURN(auto prune, db.Prepare(kPruneEvents));
              prune.Bind(1, tenant_id).Bind(2, oldest + kPruneBatch).Bind(3, newest);
              STORE_TRY(prune.Bind(4, now_ms - retention.max_age_ms).Bind(5, retention.max_per_tenant).Run());
              changes = db.Changes();
              return Ok();
            },
            /*durable=*/false, WriteKind::kEventsPrune));
        removed += changes;
        if (changes == 0) break;
      }
    }
    return removed;
  }

 private:
  static constexpr char kBeginRead[] = "BEGIN";

  Result<void> ReadIn(Database& db, int64_t tenant_id, int64_t after_id, int limit, EventRead& read) {
    {
      STORE_ASSIGN_OR_RETURN(auto bounds, db.Prepare(kEventBounds));
      STORE_TRY(bounds.Bind(1, tenant_id).Step());
      const int64_t oldest = bounds.Int(0);
      read.last_id = bounds.Int(1);
      if (after_id > read.last_id || (oldest > 0 && after_id < oldest - 1)) {
        read.gap = true;
        return Ok();
      }
    }
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kEventsAfter));
    select.Bind(1, tenant_id).Bind(2, after_id).Bind(3, limit);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      auto type = ParseEventType(select.Text(1));
      if (!type) continue;  // Written by a newer version: this one cannot render it.
      Event event;
      event.id = select.Int(0);
      event.type = *type;
      event.created_at_ms = select.Int(2);
      event.data = select.String(3);
      const std::optional<int64_t> conversation_id = select.OptionalInt(4);
      const std::optional<int64_t> message_id = select.OptionalInt(5);
      const std::optional<int64_t> support_item_id = select.OptionalInt(6);
      switch (event.type) {
        case EventType::kMessageCreated:
          if (message_id) STORE_TRY(Load(db, kEventMessage, *message_id, tenant_id, ReadMessage, event.message));
          break;
        case EventType::kConversationCreated:
        case EventType::kConversationUpdated:
          if (conversation_id) {
            STORE_TRY(Load(db, kEventConversation, *conversation_id, tenant_id, ReadConversation, event.conversation));
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
          if (auto erased = select.OptionalInt(7)) event.data = ConversationEventData(*erased);
          break;
        case EventType::kMessageUpdated:
          // A media kept or given up on: the message, for the media object its readers show.
          if (message_id && select.Int(8) != 0) {
            STORE_TRY(Load(db, kEventMessage, *message_id, tenant_id, ReadMessage, event.message));
          }
          break;
        case EventType::kDocumentProgress:
          break;  // Its data is the whole story.
      }
      read.events.push_back(std::move(event));
    }
    return Ok();
  }

  template <class T, class Reader>
  static Result<void> Load(Database& db, const char* sql, int64_t id, int64_t tenant_id, Reader reader,
                           std::optional<T>& into) {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(sql));
    STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, id).Bind(2, tenant_id).Step());
    if (found) into = reader(select);
    return Ok();
  }

  SqliteStore& store_;
};

}  // namespace

Result<void> ResolveSupportItemsOf(SqliteStore& store, Database& db, int64_t tenant_id, int64_t conversation_id,
                                   std::string_view resolved_by, int64_t now_ms) {
  std::vector<int64_t> open;
  {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kOpenSupportItemsOf));
    select.Bind(1, conversation_id);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      open.push_back(select.Int(0));
    }
  }
  if (open.empty()) return Ok();
  STORE_ASSIGN_OR_RETURN(auto resolve, db.Prepare(kResolveSupportItems));
  STORE_TRY(resolve.Bind(1, conversation_id).Bind(2, resolved_by).Bind(3, now_ms).Run());
  for (int64_t item_id : open) {
    STORE_TRY(
        store.AppendEvent(tenant_id, EventType::kSupportResolved, SupportEventData(item_id, conversation_id), now_ms));
  }
  return Ok();
}

std::unique_ptr<EventLog> MakeSqliteEventLog(SqliteStore& store) { return std::make_unique<SqliteEventLog>(store); }

Result<int64_t> SqliteStore::Writer::AppendEvent(int64_t tenant_id, EventType type, std::string_view data,
                                                 int64_t now_ms) {
  auto [next, first_of_group] = next_event_ids_.try_emplace(tenant_id, 0);
  if (first_of_group) {
    STORE_ASSIGN_OR_RETURN(auto select, db_->Prepare(kNextEventId));
    auto found = select.Bind(1, tenant_id).Step();
    if (!found) {
      next_event_ids_.erase(next);
      return found.error();
    }
    next->second = select.Int(0);
  }
  const int64_t id = next->second;
  STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertEvent));
  auto inserted = insert.Bind(1, tenant_id).Bind(2, id).Bind(3, ToString(type)).Bind(4, now_ms).Bind(5, data).Run();
  if (!inserted) {
    next_event_ids_.erase(tenant_id);
    return inserted.error();
  }
  ++next->second;
  event_notes_.push_back({tenant_id, id});
  return id;
}

std::vector<std::pair<int64_t, int64_t>> SqliteStore::Writer::TakeEventNotes() {
  std::vector<std::pair<int64_t, int64_t>> newest;
  for (const EventNote& note : event_notes_) {
    auto it = std::find_if(newest.begin(), newest.end(), [&](const auto& n) { return n.first == note.tenant_id; });
    if (it == newest.end()) {
      newest.emplace_back(note.tenant_id, note.id);
    } else {
      it->second = std::max(it->second, note.id);
    }
  }
  event_notes_.clear();
  next_event_ids_.clear();
  return newest;
}

Result<int64_t> SqliteStore::AppendEvent(int64_t tenant_id, EventType type, std::string_view data, int64_t now_ms) {
  return writer_->AppendEvent(tenant_id, type, data, now_ms);
}

EventLog& SqliteStore::events() { return *events_; }

}  // namespace parley::store::sqlite
