// Contacts on PostgreSQL: the list by activity, the export in one snapshot, erasure and retention in small
// transactions, by the SQLite backend's rules (sqlite/contact_store.cpp). The list's text search is search.h's.

#include "store/contact_store.h"
#include "core/json.h"
#include "core/time.h"
#include "store/event_data.h"
#include "store/page_cursor.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/postgres/search.h"
#include "store/postgres/sub_stores.h"

#include <boost/json/object.hpp>

#include <algorithm>
#include <limits>

namespace parley::store::postgres {
namespace {

// A contact's columns (aliases ct for contacts, ch for its channel); its activity and conversation count follow.
#define CONTACT_COLUMNS \
  "ct.id, ct.tenant_id, ct.channel_id, ch.platform, ct.platform_id, ct.name, ct.created_at, ct.email"
constexpr char kContact[] =
    "SELECT " CONTACT_COLUMNS
    ", COALESCE((SELECT MAX(k.last_message_at) FROM conversations k WHERE k.contact_id = ct.id), ct.created_at),"
    " (SELECT COUNT(*) FROM conversations k WHERE k.contact_id = ct.id)"
    " FROM contacts ct JOIN channels ch ON ch.id = ct.channel_id WHERE ct.id = $1 AND ct.tenant_id = $2";
// The list walks the tenant's conversations by activity and keeps each contact's newest one, so a contact comes
// once, at its latest activity. $1 tenant, $2/$3 the cursor's (last_message_at, id), $4 limit, $5 channel or NULL,
// $6 platform or NULL.
#define LIST_CONTACTS_FILTERED                                                                               \
  "SELECT " CONTACT_COLUMNS                                                                                  \
  ", c.last_message_at, (SELECT COUNT(*) FROM conversations k WHERE k.contact_id = ct.id), c.id"             \
  " FROM conversations c JOIN contacts ct ON ct.id = c.contact_id JOIN channels ch ON ch.id = ct.channel_id" \
  " WHERE c.tenant_id = $1 AND (c.last_message_at, c.id) < ($2::bigint, $3::bigint)"                         \
  " AND NOT EXISTS (SELECT 1 FROM conversations n WHERE n.contact_id = c.contact_id"                         \
  "  AND (n.last_message_at, n.id) > (c.last_message_at, c.id))"                                             \
  " AND ($5::bigint IS NULL OR c.channel_id = $5) AND ($6::text IS NULL OR ch.platform = $6)"
#define LIST_CONTACTS_ORDER " ORDER BY c.last_message_at DESC, c.id DESC LIMIT $4"
// The column of the list's c.id, after the contact's (ReadContact).
constexpr int kListConversationColumn = 10;
constexpr char kListContacts[] = LIST_CONTACTS_FILTERED LIST_CONTACTS_ORDER;
// The same among the contacts a search ($7, $8: search.h) finds, in the contacts' GIN index.
constexpr char kListMatchingContacts[] = LIST_CONTACTS_FILTERED
    " AND c.contact_id IN (SELECT ct.id FROM contacts ct WHERE ct.tenant_id = $1 AND " PG_CONTACT_MATCHES(
        "$7", "$8") ")" LIST_CONTACTS_ORDER;
#undef LIST_CONTACTS_FILTERED
#undef LIST_CONTACTS_ORDER
#undef CONTACT_COLUMNS

constexpr char kConversationsOf[] =
    PG_SELECT_CONVERSATION " WHERE c.contact_id = $1 AND c.tenant_id = $2 ORDER BY c.last_message_at DESC, c.id DESC";
constexpr char kConversationIdsOf[] =
    "SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id"
    " WHERE c.contact_id = $1 AND ct.tenant_id = $2 ORDER BY c.id";
// $1: an array of conversation ids.
constexpr char kMessagesOf[] =
    "SELECT " PG_MESSAGE_COLUMNS " FROM messages WHERE conversation_id = ANY($1::bigint[]) ORDER BY id";
constexpr char kTracesOf[] =
    "SELECT " PG_TRACE_COLUMNS " FROM reply_traces WHERE conversation_id = ANY($1::bigint[]) ORDER BY id";
constexpr char kSupportItemsOf[] =
    "SELECT " PG_SUPPORT_COLUMNS " FROM support_items WHERE conversation_id = ANY($1::bigint[]) ORDER BY id";

// Erasure, $1: an array of conversation ids, $2: the most rows a write removes.
constexpr char kEraseMessages[] =
    "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE conversation_id = ANY($1::bigint[]) LIMIT $2)"
    " RETURNING type = 'note'";
constexpr char kEraseTraces[] =
    "DELETE FROM reply_traces WHERE id IN (SELECT id FROM reply_traces WHERE conversation_id = ANY($1::bigint[])"
    " LIMIT $2)";
constexpr char kEraseSupportItems[] = "DELETE FROM support_items WHERE conversation_id = ANY($1::bigint[])";
constexpr char kEraseDeliveries[] = "DELETE FROM webhook_deliveries WHERE conversation_id = ANY($1::bigint[])";
constexpr char kEraseConversations[] = "DELETE FROM conversations WHERE id = ANY($1::bigint[])";
constexpr char kEraseContact[] = "DELETE FROM contacts WHERE id = $1 AND tenant_id = $2";
// The event log's entries naming the conversations, among ids [$3, $4). The tenant's newest event is blanked rather
// than deleted, as on SQLite (a conversation.updated naming nothing, which streams skip), so that both backends' logs
// read the same after an erasure.
constexpr char kEventBounds[] = "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM events WHERE tenant_id = $1";
constexpr char kEraseEvents[] =
    "DELETE FROM events WHERE tenant_id = $2 AND id >= $3 AND id < $4"
    " AND id < (SELECT MAX(id) FROM events WHERE tenant_id = $2)"
    " AND (data::jsonb->>'conversation_id')::bigint = ANY($1::bigint[])";
constexpr char kBlankEvent[] =
    "UPDATE events SET type = 'conversation.updated', data = '{}' WHERE tenant_id = $2"
    " AND id = (SELECT MAX(id) FROM events WHERE tenant_id = $2)"
    " AND (data::jsonb->>'conversation_id')::bigint = ANY($1::bigint[])";
// Event ids one erasure transaction looks at.
constexpr int64_t kEventWindow = 5000;

constexpr char kInsertAudit[] =
    "INSERT INTO audit_logs (tenant_id, actor, action, target_type, target_id, details, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";

// Retention: a conversation's messages (and traces) before the cut-off are a prefix of its index (conversation_id,
// id), deleted in order. $1 conversation, $2 cut-off, $3 the most rows to delete. Queued replies stay.
constexpr char kConversationsCreatedBefore[] =
    "SELECT id FROM conversations WHERE tenant_id = $1 AND created_at < $2 ORDER BY id";
constexpr char kExpireMessages[] =
    "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE conversation_id = $1 AND status <> 'queued'"
    " AND id < COALESCE((SELECT id FROM messages WHERE conversation_id = $1 AND created_at >= $2 ORDER BY id LIMIT 1),"
    " 9223372036854775807) ORDER BY id LIMIT $3)";
constexpr char kExpireTraces[] =
    "DELETE FROM reply_traces WHERE id IN (SELECT id FROM reply_traces WHERE conversation_id = $1"
    " AND id < COALESCE((SELECT id FROM reply_traces WHERE conversation_id = $1 AND created_at >= $2 ORDER BY id"
    " LIMIT 1), 9223372036854775807) ORDER BY id LIMIT $3)";
// Conversations one retention transaction looks at, whatever it deletes.
constexpr size_t kExpireConversationsPerWrite = 200;

ContactInfo ReadContact(const Rows& rows, int i) {
  ContactInfo contact;
  contact.id = rows.Int(i, 0);
  contact.tenant_id = rows.Int(i, 1);
  contact.channel_id = rows.Int(i, 2);
  contact.platform = Platform(rows.Text(i, 3));
  contact.platform_id = rows.String(i, 4);
  contact.name = rows.String(i, 5);
  contact.created_at_ms = rows.Int(i, 6);
  contact.email = rows.String(i, 7);
  contact.last_activity_ms = rows.Int(i, 8);
  contact.conversations = rows.Int(i, 9);
  return contact;
}

std::vector<int64_t> Ids(const Rows& rows) {
  std::vector<int64_t> ids;
  for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.Int(i, 0));
  return ids;
}

Result<std::vector<int64_t>> ConversationIdsOf(Connection& db, int64_t tenant_id, int64_t contact_id) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kConversationIdsOf, Params(contact_id, tenant_id)));
  return Ids(rows);
}

