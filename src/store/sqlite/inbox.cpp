// The shared inbox on SQLite: the filtered lists of conversations and of a conversation's messages, the operations
// people perform on conversations (assign, close, reply) and the support queue.

#include "core/json.h"
#include "store/messaging_window.h"
#include "store/sqlite/conversation_row.h"
#include "store/sqlite/cursor.h"
#include "store/sqlite/event_log.h"
#include "store/sqlite/inbox_search.h"
#include "store/sqlite/message_row.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/support_row.h"

#include "core/time.h"

#include <algorithm>
#include <limits>

namespace parley::store::sqlite {
namespace {

constexpr const char* kConversationOfTenant = PARLEY_SELECT_CONVERSATION " WHERE c.id = ?1 AND c.tenant_id = ?2";
constexpr const char* kChannelRemoved = "SELECT removed_at IS NOT NULL FROM channels WHERE id = ?1";
constexpr const char* kUserOfTenant = "SELECT 1 FROM users WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kAssign = "UPDATE conversations SET assignee_user_id = ?2 WHERE id = ?1";
// Closing voids a claim in flight (its commit finds another token) and leaves nothing pending.
constexpr const char* kClose =
    "UPDATE conversations SET status = 'closed', closed_at = ?2, pending_since = NULL, claim_token = NULL,"
    " claim_expires_at = NULL, answered_seq = inbound_seq,"
    " answered_through_id = (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = ?1)"
    " WHERE id = ?1 AND status = 'open'";
constexpr const char* kInsertPersonReply =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, created_at, answerable, details) VALUES (?1, ?2, ?3, 'out', ?7, ?4, '', 'queued', ?5, 0, ?6)"
    " RETURNING id";
// A person's file, kept already: its record is ready from the start (nothing to fetch).
constexpr const char* kInsertPersonFile =
    "INSERT INTO media (tenant_id, message_id, channel_id, public_id, platform_media_id, type, status, mime_type,"
    " bytes, file_key, thumbnail_key, agent_key, next_attempt_at, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, lower(hex(randomblob(18))), '', ?4, 'ready', ?5, ?6, ?7, NULLIF(?8, ''), NULLIF(?9, ''),"
    " ?10, ?10, ?10)";
// The same hand-over as a takeover from the platform's app: what was pending is the person's now.
constexpr const char* kPersonTakesOver =
    "UPDATE conversations SET mode = 'human', handoff_reason = COALESCE(handoff_reason, 'person_replied'),"
    " human_until = ?3, answered_through_id = (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = ?1),"
    " answered_seq = inbound_seq, pending_since = NULL, last_message_at = MAX(last_message_at, ?2) WHERE id = ?1";

constexpr const char* kSupportPage = "SELECT " PARLEY_SUPPORT_COLUMNS
                                     " FROM support_items WHERE tenant_id = ?1 AND (?2 = 0 OR id < ?2)"
                                     " AND (?3 IS NULL OR status = ?3) AND (?5 IS NULL OR priority = ?5)"
                                     " ORDER BY id DESC LIMIT ?4";
constexpr const char* kSupportItem =
    "SELECT " PARLEY_SUPPORT_COLUMNS " FROM support_items WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kResolveItem =
    "UPDATE support_items SET status = 'resolved', resolved_by = ?2, resolved_at = ?3 WHERE id = ?1"
    " RETURNING " PARLEY_SUPPORT_COLUMNS;

// The inbox's filters: ?3/?4 the cursor (NULL: first page); ?5.. the filter, each NULL when not set (?8 = 0:
// unassigned ones). "Waiting" (?12) compares with the newest message that is neither a note nor a reaction nor
// unsent: the customer's, in a conversation people handle.
#define INBOX_FILTERS                                                                                        \
  " AND (?3 IS NULL OR (c.last_message_at, c.id) < (?3, ?4))"                                                \
  " AND (?5 IS NULL OR c.channel_id = ?5) AND (?6 IS NULL OR c.status = ?6) AND (?7 IS NULL OR c.mode = ?7)" \
  " AND (?8 IS NULL OR (?8 = 0 AND c.assignee_user_id IS NULL) OR c.assignee_user_id = ?8)"                  \
  " AND (?9 IS NULL OR c.last_message_at >= ?9) AND (?10 IS NULL OR c.last_message_at < ?10)"                \
  " AND (?11 IS NULL OR ch.platform = ?11)"                                                                  \
  " AND (?12 IS NULL OR ?12 = COALESCE(c.status = 'open' AND c.mode = 'human' AND"                           \
  "   (SELECT m.direction FROM messages m WHERE m.conversation_id = c.id AND m.type <> 'note'"               \
  "    AND m.type <> 'reaction' AND m.status <> 'deleted' ORDER BY m.id DESC LIMIT 1) = 'in', 0))"
// The tenant's conversations by latest activity (LIMIT -1: all of them, for a search that stops on its own).
constexpr char kConversationsPage[] =
    "SELECT " PARLEY_CONVERSATION_COLUMNS ", c.contact_id" PARLEY_CONVERSATION_JOINS
    " WHERE c.tenant_id = ?1" INBOX_FILTERS " ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?2";
// The same among a search's few matches (?13, a JSON array of ids): looked up by id and sorted, not scanned; the
// unary + keeps SQLite from walking the tenant's activity index instead.
constexpr char kMatchingConversationsPage[] =
    "SELECT " PARLEY_CONVERSATION_COLUMNS ", c.contact_id" PARLEY_CONVERSATION_JOINS
    " WHERE c.id IN (SELECT value FROM json_each(?13)) AND +c.tenant_id = ?1" INBOX_FILTERS
    " ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?2";
constexpr char kConversationsOfContacts[] =
    "SELECT id FROM conversations WHERE contact_id IN (SELECT value FROM json_each(?1))";
// Up to this many matches, a search looks its conversations up by id; past it, it walks the tenant's conversations
// by activity and keeps the matching ones, which stops early because many match. See docs/benchmarks.md (inbox).
constexpr size_t kLookUpMatchesBelow = 3000;

constexpr char kTenantOwnsConversation[] = "SELECT 1 FROM conversations WHERE id = ?1 AND tenant_id = ?2";
constexpr char kMessagesPage[] =
    "SELECT " PARLEY_MESSAGE_COLUMNS " FROM messages WHERE conversation_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
// The same newest first, before message ?2 (the newest page: ?2 past every id).
constexpr char kMessagesPageBefore[] =
    "SELECT " PARLEY_MESSAGE_COLUMNS " FROM messages WHERE conversation_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3";

Result<Conversation> LoadConversation(Database& db, int64_t tenant_id, int64_t conversation_id) {
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kConversationOfTenant));
  STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, conversation_id).Bind(2, tenant_id).Step());
  if (!found) return Error::NotFound("no such conversation");
  return ReadConversation(select);
}

}  // namespace

