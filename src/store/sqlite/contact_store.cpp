// Contacts on SQLite: the list by activity (through the conversations' activity index), search through the
// contacts_search index of migration 0017, export in one read snapshot, erasure and retention in small writes.

#include "store/sqlite/contact_store.h"

#include "core/json.h"
#include "core/time.h"
#include "store/sqlite/conversation_row.h"
#include "store/sqlite/cursor.h"
#include "store/sqlite/db.h"
#include "store/sqlite/event_log.h"
#include "store/sqlite/inbox_search.h"
#include "store/sqlite/message_row.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/support_row.h"

#include <boost/json/object.hpp>

#include <algorithm>

namespace parley::store::sqlite {
namespace {

// A contact's columns (aliases ct for contacts, ch for its channel); its activity and conversation count follow.
#define CONTACT_COLUMNS \
  "ct.id, ct.tenant_id, ct.channel_id, ch.platform, ct.platform_id, ct.name, ct.created_at, ct.email"
constexpr char kContact[] =
    "SELECT " CONTACT_COLUMNS
    ", COALESCE((SELECT MAX(k.last_message_at) FROM conversations k WHERE k.contact_id = ct.id), ct.created_at),"
    " (SELECT COUNT(*) FROM conversations k WHERE k.contact_id = ct.id)"
    " FROM contacts ct JOIN channels ch ON ch.id = ct.channel_id WHERE ct.id = ?1 AND ct.tenant_id = ?2";
// The list walks the tenant's conversations by activity and keeps each contact's newest one, so a contact comes
// once, at its latest activity, and a page costs an index look-up per row instead of a grouping of the whole tenant.
// ?1 tenant, ?2/?3 the cursor's (last_message_at, id), ?4 limit; the optional conditions bind ?5.. in order.
constexpr char kListHead[] =
    "SELECT " CONTACT_COLUMNS
    ", c.last_message_at, (SELECT COUNT(*) FROM conversations k WHERE k.contact_id = ct.id), c.id"
    " FROM conversations c JOIN contacts ct ON ct.id = c.contact_id JOIN channels ch ON ch.id = ct.channel_id"
    " WHERE c.tenant_id = ?1 AND (c.last_message_at, c.id) < (?2, ?3)"
    " AND NOT EXISTS (SELECT 1 FROM conversations n WHERE n.contact_id = c.contact_id"
    "  AND (n.last_message_at, n.id) > (c.last_message_at, c.id))";
constexpr char kListTail[] = " ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?4";
// The column of kListHead's c.id, after the contact's (ReadContact).
constexpr int kListConversationColumn = 10;

constexpr char kConversationsOf[] = PARLEY_SELECT_CONVERSATION
    " WHERE c.contact_id = ?1 AND c.tenant_id = ?2 ORDER BY c.last_message_at DESC, c.id DESC";
constexpr char kConversationIdsOf[] =
    "SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id"
    " WHERE c.contact_id = ?1 AND ct.tenant_id = ?2 ORDER BY c.id";
// ?1: a JSON array of conversation ids.
constexpr char kMessagesOf[] = "SELECT " PARLEY_MESSAGE_COLUMNS
                               " FROM messages WHERE conversation_id IN (SELECT value FROM json_each(?1)) ORDER BY id";
constexpr char kTracesOf[] =
    "SELECT " PARLEY_TRACE_COLUMNS
    " FROM reply_traces WHERE conversation_id IN (SELECT value FROM json_each(?1)) ORDER BY id";
constexpr char kSupportItemsOf[] = "SELECT " PARLEY_SUPPORT_COLUMNS
                                   " FROM support_items WHERE conversation_id IN (SELECT value FROM json_each(?1))"
                                   " ORDER BY id";

// Erasure, ?1: a JSON array of conversation ids, ?2: the most rows a write removes.
constexpr char kEraseMessages[] =
    "DELETE FROM messages WHERE id IN (SELECT id FROM messages"
    " WHERE conversation_id IN (SELECT value FROM json_each(?1)) LIMIT ?2) RETURNING type = 'note'";
constexpr char kEraseTraces[] =
    "DELETE FROM reply_traces WHERE id IN (SELECT id FROM reply_traces"
    " WHERE conversation_id IN (SELECT value FROM json_each(?1)) LIMIT ?2)";
constexpr char kEraseSupportItems[] =
    "DELETE FROM support_items WHERE conversation_id IN (SELECT value FROM json_each(?1))";
constexpr char kEraseDeliveries[] =
    "DELETE FROM webhook_deliveries WHERE conversation_id IN (SELECT value FROM json_each(?1))";
constexpr char kEraseConversations[] = "DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?1))";
constexpr char kEraseContact[] = "DELETE FROM contacts WHERE id = ?1 AND tenant_id = ?2";
// The event log's entries naming the conversations, among ids [?3, ?4). The tenant's newest event is never
// deleted, because the next id is the newest + 1 and ids must never be reused (store/events.h): kBlankEvent
// blanks it instead (a conversation.updated naming nothing, which streams skip, as they skip events whose rows
// are gone).
constexpr char kEraseEvents[] =
    "DELETE FROM events WHERE tenant_id = ?2 AND id >= ?3 AND id < ?4"
    " AND id < (SELECT MAX(id) FROM events WHERE tenant_id = ?2)"
    " AND json_extract(data, '$.conversation_id') IN (SELECT value FROM json_each(?1))";
constexpr char kBlankEvent[] =
    "UPDATE events SET type = 'conversation.updated', data = '{}' WHERE tenant_id = ?2"
    " AND id = (SELECT MAX(id) FROM events WHERE tenant_id = ?2)"
    " AND json_extract(data, '$.conversation_id') IN (SELECT value FROM json_each(?1))";
// Event ids one erasure write looks at.
constexpr int64_t kEventWindow = 5000;

constexpr char kInsertAudit[] =
    "INSERT INTO audit_logs (tenant_id, actor, action, target_type, target_id, details, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

// Retention. A conversation's messages (and traces) come in the order of their ids and of their arrival alike, so
// those before the cut-off are a prefix of the conversation's index (conversation_id, id): a write deletes that
// prefix, reading past it only the first row it keeps, and needs no index of its own on the ingest path. (Should a
// clock step back, a message is kept until the ones after it are old enough too: never deleted too early.)
// ?1 conversation, ?2 cut-off, ?3 the most rows to delete. Queued replies are on their way out and stay.
constexpr char kConversationsCreatedBefore[] =
    "SELECT id FROM conversations WHERE tenant_id = ?1 AND created_at < ?2 ORDER BY id";
constexpr char kExpireMessages[] =
    "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE conversation_id = ?1 AND status <> 'queued'"
    " AND id < COALESCE((SELECT id FROM messages WHERE conversation_id = ?1 AND created_at >= ?2 ORDER BY id LIMIT 1),"
    " 9223372036854775807) ORDER BY id LIMIT ?3)";
constexpr char kExpireTraces[] =
    "DELETE FROM reply_traces WHERE id IN (SELECT id FROM reply_traces WHERE conversation_id = ?1"
    " AND id < COALESCE((SELECT id FROM reply_traces WHERE conversation_id = ?1 AND created_at >= ?2 ORDER BY id"
    " LIMIT 1), 9223372036854775807) ORDER BY id LIMIT ?3)";
// Conversations one retention write looks at, whatever it deletes: it holds the writer for about a millisecond.
constexpr size_t kExpireConversationsPerWrite = 200;

ContactInfo ReadContact(const Statement& row) {
  ContactInfo contact;
  contact.id = row.Int(0);
  contact.tenant_id = row.Int(1);
  contact.channel_id = row.Int(2);
  contact.platform = Platform(row.Text(3));
  contact.platform_id = row.String(4);
  contact.name = row.String(5);
  contact.created_at_ms = row.Int(6);
  contact.email = row.String(7);
  contact.last_activity_ms = row.Int(8);
  contact.conversations = row.Int(9);
  return contact;
}

template <class T, class Reader>
Result<std::vector<T>> ReadAll(Database& db, const char* sql, const std::string& ids, Reader read) {
  std::vector<T> rows;
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(sql));
  select.Bind(1, ids);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return rows;
    rows.push_back(read(select));
  }
}

