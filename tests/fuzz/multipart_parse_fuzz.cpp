// Any byte string given to the multipart/form-data parser (upload bodies are untrusted) must come back as parts or
// an InvalidArgument, never a crash, a sanitizer report, a part outside the body, a path in a file name or a name
// that is not UTF-8. The input's first line is the Content-Type's boundary parameter, the rest the body.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/utf8.h"
#include "http/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  auto boundary =
      parley::http::MultipartBoundary("multipart/form-data; boundary=" + std::string(input.substr(0, newline)));
  if (!boundary) {
    if (boundary.error().code != parley::ErrorCode::kInvalidArgument) std::abort();
    return 0;
  }
  const std::string_view body = input.substr(newline + 1);
  auto parts = parley::http::ParseMultipart(body, *boundary);
  if (!parts) {
    if (parts.error().code != parley::ErrorCode::kInvalidArgument) std::abort();
    return 0;
  }
  for (const parley::http::FormPart& part : *parts) {
    if (part.data.data() < body.data() || part.data.data() + part.data.size() > body.data() + body.size()) std::abort();
    if (part.name.empty() || part.file_name.find_first_of("/\\") != std::string::npos) std::abort();
    if (!parley::IsValidUtf8(part.name) || !parley::IsValidUtf8(part.file_name) ||
        !parley::IsValidUtf8(part.content_type)) {
      std::abort();
    }
  }
  return 0;
}
