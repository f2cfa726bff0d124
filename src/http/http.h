#pragma once
// HTTP messages, routing and error mapping shared by the server and the handlers. Handlers are coroutines from a
// request to a response; only the server session code (server.cpp) touches sockets.

#include "core/error.h"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Status = boost::beast::http::status;
using Verb = boost::beast::http::verb;

// What the router extracted from the target.
struct RouteContext {
  std::map<std::string, std::string, std::less<>> path_params;  //!< {name} segments of the pattern.
  std::map<std::string, std::string, std::less<>> query;        //!< Decoded query parameters (last one wins).

  std::optional<std::string_view> Param(std::string_view name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
};

using Handler = std::function<boost::asio::awaitable<Response>(const Request&, const RouteContext&)>;

// Routes "METHOD /literal/{param}/literal" patterns. Unknown paths answer 404, known paths with another method
// answer 405 with an Allow header.
class Router {
 public:
  void Add(Verb method, std::string pattern, Handler handler);
  boost::asio::awaitable<Response> Dispatch(const Request& request) const;

 private:
  struct Route {
    Verb method;
    std::vector<std::string> segments;  // "{name}" marks a parameter.
    Handler handler;
  };
  std::vector<Route> routes_;
};

Response JsonResponse(Status status, const boost::json::value& body, unsigned version = 11);
Response TextResponse(Status status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
// Maps an Error to its HTTP status and a body {"error": {"code", "message"}}; logs the detail, never the body.
Response ErrorResponse(const Error& error);
Status ToHttpStatus(ErrorCode code);

// The request body as a JSON object (at most 32 levels deep); kInvalidArgument saying what is wrong otherwise.
Result<boost::json::object> ParseJsonObject(const Request& request);

}  // namespace parley::http
