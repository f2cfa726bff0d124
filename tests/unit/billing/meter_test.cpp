// The gate in front of the AI: media a plan does not cover, the per-contact rate, the monthly quota reserved
// atomically, and the usage a reply records.

#include "billing/meter.h"

#include "core/blocking_pool.h"
#include "core/crypto.h"
#include "core/time.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

namespace parley::billing {
namespace {

class MeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::sqlite::SqliteOptions options;
    options.path = (dir_.path() / "parley.db").string();
    options.synchronous = "normal";
    store_ = store::sqlite::SqliteStore::Open(options, box_).value();
    ASSERT_TRUE(store_->Migrate());
    tenant_ = store_->CreateTenant("Acme", crypto::Sha256Hex("key-acme")).value().id;
    config_.default_plan = "free";  // As where billing is on: the free plan has no images or audio.
    config_.image_notice = "No images, sorry.";
    config_.audio_notice = "No audio, sorry.";
  }

  store::Claim Burst(std::vector<MessageType> types, const std::string& contact = "15550001111") {
    store::Claim claim;
    claim.conversation.tenant_id = tenant_;
    claim.conversation.contact.platform_id = contact;
    claim.channel.id = 1;
    int64_t id = 100;
    for (MessageType type : types) {
      store::StoredMessage message;
      message.id = ++id;
      message.type = type;
      message.text = "hello";
      claim.messages.push_back(message);
    }
    claim.messages_total = static_cast<int64_t>(claim.messages.size());
    return claim;
  }

  void Plan(const std::string& name, bool images, bool audio, std::optional<int64_t> replies) {
    store::Plan plan;
    plan.name = name;
    plan.images = images;
    plan.audio = audio;
    plan.monthly_ai_replies = replies;
    ASSERT_TRUE(store_->billing().PutPlan(plan));
    ASSERT_TRUE(store_->billing().SetTenantPlan(tenant_, name));
  }

  testing::TempDir dir_{"parley-meter"};
  crypto::SecretBox box_ = crypto::SecretBox::Create(std::string(32, 'k')).value();
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  // Runs the meter's Admit to completion (the plan and the quota on `pool_`).
  Result<Admission> Admit(Meter& meter, const store::Claim& burst, int64_t now_ms,
                          std::optional<MediaNotices> notices = std::nullopt) {
    auto admit = [&]() -> boost::asio::awaitable<Result<Admission>> {
      if (notices) co_return co_await meter.Admit(burst, now_ms, *notices);
      co_return co_await meter.Admit(burst, now_ms);
    };
    auto done = boost::asio::co_spawn(io_, admit(), boost::asio::use_future);
    io_.restart();
    io_.run();
    return done.get();
  }

  Config config_;
  boost::asio::io_context io_;
  BlockingPool pool_{1};
  LocalRateLimiter unlimited_{0, 1};
  int64_t tenant_ = 0;
};

TEST_F(MeterTest, MediaTheFreePlanDoesNotCoverGetsTheNotice) {
  Meter meter(config_, *store_, pool_, unlimited_);
  auto only_image = Admit(meter, Burst({MessageType::kImage, MessageType::kSticker}), NowMs()).value();
  EXPECT_EQ(only_image.verdict, Admission::Verdict::kNotice);
  EXPECT_EQ(only_image.plan.name, "free");
  EXPECT_EQ(only_image.notices, std::vector<std::string>{"No images, sorry."});
  EXPECT_TRUE(only_image.uncovered_by_plan);
  EXPECT_TRUE(only_image.reservation_id.empty());

  auto mixed = Admit(meter, Burst({MessageType::kText, MessageType::kAudio, MessageType::kImage}), NowMs()).value();
  EXPECT_EQ(mixed.verdict, Admission::Verdict::kAnswer);
  EXPECT_EQ(mixed.uncovered_messages, (std::vector<int64_t>{102, 103}));
  EXPECT_EQ(mixed.notices, (std::vector<std::string>{"No audio, sorry.", "No images, sorry."}));
  EXPECT_FALSE(mixed.reservation_id.empty());
}

TEST_F(MeterTest, NoticesInTheCustomersLanguageWhenTheCallerGivesThem) {
  Meter meter(config_, *store_, pool_, unlimited_);
  const MediaNotices french{"Je ne peux pas voir les images ici.", "Je ne peux pas écouter les messages vocaux ici."};
  auto admission =
      Admit(meter, Burst({MessageType::kAudio, MessageType::kImage, MessageType::kAudio}), NowMs(), french).value();
  EXPECT_EQ(admission.verdict, Admission::Verdict::kNotice);
  EXPECT_EQ(admission.notices, (std::vector<std::string>{french.audio, french.image}));
}

