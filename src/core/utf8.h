#pragma once
// UTF-8 checks for text that comes from outside (requests, stored rows written before a check existed). Valid means
// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence.

#include <string>
#include <string_view>

namespace parley {

bool IsValidUtf8(std::string_view text);

// Appends `text` to `out` with each byte that does not begin a valid sequence replaced by U+FFFD.
void AppendValidUtf8(std::string& out, std::string_view text);

}  // namespace parley