Result<Page<Conversation>> SqliteStore::ListConversations(int64_t tenant_id, const ConversationFilter& filter,
                                                          const std::optional<std::string>& cursor, int limit) {
  limit = ClampPageSize(limit);
  std::optional<std::pair<int64_t, int64_t>> after;
  if (cursor) {
    STORE_ASSIGN_OR_RETURN(after, ParseConversationCursor(*cursor));
  }
  std::optional<std::string> query;
  if (filter.text) {
    query = SearchQuery(*filter.text);
    if (!query) return Page<Conversation>{};
  }
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  Database& db = *reader;
  std::optional<SearchMatches> matches;
  std::string matching_ids;  // JSON array, when the matches are few enough to look up.
  if (query) {
    STORE_ASSIGN_OR_RETURN(matches, FindMatches(db, *query));
    if (matches->conversation_ids.size() + matches->contact_ids.size() < kLookUpMatchesBelow) {
      std::vector<int64_t> ids = matches->conversation_ids;
      if (!matches->contact_ids.empty()) {
        STORE_ASSIGN_OR_RETURN(auto of_contacts, db.Prepare(kConversationsOfContacts));
        const std::string contacts = JsonIds(matches->contact_ids);
        of_contacts.Bind(1, contacts);
        while (true) {
          STORE_ASSIGN_OR_RETURN(bool row, of_contacts.Step());
          if (!row) break;
          ids.push_back(of_contacts.Int(0));
        }
      }
      if (ids.empty()) return Page<Conversation>{};
      matching_ids = JsonIds(ids);
    }
  }
  const bool scan_matches = matches && matching_ids.empty();
  STORE_ASSIGN_OR_RETURN(auto select,
                         db.Prepare(matching_ids.empty() ? kConversationsPage : kMatchingConversationsPage));
  // One extra row tells whether another page follows.
  select.Bind(1, tenant_id).Bind(2, scan_matches ? int64_t{-1} : int64_t{limit} + 1);
  if (after) select.Bind(3, after->first).Bind(4, after->second);
  select.Bind(5, filter.channel_id).Bind(6, filter.status).Bind(7, filter.mode).Bind(8, filter.assignee_user_id);
  select.Bind(9, filter.active_since_ms).Bind(10, filter.active_before_ms);
  if (filter.platform) select.Bind(11, ToString(*filter.platform));
  if (filter.waiting) select.Bind(12, int64_t{*filter.waiting ? 1 : 0});
  if (!matching_ids.empty()) select.Bind(13, matching_ids);
  Page<Conversation> page;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    if (scan_matches && !matches->Contains(select.Int(0), select.Int(15))) continue;
    if (static_cast<int>(page.data.size()) == limit) {
      const Conversation& last = page.data.back();
      page.next_cursor = ConversationCursor(last.last_message_at_ms, last.id);
      break;
    }
    page.data.push_back(ReadConversation(select));
  }
  return page;
}

