#pragma once
// Page cursors, private to the SQLite backend. Opaque to clients: base64url of "<kind>:<fields>", so that a cursor
// of one listing is refused by another.

#include "core/error.h"

#include <cstdint>
#include <string>

namespace parley::store::sqlite {

std::string IdCursor(char kind, int64_t id);
// The id in a cursor made by IdCursor with the same `kind`; kInvalidArgument ("invalid cursor") otherwise.
Result<int64_t> ParseIdCursor(char kind, const std::string& cursor);

}  // namespace parley::store::sqlite
