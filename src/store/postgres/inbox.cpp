// The shared inbox on PostgreSQL: the filtered lists of conversations and of a conversation's messages, the
// operations people perform on conversations (assign, close, reply) and the support queue. The rules are the SQLite
// backend's (sqlite/inbox.cpp); the inbox's text search is search.h's.

#include "core/json.h"
#include "core/time.h"
#include "store/event_data.h"
#include "store/messaging_window.h"
#include "store/page_cursor.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/postgres/search.h"

#include <limits>

namespace parley::store::postgres {
namespace {

constexpr char kConversationOfTenant[] = PG_SELECT_CONVERSATION " WHERE c.id = $1 AND c.tenant_id = $2";
// Locked: the change and a concurrent commit of a reply see one another.
constexpr char kLockConversationOfTenant[] =
    "SELECT status, channel_id FROM conversations WHERE id = $1 AND tenant_id = $2 FOR UPDATE";
constexpr char kChannelRemoved[] = "SELECT removed_at IS NOT NULL FROM channels WHERE id = $1";
constexpr char kUserOfTenant[] = "SELECT 1 FROM users WHERE id = $1 AND tenant_id = $2";
constexpr char kAssign[] = "UPDATE conversations SET assignee_user_id = $2 WHERE id = $1";
// Closing voids a claim in flight (its commit finds another token) and leaves nothing pending.
constexpr char kClose[] =
    "UPDATE conversations SET status = 'closed', closed_at = $2, pending_since = NULL, claim_token = NULL,"
    " claim_expires_at = NULL, answered_seq = inbound_seq,"
    " answered_through_id = (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = $1)"
    " WHERE id = $1 AND status = 'open'";
constexpr char kInsertPersonReply[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, created_at, answerable, details) VALUES ($1, $2, $3, 'out', $7, $4, '', 'queued', $5, FALSE,"
    " $6::jsonb) RETURNING id";
// A person's file, kept already: its record is ready from the start (nothing to fetch).
constexpr char kInsertPersonFile[] =
    "INSERT INTO media (tenant_id, message_id, channel_id, public_id, platform_media_id, type, status, mime_type,"
    " bytes, file_key, thumbnail_key, agent_key, next_attempt_at, created_at, updated_at)"
    " VALUES ($1, $2, $3, replace(gen_random_uuid()::text, '-', ''), '', $4, 'ready', $5, $6, $7, NULLIF($8, ''),"
    " NULLIF($9, ''), $10, $10, $10)";
// The same hand-over as a takeover from the platform's app: what was pending is the person's now.
constexpr char kPersonTakesOver[] =
    "UPDATE conversations SET mode = 'human', handoff_reason = COALESCE(handoff_reason, 'person_replied'),"
    " human_until = $3, answered_through_id = (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = $1),"
    " answered_seq = inbound_seq, pending_since = NULL, last_message_at = GREATEST(last_message_at, $2) WHERE id = $1";
constexpr char kSupportPage[] = "SELECT " PG_SUPPORT_COLUMNS
                                " FROM support_items WHERE tenant_id = $1 AND ($2::bigint = 0 OR id < $2)"
                                " AND ($3::text IS NULL OR status = $3) AND ($5::text IS NULL OR priority = $5)"
                                " ORDER BY id DESC LIMIT $4";
constexpr char kSupportItem[] =
    "SELECT " PG_SUPPORT_COLUMNS " FROM support_items WHERE id = $1 AND tenant_id = $2 FOR UPDATE";
constexpr char kResolveItem[] =
    "UPDATE support_items SET status = 'resolved', resolved_by = $2, resolved_at = $3 WHERE id = $1"
    " RETURNING " PG_SUPPORT_COLUMNS;
// The inbox's filters: $3/$4 the cursor (NULL: first page); $5.. the filter, each NULL when not set ($8 = 0:
// unassigned ones). "Waiting" ($12) compares with the newest message that is neither a note nor a reaction nor
// unsent: the customer's, in a conversation people handle.
#define CONVERSATIONS_FILTERED                                                                                \
  "SELECT " PG_CONVERSATION_COLUMNS PG_CONVERSATION_JOINS                                                     \
  " WHERE c.tenant_id = $1"                                                                                   \
  " AND ($3::bigint IS NULL OR (c.last_message_at, c.id) < ($3, $4::bigint))"                                 \
  " AND ($5::bigint IS NULL OR c.channel_id = $5) AND ($6::text IS NULL OR c.status = $6)"                    \
  " AND ($7::text IS NULL OR c.mode = $7)"                                                                    \
  " AND ($8::bigint IS NULL OR ($8 = 0 AND c.assignee_user_id IS NULL) OR c.assignee_user_id = $8)"           \
  " AND ($9::bigint IS NULL OR c.last_message_at >= $9) AND ($10::bigint IS NULL OR c.last_message_at < $10)" \
  " AND ($11::text IS NULL OR ch.platform = $11)"                                                             \
  " AND ($12::boolean IS NULL OR $12 = COALESCE(c.status = 'open' AND c.mode = 'human' AND"                   \
  "   (SELECT m.direction FROM messages m WHERE m.conversation_id = c.id AND m.type <> 'note'"                \
  "    AND m.type <> 'reaction' AND m.status <> 'deleted' ORDER BY m.id DESC LIMIT 1) = 'in', FALSE))"
#define CONVERSATIONS_ORDER " ORDER BY c.last_message_at DESC, c.id DESC LIMIT $2"
constexpr char kConversationsPage[] = CONVERSATIONS_FILTERED CONVERSATIONS_ORDER;
// The same among the conversations a search ($13, $14: search.h) finds: by a message, or by their contact. Each
// side is one look-up in its GIN index, so the tenant's conversations are then walked by activity as above.
constexpr char kMatchingConversationsPage[] =
    CONVERSATIONS_FILTERED
    " AND (c.id IN (SELECT m.conversation_id FROM messages m WHERE m.tenant_id = $1 AND " PG_MESSAGE_MATCHES(
        "$13", "$14") ")"
                      " OR c.contact_id IN (SELECT ct.id FROM contacts ct WHERE ct.tenant_id = $1"
                      " AND " PG_CONTACT_MATCHES("$13", "$14") "))" CONVERSATIONS_ORDER;
#undef CONVERSATIONS_FILTERED
#undef CONVERSATIONS_ORDER
constexpr char kTenantOwnsConversation[] = "SELECT 1 FROM conversations WHERE id = $1 AND tenant_id = $2";
constexpr char kMessagesPage[] =
    "SELECT " PG_MESSAGE_COLUMNS " FROM messages WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3";
// The same newest first, before message $2 (the newest page: $2 past every id).
constexpr char kMessagesPageBefore[] =
    "SELECT " PG_MESSAGE_COLUMNS " FROM messages WHERE conversation_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";

Result<Conversation> LoadConversation(Connection& db, int64_t tenant_id, int64_t conversation_id) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kConversationOfTenant, Params(conversation_id, tenant_id)));
  if (rows.empty()) return Error::NotFound("no such conversation");
  return ReadConversation(rows, 0);
}

}  // namespace

