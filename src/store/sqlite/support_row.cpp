#include "store/sqlite/support_row.h"

namespace parley::store::sqlite {

SupportItem ReadSupportItem(const Statement& row) {
  SupportItem item;
  item.id = row.Int(0);
  item.tenant_id = row.Int(1);
  item.conversation_id = row.Int(2);
  item.reason = row.String(3);
  item.status = row.String(4);
  item.resolved_by = row.String(5);
  item.created_at_ms = row.Int(6);
  item.resolved_at_ms = row.OptionalInt(7);
  item.priority = ParsePriority(row.Text(8)).value_or(Priority::kNormal);
  if (!row.IsNull(9)) item.draft = row.String(9);
  return item;
}

}  // namespace parley::store::sqlite
