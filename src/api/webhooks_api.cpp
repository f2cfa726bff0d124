#include "api/webhooks_api.h"

#include "api/auth.h"
#include "api/openapi_schemas.h"
#include "api/params.h"
#include "core/time.h"
#include "webhooks/webhooks.h"

#include <algorithm>

namespace parley::api {
namespace {

using Verb = http::Verb;

constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxDescriptionBytes = 500;

Result<void> OnlyKnownFields(const boost::json::object& body, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body) {
    if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
      return Error::InvalidArgument("unknown field " + std::string(key));
    }
  }
  return Ok();
}

// The endpoint's fields from a request body; `creating` requires the URL and defaults the rest.
Result<store::WebhookEndpointUpdate> ReadEndpointFields(const boost::json::object& body, bool creating) {
  if (auto known = OnlyKnownFields(body, {"url", "events", "enabled", "description"}); !known) return known.error();
  store::WebhookEndpointUpdate fields;
  if (const auto* url = body.if_contains("url")) {
    if (!url->is_string()) return Error::InvalidArgument("url must be a string");
    fields.url = std::string(url->as_string());
    if (!fields.url->starts_with("https://") && !fields.url->starts_with("http://")) {
      return Error::InvalidArgument("url must be an http:// or https:// URL");
    }
    if (fields.url->size() > kMaxUrlBytes) return Error::InvalidArgument("url must be at most 2048 bytes");
  } else if (creating) {
    return Error::InvalidArgument("url is required");
  }
  if (const auto* events = body.if_contains("events")) {
    if (!events->is_array()) return Error::InvalidArgument("events must be an array of event types");
    std::vector<std::string> types;
    for (const auto& type : events->as_array()) {
      if (!type.is_string() || !webhooks::IsEventType(type.as_string())) {
        return Error::InvalidArgument("events: unknown event type " + (type.is_string()
                                                                           ? std::string(type.as_string())
                                                                           : std::string("(not a string)")));
      }
      if (std::find(types.begin(), types.end(), type.as_string()) == types.end()) {
        types.emplace_back(type.as_string());
      }
    }
    if (types.empty()) return Error::InvalidArgument("events must name at least one event type");
    fields.event_types = std::move(types);
  } else if (creating) {
    fields.event_types = webhooks::EventTypes();
  }
  if (const auto* enabled = body.if_contains("enabled")) {
    if (!enabled->is_bool()) return Error::InvalidArgument("enabled must be a boolean");
    fields.enabled = enabled->as_bool();
  }
  if (const auto* description = body.if_contains("description")) {
    if (!description->is_string()) return Error::InvalidArgument("description must be a string");
    fields.description = std::string(description->as_string());
    if (fields.description->size() > kMaxDescriptionBytes) {
      return Error::InvalidArgument("description must be at most 500 bytes");
    }
  }
  return fields;
}

boost::json::object AuditDetails(const store::WebhookEndpoint& endpoint) {
  boost::json::array events;
  for (const auto& type : endpoint.event_types) events.emplace_back(type);
  return {{"url", endpoint.url}, {"events", std::move(events)}, {"enabled", endpoint.enabled}};
}

