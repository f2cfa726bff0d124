#include "app/tenant_batch_windows.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace parley::app {
namespace {

// A coroutine function, not a lambda: its parameters live in its frame for as long as it runs.
boost::asio::awaitable<void> FetchWindow(BlockingPool& pool, agent::AgentService& service, int64_t tenant_id,
                                         std::function<void(std::optional<int64_t>)> done) {
  auto load = [&service, tenant_id] { return service.LoadSettings(tenant_id); };
  std::optional<int64_t> window;
  try {
    Result<agent::AiSettings> settings = co_await pool.Run(load);
    if (settings) window = settings->batch_window_ms;
  } catch (const std::exception&) {
    // Answered as a failed read: the known window stays, and is read again later.
  }
  done(window);
}

}  // namespace

std::unique_ptr<queue::TenantWindows> MakeTenantBatchWindows(boost::asio::any_io_executor executor, BlockingPool& pool,
                                                             agent::AgentService& service, const Config& config) {
  return std::make_unique<queue::TenantWindows>(
      config.batch_window_ms,
      [executor, &pool, &service](int64_t tenant_id, std::function<void(std::optional<int64_t>)> done) {
        boost::asio::co_spawn(executor, FetchWindow(pool, service, tenant_id, std::move(done)), boost::asio::detached);
      });
}

}  // namespace parley::app
