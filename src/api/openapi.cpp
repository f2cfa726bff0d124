#include "api/openapi.h"

#include "agent/settings.h"
#include "api/conversations_api.h"
#include "core/json.h"

#include <boost/beast/http/verb.hpp>

#include <cctype>
#include <map>
#include <memory>
#include <mutex>

namespace parley::api {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "GET /api/faq-qa/{id}" → "get_api_faq_qa_id": unique per route, stable across releases.
std::string OperationId(const RouteEntry& route) {
  std::string id = Lower(boost::beast::http::to_string(route.method));
  for (char c : route.pattern) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += c;
    } else if (c == '/' || c == '-' || c == '.' || c == '_') {
      if (id.back() != '_') id += '_';
    }
  }
  while (id.back() == '_') id.pop_back();
  return id;
}

boost::json::object ErrorReply(std::string_view description) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

boost::json::object Operation(const RouteEntry& route) {
  boost::json::object op{{"operationId", OperationId(route)},
                         {"summary", route.doc.summary},
                         {"tags", boost::json::array{boost::json::string(route.doc.tag)}}};
  boost::json::array parameters;
  size_t pos = 0;
  while ((pos = route.pattern.find('{', pos)) != std::string::npos) {
    size_t end = route.pattern.find('}', pos);
    std::string name = route.pattern.substr(pos + 1, end - pos - 1);
    parameters.push_back({{"name", name},
                          {"in", "path"},
                          {"required", true},
                          {"schema", {{"type", name == "id" ? "integer" : "string"}}}});
    pos = end;
  }
  for (const auto& query : route.doc.query) {
    parameters.push_back({{"name", query}, {"in", "query"}, {"required", false}, {"schema", {{"type", "string"}}}});
  }
  if (!parameters.empty()) op["parameters"] = std::move(parameters);

  boost::json::object body_schema{{"type", "object"}};
  if (!route.doc.schema.empty()) body_schema = {{"$ref", "#/components/schemas/" + route.doc.schema}};
  if (route.doc.body == BodyKind::kJson) {
    op["requestBody"] = {{"required", true}, {"content", {{"application/json", {{"schema", body_schema}}}}}};
  } else if (route.doc.body == BodyKind::kMultipart) {
    op["requestBody"] = {
        {"required", true},
        {"content",
         {{"multipart/form-data",
           {{"schema",
             {{"type", "object"},
              {"properties", {{"file", {{"type", "string"}, {"contentMediaType", "application/octet-stream"}}}}}}}}},
          {"application/json", {{"schema", {{"type", "object"}}}}}}}};
  }

  boost::json::object responses;
  std::string success = std::to_string(route.doc.success_status);
  if (route.doc.success_status == 204) {
    responses[success] = {{"description", "Done; no content."}};
  } else {
    boost::json::object schema = body_schema;
    if (!route.doc.response_schema.empty()) {
      schema = {{"$ref", "#/components/schemas/" + route.doc.response_schema}};
    }
    responses[success] = {{"description", "Success."}, {"content", {{"application/json", {{"schema", schema}}}}}};
  }
  if (route.doc.body != BodyKind::kNone || !route.doc.query.empty()) {
    responses["400"] = ErrorReply("Malformed request; the message says what is wrong.");
  }
  if (route.roles) {
    responses["401"] = ErrorReply("Missing, unknown or expired session token or API key.");
    responses["403"] = ErrorReply("The caller's role may not call this route.");
    responses["429"] = ErrorReply("Too many requests for this tenant; see Retry-After.");
    boost::json::array roles;
    for (Role role : *route.roles) roles.push_back(boost::json::string(ToString(role)));
    op["x-parley-roles"] = std::move(roles);
    op["security"] = boost::json::array{{{"bearerAuth", boost::json::array{}}}};
  }
  if (route.for_operator) {
    responses["401"] = ErrorReply("PARLEY_METRICS_TOKEN is set and the request does not carry it.");
    op["x-parley-operator"] = true;
    op["security"] = boost::json::array{boost::json::object{}, {{"operatorToken", boost::json::array{}}}};
  }
  if (route.pattern.find('{') != std::string::npos) responses["404"] = ErrorReply("No such resource for this tenant.");
  op["responses"] = std::move(responses);
  return op;
}

}  // namespace

boost::json::object OpenApiDocument(const std::vector<RouteEntry>& routes) {
  boost::json::object paths;
  std::map<std::string, bool> tags;
  for (const auto& route : routes) {
    boost::json::value& slot = paths[route.pattern];
    boost::json::object& item = slot.is_object() ? slot.as_object() : slot.emplace_object();
    item[Lower(boost::beast::http::to_string(route.method))] = Operation(route);
    tags[route.doc.tag] = true;
  }
  boost::json::array tag_list;
  for (const auto& [tag, unused] : tags) tag_list.push_back(boost::json::object{{"name", tag}});
  return {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Parley API"},
        {"version", "1"},
        {"description",
         "The tenant API of Parley. Authenticate with `Authorization: Bearer <token>`, where the token is a session "
         "token from POST /api/auth/login or a tenant API key. Each operation lists the roles that may call it in "
         "`x-parley-roles`; the operator's routes (`x-parley-operator`) take PARLEY_METRICS_TOKEN when it is set. "
         "Errors answer `{\"error\": {\"code\", \"message\"}}`."}}},
      {"tags", std::move(tag_list)},
      {"paths", std::move(paths)},
      {"components",
       {{"securitySchemes",
         {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}, {"description", "Session token or API key."}}},
          {"operatorToken",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"description", "PARLEY_METRICS_TOKEN, for the operator's routes when it is set."}}}}},
        {"schemas",
         {{"AiSettings", agent::AiSettingsJsonSchema()},
          {"SupportItem", SupportItemSchema()},
          {"SupportItemPage",
           {{"type", "object"},
            {"required", boost::json::array{"data", "next_cursor"}},
            {"properties",
             {{"data", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/SupportItem"}}}}},
              {"next_cursor", {{"type", boost::json::array{"string", "null"}}}}}}}},
          {"Error",
           {{"type", "object"},
            {"required", boost::json::array{"error"}},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"required", boost::json::array{"code", "message"}},
                {"properties", {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}}}}}};
}

void RegisterOpenApiRoute(RouteTable& routes) {
  struct Rendered {
    std::once_flag once;
    std::string json;
  };
  auto rendered = std::make_shared<Rendered>();
  routes.Operator(
      http::Verb::get, "/api/openapi.json", {"This API reference (OpenAPI 3.1)", "operations"},
      [&routes, rendered](const http::Request&, const http::RouteContext&) -> boost::asio::awaitable<http::Response> {
        // Rendered at the first request: by then the table no longer changes.
        std::call_once(rendered->once, [&] { rendered->json = SerializeJson(OpenApiDocument(routes.entries())); });
        co_return http::TextResponse(http::Status::ok, rendered->json, "application/json");
      });
}

}  // namespace parley::api