boost::json::value OrNullTime(const std::optional<int64_t>& ms) {
  return ms ? boost::json::value(FormatTimestamp(*ms)) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object WebhookEndpointJson(const store::WebhookEndpoint& e) {
  boost::json::array events;
  for (const auto& type : e.event_types) events.emplace_back(type);
  return {{"id", e.id},
          {"url", e.url},
          {"description", e.description},
          {"events", std::move(events)},
          {"enabled", e.enabled},
          {"created_at", FormatTimestamp(e.created_at_ms)},
          {"updated_at", FormatTimestamp(e.updated_at_ms)}};
}

boost::json::object WebhookDeliveryJson(const store::WebhookDelivery& d) {
  return {{"id", d.id},
          {"endpoint_id", d.endpoint_id},
          {"event_id", d.event_id},
          {"event_type", d.event_type},
          {"status", store::ToString(d.status)},
          {"attempts", d.attempts},
          {"response_status", OrNull(d.response_status)},
          {"last_error", OrNull(d.last_error)},
          {"next_attempt_at", OrNullTime(d.next_attempt_at_ms)},
          {"created_at", FormatTimestamp(d.created_at_ms)},
          {"updated_at", FormatTimestamp(d.updated_at_ms)}};
}

void WebhooksApi::RegisterRoutes(RouteTable& routes) {
  auto add = [&](Verb verb, const char* pattern, RouteDoc doc, Handler handler) {
    routes.Tenant(
        verb, pattern, kAdmins, std::move(doc),
        [this, handler](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
          return (this->*handler)(caller, request, route);
        });
  };
  add(Verb::get, "/api/webhook-endpoints",
      {.summary = "The tenant's outbound webhook endpoints (secrets are never shown)",
       .tag = "webhooks",
       .response_schema = "WebhookEndpointList"},
      &WebhooksApi::List);
  add(Verb::post, "/api/webhook-endpoints",
      {.summary = "Register an endpoint; its signing secret is in this answer only",
       .tag = "webhooks",
       .body = BodyKind::kJson,
       .success_status = 201,
       .schema = "WebhookEndpointRequest",
       .response_schema = "WebhookEndpointCreated",
       .errors = {409}},
      &WebhooksApi::Create);
  add(Verb::get, "/api/webhook-endpoints/{id}",
      {.summary = "An endpoint", .tag = "webhooks", .response_schema = "WebhookEndpoint"}, &WebhooksApi::Get);
  add(Verb::patch, "/api/webhook-endpoints/{id}",
      {.summary = "Change an endpoint's URL, events, description or enabled flag (the fields sent)",
       .tag = "webhooks",
       .body = BodyKind::kJson,
       .schema = "WebhookEndpointUpdate",
       .response_schema = "WebhookEndpoint"},
      &WebhooksApi::Update);
  add(Verb::delete_, "/api/webhook-endpoints/{id}",
      {.summary = "Remove an endpoint and its deliveries", .tag = "webhooks", .response_schema = "Deleted"},
      &WebhooksApi::Delete);
  add(Verb::post, "/api/webhook-endpoints/{id}/rotate-secret",
      {.summary = "A new signing secret, in this answer only; the old one stops signing at once",
       .tag = "webhooks",
       .response_schema = "WebhookEndpointCreated"},
      &WebhooksApi::RotateSecret);
  add(Verb::get, "/api/webhook-endpoints/{id}/deliveries",
      {.summary = "The endpoint's deliveries, newest first: status, attempts, last answer and error, next attempt",
       .tag = "webhooks",
       .query = PagingParams(),
       .response_schema = "WebhookDeliveryPage"},
      &WebhooksApi::ListDeliveries);
  add(Verb::post, "/api/webhook-endpoints/{id}/ping",
      {.summary = "Send a test event (type ping) to the endpoint",
       .tag = "webhooks",
       .success_status = 202,
       .response_schema = "WebhookDelivery"},
      &WebhooksApi::Ping);
  add(Verb::post, "/api/webhook-endpoints/{id}/deliveries/{delivery_id}/redeliver",
      {.summary = "Send a delivery's body again, as a new delivery",
       .tag = "webhooks",
       .success_status = 202,
       .response_schema = "WebhookDelivery"},
      &WebhooksApi::Redeliver);
}

boost::asio::awaitable<Result<void>> WebhooksApi::CheckUrl(const std::string& url) {
  Result<void> checked = co_await client_.CheckTenantUrl(url);
  // A name that does not resolve now may later; only the policy's refusal is final.
  if (!checked && checked.error().code == ErrorCode::kInvalidArgument) {
    co_return Error::InvalidArgument("url: " + checked.error().message);
  }
  co_return Ok();
}

boost::asio::awaitable<http::Response> WebhooksApi::List(const Principal& caller, const http::Request&,
                                                         const http::RouteContext&) {
  auto list = [this, tenant = caller.tenant_id] { return store_.webhooks().ListEndpoints(tenant); };
  auto endpoints = co_await pool_.Run(list);
  if (!endpoints) co_return http::ErrorResponse(endpoints.error());
  boost::json::array data;
  for (const auto& endpoint : *endpoints) data.push_back(WebhookEndpointJson(endpoint));
  co_return http::JsonResponse(http::Status::ok, boost::json::object{{"data", std::move(data)}});
}

boost::asio::awaitable<http::Response> WebhooksApi::Create(const Principal& caller, const http::Request& request,
                                                           const http::RouteContext&) {
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto fields = ReadEndpointFields(*body, /*creating=*/true);
  if (!fields) co_return http::ErrorResponse(fields.error());
  if (auto allowed = co_await CheckUrl(*fields->url); !allowed) co_return http::ErrorResponse(allowed.error());
  const std::string secret = webhooks::NewSecret();
  store::NewWebhookEndpoint endpoint{*fields->url, fields->description.value_or(""), *fields->event_types,
                                     fields->enabled.value_or(true), box_.Seal(secret)};
  auto create = [this, tenant = caller.tenant_id, &endpoint] {
    return store_.webhooks().CreateEndpoint(tenant, endpoint, NowMs());
  };
  auto created = co_await pool_.Run(create);
  if (!created) co_return http::ErrorResponse(created.error());
  auto audit = AuditOf(caller, "webhook_endpoint.create", "webhook_endpoint", std::to_string(created->id),
                       AuditDetails(*created));
  co_await RecordAudit(store_, pool_, audit);
  // The dispatcher watches a tenant's events from its first endpoint on: at once, not at its next poll.
  if (wake_) wake_();
  boost::json::object answer = WebhookEndpointJson(*created);
  answer["secret"] = secret;
  co_return http::JsonResponse(http::Status::created, std::move(answer));
}

boost::asio::awaitable<http::Response> WebhooksApi::Get(const Principal& caller, const http::Request&,
                                                        const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such webhook endpoint"));
  auto get = [this, tenant = caller.tenant_id, id = *id] { return store_.webhooks().GetEndpoint(tenant, id); };
  auto endpoint = co_await pool_.Run(get);
  if (!endpoint) co_return http::ErrorResponse(endpoint.error());
  co_return http::JsonResponse(http::Status::ok, WebhookEndpointJson(*endpoint));
}

boost::asio::awaitable<http::Response> WebhooksApi::Update(const Principal& caller, const http::Request& request,
                                                           const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such webhook endpoint"));
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto fields = ReadEndpointFields(*body, /*creating=*/false);
  if (!fields) co_return http::ErrorResponse(fields.error());
  if (fields->url) {
    if (auto allowed = co_await CheckUrl(*fields->url); !allowed) co_return http::ErrorResponse(allowed.error());
  }
  auto update = [this, tenant = caller.tenant_id, id = *id, &fields] {
    return store_.webhooks().UpdateEndpoint(tenant, id, *fields, NowMs());
  };
  auto updated = co_await pool_.Run(update);
  if (!updated) co_return http::ErrorResponse(updated.error());
  auto audit = AuditOf(caller, "webhook_endpoint.update", "webhook_endpoint", std::to_string(updated->id),
                       AuditDetails(*updated));
  co_await RecordAudit(store_, pool_, audit);
  // Enabling an endpoint lets its waiting deliveries go.
  if (wake_) wake_();
  co_return http::JsonResponse(http::Status::ok, WebhookEndpointJson(*updated));
}

boost::asio::awaitable<http::Response> WebhooksApi::Delete(const Principal& caller, const http::Request&,
                                                           const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such webhook endpoint"));
  auto remove = [this, tenant = caller.tenant_id, id = *id] { return store_.webhooks().DeleteEndpoint(tenant, id); };
  auto removed = co_await pool_.Run(remove);
  if (!removed) co_return http::ErrorResponse(removed.error());
  auto audit = AuditOf(caller, "webhook_endpoint.delete", "webhook_endpoint", std::to_string(*id));
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, boost::json::object{{"deleted", true}, {"id", *id}});
}

