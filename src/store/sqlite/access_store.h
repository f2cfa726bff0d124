#pragma once
// The SQLite backend of store::AccessStore, private to the backend: writes go through the SqliteStore's writer
// thread, reads through its reader pool.

#include "store/access_store.h"

#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<AccessStore> MakeSqliteAccessStore(SqliteStore& store);

}  // namespace parley::store::sqlite
