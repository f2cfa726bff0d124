#include "billing/billing.h"

#include <chrono>
#include <cstdio>

namespace parley::billing {

CreditRates RatesFrom(const Config& config) {
  return {config.prompt_tokens_per_credit, config.completion_tokens_per_credit, config.min_reply_credits};
}

int64_t CreditsFor(const CreditRates& rates, int64_t prompt_tokens, int64_t completion_tokens, bool answered) {
  auto per = [](int64_t tokens, int64_t per_credit) -> double {
    return per_credit > 0 ? static_cast<double>(tokens) / static_cast<double>(per_credit) : 0.0;
  };
  // Rounded up once over the sum, so that a reply's two parts are not each rounded up.
  const double exact = per(std::max<int64_t>(prompt_tokens, 0), rates.prompt_tokens_per_credit) +
                       per(std::max<int64_t>(completion_tokens, 0), rates.completion_tokens_per_credit);
  auto credits = static_cast<int64_t>(exact);
  if (static_cast<double>(credits) < exact) ++credits;
  return answered ? std::max(credits, rates.min_reply_credits) : credits;
}

std::string_view ToString(QuotaVerdict verdict) {
  switch (verdict) {
    case QuotaVerdict::kAllowed:
      return "allowed";
    case QuotaVerdict::kRepliesExhausted:
      return "ai_replies_exhausted";
    case QuotaVerdict::kCreditsExhausted:
      return "credits_exhausted";
  }
  return "allowed";
}

QuotaVerdict CheckQuota(const store::Plan& plan, const store::QuotaSnapshot& snapshot, int64_t reserve_credits) {
  if (plan.monthly_ai_replies && snapshot.ai_replies + snapshot.reserved_replies + 1 > *plan.monthly_ai_replies) {
    return QuotaVerdict::kRepliesExhausted;
  }
  if (plan.monthly_credits && snapshot.credits + snapshot.reserved_credits + reserve_credits > *plan.monthly_credits) {
    return QuotaVerdict::kCreditsExhausted;
  }
  return QuotaVerdict::kAllowed;
}

std::optional<int64_t> Remaining(const std::optional<int64_t>& quota, int64_t used) {
  if (!quota) return std::nullopt;
  return std::max<int64_t>(*quota - used, 0);
}

std::string UtcDay(int64_t ms_since_epoch) {
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(sys_time<milliseconds>(milliseconds(ms_since_epoch)))};
  char text[16];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return text;
}

DayRange UtcMonth(int64_t ms_since_epoch) {
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(sys_time<milliseconds>(milliseconds(ms_since_epoch)))};
  const year_month_day_last last{ymd.year() / ymd.month() / std::chrono::last};
  const auto first_ms = sys_days{ymd.year() / ymd.month() / 1}.time_since_epoch();
  const auto last_ms = sys_days{last}.time_since_epoch();
  return {UtcDay(duration_cast<milliseconds>(first_ms).count()), UtcDay(duration_cast<milliseconds>(last_ms).count())};
}

bool IsDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  y = std::stoi(std::string(text.substr(0, 4)));
  m = static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))));
  d = static_cast<unsigned>(std::stoi(std::string(text.substr(8, 2))));
  return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}.ok();
}

std::optional<Feature> FeatureFor(MessageType type) {
  switch (type) {
    case MessageType::kImage:
    case MessageType::kSticker:
      return Feature::kImages;
    case MessageType::kAudio:
      return Feature::kAudio;
    default:
      return std::nullopt;
  }
}

bool PlanHas(const store::Plan& plan, Feature feature) {
  return feature == Feature::kImages ? plan.images : plan.audio;
}

boost::json::object ToJson(const store::Plan& plan) {
  auto limit = [](const std::optional<int64_t>& value) -> boost::json::value {
    return value ? boost::json::value(*value) : boost::json::value(nullptr);
  };
  return {{"name", plan.name},
          {"display_name", plan.display_name},
          {"monthly_price_cents", plan.monthly_price_cents},
          {"features",
           {{"images", plan.images},
            {"audio", plan.audio},
            {"max_channels", limit(plan.max_channels)},
            {"max_knowledge_bytes", limit(plan.max_knowledge_bytes)},
            {"max_knowledge_documents", limit(plan.max_knowledge_documents)}}},
          {"quotas",
           {{"monthly_ai_replies", limit(plan.monthly_ai_replies)}, {"monthly_credits", limit(plan.monthly_credits)}}}};
}

Result<std::vector<std::pair<std::string, std::string>>> PricePlanEntries(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> entries;
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  for (std::string_view entry : SplitListSetting(text)) {
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos || trim(entry.substr(0, eq)).empty() || trim(entry.substr(eq + 1)).empty()) {
      return Error::InvalidArgument("price-to-plan entries are price_id=plan, separated by commas: '" +
                                    std::string(entry) + "'");
    }
    entries.emplace_back(trim(entry.substr(0, eq)), trim(entry.substr(eq + 1)));
  }
  return entries;
}

Result<std::map<std::string, std::string>> ParsePricePlans(std::string_view text) {
  auto entries = PricePlanEntries(text);
  if (!entries) return entries.error();
  std::map<std::string, std::string> plans;
  for (auto& [price, plan] : *entries) plans[std::move(price)] = std::move(plan);
  return plans;
}

Result<void> CheckKnowledgeRoom(const store::Plan& plan, const store::KnowledgeTotals& current, int64_t adding_bytes) {
  if (plan.max_knowledge_documents && current.documents + 1 > *plan.max_knowledge_documents) {
    return Error{ErrorCode::kPlanLimit,
                 "the " + plan.display_name + " plan allows " + std::to_string(*plan.max_knowledge_documents) +
                     " documents; remove one or change plans",
                 {}};
  }
  if (plan.max_knowledge_bytes && current.bytes + adding_bytes > *plan.max_knowledge_bytes) {
    return Error{ErrorCode::kPlanLimit,
                 "the " + plan.display_name + " plan allows " + std::to_string(*plan.max_knowledge_bytes / 1024) +
                     " KiB of documents (" + std::to_string(current.bytes / 1024) +
                     " KiB used); remove some or change plans",
                 {}};
  }
  return Ok();
}

Result<void> CheckChannelRoom(const store::Plan& plan, int64_t current_channels) {
  if (plan.max_channels && current_channels + 1 > *plan.max_channels) {
    return Error{ErrorCode::kPlanLimit,
                 "the " + plan.display_name + " plan allows " + std::to_string(*plan.max_channels) +
                     (*plan.max_channels == 1 ? " channel" : " channels") + "; remove one or change plans",
                 {}};
  }
  return Ok();
}

}  // namespace parley::billing
