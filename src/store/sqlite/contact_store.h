#pragma once
// The SQLite backend of store::ContactStore, private to the backend: writes go through the SqliteStore's writer
// thread, reads through its reader pool.

#include "store/contact_store.h"

#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<ContactStore> MakeSqliteContactStore(SqliteStore& store);

}  // namespace parley::store::sqlite
