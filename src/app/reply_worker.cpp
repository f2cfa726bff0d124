#include "app/reply_worker.h"

#include "api/pipeline_metrics.h"
#include "core/log.h"
#include "core/time.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <vector>

namespace parley::app {
namespace {

constexpr int kMaxFailures = 3;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Counts a coroutine as in flight for its whole life.
class InFlight {
 public:
  explicit InFlight(std::atomic<int64_t>& counter) : counter_(counter) { ++counter_; }
  ~InFlight() { --counter_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<int64_t>& counter_;
};

void LogEscaped(std::exception_ptr e, const char* what) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log::Error("coroutine_failed", {{"task", what}, {"error", ex.what()}});
  } catch (...) {
    log::Error("coroutine_failed", {{"task", what}, {"error", "unknown exception"}});
  }
}

}  // namespace

// One claimed burst being answered; shared between Process (which enforces the timeout) and Answer.
struct ReplyWorker::Attempt {
  explicit Attempt(boost::asio::any_io_executor strand)
      : timer(strand), indicator_finished(strand, boost::asio::steady_timer::time_point::max()) {}
  store::Claim claim;
  boost::asio::steady_timer timer;
  std::optional<Result<store::CommitResult>> outcome;
  // The read receipt and typing indicator go out while the reply is generated (an LLM call need not wait for
  // Meta's answer); the reply is committed, then sent, only once that call has finished (cancelling the timer),
  // or the customer could see "typing" after the answer.
  bool indicator_done = false;
  boost::asio::steady_timer indicator_finished;
};

ReplyWorker::ReplyWorker(boost::asio::any_io_executor executor, const Config& config, store::Store& store,
                         BlockingPool& pool, const channels::ChannelSet& channels, agent::Responder& responder,
                         queue::Batcher& batcher)
    : executor_(std::move(executor)),
      config_(config),
      store_(store),
      pool_(pool),
      channels_(channels),
      responder_(responder),
      batcher_(batcher) {}

void ReplyWorker::OnDue(int64_t conversation_id) {
  {
    std::lock_guard lock(mutex_);
    // Already being answered here: the running attempt will be superseded; fire again once it ends.
    if (!answering_.insert(conversation_id).second) {
      due_while_answering_.insert(conversation_id);
      return;
    }
  }
  boost::asio::co_spawn(boost::asio::make_strand(executor_), Process(conversation_id),
                        [](std::exception_ptr e) { LogEscaped(e, "process_conversation"); });
}

void ReplyWorker::Finished(int64_t conversation_id) {
  bool refire = false;
  {
    std::lock_guard lock(mutex_);
    answering_.erase(conversation_id);
    refire = due_while_answering_.erase(conversation_id) > 0;
  }
  if (refire) batcher_.RetryAt(conversation_id, NowMs());
}

void ReplyWorker::RetryLater(int64_t conversation_id, Platform platform) {
  int failures = 0;
  {
    std::lock_guard lock(mutex_);
    failures = ++failures_[conversation_id];
    if (failures >= kMaxFailures) failures_.erase(conversation_id);
  }
  if (failures >= kMaxFailures) {
    log::Error("conversation_abandoned",
               {{"platform", ToString(platform)}, {"conversation_id", conversation_id}, {"failures", failures}});
    return;
  }
  batcher_.RetryAt(conversation_id, NowMs() + config_.batch_window_ms * failures);
}