Result<ContactInfo> LoadContact(Connection& db, int64_t tenant_id, int64_t contact_id) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kContact, Params(contact_id, tenant_id)));
  if (rows.empty()) return Error::NotFound("no such contact");
  return ReadContact(rows, 0);
}

Result<std::vector<Conversation>> ReadConversations(Connection& db, int64_t tenant_id, int64_t contact_id) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kConversationsOf, Params(contact_id, tenant_id)));
  std::vector<Conversation> conversations;
  for (int i = 0; i < rows.size(); ++i) conversations.push_back(ReadConversation(rows, i));
  return conversations;
}

Result<void> AppendAudit(Connection& db, int64_t tenant_id, std::string_view actor, std::string_view action,
                         std::string_view target_type, const std::string& target_id, const boost::json::object& details,
                         int64_t now_ms) {
  STORE_TRY(
      db.Query(kInsertAudit, Params(tenant_id, actor, action, target_type, target_id, SerializeJson(details), now_ms)));
  return Ok();
}

// Removes up to `batch` messages of the conversations, counting them (and the notes among them) into `counts`.
Result<int64_t> EraseMessages(Connection& db, const std::string& ids, int batch, ErasureCounts& counts) {
  STORE_ASSIGN_OR_RETURN(auto erased, db.Query(kEraseMessages, Params(ids, batch)));
  for (int i = 0; i < erased.size(); ++i) {
    if (erased.Bool(i, 0)) ++counts.notes;
  }
  counts.messages += erased.size();
  return erased.size();
}

