#pragma once
// The tenant's analytics (docs/analytics.md says what each figure means):
//   GET /api/analytics       ?from=&to= (dates in the tenant's time zone, default: the last 30 days)
//                            &granularity=day|week &channel=<channel id>: a series per day or ISO week (Monday
//                            first) and the range's totals. With format=csv, or Accept: text/csv, the same as a CSV
//                            download.
//   GET /api/analytics.csv   the CSV download, always.
// Any role may read them. Figures come from the aggregates the server keeps (store/analytics_store.h), caught up by
// a rollup before each read.

#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "store/store.h"

namespace parley::api {

class AnalyticsApi {
 public:
  // Every reference must outlive this.
  AnalyticsApi(store::Store& store, BlockingPool& pool) : store_(store), pool_(pool) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  boost::asio::awaitable<http::Response> Get(const Principal& caller, const http::Request& request,
                                             const http::RouteContext& route, bool csv);

  store::Store& store_;
  BlockingPool& pool_;
};

}  // namespace parley::api