boost::asio::awaitable<http::Response> WebhooksApi::RotateSecret(const Principal& caller, const http::Request&,
                                                                 const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such webhook endpoint"));
  const std::string secret = webhooks::NewSecret();
  store::WebhookEndpointUpdate update;
  update.secret_sealed = box_.Seal(secret);
  auto rotate = [this, tenant = caller.tenant_id, id = *id, &update] {
    return store_.webhooks().UpdateEndpoint(tenant, id, update, NowMs());
  };
  auto rotated = co_await pool_.Run(rotate);
  if (!rotated) co_return http::ErrorResponse(rotated.error());
  auto audit = AuditOf(caller, "webhook_endpoint.rotate_secret", "webhook_endpoint", std::to_string(*id));
  co_await RecordAudit(store_, pool_, audit);
  boost::json::object answer = WebhookEndpointJson(*rotated);
  answer["secret"] = secret;
  co_return http::JsonResponse(http::Status::ok, std::move(answer));
}

boost::asio::awaitable<http::Response> WebhooksApi::ListDeliveries(const Principal& caller, const http::Request&,
                                                                   const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such webhook endpoint"));
  auto limit = PageLimit(route);
  if (!limit) co_return http::ErrorResponse(limit.error());
  auto list = [this, tenant = caller.tenant_id, id = *id, cursor = PageCursor(route), limit = *limit] {
    return store_.webhooks().ListDeliveries(tenant, id, cursor, limit);
  };
  auto page = co_await pool_.Run(list);
  if (!page) co_return http::ErrorResponse(page.error());
  co_return http::JsonResponse(http::Status::ok, PageJson(*page, WebhookDeliveryJson));
}