Result<int64_t> EraseEvents(Connection& db, const std::string& ids, int64_t tenant_id, int64_t from, int64_t to) {
  STORE_ASSIGN_OR_RETURN(auto erased, db.Query(kEraseEvents, Params(ids, tenant_id, from, to)));
  return erased.affected();
}

class PostgresContactStore final : public ContactStore {
 public:
  explicit PostgresContactStore(PostgresStore& store) : store_(store) {}

  Result<Page<ContactInfo>> ListContacts(int64_t tenant_id, const ContactFilter& filter,
                                         const std::optional<std::string>& cursor, int limit) override {
    limit = ClampPageSize(limit);
    std::pair<int64_t, int64_t> after{std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max()};
    if (cursor) {
      STORE_ASSIGN_OR_RETURN(after, ParseConversationCursor(*cursor));
    }
    // Only spaces narrow nothing.
    const std::optional<SearchText> search = filter.text ? ReadSearchText(*filter.text) : std::nullopt;
    std::optional<std::string> platform;
    if (filter.platform) platform = std::string(ToString(*filter.platform));
    return store_.Read<Page<ContactInfo>>([&](Connection& db) -> Result<Page<ContactInfo>> {
      auto queried = search ? db.Query(kListMatchingContacts,
                                       Params(tenant_id, after.first, after.second, limit + 1, filter.channel_id,
                                              platform, search->typed, search->last_is_prefix))
                            : db.Query(kListContacts, Params(tenant_id, after.first, after.second, limit + 1,
                                                             filter.channel_id, platform));
      if (!queried) return queried.error();
      const Rows& rows = *queried;
      Page<ContactInfo> page;
      for (int i = 0; i < rows.size(); ++i) {
        if (static_cast<int>(page.data.size()) == limit) {
          // The cursor is the last kept contact's newest conversation: the keyset the list walks.
          page.next_cursor =
              ConversationCursor(page.data.back().last_activity_ms, rows.Int(i - 1, kListConversationColumn));
          break;
        }
        page.data.push_back(ReadContact(rows, i));
      }
      return page;
    });
  }

  Result<ContactInfo> GetContact(int64_t tenant_id, int64_t contact_id) override {
    return store_.Read<ContactInfo>([&](Connection& db) { return LoadContact(db, tenant_id, contact_id); });
  }

  Result<std::vector<Conversation>> ContactConversations(int64_t tenant_id, int64_t contact_id) override {
    return store_.Read<std::vector<Conversation>>([&](Connection& db) -> Result<std::vector<Conversation>> {
      STORE_TRY(LoadContact(db, tenant_id, contact_id));
      return ReadConversations(db, tenant_id, contact_id);
    });
  }

