#pragma once
// Plans, credits and quotas: the pure decisions of billing, kept apart from storage (store/billing_store.h) and
// from HTTP (api/billing_api.h) so that they are tested without either.
//
// Credits measure what an AI reply costs, from the model's token counts: completion tokens cost more than
// prompt tokens, as they do at every model vendor. A reply produced without a model (the offline extractive
// answerer, which reports no tokens) is charged the minimum. Quotas are per UTC calendar month.

#include "core/config.h"
#include "core/error.h"
#include "core/message.h"
#include "store/billing_store.h"
#include "store/knowledge_store.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::billing {

//! The plan of tenants on a Parley without billing (migration 0011): every feature, no limit.
inline constexpr std::string_view kSelfHostedPlan = "self-hosted";

struct CreditRates {
  int64_t prompt_tokens_per_credit = 1000;
  int64_t completion_tokens_per_credit = 250;
  int64_t min_reply_credits = 1;  //!< What an answer costs at least (also what a check reserves).
};
CreditRates RatesFrom(const Config& config);

// Credits for a model call of these token counts, rounded up; an answer costs at least `min_reply_credits`, a
// burst the AI did not answer (it escalated or stayed silent) only its tokens.
int64_t CreditsFor(const CreditRates& rates, int64_t prompt_tokens, int64_t completion_tokens, bool answered);

enum class QuotaVerdict {
  kAllowed,
  kRepliesExhausted,  //!< The plan's monthly AI replies are used up (recorded plus being produced).
  kCreditsExhausted,  //!< Fewer credits left than one more reply reserves.
};
std::string_view ToString(QuotaVerdict verdict);

// Whether one more AI reply, reserving `reserve_credits`, fits the plan's monthly quotas given `snapshot`.
// Replies being produced count as used, so N concurrent checks against a quota of N admit exactly N.
QuotaVerdict CheckQuota(const store::Plan& plan, const store::QuotaSnapshot& snapshot, int64_t reserve_credits);

// What is left of a quota: nullopt when unlimited, never negative (a last reply may overshoot the credits).
std::optional<int64_t> Remaining(const std::optional<int64_t>& quota, int64_t used);

// Whether the plan has room for one more document of `adding_bytes` besides `current`; kPlanLimit saying which
// limit is reached otherwise.
Result<void> CheckKnowledgeRoom(const store::Plan& plan, const store::KnowledgeTotals& current, int64_t adding_bytes);
// Whether the plan has room for one more channel besides `current_channels`; kPlanLimit otherwise.
Result<void> CheckChannelRoom(const store::Plan& plan, int64_t current_channels);

// UTC calendar days as YYYY-MM-DD.
std::string UtcDay(int64_t ms_since_epoch);
struct DayRange {
  std::string first;
  std::string last;
};
// The UTC calendar month holding `ms_since_epoch`, first and last day.
DayRange UtcMonth(int64_t ms_since_epoch);
// True for a real calendar day written YYYY-MM-DD.
bool IsDay(std::string_view text);

// The feature a message type needs: images for images and stickers, audio for audio (voice notes included).
// nullopt: every plan has it.
enum class Feature { kImages, kAudio };
std::optional<Feature> FeatureFor(MessageType type);
bool PlanHas(const store::Plan& plan, Feature feature);

// A plan as the API shows it (null limits are unlimited).
boost::json::object ToJson(const store::Plan& plan);

// `PARLEY_STRIPE_PRICE_PLANS`: "price_123=pro,price_456=business" → (price id, plan name) pairs in the order
// listed, trimmed. kInvalidArgument on an entry without '=' or with an empty side.
Result<std::vector<std::pair<std::string, std::string>>> PricePlanEntries(std::string_view text);
// The same as price id → plan name (the webhooks' mapping).
Result<std::map<std::string, std::string>> ParsePricePlans(std::string_view text);

}  // namespace parley::billing
