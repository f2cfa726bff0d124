#pragma once
// What several processes sharing Redis restore from the store, the source of truth (docs/scaling.md). A conversation
// can be pending in the store and waiting nowhere: its arming failed while Redis was unreachable, a flush or a
// restart of Redis forgot its deadline, or a worker took it and was killed before its claim was committed. A reply can
// be queued with nobody sending it: its sender was killed (its lease runs out). A document can be added through a
// gateway, whose ingestor does not run. The sweep, in every process that fires the debounce, re-arms the pending
// conversations that wait nowhere (Batcher::Restore keeps a deadline that is set; a conversation under a live claim
// is being answered, so it is left out until that claim is committed, released or expires), sends the queued replies
// (ReplyWorker::RecoverOutbox; leases keep a message from going out twice) and wakes the ingestor: every `interval`,
// and at once when deadlines may have just been lost (SweepNow). Claims keep a conversation restored while another
// process answers it from being answered twice. A process's start-up recovery is the same pass (Recover), made once
// before its batcher fires, with or without Redis, except that it restores claimed conversations too: it cannot tell a
// claim left by a dead process from a live one's, and a single process runs no sweep afterwards.

#include "app/reply_worker.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "knowledge/ingestor.h"
#include "queue/batcher.h"
#include "store/store.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace parley::app {

class PendingSweep {
 public:
  // Every reference must outlive Stop(). `clock` decides which claims are still live at each sweep.
  PendingSweep(boost::asio::any_io_executor executor, store::Store& store, BlockingPool& pool, queue::Batcher& batcher,
               ReplyWorker& worker, knowledge::Ingestor& ingestor, std::chrono::milliseconds interval,
               const Clock& clock = RealClock());

  struct Recovered {
    size_t replies = 0;        //!< Queued replies handed to the outbox's senders.
    size_t conversations = 0;  //!< Pending conversations restored.
  };
  // One pass, blocking: the queued replies first, so that they go out before anything newer of their conversations,
  // then every pending conversation, claimed or not. Start-up calls it before the batcher fires; the loop runs the
  // same pass on the pool, leaving out conversations under a live claim.
  Result<Recovered> Recover();

  // Runs the pass every interval (and wakes the ingestor after each).
  void Start();
  // Sweeps now instead of at the next interval. Thread-safe.
  void SweepNow();
  // Ends the loop (a sweep in progress finishes). Thread-safe.
  void Stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace parley::app
