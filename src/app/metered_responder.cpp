#include "app/metered_responder.h"

#include "app/comment_replies.h"

#include "agent/messages.h"
#include "core/json.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "knowledge/language.h"

#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>

#include <algorithm>
#include <exception>
#include <optional>

namespace parley::app {
namespace {

std::string GateTrace(const billing::Admission& admission) {
  boost::json::object stage{
      {"stage", "billing"}, {"verdict", billing::ToString(admission.verdict)}, {"plan", admission.plan.name}};
  if (admission.verdict == billing::Admission::Verdict::kOverQuota) stage["quota"] = billing::ToString(admission.quota);
  return SerializeJson(boost::json::array{stage});
}

// The language the burst's words are written or spoken in; the knowledge's language when they say nothing (media
// alone).
std::string CustomerLanguage(const store::Claim& batch, const agent::AiSettings& settings) {
  std::string words;
  for (const auto& message : batch.messages) {
    if (message.text) words += *message.text + "\n";
    if (message.media && message.media->transcript) words += *message.media->transcript + "\n";
  }
  return knowledge::DetectLanguage(words, settings.language).code;
}

}  // namespace

boost::asio::awaitable<Result<store::Reply>> MeteredResponder::Respond(const store::Claim& batch) {
  if (batch.messages.empty()) co_return store::Reply{};
  const int64_t tenant_id = batch.conversation.tenant_id;
  auto load = [this, tenant_id] { return service_.LoadSettings(tenant_id); };
  Result<agent::AiSettings> settings = co_await pool_.Run(load);
  if (!settings) co_return settings.error();
  const bool comment_thread = !batch.conversation.comment_on.empty();
  // Comments the tenant does not want answered are left to people, silently and without metering: no hand-off, or
  // every comment on a busy post would open a support item.
  if (comment_thread && settings->comment_replies == agent::CommentReplies::kOff) co_return store::Reply{};
  // With the assistant switched off nothing is sent and nothing is metered: the agent hands the burst to people.
  if (!settings->enabled) co_return co_await agent_.RespondWith(batch, *settings);

  // The notices and the quota hand-off are written in the customer's language, as the agent's answers are.
  const std::string language = agent::ReplyLanguage(*settings, CustomerLanguage(batch, *settings));
  const billing::MediaNotices notices{agent::BotText(*settings, agent::BotMessage::kImageNotice, language),
                                      agent::BotText(*settings, agent::BotMessage::kAudioNotice, language)};
  const int64_t now_ms = NowMs();
  const int64_t human_idle_ms = config_.human_idle_minutes * 60 * 1000;
  // A business that prefers a person listening to asking the customer to write hands the whole burst over: the person
  // who picks it up answers the words too.
  const auto unheard = std::count_if(batch.messages.begin(), batch.messages.end(), billing::Unheard);
  if (unheard > 0 && settings->unheard_voice_notes == agent::UnheardVoiceNotes::kHandOff) {
    store::Reply reply;
    reply.decision = Decision::kEscalate;
    reply.reason = Reason::kMediaNotUnderstood;
    reply.trace = SerializeJson(boost::json::array{{{"stage", "media"},
                                                    {"unheard_voice_notes", unheard},
                                                    {"setting", agent::ToString(settings->unheard_voice_notes)}}});
    reply.hand_off = true;
    reply.human_idle_ms = human_idle_ms;
    const agent::BotMessage message =
        agent::OutOfHours(*settings, now_ms) ? agent::BotMessage::kOutOfHours : agent::BotMessage::kHandoff;
    reply.messages.push_back({MessageType::kText, agent::BotText(*settings, message, language), {}});
    reply.usage = meter_.UsageFor(batch, reply, false, now_ms);
    co_return reply;
  }
  Result<billing::Admission> admission = co_await meter_.Admit(batch, now_ms, notices);
  if (!admission) co_return admission.error();

  store::Reply reply;
  bool ai_answered = false;
  switch (admission->verdict) {
    case billing::Admission::Verdict::kNotice:
      reply.decision = Decision::kAutoReply;
      reply.reason = admission->uncovered_by_plan ? Reason::kFeatureNotInPlan : Reason::kMediaNotUnderstood;
      reply.trace = GateTrace(*admission);
      break;
    case billing::Admission::Verdict::kRateLimited:
      reply.decision = Decision::kEscalate;
      reply.reason = Reason::kRateLimited;
      reply.trace = GateTrace(*admission);
      reply.hand_off = true;
      reply.human_idle_ms = human_idle_ms;
      log::Warn("contact_rate_limited", {{"tenant_id", tenant_id}, {"conversation_id", batch.conversation_id}});
      break;
    case billing::Admission::Verdict::kOverQuota: {
      reply.decision = Decision::kEscalate;
      reply.reason = Reason::kQuota;
      reply.trace = GateTrace(*admission);
      reply.hand_off = true;
      reply.human_idle_ms = human_idle_ms;
      reply.messages.push_back(
          {MessageType::kText, agent::BotText(*settings, agent::BotMessage::kQuota, language), {}});
      metrics::Global()
          .GetCounter("parley_quota_exhausted_total",
                      "Bursts handed to people because the tenant's plan had no AI replies or credits left.",
                      {{"quota", std::string(billing::ToString(admission->quota))}})
          .Inc();
      log::Info("quota_exhausted", {{"tenant_id", tenant_id},
                                    {"conversation_id", batch.conversation_id},
                                    {"plan", admission->plan.name},
                                    {"quota", billing::ToString(admission->quota)}});
      break;
    }
    case billing::Admission::Verdict::kAnswer: {
      // A copy of the burst without the media the plan leaves out, only when there are some: the claim holds
      // every pending message, and thousands of replies at once each holding two copies showed in a heap profile.
      const auto& uncovered = admission->uncovered_messages;
      std::optional<store::Claim> covered;
      if (!uncovered.empty()) {
        covered = batch;
        std::erase_if(covered->messages, [&uncovered](const store::StoredMessage& m) {
          return std::find(uncovered.begin(), uncovered.end(), m.id) != uncovered.end();
        });
      }
      Result<store::Reply> answered = Error::Internal("the agent did not answer");
      std::exception_ptr thrown;  // The worker cancelling an answer past its processing timeout, for one.
      try {
        answered = co_await agent_.RespondWith(covered ? *covered : batch, *settings);
      } catch (...) {
        thrown = std::current_exception();
      }
      if (thrown || !answered) {
        // Once cancelled, a coroutine's every wait throws: the credits held for this answer go back all the same.
        co_await boost::asio::this_coro::reset_cancellation_state();
        auto release = [this, &admission] { return meter_.Release(*admission); };
        auto released = co_await pool_.Run(release);
        if (!released) log::Warn("reservation_not_released", {{"detail", released.error().detail}});
        if (thrown) std::rethrow_exception(thrown);
        co_return answered.error();
      }
      reply = std::move(*answered);
      ai_answered = reply.decision == Decision::kAutoReply && !reply.messages.empty();
      reply.reservation_id = admission->reservation_id;
      break;
    }
  }
  // Notices go first: they answer the media, the AI's reply answers the words. A burst handed to people gets
  // none: the person who picks the conversation up answers everything.
  if (!reply.hand_off) {
    std::vector<store::OutboundDraft> notices;
    for (const auto& text : admission->notices) notices.push_back({MessageType::kText, text, {}});
    reply.messages.insert(reply.messages.begin(), notices.begin(), notices.end());
  }
  if (comment_thread) {
    reply.messages =
        RepliesToComment(reply.messages, batch.messages.back(), settings->comment_replies, language, now_ms);
  }
  reply.usage = meter_.UsageFor(batch, reply, ai_answered, now_ms);
  co_return reply;
}

}  // namespace parley::app
