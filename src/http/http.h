#pragma once
// HTTP messages, routing and error mapping shared by the server and the handlers. Handlers are coroutines from a
// request to a response; only the server session code (server.cpp) touches sockets.

#include "core/error.h"
#include "http/media_type.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <any>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using RequestHeader = boost::beast::http::request_header<>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Status = boost::beast::http::status;
using Verb = boost::beast::http::verb;

// --- Streaming responses (server-sent events) ---
// A handler answers with a stream by returning StreamResponse(route, head, body). The server then writes `head`'s
// status and fields (chunked transfer encoding, Connection: close) and runs `body`, whose writes go out as chunks as
// they come, until `body` returns, the client goes away (the server watches the connection while the body runs), or
// the server stops (Server::Stop cancels `body` through its coroutine's cancellation slot: whatever it awaits
// completes at once with operation_aborted). The server then ends the stream with the last chunk and closes the
// connection. `body` is a coroutine on the connection's strand: a stream waiting for something to send costs no
// thread. Router::Dispatch, without a server, answers the head alone.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Sends `chunk` (not empty) as one chunk, within the server's write timeout. False once the client is gone, a
  // write has timed out or the stream is being cancelled: `body` should then return.
  virtual boost::asio::awaitable<bool> Write(std::string_view chunk) = 0;
};
using StreamBody = std::function<boost::asio::awaitable<void>(StreamWriter&)>;

// What the router extracted from the target, and what the server knows of the request beyond its message.
struct RouteContext {
  std::map<std::string, std::string, std::less<>> path_params;  //!< {name} segments of the pattern.
  std::map<std::string, std::string, std::less<>> query;        //!< Decoded query parameters (last one wins).
  //! The client, as http::ClientAddress resolves it (the server sets it; unspecified when dispatched directly).
  boost::asio::ip::address client_address;
  //! What the route's gate learned from the header (the caller of a tenant route), for the handler.
  std::any admission;
  //! For a route that takes its body in a file (RouteOptions::body_to_file) and a multipart body: the file holding
  //! it, removed once the handler returns; the Request's body is then empty. Empty otherwise.
  std::filesystem::path body_file;
  //! Set by StreamResponse: the body of a stream response. The one thing a handler leaves in its (const) context.
  mutable StreamBody stream;

  std::optional<std::string_view> Param(std::string_view name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
};

using Handler = std::function<boost::asio::awaitable<Response>(const Request&, const RouteContext&)>;
// Decides on a request from its header alone, before any of the body is read: a response refuses it (the body is
// never read and the connection closes), nullopt lets it through. May leave what it learned in
// RouteContext::admission.
using Gate = std::function<boost::asio::awaitable<std::optional<Response>>(const RequestHeader&, RouteContext&)>;

struct RouteOptions {
  Gate gate;  //!< Empty: every request reaches the handler.
  //! A multipart/form-data body goes to a temporary file (RouteContext::body_file) under the server's upload limit
  //! instead of memory. Other bodies are read into memory under the ordinary limit.
  bool body_to_file = false;
};

// Routes "METHOD /literal/{param}/literal" patterns. Unknown paths answer 404 (or go to the fallback), known paths
// with another method answer 405 with an Allow header.
class Router {
 public:
  void Add(Verb method, std::string pattern, Handler handler, RouteOptions options = {});
  // What answers GET and HEAD requests for paths no route matches, instead of 404: the dashboard's files
  // (http/static_files.h). A HEAD request's answer is sent without its body. Other methods still answer 404.
  void SetFallback(Handler handler);

  // The route a request goes to, found from its header alone.
  struct Match {
    const Handler* handler = nullptr;       //!< Null when `refusal` is set.
    const RouteOptions* options = nullptr;  //!< Null when `refusal` is set.
    RouteContext context;
    std::optional<Response> refusal;  //!< 400 (malformed target), 404 or 405.
  };
  // Valid while the router lives and no route is added.
  Match Find(const RequestHeader& header) const;

  // The whole route for a message already in memory: Find, the gate, then the handler.
  boost::asio::awaitable<Response> Dispatch(const Request& request) const;

 private:
  struct Route {
    Verb method;
    std::vector<std::string> segments;  // "{name}" marks a parameter.
    Handler handler;
    RouteOptions options;
  };
  std::vector<Route> routes_;
  Handler fallback_;  // Empty: none.
  RouteOptions fallback_options_;
};

Response JsonResponse(Status status, const boost::json::value& body, unsigned version = 11);
Response TextResponse(Status status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
// The headers every answer carries (nosniff, Referrer-Policy, X-Frame-Options), and on documents a browser renders
// (HTML, SVG) the Content-Security-Policy; with `strict_transport`, Strict-Transport-Security. The server adds them
// to whatever it sends.
void AddSecurityHeaders(Response& response, bool strict_transport);
// A stream response (see StreamWriter): returns the head to answer, 200 with `content_type`, after leaving `body` in
// `route` for the server.
Response StreamResponse(const RouteContext& route, std::string_view content_type, StreamBody body);
// Maps an Error to its HTTP status and a body {"error": {"code", "message"}}; logs the detail, never the body.
Response ErrorResponse(const Error& error);
Status ToHttpStatus(ErrorCode code);

// The request body as a JSON object (at most 32 levels deep); kInvalidArgument saying what is wrong otherwise, and
// kUnsupportedMediaType for a body sent with another Content-Type than JSON (none at all is taken as JSON).
Result<boost::json::object> ParseJsonObject(const Request& request);

}  // namespace parley::http
