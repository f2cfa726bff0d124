#pragma once
// Messaging windows, one rule for every backend, from the platform's MessagingWindow (channels' registry declares
// each platform's): free-form messages within its window of the customer's last message; past it a person may answer
// with the HUMAN_AGENT tag where the platform has one (Instagram, Messenger: 7 days); a template (WhatsApp) goes out
// any time (a failing one is retried for 24 hours after it was queued, past which it is stale).

#include "core/error.h"
#include "core/message.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace parley::store {

inline constexpr int64_t kStandardWindowMs = int64_t{24} * 3600 * 1000;
inline constexpr int64_t kHumanAgentWindowMs = 7 * kStandardWindowMs;

// When the platform stops accepting a message whose window opened at `opened_at_ms` (the customer's last message;
// for a template, when it was queued).
inline int64_t WindowEndsAt(int64_t opened_at_ms, bool human_agent) {
  return opened_at_ms + (human_agent ? kHumanAgentWindowMs : kStandardWindowMs);
}

// Whether a person may reply now in a conversation on `platform`, whose rules are `window`, and whose customer last
// wrote at `customer_wrote_at_ms` (nullopt: never), with a message template or not. On success, whether the reply
// needs the HUMAN_AGENT tag; kInvalidArgument for a template on a platform without them, kConflict past the window.
inline Result<bool> PersonReplyAllowed(const Platform& platform, const MessagingWindow& window,
                                       std::optional<int64_t> customer_wrote_at_ms, int64_t now_ms,
                                       bool with_template) {
  if (with_template && !window.templates) {
    return Error::InvalidArgument("message templates are WhatsApp's; this conversation is on " +
                                  std::string(ToString(platform)));
  }
  if (window.free_form_ms == 0 || with_template) return false;
  const std::optional<int64_t> since_customer =
      customer_wrote_at_ms ? std::optional<int64_t>(now_ms - *customer_wrote_at_ms) : std::nullopt;
  if (since_customer && *since_customer <= window.free_form_ms) return false;
  if (window.templates) {
    return Error::Conflict(
        "WhatsApp accepts free-form replies only within 24 hours of the customer's last message; "
        "send an approved template instead");
  }
  if (window.human_agent_ms > 0 && since_customer && *since_customer <= window.human_agent_ms) return true;
  const int64_t days = std::max<int64_t>(window.human_agent_ms, window.free_form_ms) / kStandardWindowMs;
  return Error::Conflict(std::string(ToString(platform)) + " accepts replies from people only within " +
                         std::to_string(days) + (days == 1 ? " day" : " days") + " of the customer's last message");
}

}  // namespace parley::store
