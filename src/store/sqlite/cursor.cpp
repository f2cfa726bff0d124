#include "store/sqlite/cursor.h"

#include "core/crypto.h"

#include <charconv>

namespace parley::store::sqlite {

std::string IdCursor(char kind, int64_t id) {
  return crypto::Base64UrlEncode(std::string(1, kind) + ":" + std::to_string(id));
}

Result<int64_t> ParseIdCursor(char kind, const std::string& cursor) {
  auto decoded = crypto::Base64UrlDecode(cursor);
  int64_t id = 0;
  if (decoded && decoded->size() > 2 && (*decoded)[0] == kind && (*decoded)[1] == ':') {
    const char* begin = decoded->data() + 2;
    const char* end = decoded->data() + decoded->size();
    auto [ptr, ec] = std::from_chars(begin, end, id);
    if (ec == std::errc() && ptr == end && id >= 0) return id;
  }
  return Error::InvalidArgument("invalid cursor");
}

}  // namespace parley::store::sqlite
