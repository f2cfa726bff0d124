#include "app/retention.h"

#include "core/log.h"
#include "core/time.h"
#include "media/sweep.h"
#include "store/contact_store.h"
#include "store/oauth_flow_store.h"
#include "store/tenant_store.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley::app {
namespace {

namespace asio = boost::asio;

constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;

asio::awaitable<void> SweepLoop(std::shared_ptr<asio::steady_timer> timer, store::Store& store, BlockingPool& pool,
                                media::MediaStore& files, int64_t media_retention_days,
                                std::chrono::milliseconds every) {
  for (;;) {
    auto sweep = [&store] { return SweepRetention(store, NowMs()); };
    Result<int64_t> deleted = co_await pool.Run(sweep);
    if (!deleted) log::Warn("retention_sweep_failed", {{"detail", deleted.error().detail}});
    // After the messages: the files of media deleted with them go in the same pass.
    auto sweep_media = [&store, &files, media_retention_days] {
      return media::SweepMedia(store, files, media_retention_days, NowMs());
    };
    Result<media::SweepCounts> swept = co_await pool.Run(sweep_media);
    if (!swept) log::Warn("media_sweep_failed", {{"detail", swept.error().detail}});
    // Meta logins nobody came back from: a begin prunes them too, but a quiet deployment may not begin another.
    auto prune_flows = [&store] { return store.oauth_flows().PruneExpiredFlows(NowMs()); };
    Result<int64_t> pruned = co_await pool.Run(prune_flows);
    if (!pruned) log::Warn("oauth_flow_prune_failed", {{"detail", pruned.error().detail}});
    timer->expires_after(every);
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // Stop().
  }
}

}  // namespace

Result<int64_t> SweepRetention(store::Store& store, int64_t now_ms) {
  auto tenants = store.tenants().ListTenantsWithRetention();
  if (!tenants) return tenants.error();
  int64_t deleted = 0;
  for (const store::TenantSettings& tenant : *tenants) {
    if (!tenant.message_retention_days) continue;
    const int64_t cutoff = now_ms - *tenant.message_retention_days * kDayMs;
    auto swept = store.contacts().DeleteMessagesBefore(tenant.id, cutoff, now_ms);
    if (!swept) {
      log::Warn("retention_sweep_failed", {{"tenant_id", tenant.id}, {"detail", swept.error().detail}});
      continue;
    }
    if (*swept > 0) {
      log::Info("retention_swept",
                {{"tenant_id", tenant.id}, {"messages", *swept}, {"before", FormatTimestamp(cutoff)}});
    }
    deleted += *swept;
  }
  return deleted;
}

void RetentionSweeper::Start(asio::any_io_executor executor, store::Store& store, BlockingPool& pool,
                             media::MediaStore& files) {
  timer_ = std::make_shared<asio::steady_timer>(asio::make_strand(executor));
  auto loop = SweepLoop(timer_, store, pool, files, media_retention_days_, every_);
  asio::co_spawn(timer_->get_executor(), std::move(loop), [](std::exception_ptr error) {
    if (error) log::Error("retention_sweep_loop_failed", {});
  });
}

void RetentionSweeper::Stop() {
  if (!timer_) return;
  asio::post(timer_->get_executor(), [timer = timer_] { timer->cancel(); });
}

}  // namespace parley::app