boost::asio::awaitable<http::Response> WebhooksApi::Ping(const Principal& caller, const http::Request&,
                                                         const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such webhook endpoint"));
  const int64_t now = NowMs();
  store::NewWebhookDelivery ping{*id, 0, "ping", std::nullopt, webhooks::PingPayload(*id, now)};
  auto enqueue = [this, tenant = caller.tenant_id, &ping, now] {
    return store_.webhooks().EnqueueOne(tenant, ping, now, now + retry_window_ms_);
  };
  auto delivery = co_await pool_.Run(enqueue);
  if (!delivery) co_return http::ErrorResponse(delivery.error());
  if (wake_) wake_();
  co_return http::JsonResponse(http::Status::accepted, WebhookDeliveryJson(*delivery));
}

boost::asio::awaitable<http::Response> WebhooksApi::Redeliver(const Principal& caller, const http::Request&,
                                                              const http::RouteContext& route) {
  auto id = PathId(route);
  auto delivery_id = PathId(route, "delivery_id");
  if (!id || !delivery_id) co_return http::ErrorResponse(Error::NotFound("no such webhook delivery"));
  const int64_t tenant = caller.tenant_id;
  const int64_t now = NowMs();
  auto redeliver = [this, tenant, id = *id, delivery_id = *delivery_id, now]() -> Result<store::WebhookDelivery> {
    auto original = store_.webhooks().GetDelivery(tenant, delivery_id);
    if (!original) return original.error();
    if (original->endpoint_id != id) return Error::NotFound("no such webhook delivery");
    store::NewWebhookDelivery again{id, original->event_id, original->event_type, original->conversation_id,
                                    original->payload};
    return store_.webhooks().EnqueueOne(tenant, again, now, now + retry_window_ms_);
  };
  auto delivery = co_await pool_.Run(redeliver);
  if (!delivery) co_return http::ErrorResponse(delivery.error());
  if (wake_) wake_();
  co_return http::JsonResponse(http::Status::accepted, WebhookDeliveryJson(*delivery));
}

}  // namespace parley::api
