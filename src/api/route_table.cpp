#include "api/route_table.h"

#include "api/auth.h"
#include "core/crypto.h"
#include "core/time.h"

#include <boost/beast/http/field.hpp>

#include <algorithm>

namespace parley::api {

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kOwner:
      return "owner";
    case Role::kAdmin:
      return "admin";
    case Role::kAgent:
      return "agent";
  }
  return "agent";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role role : {Role::kOwner, Role::kAdmin, Role::kAgent}) {
    if (ToString(role) == text) return role;
  }
  return std::nullopt;
}

bool AtLeast(Role role, Role other) { return static_cast<int>(role) <= static_cast<int>(other); }

std::string Principal::Actor() const {
  if (user_id) return "user:" + std::to_string(*user_id);
  if (api_key_id) return "api_key:" + std::to_string(*api_key_id);
  return "tenant:" + std::to_string(tenant_id);
}

void RouteTable::Public(http::Verb method, std::string pattern, RouteDoc doc, http::Handler handler, http::Gate gate) {
  const http::RouteOptions options{.gate = std::move(gate), .body_to_file = doc.body == BodyKind::kMultipart};
  entries_.push_back({method, pattern, std::move(doc), std::nullopt});
  router_.Add(method, std::move(pattern), std::move(handler), options);
}

void RouteTable::Tenant(http::Verb method, std::string pattern, Roles roles, RouteDoc doc, TenantHandler handler) {
  http::RouteOptions options;
  // Who calls, whether their role may, and the tenant's rate are all known from the header: a refused caller's
  // body is never read.
  options.gate = [this, roles](const http::RequestHeader& header,
                               http::RouteContext& route) -> boost::asio::awaitable<std::optional<http::Response>> {
    auto caller = co_await auth_.Authenticate(header);
    if (!caller) co_return http::ErrorResponse(caller.error());
    if (std::find(roles.begin(), roles.end(), caller->role) == roles.end()) {
      co_return http::ErrorResponse(
          {ErrorCode::kPermissionDenied, "the " + std::string(ToString(caller->role)) + " role may not do this", {}});
    }
    const std::string key = "tenant:" + std::to_string(caller->tenant_id);
    auto decision = co_await limiter_.Take(key, NowMs());
    if (!decision.allowed) {
      auto response =
          http::ErrorResponse({ErrorCode::kRateLimited, "too many requests for this tenant, retry later", {}});
      response.set(boost::beast::http::field::retry_after, std::to_string((decision.retry_after_ms + 999) / 1000));
      co_return response;
    }
    route.admission = *caller;
    co_return std::nullopt;
  };
  options.body_to_file = doc.body == BodyKind::kMultipart;
  entries_.push_back({method, pattern, std::move(doc), std::move(roles)});
  router_.Add(
      method, std::move(pattern),
      [handler = std::move(handler)](const http::Request& request,
                                     const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        const auto* caller = std::any_cast<Principal>(&route.admission);
        // The router runs the gate before the handler, always; reaching this is a bug.
        if (caller == nullptr) co_return http::ErrorResponse(Error::Internal("tenant route reached without its gate"));
        co_return co_await handler(*caller, request, route);
      },
      std::move(options));
}

void RouteTable::Operator(http::Verb method, std::string pattern, RouteDoc doc, http::Handler handler) {
  http::RouteOptions options;
  if (!operator_.token.empty()) {
    options.gate = [token = operator_.token](
                       const http::RequestHeader& header,
                       http::RouteContext&) -> boost::asio::awaitable<std::optional<http::Response>> {
      const std::string_view authorization = header[boost::beast::http::field::authorization];
      constexpr std::string_view kBearer = "Bearer ";
      if (authorization.starts_with(kBearer) &&
          crypto::ConstantTimeEquals(authorization.substr(kBearer.size()), token)) {
        co_return std::nullopt;
      }
      auto refused = http::ErrorResponse(Error::Unauthenticated("this endpoint needs the operator's token"));
      refused.set(boost::beast::http::field::www_authenticate, "Bearer");
      co_return refused;
    };
  }
  entries_.push_back({method, pattern, std::move(doc), std::nullopt, /*for_operator=*/true});
  http::Router& router = operator_.admin_router != nullptr ? *operator_.admin_router : router_;
  router.Add(method, std::move(pattern), std::move(handler), std::move(options));
}

void RouteTable::Liveness(std::string pattern, RouteDoc doc, http::Handler handler) {
  if (operator_.admin_router != nullptr) operator_.admin_router->Add(http::Verb::get, pattern, handler);
  Public(http::Verb::get, std::move(pattern), std::move(doc), std::move(handler));
}

}  // namespace parley::api
