#pragma once
// Outbound webhook endpoints (docs/webhooks.md), owners and admins only:
//   GET    /api/webhook-endpoints                         the tenant's endpoints (secrets never shown)
//   POST   /api/webhook-endpoints                         {"url", "events"?, "enabled"?, "description"?} → 201, with
//                                                         the signing secret, shown in this answer only
//   GET    /api/webhook-endpoints/{id}
//   PATCH  /api/webhook-endpoints/{id}                    the fields sent
//   DELETE /api/webhook-endpoints/{id}                    with its deliveries
//   POST   /api/webhook-endpoints/{id}/rotate-secret      a new secret, shown once; the old one stops at once
//   GET    /api/webhook-endpoints/{id}/deliveries         newest first, paged: status, attempts, last answer, error
//   POST   /api/webhook-endpoints/{id}/ping               a `ping` delivery → 202
//   POST   /api/webhook-endpoints/{id}/deliveries/{delivery_id}/redeliver   the same body again, as a new delivery
// An endpoint's URL is checked against the outbound address policy when it is saved (400 with the reason) and again
// at every delivery. Changes to endpoints are audit-logged, without their secrets.

#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "core/crypto.h"
#include "http/client.h"
#include "store/store.h"
#include "store/webhook_store.h"

#include <boost/json/object.hpp>

#include <functional>

namespace parley::api {

class WebhooksApi {
 public:
  // Every reference must outlive this. `box` seals the secrets; `wake` tells the dispatcher that a delivery was
  // made (ping, redelivery) or may go (an endpoint enabled); those made here are retried for `retry_window_ms`.
  WebhooksApi(store::Store& store, BlockingPool& pool, const crypto::SecretBox& box, http::Client& client,
              std::function<void()> wake, int64_t retry_window_ms)
      : store_(store),
        pool_(pool),
        box_(box),
        client_(client),
        wake_(std::move(wake)),
        retry_window_ms_(retry_window_ms) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  using Handler = boost::asio::awaitable<http::Response> (WebhooksApi::*)(const Principal&, const http::Request&,
                                                                          const http::RouteContext&);
  boost::asio::awaitable<http::Response> List(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Create(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Get(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Update(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Delete(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> RotateSecret(const Principal&, const http::Request&,
                                                      const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListDeliveries(const Principal&, const http::Request&,
                                                        const http::RouteContext&);
  boost::asio::awaitable<http::Response> Ping(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Redeliver(const Principal&, const http::Request&, const http::RouteContext&);

  // kInvalidArgument with the reason when `url` is not an absolute http(s) URL the address policy lets through.
  boost::asio::awaitable<Result<void>> CheckUrl(const std::string& url);

  store::Store& store_;
  BlockingPool& pool_;
  const crypto::SecretBox& box_;
  http::Client& client_;
  std::function<void()> wake_;
  const int64_t retry_window_ms_;
};

boost::json::object WebhookEndpointJson(const store::WebhookEndpoint& endpoint);
boost::json::object WebhookDeliveryJson(const store::WebhookDelivery& delivery);

}  // namespace parley::api
