#include "store/sqlite/conversation_row.h"

namespace parley::store::sqlite {

Conversation ReadConversation(const Statement& row) {
  Conversation c;
  c.id = row.Int(0);
  c.tenant_id = row.Int(1);
  c.channel_id = row.Int(2);
  c.platform = Platform(row.Text(3));
  c.contact.platform_id = row.String(4);
  c.contact.name = row.String(5);
  c.status = row.String(6);
  c.mode = row.String(7);
  c.created_at_ms = row.Int(8);
  c.last_message_at_ms = row.Int(9);
  c.handoff_reason = row.String(10);
  c.human_until_ms = row.OptionalInt(11);
  c.assignee_user_id = row.OptionalInt(12);
  c.customer_wrote_at_ms = row.OptionalInt(13);
  c.comment_on = row.String(14);
  return c;
}

}  // namespace parley::store::sqlite