boost::asio::awaitable<void> ReplyWorker::Process(int64_t conversation_id) {
  InFlight in_flight(in_flight_);
  struct Done {
    ReplyWorker* worker;
    int64_t id;
    ~Done() { worker->Finished(id); }
  } done{this, conversation_id};

  auto start = std::chrono::steady_clock::now();
  auto claim = [this, conversation_id] {
    return store_.ClaimConversation(conversation_id, NowMs(), config_.processing_timeout_ms);
  };
  auto attempt_result = co_await pool_.Run(claim);
  if (!attempt_result) {
    log::Error("claim_failed", {{"conversation_id", conversation_id}, {"error", attempt_result.error().detail}});
    batcher_.RetryAt(conversation_id, NowMs() + config_.batch_window_ms);
    co_return;
  }
  if (!attempt_result->claim) {
    // Held by another worker (or a crashed one whose lease has not expired): look again when it expires.
    if (attempt_result->held_until_ms > 0) batcher_.RetryAt(conversation_id, attempt_result->held_until_ms + 1);
    co_return;
  }

  auto strand = co_await boost::asio::this_coro::executor;
  auto attempt = std::make_shared<Attempt>(strand);
  attempt->claim = std::move(*attempt_result->claim);
  const Platform platform = attempt->claim.conversation.platform;
  api::PlatformMetrics& m = api::MetricsFor(platform);

  // Answer runs on its own; this coroutine waits for it or for the processing timeout, whichever comes first.
  // A late answer cannot do harm: its commit finds the claim released and changes nothing.
  attempt->timer.expires_after(std::chrono::milliseconds(config_.processing_timeout_ms));
  boost::asio::co_spawn(strand, Answer(attempt), [attempt](std::exception_ptr e, Result<store::CommitResult> r) {
    LogEscaped(e, "answer");
    attempt->outcome = e ? Result<store::CommitResult>(Error::Internal("answer threw")) : std::move(r);
    attempt->timer.cancel();
  });
  boost::system::error_code ec;
  co_await attempt->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));

  const boost::json::object context{{"platform", ToString(platform)},
                                    {"tenant_id", attempt->claim.conversation.tenant_id},
                                    {"conversation_id", conversation_id}};
  if (!attempt->outcome) {
    m.conversations_timed_out.Inc();
    auto fields = context;
    fields["timeout_ms"] = config_.processing_timeout_ms;
    log::Warn("conversation_timed_out", std::move(fields));
    co_await ReleaseClaim(conversation_id, attempt->claim.token);
    RetryLater(conversation_id, platform);
    co_return;
  }
  if (!*attempt->outcome) {
    m.conversations_failed.Inc();
    auto fields = context;
    fields["error"] = attempt->outcome->error().message;
    fields["detail"] = attempt->outcome->error().detail;
    log::Error("conversation_failed", std::move(fields));
    co_await ReleaseClaim(conversation_id, attempt->claim.token);
    RetryLater(conversation_id, platform);
    co_return;
  }
  {
    std::lock_guard lock(mutex_);
    failures_.erase(conversation_id);
  }
  switch (**attempt->outcome) {
    case store::CommitResult::kCommitted:
      m.conversations_processed.Inc();
      m.processing_seconds.Observe(SecondsSince(start));
      break;
    case store::CommitResult::kSuperseded:
      // The newer message armed the batcher; its deadline (or Finished's re-fire) answers everything at once.
      m.conversations_superseded.Inc();
      log::Info("reply_superseded", context);
      break;
    case store::CommitResult::kLost:
      log::Warn("claim_lost", context);
      break;
  }
}

