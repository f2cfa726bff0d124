// The reply worker on fakes of everything it drives (tests/fakes: store, batcher, platform, responder) and a manual
// clock: bursts, claims and their leases, "latest wins", the outbox's retries and failures, crashes between commit
// and send, indicators, hand-offs. Nothing waits for real time: the test moves the clock and runs what became ready.

#include "app/reply_worker.h"

#include "core/clock.h"
#include "core/config.h"
#include "fakes/fake_batcher.h"
#include "fakes/fake_channel.h"
#include "fakes/fake_responder.h"
#include "fakes/fake_store.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace parley::app {
namespace {

using fakes::FakeBatcher;
using fakes::FakeChannel;
using fakes::FakeResponder;
using fakes::FakeStore;

constexpr int64_t kT0 = 1'800'000'000'000;
constexpr int64_t kHour = 3'600'000;

Config TestConfig() {
  Config config;
  config.batch_window_ms = 2'000;
  config.batch_max_wait_ms = 10'000;
  config.processing_timeout_ms = 30'000;
  config.send_retry_base_ms = 5'000;
  config.send_retry_max_ms = kHour;
  config.send_lease_ms = 60'000;
  return config;
}

class ReplyWorkerTest : public ::testing::Test {
 protected:
  ReplyWorkerTest() {
    channels_.Add(std::make_unique<FakeChannel>(Platform("whatsapp")));
    channels_.Add(std::make_unique<FakeChannel>(Platform("instagram")));
    channel_ = store_.MakeChannel(Platform("whatsapp"));
    conversation_ = store_.MakeConversation(channel_.id, "15550001");
    StartWorker();
  }

  ~ReplyWorkerTest() override {
    StopWorker();
    pool_.Stop();
  }

  // A process starting: a new batcher and worker on the same store, recovering as `parley serve` does (queued
  // replies first, then the pending conversations armed again).
  void StartWorker() {
    io_.emplace();
    batcher_ =
        std::make_unique<FakeBatcher>(clock_, queue::BatchPolicy{config_.batch_window_ms, config_.batch_max_wait_ms});
    worker_ = std::make_unique<ReplyWorker>(io_->get_executor(), config_, store_, pool_, channels_, responder_,
                                            *batcher_, clock_);
    recovered_ = worker_->RecoverOutbox();
    auto pending = store_.ListPendingConversations();
    ASSERT_TRUE(pending);
    for (const auto& p : *pending) batcher_->Arm(p);
    batcher_->Start([this](int64_t conversation_id) { worker_->OnDue(conversation_id); });
    Run();
  }

  // A process killed: its coroutines are dropped where they stand (a held send stays unanswered for good), nothing
  // more is stored or released. The blocking pool is idle first, as a store call is atomic either way.
  void StopWorker() {
    Settle();
    io_.reset();
    worker_.reset();
    batcher_.reset();
  }

  // Runs whatever is ready, and the store calls it starts, until nothing is.
  void Settle() {
    while (true) {
      io_->restart();
      while (io_->poll() > 0) io_->restart();
      WaitForPool();
      io_->restart();
      if (io_->poll() == 0) return;
    }
  }

  // The pool has one thread: once a job submitted now has run, every earlier one has posted its completion.
  void WaitForPool() {
    boost::asio::io_context barrier;
    auto nothing = [] { return 0; };
    auto run = [this, &nothing]() -> boost::asio::awaitable<void> { co_await pool_.Run(nothing); };
    boost::asio::co_spawn(barrier, run, boost::asio::detached);
    barrier.run();
  }

  // Settles, fires what the batcher holds due, and again, until nothing more happens.
  void Run() {
    do Settle();
    while (batcher_->FireDue() > 0);
  }

  void Advance(int64_t ms) {
    clock_.Advance(ms);
    Run();
  }

  // The customer writes; the batcher is armed as the ingest path does.
  void Write(const std::string& text) {
    if (auto pending = store_.Receive(conversation_, text)) batcher_->Arm(*pending);
  }

  FakeChannel& whatsapp() { return static_cast<FakeChannel&>(*channels_.Get(Platform("whatsapp"))); }

