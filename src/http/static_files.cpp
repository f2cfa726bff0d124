#include "http/static_files.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <utility>

namespace parley::http {
namespace {

namespace fs = std::filesystem;
using boost::beast::http::field;

// Vite names what it puts here after the content's hash: a file there never changes under its name.
constexpr std::string_view kAssetsDir = "assets";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

constexpr std::string_view kNotBuiltPage =
    "<!doctype html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n"
    "<title>Parley: the dashboard is not built</title>\n"
    "<h1>The dashboard is not built</h1>\n"
    "<p>Parley serves its dashboard from the directory PARLEY_WEB_DIR names (by default <code>web</code> beside the "
    "<code>parley</code> executable), and that directory holds no built dashboard.</p>\n"
    "<p>Build it with <code>make build</code>, which writes it to <code>build/web</code> beside "
    "<code>build/parley</code>, or set PARLEY_WEB_DIR to where the built files are. The API under "
    "<code>/api/</code> works without it.</p>\n"
    "</html>\n";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Calls `each` with every comma-separated, trimmed entry of a header's value.
template <class Each>
void ForEachListEntry(std::string_view list, Each each) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    each(Trim(list.substr(0, comma)));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
}

// Accept-Encoding names gzip with a weight other than 0 ("gzip;q=0" refuses it).
bool AcceptsGzip(std::string_view accept_encoding) {
  bool accepted = false;
  ForEachListEntry(accept_encoding, [&accepted](std::string_view entry) {
    const size_t semicolon = entry.find(';');
    if (!boost::beast::iequals(Trim(entry.substr(0, semicolon)), "gzip")) return;
    std::string_view weight = semicolon == std::string_view::npos ? "" : Trim(entry.substr(semicolon + 1));
    if (weight.starts_with("q=") || weight.starts_with("Q=")) {
      weight.remove_prefix(2);
      accepted = weight.find_first_not_of("0.") != std::string_view::npos;
      return;
    }
    accepted = true;
  });
  return accepted;
}

// If-None-Match names `etag` (weakly compared, as RFC 9110 asks for GET) or is "*".
bool NoneMatchHits(std::string_view if_none_match, std::string_view etag) {
  bool hit = false;
  ForEachListEntry(if_none_match, [&](std::string_view entry) {
    if (entry.starts_with("W/")) entry.remove_prefix(2);
    if (entry == "*" || entry == etag) hit = true;
  });
  return hit;
}

std::string HttpDate(std::time_t time) {
  std::tm parts{};
  gmtime_r(&time, &parts);
  std::array<char, 64> text{};
  // The C locale's day and month names, which HTTP dates use: the server never changes the locale.
  const size_t length = std::strftime(text.data(), text.size(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return std::string(text.data(), length);
}

bool IsUnder(const fs::path& path, std::string_view directory) {
  return !path.empty() && *path.begin() == directory && std::distance(path.begin(), path.end()) > 1;
}

bool IsApiPath(std::string_view path, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [path](const std::string& prefix) {
    return path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/');
  });
}

Response NotBuilt(unsigned version) {
  Response response{Status::not_found, version};
  response.set(field::content_type, "text/html; charset=utf-8");
  response.set(field::cache_control, kRevalidate);
  response.body() = std::string(kNotBuiltPage);
  return response;
}

Response Plain(Status status, std::string_view text, unsigned version) {
  Response response{status, version};
  response.set(field::content_type, "text/plain; charset=utf-8");
  response.body() = std::string(text);
  return response;
}

// Answers `file` (whose name, relative to the root, is `relative`), or its .gz sibling when the client takes gzip.
Response ServeFile(const Request& request, const fs::path& root, const fs::path& relative, const fs::path& file,
                   std::string_view cache_control) {
  fs::path sent = file;
  bool gzipped = false;
  const auto gz = ResolveStaticFile(root, fs::path(relative) += ".gz");
  if (gz && AcceptsGzip(request[field::accept_encoding])) {
    sent = *gz;
    gzipped = true;
  }
  struct stat info {};
  std::ifstream in(sent, std::ios::binary);
  if (!in || ::stat(sent.c_str(), &info) != 0) return Plain(Status::not_found, "no such file", request.version());

  Response response{Status::ok, request.version()};
  response.set(field::content_type, StaticContentType(file));
  response.set(field::cache_control, cache_control);
  if (gz) response.set(field::vary, "Accept-Encoding");
  if (gzipped) response.set(field::content_encoding, "gzip");
  // Size and modification time in nanoseconds: a new build changes one of them.
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx%s\"", static_cast<unsigned long long>(info.st_size),
                static_cast<unsigned long long>(info.st_mtim.tv_sec) * 1'000'000'000ULL +
                    static_cast<unsigned long long>(info.st_mtim.tv_nsec),
                gzipped ? "-gz" : "");
  response.set(field::etag, etag);
  const std::string last_modified = HttpDate(info.st_mtim.tv_sec);
  response.set(field::last_modified, last_modified);

  const auto if_none_match = request[field::if_none_match];
  const bool not_modified =
      !if_none_match.empty() ? NoneMatchHits(if_none_match, etag) : request[field::if_modified_since] == last_modified;
  if (not_modified) {
    response.result(Status::not_modified);
    response.erase(field::content_type);
    return response;
  }
  response.body().assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return response;
}

Response Serve(const StaticFilesOptions& options, const Request& request) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  if (IsApiPath(path, options.api_prefixes)) {
    Response response = ErrorResponse(Error::NotFound("no such route"));
    response.version(request.version());
    return response;
  }
  auto relative = StaticRelativePath(target);
  if (!relative) return Plain(Status::bad_request, relative.error().message, request.version());

