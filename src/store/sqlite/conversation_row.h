#pragma once
// How the SQLite backend reads a conversation, shared by the files of the backend: the columns to select (with the
// joins they need, aliases c, ct and ch; a query may select more columns after them) and the function that turns such a
// row into a Conversation.

#include "store/sqlite/db.h"
#include "store/store.h"

// When the customer of conversation c last wrote, a message of any kind (its platform time, unless the sender's clock
// ran ahead of its arrival): where the platform's messaging window opens, for the inbox and the outbox alike.
#define PARLEY_CUSTOMER_WROTE_AT                                                          \
  "(SELECT CASE WHEN lm.platform_timestamp > 0 AND lm.platform_timestamp < lm.created_at" \
  "   THEN lm.platform_timestamp ELSE lm.created_at END FROM messages lm"                 \
  "   WHERE lm.conversation_id = c.id AND lm.direction = 'in' ORDER BY lm.id DESC LIMIT 1)"
#define PARLEY_CONVERSATION_COLUMNS                                                                                  \
  "c.id, c.tenant_id, c.channel_id, ch.platform, ct.platform_id, ct.name, c.status, c.mode, c.created_at,"           \
  " c.last_message_at, COALESCE(c.handoff_reason, ''), c.human_until, c.assignee_user_id, " PARLEY_CUSTOMER_WROTE_AT \
  ", c.comment_on"
#define PARLEY_CONVERSATION_JOINS \
  " FROM conversations c JOIN contacts ct ON ct.id = c.contact_id JOIN channels ch ON ch.id = c.channel_id"
#define PARLEY_SELECT_CONVERSATION "SELECT " PARLEY_CONVERSATION_COLUMNS PARLEY_CONVERSATION_JOINS

namespace parley::store::sqlite {

// The conversation returns to the bot (?1: its id).
inline constexpr char kHandBack[] =
    "UPDATE conversations SET mode = 'bot', handoff_reason = NULL, human_until = NULL WHERE id = ?1";
// A person takes the conversation over (?1 id, ?2 now, ?3 reason, ?4 human_until): whatever was pending is
// theirs, and a live claim can no longer commit (CommitReply checks the mode).
inline constexpr char kTakeOver[] =
    "UPDATE conversations SET mode = 'human', handoff_reason = ?3, human_until = ?4,"
    " answered_through_id = (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = ?1),"
    " answered_seq = inbound_seq, pending_since = NULL, last_message_at = MAX(last_message_at, ?2)"
    " WHERE id = ?1";
// Its open support items are resolved (?1: conversation id, ?2: by whom, ?3: when).
inline constexpr char kResolveSupportItems[] =
    "UPDATE support_items SET status = 'resolved', resolved_by = ?2, resolved_at = ?3"
    " WHERE conversation_id = ?1 AND status = 'open'";

Conversation ReadConversation(const Statement& row);

}  // namespace parley::store::sqlite
