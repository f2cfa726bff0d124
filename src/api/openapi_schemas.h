#pragma once
// The named JSON shapes of the API reference (components/schemas of GET /api/openapi.json): every request body and
// answer of the API, the error answer, and the enums of the codes the API uses, generated from their C++ enums so
// that a new code appears in the reference by itself. Routes name these schemas in their RouteDoc.

#include "api/route_table.h"

#include <boost/json/object.hpp>

#include <vector>

namespace parley::api {

// Every component schema, by name.
boost::json::object ComponentSchemas();

// The query parameters of every paged list: ?cursor= and ?limit=.
QueryParam CursorParam();
QueryParam LimitParam();
std::vector<QueryParam> PagingParams();

}  // namespace parley::api
