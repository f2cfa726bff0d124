#pragma once
// GET /api/openapi.json: the OpenAPI 3.1 reference of every route, produced from the route table that serves
// them, so that the document cannot drift from the server.

#include "api/route_table.h"

#include <boost/json/object.hpp>

namespace parley::api {

boost::json::object OpenApiDocument(const std::vector<RouteEntry>& routes);

// Registers GET /api/openapi.json (public). The document is rendered at the first request, when every route
// is in the table.
void RegisterOpenApiRoute(RouteTable& routes);

}  // namespace parley::api