// The ids a bound statement selects (its first column).
Result<std::vector<int64_t>> SelectIds(Statement& select) {
  std::vector<int64_t> ids;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return ids;
    ids.push_back(select.Int(0));
  }
}

Result<std::vector<int64_t>> ConversationIdsOf(Database& db, int64_t tenant_id, int64_t contact_id) {
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kConversationIdsOf));
  select.Bind(1, contact_id).Bind(2, tenant_id);
  return SelectIds(select);
}

Result<ContactInfo> LoadContact(Database& db, int64_t tenant_id, int64_t contact_id) {
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kContact));
  STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, contact_id).Bind(2, tenant_id).Step());
  if (!found) return Error::NotFound("no such contact");
  return ReadContact(select);
}

Result<void> AppendAudit(Database& db, int64_t tenant_id, std::string_view actor, std::string_view action,
                         std::string_view target_type, const std::string& target_id, const boost::json::object& details,
                         int64_t now_ms) {
  const std::string text = SerializeJson(details);
  STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertAudit));
  insert.Bind(1, tenant_id).Bind(2, actor).Bind(3, action).Bind(4, target_type).Bind(5, target_id);
  return insert.Bind(6, text).Bind(7, now_ms).Run();
}

class SqliteContactStore final : public ContactStore {
 public:
  explicit SqliteContactStore(SqliteStore& store) : store_(store) {}

