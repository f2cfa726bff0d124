#include "api/tenant_api.h"

#include "api/auth.h"

#include <boost/json/value.hpp>

#include <string_view>

namespace parley::api {
namespace {

using Verb = http::Verb;

// What PATCH /api/tenant's body asks to change; an error for an unknown field or a value of the wrong type.
Result<store::TenantSettingsUpdate> ParseUpdate(const boost::json::object& body) {
  store::TenantSettingsUpdate update;
  for (const auto& [key, value] : body) {
    if (key == "name" || key == "time_zone") {
      if (!value.is_string()) return Error::InvalidArgument(std::string(key) + " must be a string");
      (key == "name" ? update.name : update.time_zone) = std::string(value.as_string());
    } else if (key == "message_retention_days") {
      if (value.is_null()) {
        update.message_retention_days = std::optional<int>();
      } else if (value.is_int64() && value.as_int64() >= INT32_MIN && value.as_int64() <= INT32_MAX) {
        update.message_retention_days = std::optional<int>(static_cast<int>(value.as_int64()));
      } else {
        return Error::InvalidArgument("message_retention_days must be an integer or null");
      }
    } else {
      return Error::InvalidArgument("unknown field " + std::string(key));
    }
  }
  return update;
}

}  // namespace

boost::json::object TenantJson(const store::TenantSettings& tenant) {
  return {{"id", tenant.id},
          {"name", tenant.name},
          {"time_zone", tenant.time_zone},
          {"message_retention_days", tenant.message_retention_days ? boost::json::value(*tenant.message_retention_days)
                                                                   : boost::json::value(nullptr)}};
}

void TenantApi::RegisterRoutes(RouteTable& routes) {
  routes.Tenant(
      Verb::get, "/api/tenant", kAnyRole,
      {.summary = "The tenant's settings: name, time zone and message retention",
       .tag = "tenant",
       .response_schema = "Tenant"},
      [this](const Principal& caller, const http::Request&, const http::RouteContext&) { return Get(caller); });
  routes.Tenant(Verb::patch, "/api/tenant", kAdmins,
                {.summary = "Change the tenant's name, time zone (IANA) or message retention (null: keep for ever)",
                 .tag = "tenant",
                 .body = BodyKind::kJson,
                 .schema = "TenantUpdateRequest",
                 .response_schema = "Tenant"},
                [this](const Principal& caller, const http::Request& request, const http::RouteContext&) {
                  return Update(caller, request);
                });
}

boost::asio::awaitable<http::Response> TenantApi::Get(const Principal& caller) {
  auto get = [this, tenant = caller.tenant_id] { return store_.tenants().GetTenant(tenant); };
  auto tenant = co_await pool_.Run(get);
  if (!tenant) co_return http::ErrorResponse(tenant.error());
  co_return http::JsonResponse(http::Status::ok, TenantJson(*tenant));
}

boost::asio::awaitable<http::Response> TenantApi::Update(const Principal& caller, const http::Request& request) {
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto update = ParseUpdate(*body);
  if (!update) co_return http::ErrorResponse(update.error());
  auto apply = [this, tenant = caller.tenant_id, &update] { return store_.tenants().UpdateTenant(tenant, *update); };
  auto tenant = co_await pool_.Run(apply);
  if (!tenant) co_return http::ErrorResponse(tenant.error());
  // The body's fields are what changed; none of them is a secret.
  auto audit = AuditOf(caller, "tenant.update", "tenant", std::to_string(caller.tenant_id), *body);
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, TenantJson(*tenant));
}

}  // namespace parley::api
