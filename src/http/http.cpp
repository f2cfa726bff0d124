#include "http/http.h"

#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace parley::http {
namespace {

// Splits "/a/{b}/c" into {"a", "{b}", "c"}; the root "/" has no segments.
std::vector<std::string> SplitPattern(std::string_view pattern) {
  std::vector<std::string> segments;
  size_t pos = 0;
  while (pos < pattern.size()) {
    if (pattern[pos] == '/') {
      ++pos;
      continue;
    }
    size_t end = pattern.find('/', pos);
    if (end == std::string_view::npos) end = pattern.size();
    segments.emplace_back(pattern.substr(pos, end - pos));
    pos = end;
  }
  return segments;
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::optional<std::string_view> RouteContext::Param(std::string_view name) const {
  auto it = path_params.find(name);
  if (it == path_params.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string_view> RouteContext::Query(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

void Router::Add(Verb method, std::string pattern, Handler handler, RouteOptions options) {
  routes_.push_back(Route{method, SplitPattern(pattern), std::move(handler), std::move(options)});
}

void Router::SetFallback(Handler handler) { fallback_ = std::move(handler); }

Router::Match Router::Find(const RequestHeader& header) const {
  Match found;
  auto parsed = boost::urls::parse_origin_form(header.target());
  if (!parsed) {
    found.refusal = ErrorResponse(Error::InvalidArgument("malformed request target"));
    return found;
  }
  // Decoded segments, so "/a%20b" matches the literal "a b" and parameters arrive decoded. Empty segments from
  // doubled or trailing slashes are ignored, as in the patterns.
  std::vector<std::string> segments;
  for (auto segment : parsed->segments()) {
    if (!IsValidUtf8(segment)) {
      found.refusal = ErrorResponse(Error::InvalidArgument("the path is not valid UTF-8"));
      return found;
    }
    if (!segment.empty()) segments.push_back(std::move(segment));
  }

  // "/a/b" and "/a/{id}" both match "/a/b": the route with the most literal segments is the one meant. This runs
  // for every request, webhooks included: one pass, and the Allow list only for a 405.
  auto literals = [&segments](const Route& route) -> int {
    if (route.segments.size() != segments.size()) return -1;
    int count = 0;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (IsParam(route.segments[i])) continue;
      if (route.segments[i] != segments[i]) return -1;
      ++count;
    }
    return count;
  };
  int best = -1;
  const Route* match = nullptr;
  for (const Route& route : routes_) {
    int count = literals(route);
    if (count < 0 || count < best) continue;
    if (count > best) {
      best = count;
      match = nullptr;
    }
    if (match == nullptr && route.method == header.method()) match = &route;
  }

  const bool fallback =
      match == nullptr && best < 0 && fallback_ && (header.method() == Verb::get || header.method() == Verb::head);
  if (match == nullptr && !fallback) {
    if (best < 0) {
      found.refusal = ErrorResponse(Error::NotFound("no such route"));
      return found;
    }
    std::string allow;
    for (const Route& route : routes_) {
      if (literals(route) != best) continue;
      if (!allow.empty()) allow += ", ";
      allow += boost::beast::http::to_string(route.method);
    }
    found.refusal =
        JsonResponse(Status::method_not_allowed,
                     {{"error", {{"code", "method_not_allowed"}, {"message", "method not allowed on this route"}}}},
                     header.version());
    found.refusal->set(boost::beast::http::field::allow, allow);
    return found;
  }

  if (fallback) {
    found.handler = &fallback_;
    found.options = &fallback_options_;
  } else {
    found.handler = &match->handler;
    found.options = &match->options;
    for (size_t i = 0; i < segments.size(); ++i) {
      const std::string& pattern = match->segments[i];
      if (IsParam(pattern)) found.context.path_params[pattern.substr(1, pattern.size() - 2)] = std::move(segments[i]);
    }
  }
  for (auto param : parsed->params()) {
    if (!IsValidUtf8(param.key)) {
      found.refusal = ErrorResponse(Error::InvalidArgument("a query parameter is not valid UTF-8"));
      return found;
    }
    if (!IsValidUtf8(param.value)) {
      found.refusal = ErrorResponse(Error::InvalidArgument("query parameter \"" + param.key + "\" is not valid UTF-8"));
      return found;
    }
    found.context.query[std::move(param.key)] = std::move(param.value);
  }
  return found;
}

boost::asio::awaitable<Response> Router::Dispatch(const Request& request) const {
  Match match = Find(request);
  if (match.refusal) co_return std::move(*match.refusal);
  if (match.options->gate) {
    std::optional<Response> refused = co_await match.options->gate(request, match.context);
    if (refused) co_return std::move(*refused);
  }
  co_return co_await (*match.handler)(request, match.context);
}

Response JsonResponse(Status status, const boost::json::value& body, unsigned version) {
  Response response{status, version};
  response.set(boost::beast::http::field::content_type, "application/json");
  response.body() = SerializeJson(body);
  response.prepare_payload();
  return response;
}

Response StreamResponse(const RouteContext& route, std::string_view content_type, StreamBody body) {
  Response head{Status::ok, 11};
  head.set(boost::beast::http::field::content_type, content_type);
  route.stream = std::move(body);
  return head;
}

Response TextResponse(Status status, std::string body, std::string_view content_type) {
  Response response{status, 11};
  response.set(boost::beast::http::field::content_type, content_type);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

void AddSecurityHeaders(Response& response, bool strict_transport) {
  response.set("X-Content-Type-Options", "nosniff");
  // A year, the preload lists' minimum; subdomains are left alone, they may be other people's services.
  if (strict_transport) response.set(boost::beast::http::field::strict_transport_security, "max-age=31536000");
  response.set("Referrer-Policy", "same-origin");
  response.set(boost::beast::http::field::x_frame_options, "DENY");
  // Scripts and styles only from Parley itself (the dashboard's bundle), no framing, no foreign form targets. SVG
  // is a document too when opened on its own, and may hold scripts.
  const std::string_view type = response[boost::beast::http::field::content_type];
  if (type.starts_with("text/html") || type.starts_with("image/svg+xml")) {
    response.set("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                 "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
  }
}

Response ErrorResponse(const Error& error) {
  Status status = ToHttpStatus(error.code);
  // Client errors are the client's business; server errors are ours and need the detail in the logs.
  if (static_cast<unsigned>(status) >= 500) {
    boost::json::object fields{{"code", ToString(error.code)}, {"message", error.message}, {"detail", error.detail}};
    if (error.code == ErrorCode::kInternal) {
      log::Error("http_error_response", std::move(fields));
    } else {
      log::Warn("http_error_response", std::move(fields));
    }
  }
  return JsonResponse(status, {{"error", {{"code", ToString(error.code)}, {"message", error.message}}}});
}

Status ToHttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return Status::bad_request;
    case ErrorCode::kUnauthenticated:
      return Status::unauthorized;
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kPlanLimit:
      return Status::forbidden;
    case ErrorCode::kNotFound:
      return Status::not_found;
    case ErrorCode::kConflict:
      return Status::conflict;
    case ErrorCode::kPayloadTooLarge:
      return Status::payload_too_large;
    case ErrorCode::kUnsupportedMediaType:
      return Status::unsupported_media_type;
    case ErrorCode::kRateLimited:
      return Status::too_many_requests;
    case ErrorCode::kUnavailable:
      return Status::service_unavailable;
    case ErrorCode::kTimeout:
      return Status::gateway_timeout;
    // A cancelled operation means the server is shutting down: the client may retry elsewhere.
    case ErrorCode::kCancelled:
      return Status::service_unavailable;
    case ErrorCode::kInternal:
      return Status::internal_server_error;
  }
  return Status::internal_server_error;
}

namespace {

// application/json, or a structured type ending in +json (RFC 6839), whatever its parameters.
bool IsJsonMediaType(std::string_view content_type) {
  const std::string_view type = MediaTypeOf(content_type);
  return boost::algorithm::iequals(type, "application/json") ||
         (boost::algorithm::istarts_with(type, "application/") && boost::algorithm::iends_with(type, "+json"));
}

}  // namespace

Result<boost::json::object> ParseJsonObject(const Request& request) {
  // A page on another site can make a browser POST a form or text/plain without asking first, but never
  // application/json: refusing the other types keeps such forged requests away from every JSON route, including
  // the ones that need no session (sign-in, password reset). Programs that send no Content-Type still work.
  auto content_type = request[boost::beast::http::field::content_type];
  if (!content_type.empty() && !IsJsonMediaType(std::string_view(content_type.data(), content_type.size()))) {
    return Error{ErrorCode::kUnsupportedMediaType,
                 "the request body must be JSON sent with Content-Type: application/json, not " +
                     std::string(content_type.data(), content_type.size()),
                 {}};
  }
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(request.body(), error, {}, options);
  if (error) return Error::InvalidArgument("request body is not valid JSON: " + error.message());
  if (!value.is_object()) return Error::InvalidArgument("request body must be a JSON object");
  return std::move(value.as_object());
}

}  // namespace parley::http
