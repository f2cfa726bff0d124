#pragma once
// Reading a Content-Type header, on its own so that the parsers (multipart, fuzzed without the server) need nothing
// else of the HTTP layer.

#include <string_view>

namespace parley::http {

// The media type of a Content-Type value without its parameters ("Text/HTML; charset=utf-8" → "Text/HTML"); media
// types compare case-insensitively.
std::string_view MediaTypeOf(std::string_view content_type);

}  // namespace parley::http