  const bool asset = IsUnder(*relative, kAssetsDir);
  auto file = ResolveStaticFile(options.root, *relative);
  if (file) return ServeFile(request, options.root, *relative, *file, asset ? kImmutable : kRevalidate);
  // A script or stylesheet asked for by name (the web chat's /webchat/widget.js, loaded by other sites) is never a
  // dashboard page: index.html in its place would be run as a script.
  const std::string extension = relative->extension().string();
  const bool script = extension == ".js" || extension == ".mjs" || extension == ".css";
  if (file.error().code == ErrorCode::kPermissionDenied || asset || script) {
    return Plain(Status::not_found, "no such file", request.version());
  }
  // Anything else is one of the dashboard's own pages: index.html routes it in the browser.
  const fs::path index = "index.html";
  auto index_file = ResolveStaticFile(options.root, index);
  if (!index_file) return NotBuilt(request.version());
  return ServeFile(request, options.root, index, *index_file, kRevalidate);
}

}  // namespace

Result<fs::path> StaticRelativePath(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return Error::InvalidArgument("malformed request target");
  // The raw path split at its slashes, each piece decoded on its own: a URL library's segment view may hide or
  // normalise pieces ("/./"), and at this boundary every piece must be seen.
  std::string_view rest = parsed->encoded_path();
  fs::path relative;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view piece = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (piece.empty()) continue;
    auto encoded = boost::urls::make_pct_string_view(piece);
    if (!encoded) return Error::InvalidArgument("malformed percent-encoding in the path");
    const std::string segment = encoded->decode();
    if (segment.front() == '.') return Error::InvalidArgument("path segments may not start with a dot");
    if (segment.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
      return Error::InvalidArgument("path segments may not hold slashes, backslashes or NUL");
    }
    relative /= segment;
  }
  return relative;
}

Result<fs::path> ResolveStaticFile(const fs::path& root, const fs::path& relative) {
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) return Error::NotFound("no such directory");
  const fs::path real = fs::canonical(real_root / relative, ec);
  if (ec) return Error::NotFound("no such file");
  // Whole components compared: /srv/web-old is not inside /srv/web.
  const auto [root_end, ignored] = std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end());
  if (root_end != real_root.end()) return Error{ErrorCode::kPermissionDenied, "outside the directory", {}};
  if (!fs::is_regular_file(real, ec)) return Error::NotFound("not a file");
  return real;
}

std::string_view StaticContentType(const fs::path& file) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
  };
  const std::string extension = file.extension().string();
  for (const auto& [known, type] : kTypes) {
    if (boost::beast::iequals(extension, known)) return type;
  }
  return "application/octet-stream";
}

Handler StaticFiles(StaticFilesOptions options) {
  auto shared = std::make_shared<const StaticFilesOptions>(std::move(options));
  return [shared](const Request& request, const RouteContext&) -> boost::asio::awaitable<Response> {
    co_return Serve(*shared, request);
  };
}

}  // namespace parley::http