Result<Page<Conversation>> PostgresStore::ListConversations(int64_t tenant_id, const ConversationFilter& filter,
                                                            const std::optional<std::string>& cursor, int limit) {
  limit = ClampPageSize(limit);
  std::optional<std::pair<int64_t, int64_t>> after;
  if (cursor) {
    STORE_ASSIGN_OR_RETURN(after, ParseConversationCursor(*cursor));
  }
  std::optional<SearchText> search;
  if (filter.text) {
    search = ReadSearchText(*filter.text);
    if (!search) return Page<Conversation>{};
  }
  return Read<Page<Conversation>>([&](Connection& db) -> Result<Page<Conversation>> {
    std::optional<int64_t> after_at, after_id;
    if (after) {
      after_at = after->first;
      after_id = after->second;
    }
    std::optional<std::string> platform;
    if (filter.platform) platform = std::string(ToString(*filter.platform));
    // One extra row tells whether another page follows.
    auto queried =
        search ? db.Query(kMatchingConversationsPage,
                          Params(tenant_id, int64_t{limit} + 1, after_at, after_id, filter.channel_id, filter.status,
                                 filter.mode, filter.assignee_user_id, filter.active_since_ms, filter.active_before_ms,
                                 platform, filter.waiting, search->typed, search->last_is_prefix))
               : db.Query(kConversationsPage,
                          Params(tenant_id, int64_t{limit} + 1, after_at, after_id, filter.channel_id, filter.status,
                                 filter.mode, filter.assignee_user_id, filter.active_since_ms, filter.active_before_ms,
                                 platform, filter.waiting));
    if (!queried) return queried.error();
    const Rows& rows = *queried;
    Page<Conversation> page;
    for (int i = 0; i < rows.size(); ++i) {
      if (static_cast<int>(page.data.size()) == limit) {
        const Conversation& last = page.data.back();
        page.next_cursor = ConversationCursor(last.last_message_at_ms, last.id);
        break;
      }
      page.data.push_back(ReadConversation(rows, i));
    }
    return page;
  });
}