  // The texts the platform accepted, in order.
  std::vector<std::string> Delivered() {
    std::vector<std::string> texts;
    for (const auto& call : whatsapp().sends()) {
      if (call.completed && call.outcome == FakeChannel::Outcome::kOk) texts.push_back(call.text);
    }
    return texts;
  }

  ManualClock clock_{kT0};
  const Config config_ = TestConfig();
  FakeStore store_{clock_};
  channels::ChannelSet channels_;
  FakeResponder responder_;
  BlockingPool pool_{1};
  store::Channel channel_;
  int64_t conversation_ = 0;
  std::optional<boost::asio::io_context> io_;
  std::unique_ptr<FakeBatcher> batcher_;
  std::unique_ptr<ReplyWorker> worker_;
  Result<size_t> recovered_ = size_t{0};
};

TEST_F(ReplyWorkerTest, AnswersABurstOnceAfterItsWindow) {
  Write("hi");
  Advance(500);
  Write("are you open?");
  Advance(500);
  Write("today?");
  Advance(config_.batch_window_ms - 1);
  EXPECT_TRUE(responder_.batches().empty());

  Advance(1);
  ASSERT_EQ(responder_.batches().size(), 1u);
  EXPECT_EQ(responder_.batches()[0].messages.size(), 3u);
  EXPECT_EQ(Delivered(), std::vector<std::string>{"Re: hi + are you open? + today?"});
  const auto sent = whatsapp().sends();
  EXPECT_EQ(sent[0].account_id, channel_.account_id);
  EXPECT_EQ(sent[0].access_token, channel_.access_token);
  EXPECT_EQ(sent[0].contact_id, "15550001");
  // Read and typing shown once, for the burst's newest message.
  ASSERT_EQ(whatsapp().indicators().size(), 1u);
  EXPECT_EQ(whatsapp().indicators()[0].text, responder_.batches()[0].messages.back().platform_message_id);

  const auto outbound = store_.outbound(conversation_);
  ASSERT_EQ(outbound.size(), 1u);
  EXPECT_EQ(outbound[0].status, MessageStatus::kSent);
  EXPECT_EQ(outbound[0].platform_message_id, "wamid.out-1");
  EXPECT_FALSE(store_.pending(conversation_));
  EXPECT_FALSE(store_.claim(conversation_));

  Advance(kHour);
  EXPECT_EQ(whatsapp().sends().size(), 1u);
  EXPECT_EQ(responder_.batches().size(), 1u);
}

TEST_F(ReplyWorkerTest, LeavesAClaimHeldByAnotherWorkerAndTakesItOverWhenItsLeaseExpires) {
  Write("hi");
  // Another process claims the conversation first, for 10 s, and then dies without committing.
  auto other = store_.ClaimConversation(conversation_, clock_.NowMs(), 10'000);
  ASSERT_TRUE(other && other->claim);

  Advance(config_.batch_window_ms);
  EXPECT_TRUE(responder_.batches().empty());
  EXPECT_TRUE(whatsapp().sends().empty());
  // It asked to be handed the conversation again just after the other lease ends.
  ASSERT_FALSE(batcher_->retries().empty());
  EXPECT_EQ(batcher_->retries().back(), std::make_pair(conversation_, kT0 + 10'001));

  Advance(kT0 + 10'000 - clock_.NowMs());
  EXPECT_TRUE(responder_.batches().empty());
  Advance(1);
  ASSERT_EQ(responder_.batches().size(), 1u);
  EXPECT_EQ(Delivered(), std::vector<std::string>{"Re: hi"});

  // The other worker waking up late cannot commit a second reply.
  store::Reply late;
  late.messages.push_back({MessageType::kText, "late", {}});
  std::vector<int64_t> ids;
  auto committed = store_.CommitReply(*other->claim, late, clock_.NowMs(), &ids);
  ASSERT_TRUE(committed);
  EXPECT_EQ(*committed, store::CommitResult::kLost);
  EXPECT_EQ(store_.outbound(conversation_).size(), 1u);
}

TEST_F(ReplyWorkerTest, AMessageArrivingWhileTheResponderWorksSupersedesTheBatch) {
  responder_.Hold();
  Write("hi");
  Advance(config_.batch_window_ms);
  ASSERT_EQ(responder_.waiting(), 1);

  Write("one more thing");
  Advance(config_.batch_window_ms);  // Its deadline passes while the first answer is still being written.
  responder_.Release();
  Run();

  EXPECT_EQ(Delivered(), std::vector<std::string>{"Re: hi + one more thing"});
  ASSERT_EQ(responder_.batches().size(), 2u);
  EXPECT_EQ(responder_.batches()[1].messages.size(), 2u);
  EXPECT_EQ(store_.outbound(conversation_).size(), 1u);
  EXPECT_FALSE(store_.pending(conversation_));
  Advance(kHour);
  EXPECT_EQ(whatsapp().sends().size(), 1u);
}

TEST_F(ReplyWorkerTest, TransientSendFailuresAreDeferredWithDoublingWaits) {
  whatsapp().ScriptSends(FakeChannel::Outcome::kNetworkError);
  whatsapp().ScriptSends(FakeChannel::Outcome::kThrottled);
  whatsapp().ScriptSends(FakeChannel::Outcome::kNetworkError);
  Write("hi");
  Advance(config_.batch_window_ms);
  ASSERT_EQ(whatsapp().sends().size(), 1u);

  // 5 s, then 10 s, then 20 s after each failure; never earlier.
  int64_t wait = config_.send_retry_base_ms;
  for (size_t failures = 1; failures <= 3; ++failures, wait *= 2) {
    const auto queued = store_.outbound(conversation_);
    ASSERT_EQ(queued.size(), 1u);
    EXPECT_EQ(queued[0].status, MessageStatus::kQueued);
    EXPECT_EQ(queued[0].attempts, static_cast<int>(failures));
    EXPECT_EQ(queued[0].next_attempt_at_ms, clock_.NowMs() + wait);
    ASSERT_TRUE(queued[0].error);
    Advance(wait - 1);
    EXPECT_EQ(whatsapp().sends().size(), failures);
    Advance(1);
    EXPECT_EQ(whatsapp().sends().size(), failures + 1);
  }

  EXPECT_EQ(Delivered(), std::vector<std::string>{"Re: hi"});
  EXPECT_EQ(store_.outbound(conversation_)[0].status, MessageStatus::kSent);
  EXPECT_TRUE(store_.support_items(conversation_).empty());
  EXPECT_EQ(responder_.batches().size(), 1u);  // Delivery retries; the answer is not written again.
}

TEST_F(ReplyWorkerTest, AWaitThePlatformAsksForIsKeptWhenLongerThanTheBackoff) {
  whatsapp().ScriptSends(FakeChannel::Outcome::kFloodControl);
  Write("hi");
  Advance(config_.batch_window_ms);
  ASSERT_EQ(whatsapp().sends().size(), 1u);
  const auto queued = store_.outbound(conversation_);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].next_attempt_at_ms, clock_.NowMs() + FakeChannel::kFloodControlWaitMs);
  Advance(FakeChannel::kFloodControlWaitMs - 1);
  EXPECT_EQ(whatsapp().sends().size(), 1u);  // Not at the 5 s backoff.
  Advance(1);
  EXPECT_EQ(Delivered(), std::vector<std::string>{"Re: hi"});
}

TEST_F(ReplyWorkerTest, SendingThatKeepsFailingFailsWhenTheMessagingWindowClosesAndOpensSendFailed) {
  whatsapp().ScriptSends(FakeChannel::Outcome::kNetworkError, 1'000);
  Write("hi");
  const int64_t window_ends = clock_.NowMs() + 24 * kHour;
  Advance(config_.batch_window_ms);
  ASSERT_EQ(store_.outbound(conversation_).size(), 1u);
  // Each retry comes when the last wait ends (5 s doubling up to an hour): some thirty of them in 24 hours.
  for (int retry = 0; retry < 100 && store_.outbound(conversation_)[0].status == MessageStatus::kQueued; ++retry) {
    Advance(std::max<int64_t>(1, store_.outbound(conversation_)[0].next_attempt_at_ms - clock_.NowMs()));
  }

  const auto outbound = store_.outbound(conversation_);
  ASSERT_EQ(outbound.size(), 1u);
  EXPECT_EQ(outbound[0].status, MessageStatus::kFailed);
  EXPECT_EQ(outbound[0].message.draft.text, "Re: hi");  // Kept for the person who takes over.
  ASSERT_TRUE(outbound[0].error);
  EXPECT_NE(outbound[0].error->detail.find("messaging window closed"), std::string::npos);
  // Given up before the window closed: the last attempt's retry would have come after it.
  EXPECT_LT(clock_.NowMs(), window_ends);
  const auto items = store_.support_items(conversation_);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].reason, "send_failed");
  const size_t attempts = whatsapp().sends().size();
  Advance(2 * 24 * kHour);
  EXPECT_EQ(whatsapp().sends().size(), attempts);
}

TEST_F(ReplyWorkerTest, APermanentSendFailureFailsAtOnceAndOpensSendFailed) {
  whatsapp().ScriptSends(FakeChannel::Outcome::kPermanent);
  Write("hi");
  Advance(config_.batch_window_ms);

  const auto outbound = store_.outbound(conversation_);
  ASSERT_EQ(outbound.size(), 1u);
  EXPECT_EQ(outbound[0].status, MessageStatus::kFailed);
  EXPECT_EQ(outbound[0].message.draft.text, "Re: hi");
  ASSERT_TRUE(outbound[0].error);
  EXPECT_EQ(outbound[0].error->code, 131047);
  const auto items = store_.support_items(conversation_);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].reason, "send_failed");
  EXPECT_EQ(items[0].status, "open");

