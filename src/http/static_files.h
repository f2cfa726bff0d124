#pragma once
// The dashboard's built files (web/, built by Vite into build/web), served from a directory at `/` as the router's
// fallback for GET and HEAD (Router::SetFallback):
//   - a path naming a file of the directory answers that file, with its content type, an ETag and Last-Modified
//     (If-None-Match / If-Modified-Since answer 304), and its `.gz` sibling instead when there is one and the client
//     accepts gzip;
//   - files under /assets/ carry content hashes in their names (Vite): cached for a year, immutable; everything else
//     is revalidated on every use (no-cache), so a new build shows at once;
//   - any other path answers index.html: the dashboard's own routes (/inbox/12) are its client-side routes. A file
//     missing under /assets/, or a missing script or stylesheet anywhere (.js, .mjs, .css: the web chat's
//     /webchat/widget.js, which other sites load), answers 404 instead, so a page of an older build or a site fails
//     clearly rather than running HTML as a script;
//   - paths under the API's prefixes (/api/, /health, /metrics) are never the dashboard's: they answer the API's
//     JSON 404;
//   - no path leaves the directory: dot segments, encoded slashes and backslashes, NUL and hidden names are refused
//     (400), and a symbolic link leading out of the directory is as good as missing (404);
//   - without the directory (or its index.html) every page answers a short HTML page saying how to build it.
// Files are read when asked for, so a new build needs no restart. They are read on the calling thread: the
// dashboard's files are small and in the page cache after the first read.

#include "core/error.h"
#include "http/http.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace parley::http {

struct StaticFilesOptions {
  std::filesystem::path root;  //!< The directory of the built files (PARLEY_WEB_DIR).
  //! Paths equal to one of these or under it ("/api/…") belong to the API: unknown ones answer its JSON 404.
  std::vector<std::string> api_prefixes = {"/api", "/health", "/metrics"};
};

// GET and HEAD of the files in `options.root`, for Router::SetFallback.
Handler StaticFiles(StaticFilesOptions options);

// The path, relative to the directory, that a request target ("/assets/app.js?v=1") names: "assets/app.js"; empty for
// "/". Empty segments (doubled slashes) are ignored. kInvalidArgument when a segment is "." or "..", starts with a
// dot, or holds, once decoded, a slash, a backslash or NUL.
Result<std::filesystem::path> StaticRelativePath(std::string_view target);

// The regular file `relative` names under `root`, symbolic links followed: kNotFound when there is none (or it is a
// directory), kPermissionDenied when it lies outside `root` once links are followed.
Result<std::filesystem::path> ResolveStaticFile(const std::filesystem::path& root,
                                                const std::filesystem::path& relative);

// The Content-Type of a file from its extension; application/octet-stream for an unknown one.
std::string_view StaticContentType(const std::filesystem::path& file);

}  // namespace parley::http
