#pragma once
// Keyset pages read from SQLite statements, with the cursors of store/page_cursor.h.

#include "core/error.h"
#include "store/page_cursor.h"
#include "store/sqlite/db.h"
#include "store/store.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

namespace parley::store::sqlite {

// Reads one keyset page from `select`, bound to return up to `limit` + 1 rows in page order: the extra row only
// says that another page follows, whose cursor is IdCursor(kind) of the last row kept. `read` makes a T (with an
// `id`) of a row.
template <class T, class ReadRow>
Result<Page<T>> ReadIdPage(Statement& select, char kind, int limit, ReadRow read) {
  Page<T> page;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return page;
    if (static_cast<int>(page.data.size()) == limit) {
      page.next_cursor = IdCursor(kind, page.data.back().id);
      return page;
    }
    page.data.push_back(read(select));
  }
}

}  // namespace parley::store::sqlite
