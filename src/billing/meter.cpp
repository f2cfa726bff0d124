#include "billing/meter.h"

#include <algorithm>

namespace parley::billing {

Result<store::Plan> PlanOf(store::BillingStore& billing, int64_t tenant_id, const std::string& default_plan) {
  auto row = billing.GetTenantBilling(tenant_id);
  if (!row) return row.error();
  if (row->plan) {
    auto plan = billing.GetPlan(*row->plan);
    if (plan) return plan;
    if (plan.error().code != ErrorCode::kNotFound) return plan.error();
  }
  auto fallback = billing.GetPlan(default_plan);
  if (!fallback && fallback.error().code == ErrorCode::kNotFound) {
    return Error::Internal("the default plan '" + default_plan + "' is not in the catalog");
  }
  return fallback;
}

std::string_view ToString(Admission::Verdict verdict) {
  switch (verdict) {
    case Admission::Verdict::kAnswer:
      return "answer";
    case Admission::Verdict::kNotice:
      return "notice";
    case Admission::Verdict::kRateLimited:
      return "rate_limited";
    case Admission::Verdict::kOverQuota:
      return "over_quota";
  }
  return "answer";
}

boost::asio::awaitable<Result<Admission>> Meter::Admit(const store::Claim& burst, int64_t now_ms) {
  const MediaNotices notices{config_.image_notice, config_.audio_notice};
  co_return co_await Admit(burst, now_ms, notices);
}

boost::asio::awaitable<Result<Admission>> Meter::Admit(const store::Claim& burst, int64_t now_ms,
                                                       const MediaNotices& notices) {
  auto classify = [this, &burst, &notices] { return Classify(burst, notices); };
  Result<Admission> admission = co_await pool_.Run(classify);
  if (!admission || admission->verdict != Admission::Verdict::kAnswer) co_return admission;

  const std::string contact_key = std::to_string(burst.channel.id) + ":" + burst.conversation.contact.platform_id;
  if (!(co_await contacts_.Take(contact_key, now_ms)).allowed) {
    admission->verdict = Admission::Verdict::kRateLimited;
    co_return admission;
  }

  auto reserve = [this, &admission, tenant_id = burst.conversation.tenant_id, now_ms] {
    return Reserve(*admission, tenant_id, now_ms);
  };
  Result<void> reserved = co_await pool_.Run(reserve);
  if (!reserved) co_return reserved.error();
  co_return admission;
}

bool Unheard(const store::StoredMessage& message) {
  if (message.type != MessageType::kAudio) return false;
  return !message.media || !message.media->transcript || message.media->transcript->empty();
}

Result<Admission> Meter::Classify(const store::Claim& burst, const MediaNotices& notices) {
  Admission admission;
  auto plan = PlanOf(store_.billing(), burst.conversation.tenant_id, config_.default_plan);
  if (!plan) return plan.error();
  admission.plan = std::move(*plan);

  bool image_noticed = false;
  bool audio_noticed = false;
  for (const auto& message : burst.messages) {
    auto feature = FeatureFor(message.type);
    if (!feature) continue;
    const bool covered = PlanHas(admission.plan, *feature);
    if (covered && !Unheard(message)) continue;
    admission.uncovered_by_plan = admission.uncovered_by_plan || !covered;
    admission.uncovered_messages.push_back(message.id);
    bool& noticed = *feature == Feature::kImages ? image_noticed : audio_noticed;
    if (!noticed) {
      admission.notices.push_back(*feature == Feature::kImages ? notices.image : notices.audio);
      noticed = true;
    }
  }
  if (!burst.messages.empty() && admission.uncovered_messages.size() == burst.messages.size()) {
    admission.verdict = Admission::Verdict::kNotice;
  }
  return admission;
}

Result<void> Meter::Reserve(Admission& admission, int64_t tenant_id, int64_t now_ms) {
  const DayRange month = UtcMonth(now_ms);
  store::ReserveRequest request;
  request.tenant_id = tenant_id;
  request.from_day = month.first;
  request.to_day = month.last;
  request.credits = rates_.min_reply_credits;
  request.now_ms = now_ms;
  // Past the processing timeout the reply is abandoned; the margin covers its commit.
  request.expires_at_ms = now_ms + config_.processing_timeout_ms + 60'000;
  QuotaVerdict verdict = QuotaVerdict::kAllowed;
  const store::Plan& limits = admission.plan;
  const int64_t reserve = request.credits;
  request.admit = [&limits, reserve, &verdict](const store::QuotaSnapshot& snapshot) {
    verdict = CheckQuota(limits, snapshot, reserve);
    return verdict == QuotaVerdict::kAllowed;
  };
  auto reserved = store_.billing().Reserve(request);
  if (!reserved) return reserved.error();
  if (!*reserved) {
    admission.verdict = Admission::Verdict::kOverQuota;
    admission.quota = verdict;
    return Ok();
  }
  admission.reservation_id = std::move(**reserved);
  return Ok();
}

Result<void> Meter::Release(const Admission& admission) {
  if (admission.reservation_id.empty()) return Ok();
  return store_.billing().ReleaseReservation(admission.reservation_id);
}

store::Usage Meter::UsageFor(const store::Claim& burst, const store::Reply& reply, bool ai_answered,
                             int64_t now_ms) const {
  store::Usage usage;
  usage.day = UtcDay(now_ms);
  usage.ai_replies = ai_answered ? 1 : 0;
  usage.credits = CreditsFor(rates_, reply.prompt_tokens, reply.completion_tokens, ai_answered);
  usage.prompt_tokens = reply.prompt_tokens;
  usage.completion_tokens = reply.completion_tokens;
  usage.messages_in = burst.messages_total;
  usage.messages_out = static_cast<int64_t>(reply.messages.size());
  return usage;
}

}  // namespace parley::billing
