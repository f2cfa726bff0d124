#pragma once
// How the PostgreSQL backend reads its rows into the store's types, shared by the files of the backend: the columns
// each reader expects (in order; a query may select more after them) and the reader.

#include "core/crypto.h"
#include "store/access_store.h"
#include "store/outbound_status.h"
#include "store/page_cursor.h"
#include "store/postgres/pg.h"
#include "store/store.h"

#define PG_CHANNEL_COLUMNS                                                                                    \
  "id, tenant_id, platform, account_id, access_token_sealed, created_at, display_name, display_phone_number," \
  " verified_name, username, enabled, updated_at, waba_id, public_id, settings"
// Aliases c (conversations), ct (contacts) and ch (channels).
// When the customer of conversation c last wrote, a message of any kind (its platform time, unless the sender's clock
// ran ahead of its arrival): where the platform's messaging window opens, for the inbox and the outbox alike.
#define PG_CUSTOMER_WROTE_AT                                                              \
  "(SELECT CASE WHEN lm.platform_timestamp > 0 AND lm.platform_timestamp < lm.created_at" \
  "   THEN lm.platform_timestamp ELSE lm.created_at END FROM messages lm"                 \
  "   WHERE lm.conversation_id = c.id AND lm.direction = 'in' ORDER BY lm.id DESC LIMIT 1)"
#define PG_CONVERSATION_COLUMNS                                                                                  \
  "c.id, c.tenant_id, c.channel_id, ch.platform, ct.platform_id, ct.name, c.status, c.mode, c.created_at,"       \
  " c.last_message_at, COALESCE(c.handoff_reason, ''), c.human_until, c.assignee_user_id, " PG_CUSTOMER_WROTE_AT \
  ", c.comment_on"
#define PG_CONVERSATION_JOINS \
  " FROM conversations c JOIN contacts ct ON ct.id = c.contact_id JOIN channels ch ON ch.id = c.channel_id"
#define PG_SELECT_CONVERSATION "SELECT " PG_CONVERSATION_COLUMNS PG_CONVERSATION_JOINS
#define PG_MESSAGE_COLUMNS                                                                                          \
  "id, conversation_id, direction, type, text, platform_message_id, status, error_code, error_title, error_detail," \
  " platform_timestamp, created_at, details::text"
#define PG_SUPPORT_COLUMNS \
  "id, tenant_id, conversation_id, reason, status, resolved_by, created_at, resolved_at, priority, draft"
#define PG_USER_COLUMNS \
  "id, tenant_id, email, name, role, password_hash, created_at, last_login_at, notify_by_email, language"
#define PG_TRACE_COLUMNS "id, conversation_id, message_id, decision, reason, trace, created_at"

namespace parley::store::postgres {

// Statements shared by the backend's files.
// A person takes the conversation over ($1 id, $2 now, $3 reason, $4 human_until): whatever was pending is theirs,
// and a live claim can no longer commit (CommitReply checks the mode).
// Whether a tenant exists (a row, or none), before writing what names it.
inline constexpr char kTenantExists[] = "SELECT 1 FROM tenants WHERE id = $1";
inline constexpr char kTakeOver[] =
    "UPDATE conversations SET mode = 'human', handoff_reason = $3, human_until = $4,"
    " answered_through_id = (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = $1),"
    " answered_seq = inbound_seq, pending_since = NULL, last_message_at = GREATEST(last_message_at, $2)"
    " WHERE id = $1";
// The conversation returns to the bot ($1: its id).
inline constexpr char kHandBack[] =
    "UPDATE conversations SET mode = 'bot', handoff_reason = NULL, human_until = NULL WHERE id = $1";

// A channel of PG_CHANNEL_COLUMNS with its token unsealed; kInternal when it does not open under `box`.
Result<Channel> ReadChannel(const Rows& rows, int row, const crypto::SecretBox& box);
// A conversation of PG_CONVERSATION_COLUMNS.
Conversation ReadConversation(const Rows& rows, int row);
// A message of PG_MESSAGE_COLUMNS.
StoredMessage ReadMessage(const Rows& rows, int row);
// A support item of PG_SUPPORT_COLUMNS.
SupportItem ReadSupportItem(const Rows& rows, int row);
// A user of PG_USER_COLUMNS.
User ReadUser(const Rows& rows, int row);
// A reply trace of PG_TRACE_COLUMNS.
ReplyTrace ReadReplyTrace(const Rows& rows, int row);

// One keyset page of `rows`, which hold up to `limit` + 1 rows in page order: the extra row only says that another
// page follows, whose cursor is IdCursor(kind) of the last row kept. `read(rows, i)` makes a T (with an `id`).
template <class T, class ReadRow>
Page<T> IdPage(const Rows& rows, char kind, int limit, ReadRow read) {
  Page<T> page;
  for (int i = 0; i < rows.size(); ++i) {
    if (static_cast<int>(page.data.size()) == limit) {
      page.next_cursor = IdCursor(kind, page.data.back().id);
      break;
    }
    page.data.push_back(read(rows, i));
  }
  return page;
}

}  // namespace parley::store::postgres