TEST_F(MeterTest, APlanWithTheFeatureAnswersMedia) {
  Plan("media", true, true, std::nullopt);
  Meter meter(config_, *store_, pool_, unlimited_);
  store::Claim burst = Burst({MessageType::kImage, MessageType::kAudio});
  burst.messages[1].media.emplace().transcript = "Are you open on Sunday?";
  auto admission = Admit(meter, burst, NowMs()).value();
  EXPECT_EQ(admission.verdict, Admission::Verdict::kAnswer);
  EXPECT_TRUE(admission.notices.empty());
  EXPECT_TRUE(admission.uncovered_messages.empty());
}

TEST_F(MeterTest, AVoiceNoteWithoutATranscriptGetsTheAudioNoticeEvenWhenThePlanHasAudio) {
  Plan("media", true, true, std::nullopt);
  Meter meter(config_, *store_, pool_, unlimited_);
  // Never transcribed (no transcriber, or it failed), or nothing was said: the AI cannot read it.
  store::Claim burst = Burst({MessageType::kAudio, MessageType::kAudio});
  burst.messages[1].media.emplace().transcript = "";
  auto unheard = Admit(meter, burst, NowMs()).value();
  EXPECT_EQ(unheard.verdict, Admission::Verdict::kNotice);
  EXPECT_FALSE(unheard.uncovered_by_plan);
  EXPECT_EQ(unheard.notices, std::vector<std::string>{"No audio, sorry."});

  // With words beside it, the words are answered and the voice note gets the notice.
  store::Claim mixed = Burst({MessageType::kText, MessageType::kAudio});
  auto admission = Admit(meter, mixed, NowMs()).value();
  EXPECT_EQ(admission.verdict, Admission::Verdict::kAnswer);
  EXPECT_EQ(admission.uncovered_messages, std::vector<int64_t>{102});
  EXPECT_FALSE(admission.uncovered_by_plan);
}

TEST_F(MeterTest, AContactOverItsRateIsRefusedOthersAreNot) {
  LocalRateLimiter contacts(1.0 / 60, 2);
  Meter meter(config_, *store_, pool_, contacts);
  const int64_t now = NowMs();
  EXPECT_EQ(Admit(meter, Burst({MessageType::kText}), now).value().verdict, Admission::Verdict::kAnswer);
  EXPECT_EQ(Admit(meter, Burst({MessageType::kText}), now).value().verdict, Admission::Verdict::kAnswer);
  EXPECT_EQ(Admit(meter, Burst({MessageType::kText}), now).value().verdict, Admission::Verdict::kRateLimited);
  EXPECT_EQ(Admit(meter, Burst({MessageType::kText}, "15550002222"), now).value().verdict, Admission::Verdict::kAnswer);
  // A minute later the bucket has one token again.
  EXPECT_EQ(Admit(meter, Burst({MessageType::kText}), now + 60'000).value().verdict, Admission::Verdict::kAnswer);
}

TEST_F(MeterTest, TheQuotaIsReservedAndGivenBack) {
  Plan("one", false, false, 1);
  Meter meter(config_, *store_, pool_, unlimited_);
  const int64_t now = NowMs();
  auto first = Admit(meter, Burst({MessageType::kText}), now).value();
  ASSERT_EQ(first.verdict, Admission::Verdict::kAnswer);
  auto second = Admit(meter, Burst({MessageType::kText}), now).value();
  EXPECT_EQ(second.verdict, Admission::Verdict::kOverQuota);
  EXPECT_EQ(second.quota, QuotaVerdict::kRepliesExhausted);
  ASSERT_TRUE(meter.Release(first));
  EXPECT_EQ(Admit(meter, Burst({MessageType::kText}), now).value().verdict, Admission::Verdict::kAnswer);
}

TEST_F(MeterTest, UsageCountsAnAnswerAndItsCredits) {
  config_.prompt_tokens_per_credit = 1000;
  config_.completion_tokens_per_credit = 250;
  config_.min_reply_credits = 1;
  Meter meter(config_, *store_, pool_, unlimited_);
  store::Reply reply;
  reply.messages.resize(2);
  reply.prompt_tokens = 1500;
  reply.completion_tokens = 300;
  const int64_t noon = 1'798'718'400'000;  // 2026-12-31T12:00:00Z
  store::Usage answered = meter.UsageFor(Burst({MessageType::kText, MessageType::kText}), reply, true, noon);
  EXPECT_EQ(answered.day, "2026-12-31");
  EXPECT_EQ(answered.ai_replies, 1);
  EXPECT_EQ(answered.credits, 3);  // 1.5 + 1.2, rounded up
  EXPECT_EQ(answered.messages_in, 2);
  EXPECT_EQ(answered.messages_out, 2);
  reply.prompt_tokens = 0;
  reply.completion_tokens = 0;
  store::Usage escalated = meter.UsageFor(Burst({MessageType::kText}), reply, false, noon);
  EXPECT_EQ(escalated.ai_replies, 0);
  EXPECT_EQ(escalated.credits, 0);
}

}  // namespace
}  // namespace parley::billing