  Advance(kHour);
  EXPECT_EQ(whatsapp().sends().size(), 1u);    // Not retried…
  EXPECT_EQ(responder_.batches().size(), 1u);  // …nor answered again.
}

TEST_F(ReplyWorkerTest, TheMessagesOfOneReplyGoOutInOrderEvenWhenTheFirstIsRetried) {
  store::Reply reply;
  reply.decision = Decision::kAutoReply;
  reply.messages.push_back({MessageType::kText, "first", {}});
  reply.messages.push_back({MessageType::kText, "second", {}});
  responder_.Script(reply);
  whatsapp().ScriptSends(FakeChannel::Outcome::kNetworkError);
  Write("hi");
  Advance(config_.batch_window_ms);
  ASSERT_EQ(whatsapp().sends().size(), 1u);  // "second" waits behind "first".

  Advance(config_.send_retry_base_ms);
  EXPECT_EQ(Delivered(), (std::vector<std::string>{"first", "second"}));
}

TEST_F(ReplyWorkerTest, ACrashBetweenCommitAndSendSendsTheReplyExactlyOnceAtTheNextStart) {
  // The store cannot lease the committed reply (say, locked) and the process dies before it looks again.
  store_.FailNext(FakeStore::Call::kLease, Error::Unavailable("database is locked"));
  Write("hi");
  Advance(config_.batch_window_ms);
  ASSERT_EQ(store_.outbound(conversation_).size(), 1u);
  ASSERT_EQ(store_.outbound(conversation_)[0].status, MessageStatus::kQueued);
  ASSERT_TRUE(whatsapp().sends().empty());

  StopWorker();
  StartWorker();
  ASSERT_TRUE(recovered_);
  EXPECT_EQ(*recovered_, 1u);
  EXPECT_EQ(Delivered(), std::vector<std::string>{"Re: hi"});
  EXPECT_EQ(store_.outbound(conversation_)[0].status, MessageStatus::kSent);

  Advance(kHour);
  EXPECT_EQ(whatsapp().sends().size(), 1u);  // Exactly once: nothing had reached the platform before the crash.
  EXPECT_EQ(responder_.batches().size(), 1u);
}