Result<Page<StoredMessage>> PostgresStore::ListMessages(int64_t tenant_id, int64_t conversation_id,
                                                        const std::optional<std::string>& cursor, int limit) {
  limit = ClampPageSize(limit);
  int64_t after_id = 0;
  if (cursor) {
    STORE_ASSIGN_OR_RETURN(after_id, ParseIdCursor('m', *cursor));
  }
  return Read<Page<StoredMessage>>([&](Connection& db) -> Result<Page<StoredMessage>> {
    STORE_ASSIGN_OR_RETURN(auto owned, db.Query(kTenantOwnsConversation, Params(conversation_id, tenant_id)));
    if (owned.empty()) return Error::NotFound("no such conversation");
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kMessagesPage, Params(conversation_id, after_id, limit + 1)));
    return IdPage<StoredMessage>(rows, 'm', limit, ReadMessage);
  });
}

Result<Page<StoredMessage>> PostgresStore::ListMessagesNewestFirst(int64_t tenant_id, int64_t conversation_id,
                                                                   const std::optional<std::string>& before,
                                                                   int limit) {
  limit = ClampPageSize(limit);
  int64_t before_id = std::numeric_limits<int64_t>::max();
  if (before) {
    // Its own cursor kind: an oldest-first cursor given here (or the reverse) is refused, not misread.
    STORE_ASSIGN_OR_RETURN(before_id, ParseIdCursor('p', *before));
  }
  return Read<Page<StoredMessage>>([&](Connection& db) -> Result<Page<StoredMessage>> {
    STORE_ASSIGN_OR_RETURN(auto owned, db.Query(kTenantOwnsConversation, Params(conversation_id, tenant_id)));
    if (owned.empty()) return Error::NotFound("no such conversation");
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kMessagesPageBefore, Params(conversation_id, before_id, limit + 1)));
    return IdPage<StoredMessage>(rows, 'p', limit, ReadMessage);
  });
}

Result<Conversation> PostgresStore::GetConversation(int64_t tenant_id, int64_t conversation_id) {
  return Read<Conversation>([&](Connection& db) { return LoadConversation(db, tenant_id, conversation_id); });
}

Result<Conversation> PostgresStore::AssignConversation(int64_t tenant_id, int64_t conversation_id,
                                                       std::optional<int64_t> user_id) {
  const int64_t now_ms = NowMs();
  return Write<Conversation>([&](Connection& db, EventNotes& notes) -> Result<Conversation> {
    STORE_ASSIGN_OR_RETURN(auto owned, db.Query(kLockConversationOfTenant, Params(conversation_id, tenant_id)));
    if (owned.empty()) return Error::NotFound("no such conversation");
    if (user_id) {
      STORE_ASSIGN_OR_RETURN(auto user, db.Query(kUserOfTenant, Params(*user_id, tenant_id)));
      if (user.empty()) return Error::NotFound("no such user");
    }
    STORE_TRY(db.Query(kAssign, Params(conversation_id, user_id)));
    AppendEvent(notes, tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms);
    return LoadConversation(db, tenant_id, conversation_id);
  });
}

Result<Conversation> PostgresStore::CloseConversation(int64_t tenant_id, int64_t conversation_id, int64_t now_ms) {
  return Write<Conversation>([&](Connection& db, EventNotes& notes) -> Result<Conversation> {
    STORE_ASSIGN_OR_RETURN(auto owned, db.Query(kLockConversationOfTenant, Params(conversation_id, tenant_id)));
    if (owned.empty()) return Error::NotFound("no such conversation");
    STORE_ASSIGN_OR_RETURN(auto closed, db.Query(kClose, Params(conversation_id, now_ms)));
    if (closed.affected() > 0) {
      STORE_TRY(ResolveSupportItemsOf(db, notes, tenant_id, conversation_id, "closed", now_ms));
      AppendEvent(notes, tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms);
    }
    return LoadConversation(db, tenant_id, conversation_id);
  });
}

