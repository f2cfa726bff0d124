#pragma once
// The one table of Parley's HTTP routes. Each route is registered with what the API reference says of it and who
// may call it; the same entries serve requests (through http::Router) and produce GET /api/openapi.json, so the
// documentation and the server never disagree.

#include "core/rate_limiter.h"
#include "http/http.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::api {

enum class Role { kOwner, kAdmin, kAgent };
std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view text);
// Owner ≥ admin ≥ agent: true when `role` may do whatever `other` may.
bool AtLeast(Role role, Role other);

using Roles = std::vector<Role>;
inline const Roles kAnyRole{Role::kOwner, Role::kAdmin, Role::kAgent};
inline const Roles kAdmins{Role::kOwner, Role::kAdmin};
inline const Roles kOwners{Role::kOwner};

// Who is calling: a person's session or one of the tenant's API keys.
struct Principal {
  int64_t tenant_id = 0;
  Role role = Role::kAgent;
  std::optional<int64_t> user_id;
  std::optional<int64_t> api_key_id;
  // "user:12" or "api_key:3": how the audit log names the caller.
  std::string Actor() const;
};

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

struct RouteEntry {
  http::Verb method;
  std::string pattern;
  RouteDoc doc;
  std::optional<Roles> roles;  //!< nullopt: public (webhooks, health, login, OAuth callbacks) or the operator's.
  bool for_operator = false;   //!< Metrics, readiness, this reference: see OperatorAccess.
};

// How the operator's routes (metrics, readiness, the API reference) are kept from strangers: they tell more than the
// internet needs (traffic, the shape of the API) on the listener Meta reaches. Liveness stays open everywhere.
struct OperatorAccess {
  //! PARLEY_METRICS_TOKEN: when not empty, the operator's routes require `Authorization: Bearer <token>` (else 401).
  std::string token;
  //! PARLEY_ADMIN_LISTEN's router: when set, the operator's routes are served there, and no longer on the public one.
  http::Router* admin_router = nullptr;
};

using TenantHandler = std::function<boost::asio::awaitable<http::Response>(
    const Principal& caller, const http::Request& request, const http::RouteContext& route)>;

class Authenticator;

class RouteTable {
 public:
  // `limiter` holds one bucket per tenant for the tenant routes. Every reference must outlive the table.
  RouteTable(http::Router& router, Authenticator& auth, RateLimiter& limiter, OperatorAccess operator_access = {})
      : router_(router), auth_(auth), limiter_(limiter), operator_(std::move(operator_access)) {}

  // A route anyone may call. It checks its caller itself when it has to (webhook signatures, OAuth state).
  void Public(http::Verb method, std::string pattern, RouteDoc doc, http::Handler handler);
  // A tenant route: the caller is authenticated (401), must hold one of `roles` (403) and is rate-limited per
  // tenant (429 with Retry-After) from the request's header, before its body is read, and before `handler` runs.
  // A route documented with a multipart body (BodyKind::kMultipart) receives it in a file (RouteContext::body_file).
  void Tenant(http::Verb method, std::string pattern, Roles roles, RouteDoc doc, TenantHandler handler);
  // An operator's route, served and guarded as OperatorAccess says.
  void Operator(http::Verb method, std::string pattern, RouteDoc doc, http::Handler handler);
  // Liveness: open on the public listener and on the admin listener when there is one.
  void Liveness(std::string pattern, RouteDoc doc, http::Handler handler);

  const std::vector<RouteEntry>& entries() const { return entries_; }

 private:
  http::Router& router_;
  Authenticator& auth_;
  RateLimiter& limiter_;
  const OperatorAccess operator_;
  std::vector<RouteEntry> entries_;
};

}  // namespace parley::api
