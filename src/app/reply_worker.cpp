#include "app/reply_worker.h"

#include "api/pipeline_metrics.h"
#include "channels/registry.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "store/message_media.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <map>
#include <memory>
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

// Sleeps on `timer` until `clock` reads `at_ms`, or less: until the timer is cancelled, or until the clock is moved by
// hand (a test's clock), so that the caller looks at the time and its state again. `timer` runs on a strand.
boost::asio::awaitable<void> SleepUntil(Clock& clock, std::shared_ptr<boost::asio::steady_timer> timer, int64_t at_ms) {
  struct Watching {
    Clock& clock;
    int id;
    ~Watching() { clock.Unwatch(id); }  // Also when shutdown destroys the coroutine.
  } watching{clock, clock.Watch([executor = timer->get_executor(), weak = std::weak_ptr(timer)] {
               boost::asio::post(executor, [weak] {
                 if (auto timer = weak.lock()) timer->cancel();
               });
             })};
  timer->expires_after(std::chrono::milliseconds(std::max<int64_t>(0, at_ms - clock.NowMs())));
  boost::system::error_code cancelled;
  co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, cancelled));
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
  // Emitted (terminal) at the processing timeout: the answer stops where it waits (a model call, a look-up) instead
  // of running on, and under overload piling up, beside the attempt that replaces it.
  boost::asio::cancellation_signal stop;
  bool stopped = false;
};

ReplyWorker::ReplyWorker(boost::asio::any_io_executor executor, const Config& config, store::Store& store,
                         BlockingPool& pool, const channels::ChannelSet& channels, agent::Responder& responder,
                         queue::Batcher& batcher, Clock& clock, OutboundFiles files,
                         std::function<void()> media_awaited)
    : executor_(std::move(executor)),
      config_(config),
      store_(store),
      pool_(pool),
      channels_(channels),
      responder_(responder),
      batcher_(batcher),
      clock_(clock),
      files_(files),
      media_awaited_(std::move(media_awaited)),
      profiles_(executor_, store, pool, clock) {}

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
  if (refire) batcher_.RetryAt(conversation_id, clock_.NowMs());
}

void ReplyWorker::RetryLater(int64_t conversation_id, Platform platform) {
  int failures = 0;
  {
    std::lock_guard lock(mutex_);
    failures = ++failures_[conversation_id];
    if (failures >= kMaxFailures) failures_.erase(conversation_id);
  }
  if (failures >= kMaxFailures) {
    log::Error("conversation_handed_to_people",
               {{"platform", ToString(platform)}, {"conversation_id", conversation_id}, {"failures", failures}});
    boost::asio::co_spawn(boost::asio::make_strand(executor_), HandToPeople(conversation_id, failures),
                          [](std::exception_ptr e) { LogEscaped(e, "hand_to_people"); });
    return;
  }
  batcher_.RetryAt(conversation_id, clock_.NowMs() + config_.batch_window_ms * failures);
}