  // Read() is one snapshot: a message arriving meanwhile is in all parts or none.
  Result<ContactExport> ExportContact(int64_t tenant_id, int64_t contact_id) override {
    return store_.Read<ContactExport>([&](Connection& db) -> Result<ContactExport> {
      ContactExport out;
      STORE_ASSIGN_OR_RETURN(out.contact, LoadContact(db, tenant_id, contact_id));
      STORE_ASSIGN_OR_RETURN(out.conversations, ReadConversations(db, tenant_id, contact_id));
      std::sort(out.conversations.begin(), out.conversations.end(),
                [](const Conversation& a, const Conversation& b) { return a.id < b.id; });
      std::vector<int64_t> ids;
      for (const Conversation& c : out.conversations) ids.push_back(c.id);
      const std::string array = IdArray(ids);
      STORE_ASSIGN_OR_RETURN(auto messages, db.Query(kMessagesOf, Params(array)));
      for (int i = 0; i < messages.size(); ++i) out.messages.push_back(ReadMessage(messages, i));
      STORE_ASSIGN_OR_RETURN(auto items, db.Query(kSupportItemsOf, Params(array)));
      for (int i = 0; i < items.size(); ++i) out.support_items.push_back(ReadSupportItem(items, i));
      STORE_ASSIGN_OR_RETURN(auto traces, db.Query(kTracesOf, Params(array)));
      for (int i = 0; i < traces.size(); ++i) out.traces.push_back(ReadReplyTrace(traces, i));
      return out;
    });
  }

  Result<ErasureCounts> EraseContact(int64_t tenant_id, int64_t contact_id, const std::string& actor, int64_t now_ms,
                                     int batch) override {
    batch = std::max(batch, 1);
    struct Start {
      std::vector<int64_t> conversations;
      int64_t events_from = 0;
      int64_t events_to = 0;
    };
    auto start = store_.Read<Start>([&](Connection& db) -> Result<Start> {
      Start s;
      STORE_TRY(LoadContact(db, tenant_id, contact_id));
      STORE_ASSIGN_OR_RETURN(s.conversations, ConversationIdsOf(db, tenant_id, contact_id));
      STORE_ASSIGN_OR_RETURN(auto bounds, db.Query(kEventBounds, Params(tenant_id)));
      s.events_from = bounds.Int(0, 0);
      s.events_to = bounds.Int(0, 1) + 1;
      return s;
    });
    if (!start) return start.error();
    const std::string ids = IdArray(start->conversations);
    ErasureCounts counts;  // Of the batches.
    // The bulk, in transactions of one batch each.
    for (;;) {
      auto step = store_.Write<ErasureCounts>([&](Connection& db, EventNotes&) -> Result<ErasureCounts> {
        ErasureCounts erased;
        STORE_TRY(EraseMessages(db, ids, batch, erased));
        return erased;
      });
      if (!step) return step.error();
      counts.messages += step->messages;
      counts.notes += step->notes;
      if (step->messages < batch) break;
    }
    for (;;) {
      auto removed = store_.Write<int64_t>([&](Connection& db, EventNotes&) -> Result<int64_t> {
        STORE_ASSIGN_OR_RETURN(auto erased, db.Query(kEraseTraces, Params(ids, batch)));
        return erased.affected();
      });
      if (!removed) return removed.error();
      counts.traces += *removed;
      if (*removed < batch) break;
    }
    for (int64_t from = start->events_from; from < start->events_to; from += kEventWindow) {
      auto removed = store_.Write<int64_t>([&](Connection& db, EventNotes&) -> Result<int64_t> {
        return EraseEvents(db, ids, tenant_id, from, from + kEventWindow);
      });
      if (!removed) return removed.error();
      counts.events += *removed;
    }
    // The rest in one transaction: what arrived meanwhile, the conversations and the contact, and the audit entry.
    return store_.Write<ErasureCounts>([&](Connection& db, EventNotes& notes) -> Result<ErasureCounts> {
      ErasureCounts last;
      STORE_TRY(LoadContact(db, tenant_id, contact_id));  // Erased meanwhile by someone else: kNotFound.
      STORE_ASSIGN_OR_RETURN(auto now_open, ConversationIdsOf(db, tenant_id, contact_id));
      const std::string all = IdArray(now_open);
      for (;;) {
        STORE_ASSIGN_OR_RETURN(int64_t removed, EraseMessages(db, all, batch, last));
        if (removed == 0) break;
      }
      STORE_ASSIGN_OR_RETURN(auto traces, db.Query(kEraseTraces, Params(all, std::numeric_limits<int64_t>::max())));
      last.traces = traces.affected();
      STORE_ASSIGN_OR_RETURN(auto support, db.Query(kEraseSupportItems, Params(all)));
      last.support_items = support.affected();
      STORE_ASSIGN_OR_RETURN(
          last.events, EraseEvents(db, all, tenant_id, start->events_to - 1, std::numeric_limits<int64_t>::max()));
      STORE_ASSIGN_OR_RETURN(auto blanked, db.Query(kBlankEvent, Params(all, tenant_id)));
      last.events += blanked.affected();
      if (now_open != start->conversations) {  // Events of a conversation opened meanwhile, older than the window.
        STORE_ASSIGN_OR_RETURN(int64_t more, EraseEvents(db, all, tenant_id, start->events_from, start->events_to - 1));
        last.events += more;
      }
      STORE_ASSIGN_OR_RETURN(auto deliveries, db.Query(kEraseDeliveries, Params(all)));
      last.webhook_deliveries = deliveries.affected();
      STORE_ASSIGN_OR_RETURN(auto conversations, db.Query(kEraseConversations, Params(all)));
      last.conversations = conversations.affected();
      STORE_TRY(db.Query(kEraseContact, Params(contact_id, tenant_id)));
      // Open dashboards drop the conversations now rather than at their next refetch. The notices name an id and
      // nothing of the person.
      for (int64_t conversation_id : now_open) {
        AppendEvent(notes, tenant_id, EventType::kConversationDeleted, ErasedConversationEventData(conversation_id),
                    now_ms);
      }
      const ErasureCounts total = ErasureTotal(counts, last);
      STORE_TRY(AppendAudit(db, tenant_id, actor, "contact.erase", "contact", std::to_string(contact_id),
                            ErasureAuditDetails(total), now_ms));
      return total;
    });
  }

