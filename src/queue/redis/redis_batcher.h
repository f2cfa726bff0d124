#pragma once
// The debounce shared by several processes through Redis (PARLEY_REDIS_URL, docs/scaling.md): every process arms
// conversations (the gateways, as webhooks arrive), and a conversation fires at its deadline in exactly one of the
// processes that fire (the workers), without polling the store.
//
// The deadlines are one sorted set, `parley:debounce` (member: the conversation id, score: its deadline in ms since
// the epoch), changed only by Lua scripts, so that each change and each hand-over is atomic:
//   - arming moves a conversation's deadline (Arm: to the new message's deadline; RetryAt: only earlier; Restore: only
//     when it is missing; a tenant's window read late: only when it is still there), and announces the deadline on
//     `parley:debounce:wake` when it becomes the earliest of all;
//   - a firing process takes every conversation due (ZRANGEBYSCORE then ZREM in one script: each goes to one process),
//     hands them to the reply worker and sleeps until the new earliest deadline, or until an announcement of an
//     earlier one.
// A sleep lasts at most a second all the same: an announcement published before the subscription was confirmed, or
// while it was being re-established, would otherwise be missed until the next deadline.
//
// Redis is not the source of truth: the store is. A conversation whose arming failed (Redis unreachable), that a
// flush or a restart of Redis forgot, or that a killed worker took and never answered is still pending in the store;
// the caller restores those (Restore, with ListPendingConversations) at start-up, when the subscription comes back
// after being lost (the `on_lost` callback) and periodically. Claims in the store keep a conversation restored twice
// from being answered twice.

#include "core/clock.h"
#include "queue/batcher.h"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>

namespace parley::redis {
class Client;
}

namespace parley::queue {

// `client` must outlive the batcher. `on_lost` is called (on the client's strand, so it must only post work) when
// deadlines may have been lost: the subscription of a firing batcher came back after the connection was lost.
std::unique_ptr<Batcher> MakeRedisBatcher(boost::asio::any_io_executor executor, BatchPolicy policy,
                                          redis::Client& client, std::function<void()> on_lost,
                                          Clock& clock = RealClock());

}  // namespace parley::queue