TEST_F(ReplyWorkerTest, ACrashDuringASendSendsItAtMostOnceMoreAfterTheLeaseExpires) {
  whatsapp().HoldSends(true);
  Write("hi");
  Advance(config_.batch_window_ms);
  ASSERT_EQ(whatsapp().held(), 1);

  // The process dies with the request in flight: the platform may or may not have taken it.
  StopWorker();
  whatsapp().HoldSends(false);
  StartWorker();
  EXPECT_EQ(*recovered_, 1u);
  EXPECT_EQ(whatsapp().sends().size(), 1u);  // The dead sender's lease still holds the message.

  Advance(config_.send_lease_ms);
  const auto sends = whatsapp().sends();
  ASSERT_EQ(sends.size(), 2u);  // At most once more: a repeat if the first attempt had reached the platform.
  EXPECT_FALSE(sends[0].completed);
  EXPECT_EQ(sends[1].text, "Re: hi");
  EXPECT_EQ(store_.outbound(conversation_)[0].status, MessageStatus::kSent);
  Advance(kHour);
  EXPECT_EQ(whatsapp().sends().size(), 2u);
  EXPECT_EQ(responder_.batches().size(), 1u);
}

// The platform took the reply but the store could not record it: to the outbox the message is still leased and
// unsent, so it goes out once more when the lease expires, the same repeat as a crash with the send in flight.
TEST_F(ReplyWorkerTest, ASentReplyTheStoreFailedToRecordIsSentOnceMoreAfterItsLease) {
  store_.FailNext(FakeStore::Call::kRecord, Error::Unavailable("disk I/O error"));
  Write("hi");
  Advance(config_.batch_window_ms);
  EXPECT_EQ(Delivered(), std::vector<std::string>{"Re: hi"});
  EXPECT_EQ(store_.outbound(conversation_)[0].status, MessageStatus::kQueued);

  Advance(config_.send_lease_ms - 1);
  EXPECT_EQ(whatsapp().sends().size(), 1u);
  Advance(1);
  EXPECT_EQ(Delivered(), (std::vector<std::string>{"Re: hi", "Re: hi"}));
  EXPECT_EQ(store_.outbound(conversation_)[0].status, MessageStatus::kSent);
  Advance(kHour);
  EXPECT_EQ(whatsapp().sends().size(), 2u);
}

