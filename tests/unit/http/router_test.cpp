#include "http/http.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

namespace parley::http {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

Request MakeRequest(Verb method, std::string target) {
  Request request{method, target, 11};
  return request;
}

// Runs Dispatch to completion on a private io_context.
Response Dispatch(const Router& router, const Request& request) {
  asio::io_context io;
  auto future = asio::co_spawn(io, router.Dispatch(request), asio::use_future);
  io.run();
  return future.get();
}

// Echoes what the router extracted, so tests can see it.
Handler Echo(std::string name) {
  return [name](const Request&, const RouteContext& context) -> asio::awaitable<Response> {
    json::object params;
    for (const auto& [key, value] : context.path_params) params[key] = value;
    json::object query;
    for (const auto& [key, value] : context.query) query[key] = value;
    co_return JsonResponse(Status::ok, {{"route", name}, {"params", params}, {"query", query}});
  };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add(Verb::get, "/api/conversations", Echo("list"));
    router_.Add(Verb::get, "/api/conversations/{id}/messages", Echo("messages"));
    router_.Add(Verb::post, "/api/conversations/{id}/messages", Echo("send"));
    router_.Add(Verb::get, "/api/conversations/{id}", Echo("one"));
    router_.Add(Verb::get, "/", Echo("root"));
  }
  json::value Body(const Response& response) { return json::parse(response.body()); }
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralRoute) {
  Response response = Dispatch(router_, MakeRequest(Verb::get, "/api/conversations"));
  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(Body(response).at("route"), "list");
  EXPECT_EQ(response[boost::beast::http::field::content_type], "application/json");
}

TEST_F(RouterTest, MatchesRoot) { EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::get, "/"))).at("route"), "root"); }

TEST_F(RouterTest, ExtractsDecodedPathParameters) {
  Response response = Dispatch(router_, MakeRequest(Verb::get, "/api/conversations/c%2F42%20x/messages"));
  ASSERT_EQ(response.result(), Status::ok);
  json::value body = Body(response);
  EXPECT_EQ(body.at("route"), "messages");
  EXPECT_EQ(body.at("params").at("id"), "c/42 x");
}

TEST_F(RouterTest, PicksRouteByMethod) {
  EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::post, "/api/conversations/7/messages"))).at("route"), "send");
  EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::get, "/api/conversations/7"))).at("route"), "one");
}

TEST_F(RouterTest, DecodesQueryAndLastValueWins) {
  Response response =
      Dispatch(router_, MakeRequest(Verb::get, "/api/conversations?hub.mode=subscribe&q=a%20b+c&x=1&x=2&flag"));
  ASSERT_EQ(response.result(), Status::ok);
  json::value query = Body(response).at("query");
  EXPECT_EQ(query.at("hub.mode"), "subscribe");
  EXPECT_EQ(query.at("q"), "a b c");
  EXPECT_EQ(query.at("x"), "2");
  EXPECT_EQ(query.at("flag"), "");
}

TEST_F(RouterTest, RouteContextAccessors) {
  RouteContext context;
  context.path_params["id"] = "42";
  context.query["q"] = "v";
  EXPECT_EQ(context.Param("id"), "42");
  EXPECT_FALSE(context.Param("other").has_value());
  EXPECT_EQ(context.Query("q"), "v");
  EXPECT_FALSE(context.Query("id").has_value());
}

TEST_F(RouterTest, UnknownPathIs404Json) {
  for (const char* target : {"/api/nothing", "/api/conversations/1/messages/2", "/api"}) {
    Response response = Dispatch(router_, MakeRequest(Verb::get, target));
    EXPECT_EQ(response.result(), Status::not_found) << target;
    EXPECT_EQ(Body(response).at("error").at("code"), "not_found") << target;
  }
}

TEST_F(RouterTest, FallbackAnswersGetAndHeadOfUnknownPathsOnly) {
  router_.SetFallback(Echo("fallback"));
  EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::get, "/inbox/12?tab=notes"))).at("route"), "fallback");
  EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::get, "/inbox/12?tab=notes"))).at("query").at("tab"), "notes");
  EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::head, "/assets/app.js"))).at("route"), "fallback");
  // Routes still win, another method on an unknown path is still 404, a known path's wrong method still 405.
  EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::get, "/"))).at("route"), "root");
  EXPECT_EQ(Dispatch(router_, MakeRequest(Verb::post, "/inbox/12")).result(), Status::not_found);
  EXPECT_EQ(Dispatch(router_, MakeRequest(Verb::delete_, "/api/conversations")).result(), Status::method_not_allowed);
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  Response response = Dispatch(router_, MakeRequest(Verb::delete_, "/api/conversations/9/messages"));
  EXPECT_EQ(response.result(), Status::method_not_allowed);
  EXPECT_EQ(response[boost::beast::http::field::allow], "GET, POST");
  EXPECT_EQ(Body(response).at("error").at("code"), "method_not_allowed");
}

TEST_F(RouterTest, LiteralSegmentsWinOverParametersWhateverTheOrder) {
  // Registered after the parameter route that also matches it.
  router_.Add(Verb::get, "/api/conversations/{id}/{part}", Echo("part"));
  router_.Add(Verb::get, "/api/conversations/stats", Echo("stats"));
  router_.Add(Verb::delete_, "/api/conversations/{id}", Echo("delete"));
  EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::get, "/api/conversations/stats"))).at("route"), "stats");
  EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::get, "/api/conversations/7"))).at("route"), "one");
  EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::get, "/api/conversations/7/messages"))).at("route"), "messages");
  EXPECT_EQ(Body(Dispatch(router_, MakeRequest(Verb::get, "/api/conversations/7/notes"))).at("route"), "part");
  // The literal route allows only GET; the parameter route's DELETE is not offered for it.
  Response response = Dispatch(router_, MakeRequest(Verb::delete_, "/api/conversations/stats"));
  EXPECT_EQ(response.result(), Status::method_not_allowed);
  EXPECT_EQ(response[boost::beast::http::field::allow], "GET");
}

