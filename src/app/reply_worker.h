#pragma once
// Answers due conversations: claim in the store → mark read and show typing → ask the Responder → commit the
// reply (only if no newer customer message arrived: latest wins) → send it → record the outcome. The commit
// precedes the send, so a crash between the two leaves a queued message that ResendQueued() delivers at start.

#include "agent/responder.h"
#include "channels/channel.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "queue/batcher.h"
#include "store/store.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>

namespace parley::app {

class ReplyWorker {
 public:
  // Every reference must outlive the worker.
  ReplyWorker(boost::asio::any_io_executor executor, const Config& config, store::Store& store, BlockingPool& pool,
              const channels::ChannelSet& channels, agent::Responder& responder, queue::Batcher& batcher);

  // The batcher's due handler: starts answering `conversation_id` without blocking.
  void OnDue(int64_t conversation_id);

  // Sends the replies a crash left queued between commit and send.
  void ResendQueued();

  // Sends a message queued outside the answering path (a person's reply from the inbox) in the background.
  // A conversation's messages go out one at a time, in the order given.
  void SendQueued(store::OutboundMessage message);

  // Completes when no conversation is being answered and no reply is being sent, or after `timeout`.
  boost::asio::awaitable<void> Drain(std::chrono::milliseconds timeout);

  int64_t in_flight() const { return in_flight_.load(); }

 private:
  struct Attempt;
  boost::asio::awaitable<void> Process(int64_t conversation_id);
  boost::asio::awaitable<Result<store::CommitResult>> Answer(std::shared_ptr<Attempt> attempt);
  // Sends `messages` one after another, in order (the parts of one reply, or one conversation's backlog).
  boost::asio::awaitable<void> Deliver(std::vector<store::OutboundMessage> messages);
  boost::asio::awaitable<void> DeliverOne(const store::OutboundMessage& message);
  boost::asio::awaitable<void> DrainPersonOutbox(int64_t conversation_id);
  boost::asio::awaitable<void> ReleaseClaim(int64_t conversation_id, const std::string& token);
  // Schedules another try, or gives up after kMaxFailures consecutive failures (the conversation stays pending in
  // the store and is recovered at the next start).
  void RetryLater(int64_t conversation_id, Platform platform);
  void Finished(int64_t conversation_id);

  boost::asio::any_io_executor executor_;
  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  const channels::ChannelSet& channels_;
  agent::Responder& responder_;
  queue::Batcher& batcher_;

  std::atomic<int64_t> in_flight_{0};
  std::mutex mutex_;
  std::set<int64_t> answering_;            // GUARDED_BY(mutex_): conversations with a Process running here
  std::set<int64_t> due_while_answering_;  // GUARDED_BY(mutex_): fired again meanwhile; re-fire when done
  std::map<int64_t, int> failures_;        // GUARDED_BY(mutex_)
  // GUARDED_BY(mutex_): per conversation, people's messages waiting behind the one being sent.
  std::map<int64_t, std::deque<store::OutboundMessage>> person_outbox_;
};

}  // namespace parley::app
