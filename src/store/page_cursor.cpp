#include "store/page_cursor.h"

#include "core/crypto.h"

#include <charconv>
#include <string_view>

namespace parley::store {
namespace {

bool ParseInt(std::string_view s, int64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string IdCursor(char kind, int64_t id) {
  return crypto::Base64UrlEncode(std::string(1, kind) + ":" + std::to_string(id));
}

Result<int64_t> ParseIdCursor(char kind, const std::string& cursor) {
  auto decoded = crypto::Base64UrlDecode(cursor);
  int64_t id = 0;
  if (decoded && decoded->starts_with(std::string{kind, ':'}) && ParseInt(std::string_view(*decoded).substr(2), &id) &&
      id >= 0) {
    return id;
  }
  return Error::InvalidArgument("invalid cursor");
}

std::string ConversationCursor(int64_t last_message_at, int64_t id) {
  return crypto::Base64UrlEncode("c:" + std::to_string(last_message_at) + ":" + std::to_string(id));
}

Result<std::pair<int64_t, int64_t>> ParseConversationCursor(const std::string& cursor) {
  auto raw = crypto::Base64UrlDecode(cursor);
  Error garbled = Error::InvalidArgument("invalid cursor");
  if (!raw || !raw->starts_with("c:")) return garbled;
  std::string_view rest = std::string_view(*raw).substr(2);
  size_t colon = rest.find(':');
  int64_t at = 0;
  int64_t id = 0;
  if (colon == std::string_view::npos || !ParseInt(rest.substr(0, colon), &at) ||
      !ParseInt(rest.substr(colon + 1), &id)) {
    return garbled;
  }
  return std::pair{at, id};
}

}  // namespace parley::store
