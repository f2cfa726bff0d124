#pragma once
// The tenant's own settings in the API:
//   GET   /api/tenant   any role: {"id", "name", "time_zone", "message_retention_days"}
//   PATCH /api/tenant   owners and admins: any of name, time_zone (an IANA name), message_retention_days (1 to
//                       3650, or null: kept for ever); audit-logged as tenant.update with the fields changed.

#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "store/store.h"
#include "store/tenant_store.h"

#include <boost/json/object.hpp>

namespace parley::api {

boost::json::object TenantJson(const store::TenantSettings& tenant);

class TenantApi {
 public:
  // Every reference must outlive this.
  TenantApi(store::Store& store, BlockingPool& pool) : store_(store), pool_(pool) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  boost::asio::awaitable<http::Response> Get(const Principal& caller);
  boost::asio::awaitable<http::Response> Update(const Principal& caller, const http::Request& request);

  store::Store& store_;
  BlockingPool& pool_;
};

}  // namespace parley::api
