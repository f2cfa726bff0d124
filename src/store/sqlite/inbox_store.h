#pragma once
// The SQLite backend of store::InboxStore, private to the backend: writes go through the SqliteStore's writer
// thread, reads through its reader pool.

#include "store/inbox_store.h"

#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<InboxStore> MakeSqliteInboxStore(SqliteStore& store);

}  // namespace parley::store::sqlite
