#pragma once
// How the SQLite backend reads and moves a message, shared by the files of the backend: the row reader for the
// message columns, the order of an outbound message's statuses and the statement that moves one; and the reader of
// the agent's reply traces, which hang off the messages.

#include "store/outbound_status.h"
#include "store/sqlite/db.h"
#include "store/store.h"

#define PARLEY_MESSAGE_COLUMNS                                                                                      \
  "id, conversation_id, direction, type, text, platform_message_id, status, error_code, error_title, error_detail," \
  " platform_timestamp, created_at, details"
#define PARLEY_TRACE_COLUMNS "id, conversation_id, message_id, decision, reason, trace, created_at"

namespace parley::store::sqlite {

// Sets an outbound message's status, with the error when the status is `failed` (?1 id, ?2 status, ?3..?5 error).
inline constexpr char kSetOutboundStatus[] =
    "UPDATE messages SET status = ?2,"
    " error_code = CASE WHEN ?2 = 'failed' THEN ?3 ELSE error_code END,"
    " error_title = CASE WHEN ?2 = 'failed' THEN ?4 ELSE error_title END,"
    " error_detail = CASE WHEN ?2 = 'failed' THEN ?5 ELSE error_detail END"
    " WHERE id = ?1";

// A message of the columns PARLEY_MESSAGE_COLUMNS, in that order.
StoredMessage ReadMessage(const Statement& row);

// A reply trace of the columns PARLEY_TRACE_COLUMNS, in that order.
ReplyTrace ReadReplyTrace(const Statement& row);

}  // namespace parley::store::sqlite