  Result<Page<ContactInfo>> ListContacts(int64_t tenant_id, const ContactFilter& filter,
                                         const std::optional<std::string>& cursor, int limit) override {
    limit = ClampPageSize(limit);
    std::pair<int64_t, int64_t> after{INT64_MAX, INT64_MAX};
    if (cursor) {
      STORE_ASSIGN_OR_RETURN(after, ParseConversationCursor(*cursor));
    }
    // Only spaces narrow nothing.
    const std::optional<std::string> query = filter.text ? SearchQuery(*filter.text) : std::nullopt;
    // The statement's text depends only on which filters are set, so the statement cache holds a few variants.
    std::string sql = kListHead;
    int next = 5;
    if (filter.channel_id) sql += " AND c.channel_id = ?" + std::to_string(next++);
    if (filter.platform) sql += " AND ch.platform = ?" + std::to_string(next++);
    if (query) sql += " AND ct.id IN (SELECT value FROM json_each(?" + std::to_string(next++) + "))";
    sql += kListTail;
    Page<ContactInfo> page;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      page = {};
      int64_t last_conversation_id = 0;
      std::string matches;
      if (query) {
        STORE_ASSIGN_OR_RETURN(auto ids, FindContactMatches(db, *query));
        if (ids.empty()) return Ok();
        matches = JsonIds(ids);
      }
      const std::string platform = filter.platform ? std::string(ToString(*filter.platform)) : std::string();
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(sql.c_str()));
      select.Bind(1, tenant_id).Bind(2, after.first).Bind(3, after.second).Bind(4, limit + 1);
      int index = 5;
      if (filter.channel_id) select.Bind(index++, *filter.channel_id);
      if (filter.platform) select.Bind(index++, platform);
      if (query) select.Bind(index++, matches);
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) return Ok();
        if (static_cast<int>(page.data.size()) == limit) {
          // The cursor is the last kept contact's newest conversation: the keyset the list walks.
          page.next_cursor = ConversationCursor(page.data.back().last_activity_ms, last_conversation_id);
          return Ok();
        }
        page.data.push_back(ReadContact(select));
        last_conversation_id = select.Int(kListConversationColumn);
      }
    }));
    return page;
  }

  Result<ContactInfo> GetContact(int64_t tenant_id, int64_t contact_id) override {
    ContactInfo contact;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(contact, LoadContact(db, tenant_id, contact_id));
      return Ok();
    }));
    return contact;
  }

  Result<std::vector<Conversation>> ContactConversations(int64_t tenant_id, int64_t contact_id) override {
    std::vector<Conversation> conversations;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_TRY(LoadContact(db, tenant_id, contact_id));
      STORE_ASSIGN_OR_RETURN(conversations, ReadConversations(db, tenant_id, contact_id));
      return Ok();
    }));
    return conversations;
  }

  Result<ContactExport> ExportContact(int64_t tenant_id, int64_t contact_id) override {
    ContactExport out;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_TRY(db.Run(kBeginRead));  // One snapshot: a message arriving meanwhile is in all parts or none.
      Result<void> result = ExportIn(db, tenant_id, contact_id, out);
      (void)db.Run(kCommit);
      return result;
    }));
    return out;
  }

  Result<ErasureCounts> EraseContact(int64_t tenant_id, int64_t contact_id, const std::string& actor, int64_t now_ms,
                                     int batch) override {
    batch = std::max(batch, 1);
    ErasureCounts counts;  // Of the batches.
    ErasureCounts total;   // Of the whole erasure, once the last write commits.
    std::vector<int64_t> conversations;
    int64_t events_from = 0;
    int64_t events_to = 0;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_TRY(LoadContact(db, tenant_id, contact_id));
      STORE_ASSIGN_OR_RETURN(conversations, ConversationIdsOf(db, tenant_id, contact_id));
      STORE_ASSIGN_OR_RETURN(auto bounds, db.Prepare(kEventBounds));
      STORE_TRY(bounds.Bind(1, tenant_id).Step());
      events_from = bounds.Int(0);
      events_to = bounds.Int(1) + 1;
      return Ok();
    }));
    const std::string ids = JsonIds(conversations);
    // The bulk, in writes that each hold the writer for one batch.
    for (;;) {
      ErasureCounts step;  // Set afresh by each run of the write: a failed group is replayed.
      STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
        step = {};
        STORE_TRY(EraseMessages(db, ids, batch, step));
        return Ok();
      }));
      counts.messages += step.messages;
      counts.notes += step.notes;
      if (step.messages < batch) break;
    }
    for (;;) {
      int64_t removed = 0;
      STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
        STORE_ASSIGN_OR_RETURN(auto erase, db.Prepare(kEraseTraces));
        STORE_TRY(erase.Bind(1, ids).Bind(2, batch).Run());
        removed = db.Changes();
        return Ok();
      }));
      counts.traces += removed;
      if (removed < batch) break;
    }
    for (int64_t from = events_from; from < events_to; from += kEventWindow) {
      int64_t removed = 0;
      STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
        STORE_ASSIGN_OR_RETURN(removed, EraseEvents(db, ids, tenant_id, from, from + kEventWindow));
        return Ok();
      }));
      counts.events += removed;
    }
    // The rest in one write: what arrived meanwhile, the conversations and the contact, and the audit entry. The
    // writer forgets its cached contacts, which would point the next message from this person at the rows gone.
    STORE_TRY(store_.WriteForgettingCaches([&](Database& db) -> Result<void> {
      ErasureCounts last;
      STORE_TRY(LoadContact(db, tenant_id, contact_id));  // Erased meanwhile by someone else: kNotFound.
      STORE_ASSIGN_OR_RETURN(auto now_open, ConversationIdsOf(db, tenant_id, contact_id));
      const std::string all = JsonIds(now_open);
      for (;;) {
        STORE_ASSIGN_OR_RETURN(int64_t removed, EraseMessages(db, all, batch, last));
        if (removed == 0) break;
      }
      STORE_ASSIGN_OR_RETURN(auto traces, db.Prepare(kEraseTraces));
      STORE_TRY(traces.Bind(1, all).Bind(2, INT64_MAX).Run());
      last.traces = db.Changes();
      STORE_ASSIGN_OR_RETURN(auto support, db.Prepare(kEraseSupportItems));
      STORE_TRY(support.Bind(1, all).Run());
      last.support_items = db.Changes();
      STORE_ASSIGN_OR_RETURN(last.events, EraseEvents(db, all, tenant_id, events_to - 1, INT64_MAX));
      STORE_ASSIGN_OR_RETURN(auto blank, db.Prepare(kBlankEvent));
      STORE_TRY(blank.Bind(1, all).Bind(2, tenant_id).Run());
      last.events += db.Changes();
      if (now_open != conversations) {  // Events of a conversation opened meanwhile, older than the window.
        STORE_ASSIGN_OR_RETURN(int64_t more, EraseEvents(db, all, tenant_id, events_from, events_to - 1));
        last.events += more;
      }
      STORE_ASSIGN_OR_RETURN(auto deliveries, db.Prepare(kEraseDeliveries));
      STORE_TRY(deliveries.Bind(1, all).Run());
      last.webhook_deliveries = db.Changes();
      STORE_ASSIGN_OR_RETURN(auto erase_conversations, db.Prepare(kEraseConversations));
      STORE_TRY(erase_conversations.Bind(1, all).Run());
      last.conversations = db.Changes();
      STORE_ASSIGN_OR_RETURN(auto erase_contact, db.Prepare(kEraseContact));
      STORE_TRY(erase_contact.Bind(1, contact_id).Bind(2, tenant_id).Run());
      // Open dashboards drop the conversations now rather than at their next refetch. The notices name an id and
      // nothing of the person.
      for (int64_t conversation_id : now_open) {
        STORE_TRY(store_.AppendEvent(tenant_id, EventType::kConversationDeleted,
                                     ErasedConversationEventData(conversation_id), now_ms));
      }
      total = ErasureTotal(counts, last);
      STORE_TRY(AppendAudit(db, tenant_id, actor, "contact.erase", "contact", std::to_string(contact_id),
                            ErasureAuditDetails(total), now_ms));
      return Ok();
    }));
    return total;
  }

  Result<int64_t> DeleteMessagesBefore(int64_t tenant_id, int64_t cutoff_ms, int64_t now_ms, int batch) override {
    batch = std::max(batch, 1);
    std::vector<int64_t> conversations;  // Only those opened before the cut-off hold messages from before it.
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kConversationsCreatedBefore));
      select.Bind(1, tenant_id).Bind(2, cutoff_ms);
      STORE_ASSIGN_OR_RETURN(conversations, SelectIds(select));
      return Ok();
    }));
    int64_t messages = 0;
    int64_t traces = 0;
    for (const char* sql : {kExpireMessages, kExpireTraces}) {
      size_t next = 0;  // The first conversation that may still hold rows before the cut-off.
      while (next < conversations.size()) {
        int64_t removed = 0;
        size_t reached = next;
        // Set afresh by each run of the write: a failed group is replayed.
        STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
          removed = 0;
          reached = next;
          const size_t end = std::min(conversations.size(), next + kExpireConversationsPerWrite);
          while (reached < end && removed < batch) {
            STORE_ASSIGN_OR_RETURN(auto expire, db.Prepare(sql));
            const int64_t budget = batch - removed;
            STORE_TRY(expire.Bind(1, conversations[reached]).Bind(2, cutoff_ms).Bind(3, budget).Run());
            removed += db.Changes();
            if (db.Changes() < budget) ++reached;  // Its prefix is gone; else the budget ran out inside it.
          }
          return Ok();
        }));
        (sql == kExpireMessages ? messages : traces) += removed;
        next = reached;
      }
    }
    if (messages == 0 && traces == 0) return messages;
    boost::json::object details{{"messages", messages}, {"traces", traces}, {"before", FormatTimestamp(cutoff_ms)}};
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      return AppendAudit(db, tenant_id, "retention", "retention.sweep", "tenant", std::to_string(tenant_id), details,
                         now_ms);
    }));
    return messages;
  }

 private:
  static constexpr char kBeginRead[] = "BEGIN";

  static Result<std::vector<Conversation>> ReadConversations(Database& db, int64_t tenant_id, int64_t contact_id) {
    std::vector<Conversation> conversations;
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kConversationsOf));
    select.Bind(1, contact_id).Bind(2, tenant_id);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) return conversations;
      conversations.push_back(ReadConversation(select));
    }
  }

  static Result<void> ExportIn(Database& db, int64_t tenant_id, int64_t contact_id, ContactExport& out) {
    STORE_ASSIGN_OR_RETURN(out.contact, LoadContact(db, tenant_id, contact_id));
    STORE_ASSIGN_OR_RETURN(out.conversations, ReadConversations(db, tenant_id, contact_id));
    std::sort(out.conversations.begin(), out.conversations.end(),
              [](const Conversation& a, const Conversation& b) { return a.id < b.id; });
    std::vector<int64_t> ids;
    for (const Conversation& c : out.conversations) ids.push_back(c.id);
    const std::string json = JsonIds(ids);
    STORE_ASSIGN_OR_RETURN(out.messages, ReadAll<StoredMessage>(db, kMessagesOf, json, ReadMessage));
    STORE_ASSIGN_OR_RETURN(out.support_items, ReadAll<SupportItem>(db, kSupportItemsOf, json, ReadSupportItem));
    STORE_ASSIGN_OR_RETURN(out.traces, ReadAll<ReplyTrace>(db, kTracesOf, json, ReadReplyTrace));
    return Ok();
  }

  // Removes up to `batch` messages of the conversations, counting them (and the notes among them) into `counts`.
  static Result<int64_t> EraseMessages(Database& db, const std::string& ids, int batch, ErasureCounts& counts) {
    STORE_ASSIGN_OR_RETURN(auto erase, db.Prepare(kEraseMessages));
    erase.Bind(1, ids).Bind(2, batch);
    int64_t removed = 0;
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, erase.Step());
      if (!row) break;
      ++removed;
      if (erase.Int(0) != 0) ++counts.notes;
    }
    counts.messages += removed;
    return removed;
  }

  static Result<int64_t> EraseEvents(Database& db, const std::string& ids, int64_t tenant_id, int64_t from,
                                     int64_t to) {
    STORE_ASSIGN_OR_RETURN(auto erase, db.Prepare(kEraseEvents));
    STORE_TRY(erase.Bind(1, ids).Bind(2, tenant_id).Bind(3, from).Bind(4, to).Run());
    return db.Changes();
  }

  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<ContactStore> MakeSqliteContactStore(SqliteStore& store) {
  return std::make_unique<SqliteContactStore>(store);
}

}  // namespace parley::store::sqlite
