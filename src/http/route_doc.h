#pragma once
// What the API reference (GET /api/openapi.json) says of one route. The API's route table (api/route_table.h) and the
// platforms that serve public routes of their own (channels/platform_routes.h) describe their routes with it, so
// every route of the server is documented alike.

#include <string>
#include <utility>
#include <vector>

namespace parley::http {

enum class BodyKind { kNone, kJson, kMultipart };

// A query parameter as the API reference describes it. A bare name (`{"cursor"}`) still compiles, but the reference
// then knows nothing of its type, and the typing test (tests/unit/app/openapi_typing_test.cpp) fails: give it a
// schema.
struct QueryParam {
  QueryParam(const char* name) : name(name) {}  // NOLINT(google-explicit-constructor): see above.
  QueryParam(std::string name, std::string schema, std::string description, bool required = false)
      : name(std::move(name)), schema(std::move(schema)), description(std::move(description)), required(required) {}

  std::string name;
  std::string schema;  //!< JSON Schema as JSON text: `{"type": "integer", "minimum": 1}`.
  std::string description;
  bool required = false;
};

// What the API reference says of a route. The schemas it names are components of the reference
// (api/openapi_schemas.h).
struct RouteDoc {
  std::string summary;
  std::string tag;                //!< Groups routes in the reference ("conversations", "billing", …).
  std::vector<QueryParam> query;  //!< Query parameters the route reads.
  BodyKind body = BodyKind::kNone;
  int success_status = 200;
  //! The schema of the JSON request body, and of the success answer unless `response_schema` names another. For a
  //! multipart route, the JSON body it also takes instead, if any.
  std::string schema = {};
  //! A multipart route's form: the schema of its parts (the file and its fields).
  std::string form_schema = {};
  //! The success answer's schema when it is not `schema` (a page of items, an item after an action).
  std::string response_schema = {};
  //! Error statuses the handler itself may answer, besides those the reference derives from the route (400 for a
  //! body or query parameters, 401/403/429 for tenant routes, 404 for ids in the path, 413 for a body): 403 for a
  //! plan's limit, 409 for a conflict, 503 when a platform or the store is unreachable, …
  std::vector<int> errors = {};
  //! The success answer's media type when it is not JSON ("text/plain", "text/event-stream"): its schema is then a
  //! string, and `response_schema` may name the JSON each part of it carries.
  std::string media_type = {};
};

}  // namespace parley::http
