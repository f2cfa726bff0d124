#pragma once
// UTF-8 checks for text that comes from outside (requests, stored rows written before a check existed). Valid means
// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence.

#include <cstddef>
#include <string_view>

namespace parley {

bool IsValidUtf8(std::string_view text);

// The length in bytes of the valid sequence `text` begins with; 0 when it begins with none (or is empty).
size_t Utf8SequenceLength(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not cut a UTF-8 sequence in two (what a text
// cut to a size keeps, so that it stays valid UTF-8 in JSON and logs).
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace parley