TEST_F(ReplyWorkerTest, FailingIndicatorsDoNotStopTheReply) {
  whatsapp().ScriptIndicators(FakeChannel::Outcome::kNetworkError);
  Write("hi");
  Advance(config_.batch_window_ms);
  whatsapp().ScriptIndicators(FakeChannel::Outcome::kPermanent);
  Write("thanks");
  Advance(config_.batch_window_ms);

  ASSERT_EQ(whatsapp().indicators().size(), 2u);
  EXPECT_EQ(Delivered(), (std::vector<std::string>{"Re: hi", "Re: thanks"}));
}

TEST_F(ReplyWorkerTest, ADisabledChannelGetsNoAutomaticReply) {
  store_.DisableChannel(channel_.id);
  Write("hi");
  worker_->OnDue(conversation_);  // Even if handed over (a batcher armed before the switch), nothing is claimed.
  Advance(kHour);
  EXPECT_TRUE(responder_.batches().empty());
  EXPECT_TRUE(whatsapp().sends().empty());
  EXPECT_TRUE(whatsapp().indicators().empty());
}

TEST_F(ReplyWorkerTest, AChannelDisabledWhileTheResponderWorksSendsNothing) {
  responder_.Hold();
  Write("hi");
  Advance(config_.batch_window_ms);
  store_.DisableChannel(channel_.id);
  responder_.Release();
  Advance(kHour);
  EXPECT_TRUE(store_.outbound(conversation_).empty());
  EXPECT_TRUE(whatsapp().sends().empty());
  EXPECT_EQ(responder_.batches().size(), 1u);
}

TEST_F(ReplyWorkerTest, HumanModeGetsNoAutomaticReply) {
  store_.TakeOver(conversation_);
  Write("hi");
  worker_->OnDue(conversation_);
  Advance(kHour);
  EXPECT_TRUE(responder_.batches().empty());
  EXPECT_TRUE(whatsapp().sends().empty());
}

TEST_F(ReplyWorkerTest, APersonTakingOverWhileTheResponderWorksSupersedesTheReply) {
  responder_.Hold();
  Write("hi");
  Advance(config_.batch_window_ms);
  store_.TakeOver(conversation_);
  responder_.Release();
  Advance(kHour);
  EXPECT_TRUE(store_.outbound(conversation_).empty());
  EXPECT_TRUE(whatsapp().sends().empty());
  EXPECT_EQ(responder_.batches().size(), 1u);
}

