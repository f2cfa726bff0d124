#include "core/utf8.h"

#include <boost/locale/utf.hpp>

namespace parley {
namespace {

using Utf8 = boost::locale::utf::utf_traits<char>;

// The length of the valid sequence at the start of `text`, or 0 when it does not begin one.
size_t SequenceLength(std::string_view text) {
  const char* position = text.data();
  if (Utf8::decode(position, text.data() + text.size()) >= boost::locale::utf::incomplete) return 0;
  return static_cast<size_t>(position - text.data());
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = SequenceLength(text.substr(i));
    if (length == 0) return false;
    i += length;
  }
  return true;
}

void AppendValidUtf8(std::string& out, std::string_view text) {
  size_t run = 0;  // Start of the valid bytes not copied yet.
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = SequenceLength(text.substr(i));
    if (length > 0) {
      i += length;
      continue;
    }
    out.append(text.data() + run, i - run);
    out += "\xEF\xBF\xBD";
    run = ++i;
  }
  out.append(text.data() + run, text.size() - run);
}

}  // namespace parley
