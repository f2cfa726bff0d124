#pragma once
// multipart/form-data bodies (RFC 7578), as browsers and `curl -F` send file uploads. The parts are views into
// the request body, which must outlive them.

#include "core/error.h"
#include "http/http.h"
#include "http/mapped_file.h"

#include <string>
#include <string_view>
#include <vector>

namespace parley::http {

struct FormPart {
  std::string name;          //!< From Content-Disposition: form-data; name="…".
  std::string file_name;     //!< filename="…" (path components removed); empty for plain fields.
  std::string content_type;  //!< The part's Content-Type; empty when absent.
  std::string_view data;
};

// The boundary of a `multipart/form-data; boundary=…` Content-Type; kInvalidArgument for another type or
// without a boundary.
Result<std::string> MultipartBoundary(std::string_view content_type);

// A multipart/form-data body to send (RFC 7578) and its Content-Type, with a random boundary, so that a file's bytes
// cannot end a part early. Parts are written in order; a part with a file_name is a file (with its content_type).
struct FormBody {
  std::string content_type;  //!< "multipart/form-data; boundary=…".
  std::string body;
};
FormBody BuildMultipart(const std::vector<FormPart>& parts);

// Splits `body` into its parts. kInvalidArgument ("malformed multipart body: …") when a delimiter, the closing
// delimiter or a part's Content-Disposition is missing, and kInvalidArgument naming the part when its name,
// filename, Content-Type or (for a plain form field) value is not valid UTF-8.
Result<std::vector<FormPart>> ParseMultipart(std::string_view body, std::string_view boundary);

// A multipart/form-data request's parts, read from the file the server received the upload into (a route with
// RouteOptions::body_to_file) or from the request's body; the parts are views into `upload` or the request, which
// must outlive them. kInvalidArgument for another Content-Type or a malformed body.
struct Form {
  MappedFile upload;
  std::vector<FormPart> parts;
};
Result<Form> ReadForm(const Request& request, const RouteContext& route);

}  // namespace parley::http
