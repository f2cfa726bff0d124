#pragma once
// What the assistant decided for a burst of customer messages, why, and how urgently a person should look. The codes
// are shared by the store (reply traces, support items), the API and the dashboard's analytics, so they are fixed:
// add a code, never rename one.

#include <optional>
#include <string_view>

namespace parley {

enum class Decision {
  kIgnore,     //!< Nothing to answer: thanks, emoji, spam, scams.
  kGreeting,   //!< A bare greeting, answered with the greeting message.
  kAutoReply,  //!< Answered by the assistant (or a notice was sent).
  kEscalate,   //!< Handed to a person.
};

enum class Reason {
  // IGNORE
  kEmpty,
  kEmojiOnly,
  kAcknowledgement,
  kSpam,
  kScam,
  // GREETING
  kGreeting,
  // AUTO_REPLY
  kFaq,
  kAnswered,
  kFeatureNotInPlan,  //!< Only media the plan does not cover: the notice was sent.
  //! Voice notes no transcript was made of: alone in the burst, the notice asking to write was sent; or, by the
  //! assistant's unheard_voice_notes setting, the conversation went to a person who listens.
  kMediaNotUnderstood,
  // ESCALATE, from triage
  kUrgentSafety,  //!< Injury, medical emergency, threats, self-harm: the safety message is sent at once.
  kHumanRequested,
  kComplaint,
  kBillingDispute,
  kAccountAccess,
  kLegal,
  kAbuse,
  // ESCALATE, from answering
  kLowRelevance,       //!< Nothing in the knowledge answers the question.
  kModelFailed,        //!< The model could not be reached or kept failing.
  kUnsupportedAnswer,  //!< The answer stated something its passages do not (a fact, a number).
  kLeakBlocked,        //!< The answer would have revealed the instructions or a credential.
  kAssistantDisabled,
  // ESCALATE, from the plan and the limits
  kQuota,
  kRateLimited,
  // ESCALATE, from delivery
  kSendFailed,
};

enum class Priority { kNormal, kHigh, kUrgent };

std::string_view ToString(Decision decision);  //!< "IGNORE", "GREETING", "AUTO_REPLY", "ESCALATE".
std::string_view ToString(Reason reason);      //!< "urgent_safety", "low_relevance", …
std::string_view ToString(Priority priority);  //!< "normal", "high", "urgent".

std::optional<Decision> ParseDecision(std::string_view text);
std::optional<Reason> ParseReason(std::string_view text);
std::optional<Priority> ParsePriority(std::string_view text);

// The priority a person should give a conversation escalated for `reason`: urgent for safety, high for complaints,
// billing disputes, account access, legal threats and abuse, normal otherwise.
Priority DefaultPriority(Reason reason);

// Every reason code, in declaration order (for the OpenAPI enum and analytics).
inline constexpr Reason kAllReasons[] = {
    Reason::kEmpty,
    Reason::kEmojiOnly,
    Reason::kAcknowledgement,
    Reason::kSpam,
    Reason::kScam,
    Reason::kGreeting,
    Reason::kFaq,
    Reason::kAnswered,
    Reason::kFeatureNotInPlan,
    Reason::kMediaNotUnderstood,
    Reason::kUrgentSafety,
    Reason::kHumanRequested,
    Reason::kComplaint,
    Reason::kBillingDispute,
    Reason::kAccountAccess,
    Reason::kLegal,
    Reason::kAbuse,
    Reason::kLowRelevance,
    Reason::kModelFailed,
    Reason::kUnsupportedAnswer,
    Reason::kLeakBlocked,
    Reason::kAssistantDisabled,
    Reason::kQuota,
    Reason::kRateLimited,
    Reason::kSendFailed,
};

}  // namespace parley
