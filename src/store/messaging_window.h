#pragma once
// Meta's messaging windows, one rule for every backend: free-form messages within 24 hours of the customer's last
// message; on Instagram a person may answer for 7 days with the HUMAN_AGENT tag; a WhatsApp template goes out any
// time (a failing one is retried for 24 hours after it was queued, past which it is stale).

#include "core/error.h"
#include "core/message.h"

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

// Whether a person may reply now in a conversation on `platform` whose customer last wrote at `last_inbound_at_ms`
// (nullopt: never), with a WhatsApp template or not. On success, whether the reply needs Instagram's HUMAN_AGENT
// tag; kInvalidArgument for a template off WhatsApp, kConflict past the window.
inline Result<bool> PersonReplyAllowed(Platform platform, std::optional<int64_t> last_inbound_at_ms, int64_t now_ms,
                                       bool whatsapp_template) {
  const int64_t since_customer = last_inbound_at_ms ? now_ms - *last_inbound_at_ms : kHumanAgentWindowMs + 1;
  if (whatsapp_template && platform != Platform::kWhatsApp) {
    return Error::InvalidArgument("message templates are WhatsApp's; this conversation is on " +
                                  std::string(ToString(platform)));
  }
  if (platform == Platform::kWhatsApp && !whatsapp_template && since_customer > kStandardWindowMs) {
    return Error::Conflict(
        "WhatsApp accepts free-form replies only within 24 hours of the customer's last message; "
        "send an approved template instead");
  }
  if (platform == Platform::kInstagram && since_customer > kHumanAgentWindowMs) {
    return Error::Conflict("Instagram accepts replies from people only within 7 days of the customer's last message");
  }
  return platform == Platform::kInstagram && since_customer > kStandardWindowMs;
}

}  // namespace parley::store
