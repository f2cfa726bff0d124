#pragma once
// Answers due conversations: claim in the store → mark read and show typing → ask the Responder → commit the
// reply (only if no newer customer message arrived: latest wins) → send it → record the outcome. A burst whose media
// is still being fetched, transcribed or read waits for it (up to PARLEY_MEDIA_WAIT_MS), so that a voice note is
// answered from its transcript. The commit
// precedes the send, so a crash between the two leaves a queued message that RecoverOutbox() sends at start.
//
// Sending goes through the store's outbox: each queued message is leased before it is sent (one sender among all
// processes, a conversation's messages oldest first), and its outcome recorded. A transient failure (Meta down,
// throttling, the network) keeps it queued and tries again after growing waits, for as long as the platform's
// messaging window is open; any other failure, or the window closing, fails it at once with the platform's reason
// and opens a support item.

#include "agent/responder.h"
#include "app/profile_lookup.h"
#include "channels/channel.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "core/config.h"
#include "media/media_store.h"
#include "media/signed_url.h"
#include "queue/batcher.h"
#include "store/store.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>

namespace parley::app {

// Where the files people send are read when their replies go out (Channel::SendMedia), and what signs the links
// Instagram and Messenger fetch them by (with PARLEY_PUBLIC_URL). Both must outlive the worker.
struct OutboundFiles {
  media::MediaStore* files = nullptr;        //!< nullptr: a reply with a file fails, not transient.
  const media::UrlSigner* signer = nullptr;  //!< nullptr: files go without a link (uploaded ones only).
};

class ReplyWorker {
 public:
  // Every reference must outlive the worker. `clock` times leases, retries and the processing timeout; its moves
  // by hand (a test's ManualClock) wake the waits it times. `media_awaited` is called when a burst waits for its
  // media, so that the media fetcher looks for it now rather than at its next poll (media::Fetcher::Wake).
  ReplyWorker(boost::asio::any_io_executor executor, const Config& config, store::Store& store, BlockingPool& pool,
              const channels::ChannelSet& channels, agent::Responder& responder, queue::Batcher& batcher,
              Clock& clock = RealClock(), OutboundFiles files = {}, std::function<void()> media_awaited = {});

  // The batcher's due handler: starts answering `conversation_id` without blocking.
  void OnDue(int64_t conversation_id);

  // Start-up: starts sending every queued reply (left by a crash between commit and send, or waiting for a retry).
  // Blocks while it reads the queue: call it before the batcher starts, so that recovered replies go out before
  // new ones of their conversations. Returns how many messages were queued.
  Result<size_t> RecoverOutbox();

  // Sends the conversation's queued messages in the background, oldest first (a person's reply from the inbox
  // after the bot's earlier ones), unless this process is already doing so (then that run picks them up).
  void SendOutbox(int64_t conversation_id);

  // Completes when no conversation is being answered, no reply is being sent and no profile looked up, or after
  // `timeout`.
  boost::asio::awaitable<void> Drain(std::chrono::milliseconds timeout);

  int64_t in_flight() const { return in_flight_.load(); }

 private:
  struct Attempt;
  boost::asio::awaitable<void> Process(int64_t conversation_id);
  boost::asio::awaitable<Result<store::CommitResult>> Answer(std::shared_ptr<Attempt> attempt);
  // Leases and sends the conversation's queued messages one by one until none is due; schedules the next look.
  boost::asio::awaitable<void> DrainOutbox(int64_t conversation_id);
  // Sends one leased message and records what became of it: sent, deferred or failed.
  boost::asio::awaitable<void> SendLeased(const store::OutboundLease& lease);
  // A person's file as the channel sends it: its bytes when the platform uploads it, its signed link when the
  // platform fetches it. Blocking (file I/O): on the pool.
  Result<channels::OutboundMedia> LoadFile(const store::OutboundMessage& message) const;
  // Looks at the conversation's outbox again at `at_ms` (a retry, or another sender's lease running out).
  void SendOutboxAt(int64_t conversation_id, int64_t at_ms);
  // Loads the media records of the claim's messages into them; when one is still pending (being fetched or read)
  // within PARLEY_MEDIA_WAIT_MS of its message, releases the claim, asks the batcher to fire again at the end of the
  // wait (the fetcher fires it sooner, once the media is settled) and returns true.
  boost::asio::awaitable<bool> WaitsForMedia(store::Claim& claim);
  boost::asio::awaitable<void> ReleaseClaim(int64_t conversation_id, const std::string& token);
  // Schedules another try, or after kMaxFailures consecutive failures (the model, the agent or the processing
  // timeout) hands the conversation to people rather than leave a customer waiting for a restart.
  void RetryLater(int64_t conversation_id, Platform platform);
  // Claims the conversation and commits a hand-off (a model_failed support item, human mode) with no message.
  boost::asio::awaitable<void> HandToPeople(int64_t conversation_id, int failures);
  void Finished(int64_t conversation_id);

  boost::asio::any_io_executor executor_;
  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  const channels::ChannelSet& channels_;
  agent::Responder& responder_;
  queue::Batcher& batcher_;
  Clock& clock_;
  const OutboundFiles files_;
  const std::function<void()> media_awaited_;

  ProfileLookup profiles_;

  std::atomic<int64_t> in_flight_{0};
  std::mutex mutex_;
  std::set<int64_t> answering_;            // GUARDED_BY(mutex_): conversations with a Process running here
  std::set<int64_t> due_while_answering_;  // GUARDED_BY(mutex_): fired again meanwhile; re-fire when done
  std::map<int64_t, int> failures_;        // GUARDED_BY(mutex_)
  std::set<int64_t> sending_;              // GUARDED_BY(mutex_): conversations whose outbox is being sent here
  std::set<int64_t> send_again_;           // GUARDED_BY(mutex_): queued to meanwhile; look again when done
  std::map<int64_t, int64_t> send_at_;     // GUARDED_BY(mutex_): the earliest look scheduled per conversation
};

}  // namespace parley::app