  Result<int64_t> DeleteMessagesBefore(int64_t tenant_id, int64_t cutoff_ms, int64_t now_ms, int batch) override {
    batch = std::max(batch, 1);
    // Only conversations opened before the cut-off hold messages from before it.
    auto listed = store_.ReadAll<int64_t>(kConversationsCreatedBefore, Params(tenant_id, cutoff_ms),
                                          [](const Rows& rows, int i) { return rows.Int(i, 0); });
    if (!listed) return listed.error();
    const std::vector<int64_t>& conversations = *listed;
    int64_t messages = 0;
    int64_t traces = 0;
    for (const char* sql : {kExpireMessages, kExpireTraces}) {
      size_t next = 0;  // The first conversation that may still hold rows before the cut-off.
      while (next < conversations.size()) {
        struct Step {
          int64_t removed = 0;
          size_t reached = 0;
        };
        auto step = store_.Write<Step>([&](Connection& db, EventNotes&) -> Result<Step> {
          Step taken{0, next};
          const size_t end = std::min(conversations.size(), next + kExpireConversationsPerWrite);
          while (taken.reached < end && taken.removed < batch) {
            const int64_t budget = batch - taken.removed;
            STORE_ASSIGN_OR_RETURN(auto expired,
                                   db.Query(sql, Params(conversations[taken.reached], cutoff_ms, budget)));
            taken.removed += expired.affected();
            if (expired.affected() < budget) ++taken.reached;  // Its prefix is gone; else the budget ran out in it.
          }
          return taken;
        });
        if (!step) return step.error();
        (sql == kExpireMessages ? messages : traces) += step->removed;
        next = step->reached;
      }
    }
    if (messages == 0 && traces == 0) return messages;
    boost::json::object details{{"messages", messages}, {"traces", traces}, {"before", FormatTimestamp(cutoff_ms)}};
    auto audited = store_.Write<void>([&](Connection& db, EventNotes&) {
      return AppendAudit(db, tenant_id, "retention", "retention.sweep", "tenant", std::to_string(tenant_id), details,
                         now_ms);
    });
    if (!audited) return audited.error();
    return messages;
  }

 private:
  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<ContactStore> MakePostgresContactStore(PostgresStore& store) {
  return std::make_unique<PostgresContactStore>(store);
}

}  // namespace parley::store::postgres
