#pragma once
// Page cursors, private to the SQLite backend. Opaque to clients: base64url of "<kind>:<fields>", so that a cursor
// of one listing is refused by another.

#include "core/error.h"
#include "store/sqlite/db.h"
#include "store/store.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

namespace parley::store::sqlite {

// Every listing returns 1 to kMaxPageSize rows, whatever the caller asks.
inline constexpr int kMaxPageSize = 500;
inline int ClampPageSize(int limit) { return std::clamp(limit, 1, kMaxPageSize); }

std::string IdCursor(char kind, int64_t id);
// The id in a cursor made by IdCursor with the same `kind`; kInvalidArgument ("invalid cursor") otherwise.
Result<int64_t> ParseIdCursor(char kind, const std::string& cursor);

// The cursor of a conversation listing (newest activity first): the last row's activity time and id.
std::string ConversationCursor(int64_t last_message_at, int64_t id);
// The (last_message_at, id) in a cursor made by ConversationCursor; kInvalidArgument ("invalid cursor") otherwise.
Result<std::pair<int64_t, int64_t>> ParseConversationCursor(const std::string& cursor);

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
