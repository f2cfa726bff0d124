#include "core/decision.h"

#include <array>
#include <utility>

namespace parley {
namespace {

constexpr std::array<std::pair<Decision, std::string_view>, 4> kDecisions = {{
    {Decision::kIgnore, "IGNORE"},
    {Decision::kGreeting, "GREETING"},
    {Decision::kAutoReply, "AUTO_REPLY"},
    {Decision::kEscalate, "ESCALATE"},
}};

constexpr std::array<std::pair<Reason, std::string_view>, std::size(kAllReasons)> kReasons = {{
    {Reason::kEmpty, "empty"},
    {Reason::kEmojiOnly, "emoji_only"},
    {Reason::kAcknowledgement, "acknowledgement"},
    {Reason::kSpam, "spam"},
    {Reason::kScam, "scam"},
    {Reason::kGreeting, "greeting"},
    {Reason::kFaq, "faq"},
    {Reason::kAnswered, "answered"},
    {Reason::kFeatureNotInPlan, "feature_not_in_plan"},
    {Reason::kMediaNotUnderstood, "media_not_understood"},
    {Reason::kUrgentSafety, "urgent_safety"},
    {Reason::kHumanRequested, "human_requested"},
    {Reason::kComplaint, "complaint"},
    {Reason::kBillingDispute, "billing_dispute"},
    {Reason::kAccountAccess, "account_access"},
    {Reason::kLegal, "legal"},
    {Reason::kAbuse, "abuse"},
    {Reason::kLowRelevance, "low_relevance"},
    {Reason::kModelFailed, "model_failed"},
    {Reason::kUnsupportedAnswer, "unsupported_answer"},
    {Reason::kLeakBlocked, "leak_blocked"},
    {Reason::kAssistantDisabled, "assistant_disabled"},
    {Reason::kQuota, "quota"},
    {Reason::kRateLimited, "rate_limited"},
    {Reason::kSendFailed, "send_failed"},
}};

constexpr std::array<std::pair<Priority, std::string_view>, 3> kPriorities = {{
    {Priority::kNormal, "normal"},
    {Priority::kHigh, "high"},
    {Priority::kUrgent, "urgent"},
}};

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [entry, name] : table) {
    if (entry == value) return name;
  }
  return table.front().second;
}

template <typename Enum, size_t N>
std::optional<Enum> ValueOf(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view text) {
  for (const auto& [entry, name] : table) {
    if (name == text) return entry;
  }
  return std::nullopt;
}

}  // namespace

std::string_view ToString(Decision decision) { return NameOf(kDecisions, decision); }
std::string_view ToString(Reason reason) { return NameOf(kReasons, reason); }
std::string_view ToString(Priority priority) { return NameOf(kPriorities, priority); }

std::optional<Decision> ParseDecision(std::string_view text) { return ValueOf(kDecisions, text); }
std::optional<Reason> ParseReason(std::string_view text) { return ValueOf(kReasons, text); }
std::optional<Priority> ParsePriority(std::string_view text) { return ValueOf(kPriorities, text); }

Priority DefaultPriority(Reason reason) {
  switch (reason) {
    case Reason::kUrgentSafety:
      return Priority::kUrgent;
    case Reason::kComplaint:
    case Reason::kBillingDispute:
    case Reason::kAccountAccess:
    case Reason::kLegal:
    case Reason::kAbuse:
      return Priority::kHigh;
    default:
      return Priority::kNormal;
  }
}

}  // namespace parley