TEST_F(RouterTest, MalformedTargetIs400) {
  Response response = Dispatch(router_, MakeRequest(Verb::get, "http://absolute.example/x"));
  EXPECT_EQ(response.result(), Status::bad_request);
}

TEST_F(RouterTest, QueryAndPathThatAreNotUtf8Are400NamingThem) {
  Response query = Dispatch(router_, MakeRequest(Verb::get, "/api/conversations?status=open&q=caf%FF"));
  EXPECT_EQ(query.result(), Status::bad_request);
  EXPECT_EQ(Body(query).at("error").at("message"), "query parameter \"q\" is not valid UTF-8");
  Response key = Dispatch(router_, MakeRequest(Verb::get, "/api/conversations?%C0%AF=1"));
  EXPECT_EQ(key.result(), Status::bad_request);
  EXPECT_EQ(Body(key).at("error").at("message"), "a query parameter is not valid UTF-8");
  Response path = Dispatch(router_, MakeRequest(Verb::get, "/api/conversations/%ED%A0%80"));
  EXPECT_EQ(path.result(), Status::bad_request);
  EXPECT_EQ(Body(path).at("error").at("message"), "the path is not valid UTF-8");
  Response good = Dispatch(router_, MakeRequest(Verb::get, "/api/conversations?q=caf%C3%A9"));
  EXPECT_EQ(good.result(), Status::ok);
  EXPECT_EQ(Body(good).at("query").at("q"), "caf\xc3\xa9");
}

TEST(ParseJsonObjectTest, RefusesStringsThatAreNotUtf8) {
  Request request{Verb::post, "/", 11};
  request.body() = "{\"name\": \"caf\xff\"}";
  auto parsed = ParseJsonObject(request);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  request.body() = "{\"name\": \"caf\xc3\xa9\"}";
  EXPECT_TRUE(ParseJsonObject(request));
}

TEST(ErrorResponseTest, MapsCodeAndHidesDetail) {
  Error error = Error::Internal("database file /var/lib/parley.db is locked");
  Response response = ErrorResponse(error);
  EXPECT_EQ(response.result(), Status::internal_server_error);
  json::value body = json::parse(response.body());
  EXPECT_EQ(body.at("error").at("code"), "internal");
  EXPECT_EQ(body.at("error").at("message"), "internal error");
  EXPECT_EQ(response.body().find("parley.db"), std::string::npos);
}

TEST(ErrorResponseTest, StatusTable) {
  EXPECT_EQ(ToHttpStatus(ErrorCode::kInvalidArgument), Status::bad_request);
  EXPECT_EQ(ToHttpStatus(ErrorCode::kUnauthenticated), Status::unauthorized);
  EXPECT_EQ(ToHttpStatus(ErrorCode::kPermissionDenied), Status::forbidden);
  EXPECT_EQ(ToHttpStatus(ErrorCode::kNotFound), Status::not_found);
  EXPECT_EQ(ToHttpStatus(ErrorCode::kConflict), Status::conflict);
  EXPECT_EQ(ToHttpStatus(ErrorCode::kPayloadTooLarge), Status::payload_too_large);
  EXPECT_EQ(ToHttpStatus(ErrorCode::kRateLimited), Status::too_many_requests);
  EXPECT_EQ(ToHttpStatus(ErrorCode::kUnavailable), Status::service_unavailable);
  EXPECT_EQ(ToHttpStatus(ErrorCode::kTimeout), Status::gateway_timeout);
  EXPECT_EQ(ToHttpStatus(ErrorCode::kInternal), Status::internal_server_error);
}

TEST(ResponseHelpersTest, SecurityHeadersOnEveryAnswerAndThePolicyOnDocuments) {
  Response json = JsonResponse(Status::ok, boost::json::object{});
  AddSecurityHeaders(json, false);
  EXPECT_EQ(json["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(json["Referrer-Policy"], "same-origin");
  EXPECT_EQ(json[boost::beast::http::field::x_frame_options], "DENY");
  EXPECT_EQ(json["Content-Security-Policy"], "");
  EXPECT_EQ(json[boost::beast::http::field::strict_transport_security], "");  // Plain HTTP: nothing to pin.
  for (const char* type : {"text/html; charset=utf-8", "image/svg+xml"}) {
    Response document = TextResponse(Status::ok, "<p>", type);
    AddSecurityHeaders(document, false);
    EXPECT_NE(document["Content-Security-Policy"].find("default-src 'self'"), std::string_view::npos) << type;
    EXPECT_NE(document["Content-Security-Policy"].find("frame-ancestors 'none'"), std::string_view::npos) << type;
  }
}

TEST(ResponseHelpersTest, StrictTransportSecurityWhenPeopleComeOverHttps) {
  Response json = JsonResponse(Status::ok, boost::json::object{});
  AddSecurityHeaders(json, true);
  EXPECT_EQ(json[boost::beast::http::field::strict_transport_security], "max-age=31536000");
}

TEST(ResponseHelpersTest, TextResponseSetsTypeAndLength) {
  Response response = TextResponse(Status::ok, "hello", "text/plain");
  EXPECT_EQ(response[boost::beast::http::field::content_type], "text/plain");
  EXPECT_EQ(response[boost::beast::http::field::content_length], "5");
}

}  // namespace
}  // namespace parley::http
