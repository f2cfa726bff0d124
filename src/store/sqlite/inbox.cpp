// The shared inbox on SQLite: filtered lists live with the other reads in sqlite_store.cpp; here are the
// operations people perform on conversations (assign, close, reply) and the support queue.

#include "store/sqlite/conversation_row.h"
#include "store/sqlite/cursor.h"
#include "store/sqlite/sqlite_store.h"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace parley::store::sqlite {
namespace {

// Meta accepts free-form messages within 24 hours of the customer's last message; on Instagram a person may answer
// for 7 days with the HUMAN_AGENT tag.
constexpr int64_t kStandardWindowMs = int64_t{24} * 3600 * 1000;
constexpr int64_t kHumanAgentWindowMs = 7 * kStandardWindowMs;

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
    " status, created_at, answerable, details) VALUES (?1, ?2, ?3, 'out', 'text', ?4, '', 'queued', ?5, 0, ?6)"
    " RETURNING id";
// The same hand-over as a takeover from the platform's app: what was pending is the person's now.
constexpr const char* kPersonTakesOver =
    "UPDATE conversations SET mode = 'human', handoff_reason = COALESCE(handoff_reason, 'person_replied'),"
    " human_until = ?3, answered_through_id = (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = ?1),"
    " answered_seq = inbound_seq, pending_since = NULL, last_message_at = MAX(last_message_at, ?2) WHERE id = ?1";

#define SUPPORT_COLUMNS "id, tenant_id, conversation_id, reason, status, resolved_by, created_at, resolved_at"
constexpr const char* kSupportPage = "SELECT " SUPPORT_COLUMNS
                                     " FROM support_items WHERE tenant_id = ?1 AND (?2 = 0 OR id < ?2)"
                                     " AND (?3 IS NULL OR status = ?3) ORDER BY id DESC LIMIT ?4";
constexpr const char* kSupportItem = "SELECT " SUPPORT_COLUMNS " FROM support_items WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kResolveItem =
    "UPDATE support_items SET status = 'resolved', resolved_by = ?2, resolved_at = ?3 WHERE id = ?1"
    " RETURNING " SUPPORT_COLUMNS;

SupportItem ReadSupportItem(const Statement& row) {
  return {row.Int(0),    row.Int(1),    row.Int(2), row.String(3),
          row.String(4), row.String(5), row.Int(6), row.OptionalInt(7)};
}

Result<Conversation> LoadConversation(Database& db, int64_t tenant_id, int64_t conversation_id) {
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kConversationOfTenant));
  STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, conversation_id).Bind(2, tenant_id).Step());
  if (!found) return Error::NotFound("no such conversation");
  return ReadConversation(select);
}

}  // namespace

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
    STORE_ASSIGN_OR_RETURN(auto resolve, db.Prepare(kResolveSupportItems));
    STORE_TRY(resolve.Bind(1, conversation_id).Bind(2, "closed").Bind(3, now_ms).Run());
    STORE_ASSIGN_OR_RETURN(conversation, LoadConversation(db, tenant_id, conversation_id));
    return Ok();
  }));
  return conversation;
}

Result<OutboundMessage> SqliteStore::QueuePersonReply(int64_t tenant_id, int64_t conversation_id,
                                                      const std::string& text, const std::string& sent_by,
                                                      int64_t human_idle_ms, int64_t now_ms) {
  if (text.empty()) return Error::InvalidArgument("text must not be empty");
  int64_t message_id = 0;
  STORE_TRY(Write([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(Conversation conversation, LoadConversation(db, tenant_id, conversation_id));
    if (conversation.status != "open") return Error::Conflict("the conversation is closed");
    STORE_ASSIGN_OR_RETURN(auto channel, db.Prepare(kChannelRemoved));
    STORE_TRY(channel.Bind(1, conversation.channel_id).Step());
    if (channel.Int(0) != 0) return Error::Conflict("the conversation's channel was removed");
    const int64_t since_customer =
        conversation.last_inbound_at_ms ? now_ms - *conversation.last_inbound_at_ms : kHumanAgentWindowMs + 1;
    if (conversation.platform == Platform::kWhatsApp && since_customer > kStandardWindowMs) {
      return Error::Conflict(
          "WhatsApp accepts free-form replies only within 24 hours of the customer's last message; "
          "send an approved template instead");
    }
    if (conversation.platform == Platform::kInstagram && since_customer > kHumanAgentWindowMs) {
      return Error::Conflict("Instagram accepts replies from people only within 7 days of the customer's last message");
    }
    boost::json::object fields{{"sent_by", "person"}, {"author", sent_by}};
    if (conversation.platform == Platform::kInstagram && since_customer > kStandardWindowMs) {
      fields["human_agent"] = true;
    }
    const std::string details = boost::json::serialize(fields);
    STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertPersonReply));
    insert.Bind(1, tenant_id).Bind(2, conversation_id).Bind(3, conversation.channel_id).Bind(4, text);
    STORE_TRY(insert.Bind(5, now_ms).Bind(6, details).Step());
    message_id = insert.Int(0);
    STORE_ASSIGN_OR_RETURN(auto take_over, db.Prepare(kPersonTakesOver));
    take_over.Bind(1, conversation_id).Bind(2, now_ms);
    if (human_idle_ms > 0) take_over.Bind(3, now_ms + human_idle_ms);
    return take_over.Run();
  }));
  return GetOutbound(message_id);
}

Result<Page<SupportItem>> SqliteStore::ListSupportItems(int64_t tenant_id, const std::optional<std::string>& status,
                                                        const std::optional<std::string>& cursor, int limit) {
  limit = ClampPageSize(limit);
  int64_t after = 0;
  if (cursor) {
    STORE_ASSIGN_OR_RETURN(after, ParseIdCursor('s', *cursor));
  }
  Page<SupportItem> page;
  STORE_TRY(Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSupportPage));
    select.Bind(1, tenant_id).Bind(2, after).Bind(3, status).Bind(4, static_cast<int64_t>(limit) + 1);
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
    if (hand_back) {
      STORE_ASSIGN_OR_RETURN(auto back, db.Prepare(kHandBack));
      STORE_TRY(back.Bind(1, conversation_id).Run());
    }
    return Ok();
  }));
  return item;
}

}  // namespace parley::store::sqlite
