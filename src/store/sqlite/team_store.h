#pragma once
// The SQLite backend of store::TeamStore, private to the backend: writes go through the SqliteStore's writer
// thread, reads through its reader pool.

#include "store/team_store.h"

#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<TeamStore> MakeSqliteTeamStore(SqliteStore& store);

}  // namespace parley::store::sqlite