Result<Page<StoredMessage>> SqliteStore::ListMessages(int64_t tenant_id, int64_t conversation_id,
                                                      const std::optional<std::string>& cursor, int limit) {
  limit = ClampPageSize(limit);
  int64_t after_id = 0;
  if (cursor) {
    STORE_ASSIGN_OR_RETURN(after_id, ParseIdCursor('m', *cursor));
  }
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  {
    STORE_ASSIGN_OR_RETURN(auto owner, (*reader).Prepare(kTenantOwnsConversation));
    STORE_ASSIGN_OR_RETURN(bool owned, owner.Bind(1, conversation_id).Bind(2, tenant_id).Step());
    if (!owned) return Error::NotFound("no such conversation");
  }
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kMessagesPage));
  select.Bind(1, conversation_id).Bind(2, after_id).Bind(3, limit + 1);
  return ReadIdPage<StoredMessage>(select, 'm', limit, ReadMessage);
}

Result<Page<StoredMessage>> SqliteStore::ListMessagesNewestFirst(int64_t tenant_id, int64_t conversation_id,
                                                                 const std::optional<std::string>& before, int limit) {
  limit = ClampPageSize(limit);
  int64_t before_id = std::numeric_limits<int64_t>::max();
  if (before) {
    // Its own cursor kind: an oldest-first cursor given here (or the reverse) is refused, not misread.
    STORE_ASSIGN_OR_RETURN(before_id, ParseIdCursor('p', *before));
  }
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  {
    STORE_ASSIGN_OR_RETURN(auto owner, (*reader).Prepare(kTenantOwnsConversation));
    STORE_ASSIGN_OR_RETURN(bool owned, owner.Bind(1, conversation_id).Bind(2, tenant_id).Step());
    if (!owned) return Error::NotFound("no such conversation");
  }
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kMessagesPageBefore));
  select.Bind(1, conversation_id).Bind(2, before_id).Bind(3, limit + 1);
  return ReadIdPage<StoredMessage>(select, 'p', limit, ReadMessage);
}

Result<Conversation> SqliteStore::GetConversation(int64_t tenant_id, int64_t conversation_id) {
  Conversation conversation;
  STORE_TRY(Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(conversation, LoadConversation(db, tenant_id, conversation_id));
    return Ok();
  }));
  return conversation;
}

Result<Conversation> SqliteStore::AssignConversation(int64_t tenant_id, int64_t conversation_id,
                                                     std::optional<int64_t> user_id) {
  Conversation conversation;
  STORE_TRY(Write([&](Database& db) -> Result<void> {
    STORE_TRY(LoadConversation(db, tenant_id, conversation_id));
    if (user_id) {
      STORE_ASSIGN_OR_RETURN(auto user, db.Prepare(kUserOfTenant));
      STORE_ASSIGN_OR_RETURN(bool found, user.Bind(1, *user_id).Bind(2, tenant_id).Step());
      if (!found) return Error::NotFound("no such user");
    }
    STORE_ASSIGN_OR_RETURN(auto assign, db.Prepare(kAssign));
    STORE_TRY(assign.Bind(1, conversation_id).Bind(2, user_id).Run());
    STORE_TRY(AppendEvent(tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), NowMs()));
    STORE_ASSIGN_OR_RETURN(conversation, LoadConversation(db, tenant_id, conversation_id));
    return Ok();
  }));
  return conversation;
}

Result<Conversation> SqliteStore::CloseConversation(int64_t tenant_id, int64_t conversation_id, int64_t now_ms) {
  Conversation conversation;
  STORE_TRY(Write([&](Database& db) -> Result<void> {
    STORE_TRY(LoadConversation(db, tenant_id, conversation_id));
    STORE_ASSIGN_OR_RETURN(auto close, db.Prepare(kClose));
    STORE_TRY(close.Bind(1, conversation_id).Bind(2, now_ms).Run());
    if (db.Changes() > 0) {
      STORE_TRY(ResolveSupportItemsOf(*this, db, tenant_id, conversation_id, "closed", now_ms));
      STORE_TRY(
          AppendEvent(tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms));
    }
    STORE_ASSIGN_OR_RETURN(conversation, LoadConversation(db, tenant_id, conversation_id));
    return Ok();
  }));
  return conversation;
}