Result<OutboundMessage> PostgresStore::QueuePersonReply(int64_t tenant_id, int64_t conversation_id,
                                                        const std::string& text, const std::string& sent_by,
                                                        int64_t human_idle_ms, int64_t now_ms,
                                                        const MessagingWindow& window,
                                                        const std::optional<TemplateMessage>& message_template,
                                                        const std::optional<OutboundFile>& file) {
  STORE_TRY(CheckPersonReply(text, message_template, file));
  return Write<OutboundMessage>([&](Connection& db, EventNotes& notes) -> Result<OutboundMessage> {
    STORE_ASSIGN_OR_RETURN(auto owned, db.Query(kLockConversationOfTenant, Params(conversation_id, tenant_id)));
    if (owned.empty()) return Error::NotFound("no such conversation");
    STORE_ASSIGN_OR_RETURN(Conversation conversation, LoadConversation(db, tenant_id, conversation_id));
    if (conversation.status != "open") return Error::Conflict("the conversation is closed");
    STORE_ASSIGN_OR_RETURN(auto channel, db.Query(kChannelRemoved, Params(conversation.channel_id)));
    if (channel.empty() || channel.Bool(0, 0)) return Error::Conflict("the conversation's channel was removed");
    STORE_ASSIGN_OR_RETURN(const bool human_agent,
                           PersonReplyAllowed(conversation.platform, window, conversation.customer_wrote_at_ms, now_ms,
                                              message_template.has_value()));
    boost::json::object fields{{"sent_by", "person"}, {"author", sent_by}};
    if (human_agent) fields["human_agent"] = true;
    if (message_template) fields["template"] = TemplateJson(*message_template);
    if (file) fields["media"] = PersonFileJson(*file);
    const std::string type(ToString(file ? file->type : MessageType::kText));
    STORE_ASSIGN_OR_RETURN(
        auto inserted, db.Query(kInsertPersonReply, Params(tenant_id, conversation_id, conversation.channel_id, text,
                                                           now_ms, SerializeJson(fields), type)));
    const int64_t message_id = inserted.Int(0, 0);
    if (file) {
      STORE_TRY(db.Query(kInsertPersonFile,
                         Params(tenant_id, message_id, conversation.channel_id, type, file->mime_type, file->bytes,
                                file->file_key, file->thumbnail_key, file->agent_key, now_ms)));
    }
    std::optional<int64_t> human_until;
    if (human_idle_ms > 0) human_until = now_ms + human_idle_ms;
    STORE_TRY(db.Query(kPersonTakesOver, Params(conversation_id, now_ms, human_until)));
    AppendEvent(notes, tenant_id, EventType::kMessageCreated, MessageEventData(conversation_id, message_id), now_ms);
    AppendEvent(notes, tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms);
    return LoadOutbound(db, message_id, box_);
  });
}

Result<Page<SupportItem>> PostgresStore::ListSupportItems(int64_t tenant_id, const SupportFilter& filter,
                                                          const std::optional<std::string>& cursor, int limit) {
  limit = ClampPageSize(limit);
  int64_t after = 0;
  if (cursor) {
    STORE_ASSIGN_OR_RETURN(after, ParseIdCursor('s', *cursor));
  }
  std::optional<std::string> priority;
  if (filter.priority) priority = std::string(ToString(*filter.priority));
  return Read<Page<SupportItem>>([&](Connection& db) -> Result<Page<SupportItem>> {
    STORE_ASSIGN_OR_RETURN(
        auto rows, db.Query(kSupportPage, Params(tenant_id, after, filter.status, int64_t{limit} + 1, priority)));
    return IdPage<SupportItem>(rows, 's', limit, ReadSupportItem);
  });
}

Result<SupportItem> PostgresStore::ResolveSupportItem(int64_t tenant_id, int64_t item_id,
                                                      const std::string& resolved_by, bool hand_back, int64_t now_ms) {
  return Write<SupportItem>([&](Connection& db, EventNotes& notes) -> Result<SupportItem> {
    STORE_ASSIGN_OR_RETURN(auto found, db.Query(kSupportItem, Params(item_id, tenant_id)));
    if (found.empty()) return Error::NotFound("no such support item");
    if (found.Text(0, 4) != "open") return Error::Conflict("the support item is already resolved");
    const int64_t conversation_id = found.Int(0, 2);
    STORE_ASSIGN_OR_RETURN(auto resolved, db.Query(kResolveItem, Params(item_id, resolved_by, now_ms)));
    SupportItem item = ReadSupportItem(resolved, 0);
    AppendEvent(notes, tenant_id, EventType::kSupportResolved, SupportEventData(item_id, conversation_id), now_ms);
    if (hand_back) {
      STORE_TRY(db.Query(kHandBack, Params(conversation_id)));
      AppendEvent(notes, tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms);
    }
    return item;
  });
}

}  // namespace parley::store::postgres