// The worker does not know plans: a refusal (quota used up, rate limit; app/metered_responder.h) reaches it as a
// hand-off reply, which it commits and sends like any other; the conversation then waits for a person.
TEST_F(ReplyWorkerTest, AHandOffReplyIsSentOnceAndLaterMessagesAreLeftToPeople) {
  responder_.ScriptEscalation(Reason::kQuota, "A person will answer you shortly.");
  Write("hi");
  Advance(config_.batch_window_ms);
  EXPECT_EQ(Delivered(), std::vector<std::string>{"A person will answer you shortly."});
  EXPECT_EQ(store_.conversation(conversation_).mode, "human");
  const auto items = store_.support_items(conversation_);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].reason, "quota");

  Write("hello?");
  Advance(kHour);
  EXPECT_EQ(responder_.batches().size(), 1u);
  EXPECT_EQ(whatsapp().sends().size(), 1u);
}

// A customer must never wait for a restart: after the third failure in a row the conversation goes to people.
TEST_F(ReplyWorkerTest, AFailingResponderIsRetriedWithGrowingWaitsThenHandedToPeople) {
  for (int i = 0; i < 3; ++i) responder_.ScriptFailure(Error::Unavailable("model unreachable"));
  Write("hi");
  Advance(config_.batch_window_ms);
  ASSERT_EQ(responder_.batches().size(), 1u);
  EXPECT_FALSE(store_.claim(conversation_));  // Released at once, not left to expire.
  Advance(config_.batch_window_ms);
  ASSERT_EQ(responder_.batches().size(), 2u);
  Advance(2 * config_.batch_window_ms - 1);
  EXPECT_EQ(responder_.batches().size(), 2u);
  Advance(1);
  ASSERT_EQ(responder_.batches().size(), 3u);

  // Handed to people after the third failure: a support item, human mode, nothing pending, nothing sent.
  Advance(4 * config_.batch_window_ms);
  EXPECT_EQ(responder_.batches().size(), 3u);
  EXPECT_TRUE(whatsapp().sends().empty());
  EXPECT_FALSE(store_.pending(conversation_));
  EXPECT_EQ(store_.conversation(conversation_).mode, "human");
  const auto items = store_.support_items(conversation_);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].reason, "model_failed");
  EXPECT_EQ(items[0].status, "open");

  // Later messages wait for the person too, for as long as a person's hold lasts (PARLEY_HUMAN_IDLE_MINUTES).
  Write("hello?");
  Advance(4 * config_.batch_window_ms);
  EXPECT_EQ(responder_.batches().size(), 3u);
}

TEST_F(ReplyWorkerTest, AnAnswerPastTheProcessingTimeoutIsCancelledAndTheBurstAnsweredOnce) {
  responder_.Hold();
  Write("hi");
  Advance(config_.batch_window_ms);
  ASSERT_EQ(responder_.waiting(), 1);

  Advance(config_.processing_timeout_ms - 1);
  EXPECT_TRUE(store_.claim(conversation_));
  EXPECT_EQ(responder_.waiting(), 1);
  Advance(1);
  EXPECT_FALSE(store_.claim(conversation_));  // Timed out: released, tried again after the window.
  EXPECT_EQ(responder_.waiting(), 0);         // and the answer stopped waiting for its model.
  Advance(config_.batch_window_ms);
  ASSERT_EQ(responder_.batches().size(), 2u);
  EXPECT_EQ(Delivered(), std::vector<std::string>{"Re: hi"});
  Advance(kHour);
  EXPECT_EQ(whatsapp().sends().size(), 1u);
  EXPECT_EQ(store_.outbound(conversation_).size(), 1u);
}

TEST_F(ReplyWorkerTest, AnswersPastTheProcessingTimeoutDoNotPileUp) {
  // A model slower than the processing timeout, three times: each attempt is cancelled when the next is made, and
  // the third failure hands the conversation to people.
  responder_.Hold(3);
  Write("hi");
  Advance(config_.batch_window_ms);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_EQ(responder_.batches().size(), static_cast<size_t>(attempt));
    EXPECT_EQ(responder_.waiting(), 1);
    Advance(config_.processing_timeout_ms);
    EXPECT_EQ(responder_.waiting(), 0);
    Advance(config_.batch_window_ms * attempt);
  }
  Advance(kHour);
  EXPECT_EQ(responder_.batches().size(), 3u);
  EXPECT_TRUE(whatsapp().sends().empty());
  EXPECT_EQ(store_.conversation(conversation_).mode, "human");
}

}  // namespace
}  // namespace parley::app
