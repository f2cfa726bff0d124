#pragma once
// The one table of Parley's HTTP routes. Each route is registered with what the API reference says of it and who
// may call it; the same entries serve requests (through http::Router) and produce GET /api/openapi.json, so the
// documentation and the server never disagree.

#include "core/rate_limiter.h"
#include "http/http.h"
#include "http/route_doc.h"

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

// What the API reference says of a route (http/route_doc.h): shared with the platforms that serve routes of their own.
using http::BodyKind;
using http::QueryParam;
using http::RouteDoc;

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

  // A route anyone may call. It checks its caller itself when it has to (webhook signatures, OAuth state), or in
  // `gate`, from the header, before the body is read. A route documented with a multipart body receives it in a file
  // (RouteContext::body_file), as a tenant route does.
  void Public(http::Verb method, std::string pattern, RouteDoc doc, http::Handler handler, http::Gate gate = {});
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
