#include "api/openapi.h"

#include "api/openapi_schemas.h"
#include "core/json.h"

#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>

#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <set>

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

boost::json::object Ref(std::string_view schema) { return {{"$ref", "#/components/schemas/" + std::string(schema)}}; }

std::string_view ErrorMeaning(int status) {
  switch (status) {
    case 400:
      return "Malformed request; the message says what is wrong.";
    case 401:
      return "Missing, unknown or expired credentials (or a wrong signature on a webhook).";
    case 403:
      return "The caller may not do this: its role, the plan's limit, or a missing X-CSRF-Token.";
    case 404:
      return "No such resource for this tenant.";
    case 409:
      return "The request conflicts with the resource's state; the message says how.";
    case 413:
      return "The body is larger than the server accepts (PARLEY_MAX_BODY_BYTES, PARLEY_MAX_UPLOAD_BYTES).";
    case 429:
      return "Too many requests; see Retry-After.";
    case 503:
      return "A dependency is unavailable (the store, the platform, a model); retry later.";
    default:
      return "An error.";
  }
}

boost::json::object ErrorReply(int status) {
  return {{"description", ErrorMeaning(status)}, {"content", {{"application/json", {{"schema", Ref("Error")}}}}}};
}

boost::json::object JsonContent(boost::json::object schema) {
  return {{"application/json", {{"schema", std::move(schema)}}}};
}

boost::json::object PathParameter(const std::string& name) {
  boost::json::object schema{{"type", "string"}};
  std::string description;
  if (name == "id") {
    schema = {{"type", "integer"}, {"minimum", 1}};
    description = "The resource's id.";
  } else if (name == "platform") {
    schema = Ref("Platform");
    description = "whatsapp or instagram.";
  }
  return {{"name", name}, {"in", "path"}, {"required", true}, {"description", description}, {"schema", schema}};
}

boost::json::object QueryParameter(const QueryParam& query) {
  // An untyped parameter keeps an empty schema, which the typing test refuses.
  boost::json::object schema;
  if (!query.schema.empty()) schema = boost::json::parse(query.schema).as_object();
  boost::json::object parameter{{"name", query.name}, {"in", "query"}, {"required", query.required}};
  if (!query.description.empty()) parameter["description"] = query.description;
  parameter["schema"] = std::move(schema);
  return parameter;
}

boost::json::object RequestBody(const RouteDoc& doc) {
  boost::json::object content;
  if (doc.body == BodyKind::kMultipart) {
    content["multipart/form-data"] = {{"schema", Ref(doc.form_schema)}};
    if (!doc.schema.empty()) content["application/json"] = {{"schema", Ref(doc.schema)}};
  } else {
    content = JsonContent(doc.schema.empty() ? boost::json::object{} : Ref(doc.schema));
  }
  return {{"required", true}, {"content", std::move(content)}};
}

boost::json::object SuccessReply(const RouteDoc& doc) {
  if (doc.success_status == 204) return {{"description", "Done; no content."}};
  const std::string& name = doc.response_schema.empty() ? doc.schema : doc.response_schema;
  boost::json::object reply{{"description", "Success."}};
  if (!doc.media_type.empty()) {
    boost::json::object media{{"schema", {{"type", "string"}}}};
    if (!name.empty()) media["x-parley-data-schema"] = Ref(name);
    reply["content"] = {{doc.media_type, std::move(media)}};
  } else {
    reply["content"] = JsonContent(name.empty() ? boost::json::object{} : Ref(name));
  }
  return reply;
}

boost::json::object Operation(const RouteEntry& route) {
  const RouteDoc& doc = route.doc;
  boost::json::object op{{"operationId", OperationId(route)},
                         {"summary", doc.summary},
                         {"tags", boost::json::array{boost::json::string(doc.tag)}}};
  boost::json::array parameters;
  size_t pos = 0;
  bool has_path_parameter = false;
  while ((pos = route.pattern.find('{', pos)) != std::string::npos) {
    size_t end = route.pattern.find('}', pos);
    parameters.push_back(PathParameter(route.pattern.substr(pos + 1, end - pos - 1)));
    has_path_parameter = true;
    pos = end;
  }
  for (const auto& query : doc.query) parameters.push_back(QueryParameter(query));
  if (!parameters.empty()) op["parameters"] = std::move(parameters);
  if (doc.body != BodyKind::kNone) op["requestBody"] = RequestBody(doc);

  std::set<int> errors(doc.errors.begin(), doc.errors.end());
  if (doc.body != BodyKind::kNone || !doc.query.empty()) errors.insert(400);
  if (doc.body != BodyKind::kNone) errors.insert(413);
  if (has_path_parameter) errors.insert(404);
  if (route.roles) {
    errors.insert({401, 403, 429});
    boost::json::array roles;
    for (Role role : *route.roles) roles.push_back(boost::json::string(ToString(role)));
    op["x-parley-roles"] = std::move(roles);
    op["security"] =
        boost::json::array{{{"bearerAuth", boost::json::array{}}}, {{"sessionCookie", boost::json::array{}}}};
  }
  boost::json::object responses{{std::to_string(doc.success_status), SuccessReply(doc)}};
  for (int status : errors) responses[std::to_string(status)] = ErrorReply(status);
  if (route.for_operator) {
    responses["401"] = {{"description", "PARLEY_METRICS_TOKEN is set and the request does not carry it."},
                        {"content", JsonContent(Ref("Error"))}};
    op["x-parley-operator"] = true;
    op["security"] = boost::json::array{boost::json::object{}, {{"operatorToken", boost::json::array{}}}};
  }
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
         "Errors answer `{\"error\": {\"code\", \"message\"}}` (components/schemas/Error). `parley openapi` "
         "prints this document without a server."}}},
      {"tags", std::move(tag_list)},
      {"paths", std::move(paths)},
      {"components",
       {{"securitySchemes",
         {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}, {"description", "Session token or API key."}}},
          {"sessionCookie",
           {{"type", "apiKey"},
            {"in", "cookie"},
            {"name", "parley_session"},
            {"description",
             "The browser's session (POST /api/auth/login sets it); state-changing requests also carry "
             "X-CSRF-Token."}}},
          {"operatorToken",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"description", "PARLEY_METRICS_TOKEN, for the operator's routes when it is set."}}}}},
        {"schemas", ComponentSchemas()}}}};
}

void RegisterOpenApiRoute(RouteTable& routes) {
  struct Rendered {
    std::once_flag once;
    std::string json;
  };
  auto rendered = std::make_shared<Rendered>();
  routes.Operator(
      http::Verb::get, "/api/openapi.json",
      {.summary = "This API reference (OpenAPI 3.1)", .tag = "operations", .response_schema = "OpenApiDocument"},
      [&routes, rendered](const http::Request&, const http::RouteContext&) -> boost::asio::awaitable<http::Response> {
        // Rendered at the first request: by then the table no longer changes.
        std::call_once(rendered->once, [&] { rendered->json = SerializeJson(OpenApiDocument(routes.entries())); });
        co_return http::TextResponse(http::Status::ok, rendered->json, "application/json");
      });
}

}  // namespace parley::api
