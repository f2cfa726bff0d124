#include "app/pending_sweep.h"

#include "core/log.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley::app {

namespace asio = boost::asio;

struct PendingSweep::State {
  State(asio::any_io_executor executor, store::Store& store, BlockingPool& pool, queue::Batcher& batcher,
        ReplyWorker& worker, knowledge::Ingestor& ingestor, std::chrono::milliseconds interval, const Clock& clock)
      : store(store),
        pool(pool),
        batcher(batcher),
        worker(worker),
        ingestor(ingestor),
        interval(interval),
        clock(clock),
        timer(asio::make_strand(std::move(executor))) {}

  Result<Recovered> Recover(std::optional<int64_t> unclaimed_at_ms) {
    auto replies = worker.RecoverOutbox();
    if (!replies) return replies.error();
    auto pending = store.ListPendingConversations(unclaimed_at_ms);
    if (!pending) return pending.error();
    for (const auto& conversation : *pending) batcher.Restore(conversation);
    return Recovered{*replies, pending->size()};
  }

  asio::awaitable<void> Sweep() {
    // A conversation under a live claim is being answered by some worker: re-arming it would only fire it into a
    // refused claim. Its claim expiring (its holder died) lists it again.
    auto pass = [this] { return Recover(clock.NowMs()); };
    auto recovered = co_await pool.Run(pass);
    if (!recovered) log::Warn("pending_sweep_failed", {{"detail", recovered.error().detail}});
    ingestor.Wake();
  }

  asio::awaitable<void> Loop() {
    while (running) {
      timer.expires_after(interval);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!running) break;
      co_await Sweep();
    }
  }

  store::Store& store;
  BlockingPool& pool;
  queue::Batcher& batcher;
  ReplyWorker& worker;
  knowledge::Ingestor& ingestor;
  const std::chrono::milliseconds interval;
  const Clock& clock;
  asio::steady_timer timer;
  bool running = false;  // GUARDED_BY(timer's strand)
};

PendingSweep::PendingSweep(asio::any_io_executor executor, store::Store& store, BlockingPool& pool,
                           queue::Batcher& batcher, ReplyWorker& worker, knowledge::Ingestor& ingestor,
                           std::chrono::milliseconds interval, const Clock& clock)
    : state_(std::make_shared<State>(std::move(executor), store, pool, batcher, worker, ingestor, interval, clock)) {}

Result<PendingSweep::Recovered> PendingSweep::Recover() { return state_->Recover(std::nullopt); }

void PendingSweep::Start() {
  asio::post(state_->timer.get_executor(), [state = state_] {
    if (state->running) return;
    state->running = true;
    auto loop = [state]() -> asio::awaitable<void> { co_await state->Loop(); };
    asio::co_spawn(state->timer.get_executor(), std::move(loop), [](std::exception_ptr e) {
      if (e) log::Error("pending_sweep_loop_failed", {});
    });
  });
}

void PendingSweep::SweepNow() {
  asio::post(state_->timer.get_executor(), [state = state_] {
    if (!state->running) return;
    // The loop wakes as if the interval had passed: one sweep at a time.
    state->timer.cancel();
  });
}

void PendingSweep::Stop() {
  asio::post(state_->timer.get_executor(), [state = state_] {
    state->running = false;
    state->timer.cancel();
  });
}

}  // namespace parley::app
