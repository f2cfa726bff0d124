#pragma once
// The batcher's per-tenant debounce windows (queue/tenant_windows.h), read from each tenant's AI settings
// (`batch_window_ms`, agent/settings.h) on the blocking pool.

#include "agent/service.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "queue/tenant_windows.h"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace parley::app {

// `service` and `pool` must outlive the result; fetches run on `executor` and the pool.
std::unique_ptr<queue::TenantWindows> MakeTenantBatchWindows(boost::asio::any_io_executor executor, BlockingPool& pool,
                                                             agent::AgentService& service, const Config& config);

}  // namespace parley::app
