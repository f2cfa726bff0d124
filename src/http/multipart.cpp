#include "http/multipart.h"

#include "core/crypto.h"
#include "core/utf8.h"
#include "http/media_type.h"

#include <boost/algorithm/string/predicate.hpp>

namespace parley::http {
namespace {

Error Malformed(std::string_view why) {
  return Error::InvalidArgument("malformed multipart body: " + std::string(why));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of `key` in a header's `; key=value` parameters, unquoted; empty when absent.
std::string Parameter(std::string_view header, std::string_view key) {
  size_t at = 0;
  while ((at = header.find(';', at)) != std::string_view::npos) {
    std::string_view rest = Trim(header.substr(at + 1));
    at += 1;
    if (rest.size() <= key.size() || !boost::algorithm::iequals(rest.substr(0, key.size()), key) ||
        rest[key.size()] != '=') {
      continue;
    }
    std::string_view value = rest.substr(key.size() + 1);
    if (!value.empty() && value.front() == '"') {
      std::string out;
      for (size_t i = 1; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        out += value[i];
      }
      return out;
    }
    return std::string(Trim(value.substr(0, value.find(';'))));
  }
  return {};
}

// Every string a part gives the server is text it may store and show, so it must be valid UTF-8; a file's bytes are
// the exception, and are checked by whatever reads the file.
Result<void> CheckText(const FormPart& part) {
  if (!IsValidUtf8(part.name)) return Error::InvalidArgument("a multipart part's name is not valid UTF-8");
  if (!IsValidUtf8(part.file_name)) {
    return Error::InvalidArgument("the filename of multipart part \"" + part.name + "\" is not valid UTF-8");
  }
  if (!IsValidUtf8(part.content_type)) {
    return Error::InvalidArgument("the Content-Type of multipart part \"" + part.name + "\" is not valid UTF-8");
  }
  if (part.file_name.empty() && !IsValidUtf8(part.data)) {
    return Error::InvalidArgument("form field \"" + part.name + "\" is not valid UTF-8");
  }
  return Ok();
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
  if (!boost::algorithm::iequals(MediaTypeOf(content_type), "multipart/form-data")) {
    return Error::InvalidArgument("expected multipart/form-data");
  }
  std::string boundary = Parameter(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 70) return Error::InvalidArgument("multipart boundary missing or too long");
  return boundary;
}

Result<std::vector<FormPart>> ParseMultipart(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  std::vector<FormPart> parts;
  size_t at = body.find(delimiter);
  if (at == std::string_view::npos) return Malformed("no boundary");
  at += delimiter.size();
  while (true) {
    if (body.substr(at, 2) == "--") return parts;  // The closing delimiter.
    if (body.substr(at, 2) != "\r\n") return Malformed("boundary not followed by CRLF");
    at += 2;
    size_t headers_end = body.find("\r\n\r\n", at);
    if (headers_end == std::string_view::npos) return Malformed("part without headers");
    FormPart part;
    bool form_data = false;
    std::string_view headers = body.substr(at, headers_end - at);
    while (!headers.empty()) {
      size_t eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view name = Trim(line.substr(0, colon));
      std::string_view value = Trim(line.substr(colon + 1));
      if (boost::algorithm::iequals(name, "Content-Disposition")) {
        form_data = boost::algorithm::istarts_with(value, "form-data");
        part.name = Parameter(value, "name");
        part.file_name = Parameter(value, "filename");
        // Browsers send a bare name, but a path must never reach the store as a document name.
        if (auto slash = part.file_name.find_last_of("/\\"); slash != std::string::npos) {
          part.file_name = part.file_name.substr(slash + 1);
        }
      } else if (boost::algorithm::iequals(name, "Content-Type")) {
        part.content_type = std::string(value);
      }
    }
    if (!form_data || part.name.empty()) return Malformed("part without Content-Disposition: form-data; name");
    size_t data_begin = headers_end + 4;
    size_t next = body.find("\r\n" + delimiter, data_begin);
    if (next == std::string_view::npos) return Malformed("missing closing boundary");
    part.data = body.substr(data_begin, next - data_begin);
    if (Result<void> text = CheckText(part); !text) return text.error();
    parts.push_back(std::move(part));
    at = next + 2 + delimiter.size();
  }
}

FormBody BuildMultipart(const std::vector<FormPart>& parts) {
  const std::string boundary = "parley-" + crypto::RandomToken(24);
  FormBody form{"multipart/form-data; boundary=" + boundary, {}};
  size_t size = 64;
  for (const auto& part : parts) size += part.data.size() + 256;
  form.body.reserve(size);
  for (const auto& part : parts) {
    form.body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(part.name);
    if (!part.file_name.empty()) {
      // A quote or a line break would end the header early: such characters become '_'.
      form.body.append("\"; filename=\"");
      for (char c : part.file_name) form.body += (c == '"' || c == '\\' || c == '\r' || c == '\n') ? '_' : c;
    }
    form.body.append("\"\r\n");
    if (!part.content_type.empty()) form.body.append("Content-Type: ").append(part.content_type).append("\r\n");
    form.body.append("\r\n").append(part.data).append("\r\n");
  }
  form.body.append("--").append(boundary).append("--\r\n");
  return form;
}

Result<Form> ReadForm(const Request& request, const RouteContext& route) {
  auto boundary = MultipartBoundary(request[boost::beast::http::field::content_type]);
  if (!boundary) return boundary.error();
  Form form;
  std::string_view body = request.body();
  if (!route.body_file.empty()) {
    auto mapped = MappedFile::Open(route.body_file);
    if (!mapped) return mapped.error();
    form.upload = std::move(*mapped);
    body = form.upload.bytes();
  }
  auto parts = ParseMultipart(body, *boundary);
  if (!parts) return parts.error();
  form.parts = std::move(*parts);
  return form;
}

}  // namespace parley::http
