#pragma once
// How the SQLite backend reads a conversation, shared by the files of the backend: the columns to select (with the
// joins they need, aliases c, ct and ch) and the function that turns such a row into a Conversation.

#include "store/sqlite/db.h"
#include "store/store.h"

#define PARLEY_SELECT_CONVERSATION                                                                                \
  "SELECT c.id, c.tenant_id, c.channel_id, ch.platform, ct.platform_id, ct.name, c.status, c.mode, c.created_at," \
  " c.last_message_at, COALESCE(c.handoff_reason, ''), c.human_until, c.assignee_user_id, c.last_inbound_at"      \
  " FROM conversations c JOIN contacts ct ON ct.id = c.contact_id JOIN channels ch ON ch.id = c.channel_id"

namespace parley::store::sqlite {

Conversation ReadConversation(const Statement& row);

}  // namespace parley::store::sqlite
