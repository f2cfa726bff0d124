#pragma once
// How the SQLite backend reads a support item, shared by the files of the backend (the inbox's queue and the event
// log): the columns to select and the function that turns such a row into a SupportItem.

#include "store/sqlite/db.h"
#include "store/store.h"

#define PARLEY_SUPPORT_COLUMNS \
  "id, tenant_id, conversation_id, reason, status, resolved_by, created_at, resolved_at, priority, draft"

namespace parley::store::sqlite {

// A support item of the columns PARLEY_SUPPORT_COLUMNS, in that order.
SupportItem ReadSupportItem(const Statement& row);

}  // namespace parley::store::sqlite