boost::asio::awaitable<void> ReplyWorker::HandToPeople(int64_t conversation_id, int failures) {
  InFlight in_flight(in_flight_);
  auto claim = [this, conversation_id] {
    return store_.ClaimConversation(conversation_id, clock_.NowMs(), config_.processing_timeout_ms);
  };
  auto attempt = co_await pool_.Run(claim);
  if (!attempt) {
    // The store is failing too: the conversation stays pending, and the next start (or another worker) takes it.
    log::Error("claim_failed", {{"conversation_id", conversation_id}, {"error", attempt.error().detail}});
    co_return;
  }
  // Nothing left to answer, or another worker holds it and will answer or hand it over itself.
  if (!attempt->claim) co_return;
  store::Reply reply;
  reply.decision = Decision::kEscalate;
  reply.reason = Reason::kModelFailed;
  reply.hand_off = true;
  reply.human_idle_ms = config_.human_idle_minutes * 60 * 1000;
  reply.trace =
      SerializeJson(boost::json::array{boost::json::object{{"stage", "reply_worker"}, {"failures", failures}}});
  const store::Claim& held = *attempt->claim;
  auto commit = [this, &held, &reply] {
    std::vector<int64_t> outbound_ids;
    return store_.CommitReply(held, reply, clock_.NowMs(), &outbound_ids);
  };
  auto committed = co_await pool_.Run(commit);
  if (!committed) {
    log::Error("hand_to_people_failed", {{"conversation_id", conversation_id}, {"error", committed.error().detail}});
    co_await ReleaseClaim(conversation_id, held.token);
  }
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
    return store_.ClaimConversation(conversation_id, clock_.NowMs(), config_.processing_timeout_ms);
  };
  auto attempt_result = co_await pool_.Run(claim);
  if (!attempt_result) {
    log::Error("claim_failed", {{"conversation_id", conversation_id}, {"error", attempt_result.error().detail}});
    batcher_.RetryAt(conversation_id, clock_.NowMs() + config_.batch_window_ms);
    co_return;
  }
  if (!attempt_result->claim) {
    // Held by another worker (or a crashed one whose lease has not expired): look again when it expires.
    if (attempt_result->held_until_ms > 0) batcher_.RetryAt(conversation_id, attempt_result->held_until_ms + 1);
    co_return;
  }
  if (co_await WaitsForMedia(*attempt_result->claim)) co_return;

  auto strand = co_await boost::asio::this_coro::executor;
  auto attempt = std::make_shared<Attempt>(strand);
  attempt->claim = std::move(*attempt_result->claim);
  const Platform platform = attempt->claim.conversation.platform;
  api::PlatformMetrics& m = api::MetricsFor(platform);

  // Answer runs on its own; this coroutine waits for it or for the processing timeout, whichever comes first, and
  // then cancels it. Work it already handed to the blocking pool still finishes; should it reach its commit, the
  // commit finds the claim released and changes nothing.
  const int64_t deadline_ms = clock_.NowMs() + config_.processing_timeout_ms;
  auto answered = [attempt](std::exception_ptr e, Result<store::CommitResult> r) {
    if (!attempt->stopped) LogEscaped(e, "answer");
    attempt->outcome = e ? Result<store::CommitResult>(Error::Internal("answer threw")) : std::move(r);
    attempt->timer.cancel();
  };
  boost::asio::co_spawn(strand, Answer(attempt),
                        boost::asio::bind_cancellation_slot(attempt->stop.slot(), std::move(answered)));
  const std::shared_ptr<boost::asio::steady_timer> timer(attempt, &attempt->timer);
  while (!attempt->outcome && clock_.NowMs() < deadline_ms) co_await SleepUntil(clock_, timer, deadline_ms);

  const boost::json::object context{{"platform", ToString(platform)},
                                    {"tenant_id", attempt->claim.conversation.tenant_id},
                                    {"conversation_id", conversation_id}};
  if (!attempt->outcome) {
    attempt->stopped = true;
    attempt->stop.emit(boost::asio::cancellation_type::terminal);
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

boost::asio::awaitable<bool> ReplyWorker::WaitsForMedia(store::Claim& claim) {
  const int64_t conversation_id = claim.conversation_id;
  auto attach = [this, &claim] {
    return store::AttachMediaRecords(store_, claim.conversation.tenant_id, claim.messages);
  };
  Result<void> attached = co_await pool_.Run(attach);
  int64_t wait_until_ms = 0;
  bool media_pending = false;
  if (!attached) {
    // Answering without the transcripts would answer a voice note as if nothing had been said: try again later.
    log::Error("media_records_unavailable", {{"conversation_id", conversation_id}, {"error", attached.error().detail}});
    wait_until_ms = clock_.NowMs() + config_.batch_window_ms;
  }
  for (const auto& message : claim.messages) {
    if (message.media && message.media->status == store::MediaStatus::kPending) {
      wait_until_ms = std::max(wait_until_ms, message.media->created_at_ms + config_.media_wait_ms);
      media_pending = true;
    }
  }
  if (wait_until_ms <= clock_.NowMs()) co_return false;
  if (media_pending && media_awaited_) media_awaited_();
  // The fetcher fires the conversation again once the media is settled; the retry at the end of the wait answers it
  // with what is known should that never come.
  log::Info("burst_waits_for_media", {{"conversation_id", conversation_id}, {"until_ms", wait_until_ms}});
  co_await ReleaseClaim(conversation_id, claim.token);
  batcher_.RetryAt(conversation_id, wait_until_ms);
  co_return true;
}

boost::asio::awaitable<Result<store::CommitResult>> ReplyWorker::Answer(std::shared_ptr<Attempt> attempt) {
  const store::Claim& claim = attempt->claim;
  const Platform platform = claim.conversation.platform;
  api::PlatformMetrics& m = api::MetricsFor(platform);
  channels::Channel* channel = channels_.Get(platform);
  // A conversation whose platform is no longer registered (its rows outlived it) cannot be answered.
  if (channel == nullptr) co_return Error::Internal("no channel serves platform " + platform.name());
  const channels::SendAccount account{claim.channel.account_id, claim.channel.access_token};

  // A comment thread has no direct conversation to show "seen" and "typing" in.
  if (claim.messages.empty() || !claim.conversation.comment_on.empty()) {
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

  // A customer the webhooks did not name (Messenger, Instagram) is looked up beside the answer, never before it.
  if (claim.conversation.contact.name.empty()) {
    profiles_.Start(*channel, account, claim.channel.id, claim.conversation.contact.platform_id);
  }

  auto reply = co_await responder_.Respond(claim);
  if (!reply) co_return reply.error();
  // A comment thread is answered under the comment or privately (app/comment_replies.h), never by a direct message
  // its author never started: what a responder that knows nothing of comments says there (the away message) is
  // dropped.
  if (!claim.conversation.comment_on.empty()) {
    std::erase_if(reply->messages,
                  [](const store::OutboundDraft& d) { return d.comment_reply == store::CommentReply::kNone; });
  }
  if (!reply->messages.empty()) m.responses_generated.Inc();

  // Committing only after the indicator keeps "latest wins" covering a slow indicator, like a slow generation.
  while (!attempt->indicator_done) {
    boost::system::error_code ec;
    co_await attempt->indicator_finished.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  std::vector<int64_t> outbound_ids;
  auto commit = [this, &claim, &reply, &outbound_ids] {
    return store_.CommitReply(claim, *reply, clock_.NowMs(), &outbound_ids);
  };
  auto committed = co_await pool_.Run(commit);
  if (!committed) co_return committed.error();
  if (*committed == store::CommitResult::kCommitted && reply->hand_off) {
    log::Info("conversation_handed_off", {{"platform", ToString(platform)},
                                          {"conversation_id", claim.conversation_id},
                                          {"reason", ToString(reply->reason)}});
  }
  // Delivery has its own deadlines and retries; it is not part of the claim's processing time.
  if (*committed == store::CommitResult::kCommitted && !outbound_ids.empty()) SendOutbox(claim.conversation_id);
  co_return *committed;
}

void ReplyWorker::SendOutbox(int64_t conversation_id) {
  {
    std::lock_guard lock(mutex_);
    if (!sending_.insert(conversation_id).second) {
      send_again_.insert(conversation_id);
      return;
    }
  }
  ++in_flight_;  // Counted from now, so that a drain at shutdown waits for a reply just committed.
  boost::asio::co_spawn(executor_, DrainOutbox(conversation_id),
                        [](std::exception_ptr e) { LogEscaped(e, "send_outbox"); });
}

boost::asio::awaitable<void> ReplyWorker::DrainOutbox(int64_t conversation_id) {
  struct Done {
    ReplyWorker* worker;
    int64_t id;
    ~Done() {
      bool again = false;
      {
        std::lock_guard lock(worker->mutex_);
        worker->sending_.erase(id);
        again = worker->send_again_.erase(id) > 0;
      }
      --worker->in_flight_;
      if (again) worker->SendOutbox(id);
    }
  } done{this, conversation_id};

  while (true) {
    auto lease = [this, conversation_id] {
      return store_.LeaseNextOutbound(conversation_id, clock_.NowMs(), config_.send_lease_ms);
    };
    auto attempt = co_await pool_.Run(lease);
    if (!attempt) {
      log::Error("outbox_lease_failed", {{"conversation_id", conversation_id}, {"error", attempt.error().detail}});
      SendOutboxAt(conversation_id, clock_.NowMs() + config_.send_retry_base_ms);
      co_return;
    }
    if (!attempt->lease) {
      if (attempt->wait_until_ms > 0) SendOutboxAt(conversation_id, attempt->wait_until_ms);
      co_return;
    }
    co_await SendLeased(*attempt->lease);
  }
}

boost::asio::awaitable<void> ReplyWorker::SendLeased(const store::OutboundLease& lease) {
  const store::OutboundMessage& message = lease.message;
  const Platform platform = message.channel.platform;
  api::PlatformMetrics& m = api::MetricsFor(platform);
  channels::Channel* channel = channels_.Get(platform);
  auto start = std::chrono::steady_clock::now();
  const channels::SendAccount account{message.channel.account_id, message.channel.access_token};
  const channels::MessageTag tag =
      message.draft.human_agent ? channels::MessageTag::kHumanAgent : channels::MessageTag::kNone;
  channels::SendResult sent;
  if (channel == nullptr) {
    sent.error = MessageError{0, "no channel serves platform " + platform.name(), {}};
  } else if (message.draft.comment_reply != store::CommentReply::kNone) {
    sent = co_await channel->ReplyToComment(account, message.draft.reply_to, message.draft.text,
                                            message.draft.comment_reply == store::CommentReply::kPrivate);
  } else if (message.draft.whatsapp_template) {
    sent = co_await channel->SendTemplate(account, message.recipient_id, *message.draft.whatsapp_template);
  } else if (message.draft.file) {
    auto load = [this, &message] { return LoadFile(message); };
    Result<channels::OutboundMedia> media = co_await pool_.Run(load);
    if (!media) {
      sent.error = MessageError{0, "the file could not be read", media.error().message};
    } else {
      sent = co_await channel->SendMedia(account, message.recipient_id, *media, message.draft.text, tag);
    }
  } else {
    sent = co_await channel->SendText(account, message.recipient_id, message.draft.text, message.draft.reply_to, tag);
  }
  m.send_seconds.Observe(SecondsSince(start));
  boost::json::object fields{{"platform", ToString(platform)},
                             {"tenant_id", message.tenant_id},
                             {"conversation_id", message.conversation_id},
                             {"message_id", message.id}};
  if (sent.ok()) {
    m.sends_ok.Inc();
    log::Info("reply_sent", std::move(fields));
  } else {
    fields["code"] = sent.error->code;
    fields["error"] = sent.error->title;
    fields["attempt"] = lease.attempts + 1;
  }
  if (!sent.ok() && sent.transient) {
    // Waits double from the base up to the maximum, or longer when the platform says so; past the messaging window
    // the platform would refuse anyway.
    const int doublings = std::min(lease.attempts, 30);
    const int64_t wait =
        std::max(std::min(config_.send_retry_max_ms, config_.send_retry_base_ms << doublings), sent.retry_after_ms);
    const int64_t retry_at = clock_.NowMs() + wait;
    if (retry_at < lease.window_ends_at_ms) {
      fields["retry_in_ms"] = wait;
      log::Warn("reply_deferred", std::move(fields));
      auto defer = [this, &lease, &sent, retry_at] {
        return store_.DeferOutbound(lease.message.id, lease.token, retry_at, *sent.error);
      };
      auto deferred = co_await pool_.Run(defer);
      if (!deferred) {
        log::Error("send_result_not_recorded", {{"message_id", message.id}, {"error", deferred.error().detail}});
      }
      co_return;
    }
    sent.error->detail = "the platform's messaging window closed before it recovered; last error: " +
                         (sent.error->detail.empty() ? sent.error->title : sent.error->detail);
  }
  if (!sent.ok()) {
    m.sends_failed.Inc();
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

Result<channels::OutboundMedia> ReplyWorker::LoadFile(const store::OutboundMessage& message) const {
  const store::OutboundFile& file = *message.draft.file;
  channels::OutboundMedia media{file.type, file.mime_type, file.filename, {}, {}};
  using MediaReplies = channels::PlatformTraits::MediaReplies;
  const MediaReplies how = channels::TraitsOf(message.channel.platform).media_replies;
  if (how == MediaReplies::kUpload) {
    if (files_.files == nullptr) return Error::Unavailable("no media store to read the file from");
    auto bytes = files_.files->Get(message.tenant_id, file.file_key);
    if (!bytes) return bytes.error();
    media.bytes = std::move(*bytes);
  }
  if (how == MediaReplies::kLink && files_.signer != nullptr && !config_.public_url.empty()) {
    media.url = config_.public_url + files_.signer->Sign(message.tenant_id, file.public_id, media::Variant::kOriginal,
                                                         clock_.NowMs() / 1000);
  }
  return media;
}

void ReplyWorker::SendOutboxAt(int64_t conversation_id, int64_t at_ms) {
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = send_at_.try_emplace(conversation_id, at_ms);
    if (!inserted && it->second <= at_ms) return;  // An earlier look is already scheduled.
    it->second = at_ms;
  }
  auto wait = [this, conversation_id, at_ms]() -> boost::asio::awaitable<void> {
    auto timer = std::make_shared<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor);
    while (clock_.NowMs() < at_ms) co_await SleepUntil(clock_, timer, at_ms);
    {
      std::lock_guard lock(mutex_);
      auto it = send_at_.find(conversation_id);
      if (it == send_at_.end() || it->second != at_ms) co_return;  // Superseded by an earlier look.
      send_at_.erase(it);
    }
    SendOutbox(conversation_id);
  };
  boost::asio::co_spawn(boost::asio::make_strand(executor_), wait,
                        [](std::exception_ptr e) { LogEscaped(e, "send_outbox_later"); });
}

boost::asio::awaitable<void> ReplyWorker::ReleaseClaim(int64_t conversation_id, const std::string& token) {
  auto release = [this, conversation_id, token] { return store_.ReleaseClaim(conversation_id, token); };
  auto released = co_await pool_.Run(release);
  if (!released)
    log::Error("claim_release_failed", {{"conversation_id", conversation_id}, {"error", released.error().detail}});
}

Result<size_t> ReplyWorker::RecoverOutbox() {
  auto queued = store_.ListQueuedOutbound();
  if (!queued) return queued.error();
  if (!queued->empty()) log::Info("outbox_recovery", {{"messages", static_cast<int64_t>(queued->size())}});
  std::set<int64_t> conversations;
  for (const auto& message : *queued) conversations.insert(message.conversation_id);
  for (int64_t conversation_id : conversations) SendOutbox(conversation_id);
  return queued->size();
}

boost::asio::awaitable<void> ReplyWorker::Drain(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor);
  // Shutdown only: a short poll keeps the hot path free of completion signalling.
  while (in_flight_.load() + profiles_.in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

}  // namespace parley::app