boost::asio::awaitable<Result<store::CommitResult>> ReplyWorker::Answer(std::shared_ptr<Attempt> attempt) {
  const store::Claim& claim = attempt->claim;
  const Platform platform = claim.conversation.platform;
  api::PlatformMetrics& m = api::MetricsFor(platform);
  channels::Channel* channel = channels_.Get(platform);
  const channels::SendAccount account{claim.channel.account_id, claim.channel.access_token};

  if (claim.messages.empty()) {
    attempt->indicator_done = true;
  } else {
    auto show = [attempt, channel, account]() -> boost::asio::awaitable<void> {
      const store::Claim& claim = attempt->claim;
      auto indicator = co_await channel->MarkReadAndTyping(account, claim.conversation.contact.platform_id,
                                                           claim.messages.back().platform_message_id);
      if (!indicator.ok()) {
        api::MetricsFor(claim.conversation.platform).indicators_failed.Inc();
        log::Warn("indicator_failed", {{"platform", ToString(claim.conversation.platform)},
                                       {"conversation_id", claim.conversation_id},
                                       {"code", indicator.error->code},
                                       {"error", indicator.error->title}});
      }
    };
    boost::asio::co_spawn(attempt->indicator_finished.get_executor(), show, [attempt](std::exception_ptr e) {
      LogEscaped(e, "indicator");
      attempt->indicator_done = true;
      attempt->indicator_finished.cancel();
    });
  }

  auto reply = co_await responder_.Respond(claim);
  if (!reply) co_return reply.error();
  if (!reply->messages.empty()) m.responses_generated.Inc();

  // Committing only after the indicator keeps "latest wins" covering a slow indicator, like a slow generation.
  while (!attempt->indicator_done) {
    boost::system::error_code ec;
    co_await attempt->indicator_finished.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  std::vector<int64_t> outbound_ids;
  auto commit = [this, &claim, &reply, &outbound_ids] {
    return store_.CommitReply(claim, *reply, NowMs(), &outbound_ids);
  };
  auto committed = co_await pool_.Run(commit);
  if (!committed) co_return committed.error();
  if (*committed == store::CommitResult::kCommitted && reply->hand_off) {
    log::Info(
        "conversation_handed_off",
        {{"platform", ToString(platform)}, {"conversation_id", claim.conversation_id}, {"reason", reply->reason}});
  }
  if (*committed == store::CommitResult::kCommitted && !outbound_ids.empty()) {
    std::vector<store::OutboundMessage> messages;
    for (size_t i = 0; i < outbound_ids.size(); ++i) {
      store::OutboundMessage message;
      message.id = outbound_ids[i];
      message.conversation_id = claim.conversation_id;
      message.tenant_id = claim.conversation.tenant_id;
      message.channel = claim.channel;
      message.recipient_id = claim.conversation.contact.platform_id;
      message.draft = reply->messages[i];
      messages.push_back(std::move(message));
    }
    // Delivery has its own deadlines and retries; it is not part of the claim's processing time.
    boost::asio::co_spawn(executor_, Deliver(std::move(messages)),
                          [](std::exception_ptr e) { LogEscaped(e, "deliver"); });
  }
  co_return *committed;
}

boost::asio::awaitable<void> ReplyWorker::Deliver(std::vector<store::OutboundMessage> messages) {
  InFlight in_flight(in_flight_);
  for (const auto& message : messages) co_await DeliverOne(message);
}

boost::asio::awaitable<void> ReplyWorker::DeliverOne(const store::OutboundMessage& message) {
  const Platform platform = message.channel.platform;
  api::PlatformMetrics& m = api::MetricsFor(platform);
  channels::Channel* channel = channels_.Get(platform);
  auto start = std::chrono::steady_clock::now();
  const channels::SendAccount account{message.channel.account_id, message.channel.access_token};
  const channels::MessageTag tag =
      message.draft.human_agent ? channels::MessageTag::kHumanAgent : channels::MessageTag::kNone;
  auto sent =
      co_await channel->SendText(account, message.recipient_id, message.draft.text, message.draft.reply_to, tag);
  m.send_seconds.Observe(SecondsSince(start));
  boost::json::object fields{{"platform", ToString(platform)},
                             {"tenant_id", message.tenant_id},
                             {"conversation_id", message.conversation_id},
                             {"message_id", message.id}};
  if (sent.ok()) {
    m.sends_ok.Inc();
    log::Info("reply_sent", std::move(fields));
  } else {
    m.sends_failed.Inc();
    fields["code"] = sent.error->code;
    fields["error"] = sent.error->title;
    log::Warn("reply_failed", std::move(fields));
  }
  auto record = [this, &message, &sent] {
    return store_.RecordSendResult(message.id, sent.platform_message_id,
                                   sent.ok() ? MessageStatus::kSent : MessageStatus::kFailed, sent.error);
  };
  auto recorded = co_await pool_.Run(record);
  if (!recorded) {
    log::Error("send_result_not_recorded", {{"message_id", message.id}, {"error", recorded.error().detail}});
  }
}

boost::asio::awaitable<void> ReplyWorker::ReleaseClaim(int64_t conversation_id, const std::string& token) {
  auto release = [this, conversation_id, token] { return store_.ReleaseClaim(conversation_id, token); };
  auto released = co_await pool_.Run(release);
  if (!released)
    log::Error("claim_release_failed", {{"conversation_id", conversation_id}, {"error", released.error().detail}});
}

void ReplyWorker::ResendQueued() {
  boost::asio::co_spawn(
      executor_,
      [this]() -> boost::asio::awaitable<void> {
        auto list = [this] { return store_.ListQueuedOutbound(); };
        auto queued = co_await pool_.Run(list);
        if (!queued) {
          log::Error("outbox_recovery_failed", {{"error", queued.error().detail}});
          co_return;
        }
        if (!queued->empty()) log::Info("outbox_recovery", {{"messages", static_cast<int64_t>(queued->size())}});
        // Oldest first, one sequence per conversation: the parts of a reply keep their order.
        std::map<int64_t, std::vector<store::OutboundMessage>> by_conversation;
        for (auto& message : *queued) by_conversation[message.conversation_id].push_back(std::move(message));
        for (auto& [conversation_id, messages] : by_conversation) {
          boost::asio::co_spawn(executor_, Deliver(std::move(messages)),
                                [](std::exception_ptr e) { LogEscaped(e, "deliver"); });
        }
      },
      [](std::exception_ptr e) { LogEscaped(e, "outbox_recovery"); });
}

void ReplyWorker::SendQueued(store::OutboundMessage message) {
  const int64_t conversation_id = message.conversation_id;
  {
    std::lock_guard lock(mutex_);
    auto [it, first] = person_outbox_.try_emplace(conversation_id);
    it->second.push_back(std::move(message));
    if (!first) return;  // The running drain picks it up.
  }
  boost::asio::co_spawn(executor_, DrainPersonOutbox(conversation_id),
                        [](std::exception_ptr e) { LogEscaped(e, "deliver"); });
}

boost::asio::awaitable<void> ReplyWorker::DrainPersonOutbox(int64_t conversation_id) {
  InFlight in_flight(in_flight_);
  while (true) {
    store::OutboundMessage next;
    {
      std::lock_guard lock(mutex_);
      auto it = person_outbox_.find(conversation_id);
      if (it->second.empty()) {
        person_outbox_.erase(it);
        co_return;
      }
      next = std::move(it->second.front());
      it->second.pop_front();
    }
    co_await DeliverOne(next);
  }
}

boost::asio::awaitable<void> ReplyWorker::Drain(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor);
  // Shutdown only: a short poll keeps the hot path free of completion signalling.
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

}  // namespace parley::app
