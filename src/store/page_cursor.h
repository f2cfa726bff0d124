#pragma once
// Page cursors, the same for every backend. Opaque to clients: base64url of "<kind>:<fields>", so that a cursor of
// one listing is refused by another.

#include "core/error.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

namespace parley::store {

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

}  // namespace parley::store