Result<OutboundMessage> SqliteStore::QueuePersonReply(int64_t tenant_id, int64_t conversation_id,
                                                      const std::string& text, const std::string& sent_by,
                                                      int64_t human_idle_ms, int64_t now_ms,
                                                      const MessagingWindow& window,
                                                      const std::optional<TemplateMessage>& message_template,
                                                      const std::optional<OutboundFile>& file) {
  STORE_TRY(CheckPersonReply(text, message_template, file));
  int64_t message_id = 0;
  STORE_TRY(Write([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(Conversation conversation, LoadConversation(db, tenant_id, conversation_id));
    if (conversation.status != "open") return Error::Conflict("the conversation is closed");
    STORE_ASSIGN_OR_RETURN(auto channel, db.Prepare(kChannelRemoved));
    STORE_TRY(channel.Bind(1, conversation.channel_id).Step());
    if (channel.Int(0) != 0) return Error::Conflict("the conversation's channel was removed");
    STORE_ASSIGN_OR_RETURN(const bool human_agent,
                           PersonReplyAllowed(conversation.platform, window, conversation.customer_wrote_at_ms, now_ms,
                                              message_template.has_value()));
    boost::json::object fields{{"sent_by", "person"}, {"author", sent_by}};
    if (human_agent) fields["human_agent"] = true;
    if (message_template) fields["template"] = TemplateJson(*message_template);
    if (file) fields["media"] = PersonFileJson(*file);
    const std::string details = SerializeJson(fields);
    STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertPersonReply));
    insert.Bind(1, tenant_id).Bind(2, conversation_id).Bind(3, conversation.channel_id).Bind(4, text);
    STORE_TRY(insert.Bind(5, now_ms).Bind(6, details).Bind(7, ToString(file ? file->type : MessageType::kText)).Step());
    message_id = insert.Int(0);
    if (file) {
      STORE_ASSIGN_OR_RETURN(auto media, db.Prepare(kInsertPersonFile));
      media.Bind(1, tenant_id).Bind(2, message_id).Bind(3, conversation.channel_id).Bind(4, ToString(file->type));
      media.Bind(5, file->mime_type).Bind(6, file->bytes).Bind(7, file->file_key).Bind(8, file->thumbnail_key);
      STORE_TRY(media.Bind(9, file->agent_key).Bind(10, now_ms).Run());
    }
    STORE_ASSIGN_OR_RETURN(auto take_over, db.Prepare(kPersonTakesOver));
    take_over.Bind(1, conversation_id).Bind(2, now_ms);
    if (human_idle_ms > 0) take_over.Bind(3, now_ms + human_idle_ms);
    STORE_TRY(take_over.Run());
    STORE_TRY(
        AppendEvent(tenant_id, EventType::kMessageCreated, MessageEventData(conversation_id, message_id), now_ms));
    STORE_TRY(AppendEvent(tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms));
    return Ok();
  }));
  return GetOutbound(message_id);
}

Result<Page<SupportItem>> SqliteStore::ListSupportItems(int64_t tenant_id, const SupportFilter& filter,
                                                        const std::optional<std::string>& cursor, int limit) {
  limit = ClampPageSize(limit);
  int64_t after = 0;
  if (cursor) {
    STORE_ASSIGN_OR_RETURN(after, ParseIdCursor('s', *cursor));
  }
  Page<SupportItem> page;
  STORE_TRY(Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSupportPage));
    select.Bind(1, tenant_id).Bind(2, after).Bind(3, filter.status).Bind(4, static_cast<int64_t>(limit) + 1);
    if (filter.priority) select.Bind(5, ToString(*filter.priority));
    STORE_ASSIGN_OR_RETURN(page, ReadIdPage<SupportItem>(select, 's', limit, ReadSupportItem));
    return Ok();
  }));
  return page;
}

Result<SupportItem> SqliteStore::ResolveSupportItem(int64_t tenant_id, int64_t item_id, const std::string& resolved_by,
                                                    bool hand_back, int64_t now_ms) {
  SupportItem item;
  STORE_TRY(Write([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSupportItem));
    STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, item_id).Bind(2, tenant_id).Step());
    if (!found) return Error::NotFound("no such support item");
    if (select.Text(4) != "open") return Error::Conflict("the support item is already resolved");
    int64_t conversation_id = select.Int(2);
    STORE_ASSIGN_OR_RETURN(auto resolve, db.Prepare(kResolveItem));
    STORE_TRY(resolve.Bind(1, item_id).Bind(2, resolved_by).Bind(3, now_ms).Step());
    item = ReadSupportItem(resolve);
    STORE_TRY(AppendEvent(tenant_id, EventType::kSupportResolved, SupportEventData(item_id, conversation_id), now_ms));
    if (hand_back) {
      STORE_ASSIGN_OR_RETURN(auto back, db.Prepare(kHandBack));
      STORE_TRY(back.Bind(1, conversation_id).Run());
      STORE_TRY(
          AppendEvent(tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms));
    }
    return Ok();
  }));
  return item;
}

}  // namespace parley::store::sqlite
