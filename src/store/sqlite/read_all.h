#pragma once
// Reading a list of rows on one of the store's readers, the same way in every file of the SQLite backend.

#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"

#include <vector>

namespace parley::store::sqlite {

// Every row `sql` selects once `bind` has bound its parameters, each turned into a T by `read`.
template <class T, class ReadRow, class BindArgs>
Result<std::vector<T>> ReadAll(SqliteStore& store, const char* sql, ReadRow read, BindArgs bind) {
  std::vector<T> rows;
  STORE_TRY(store.Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(sql));
    bind(select);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) return Ok();
      rows.push_back(read(select));
    }
  }));
  return rows;
}

}  // namespace parley::store::sqlite
