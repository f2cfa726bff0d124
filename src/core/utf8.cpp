#include "core/utf8.h"

#include <boost/locale/utf.hpp>

namespace parley {

size_t Utf8SequenceLength(std::string_view text) {
  using Utf8 = boost::locale::utf::utf_traits<char>;
  if (text.empty()) return 0;
  const char* position = text.data();
  if (Utf8::decode(position, text.data() + text.size()) >= boost::locale::utf::incomplete) return 0;
  return static_cast<size_t>(position - text.data());
}

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace parley
