#include "store/analytics_rules.h"

#include <algorithm>
#include <functional>

namespace parley::store {

void AnalyticsDelta::ConversationStarted(int64_t tenant_id, int64_t channel_id, int64_t created_at) {
  ++counts_[{tenant_id, AnalyticsSlotOf(created_at), channel_id}].conversations_started;
}

void AnalyticsDelta::EscalationOpened(AnalyticsConversationState& state, const std::string& reason, int64_t opened_at) {
  const int64_t slot = AnalyticsSlotOf(opened_at);
  ++counts_[{state.tenant_id, slot, state.channel_id}].escalations;
  ++escalations_[{state.tenant_id, slot, state.channel_id, reason}];
  HandOff(state, opened_at);
}

void AnalyticsDelta::EscalationResolved(int64_t tenant_id, int64_t channel_id, int64_t opened_at, int64_t resolved_at) {
  Duration(tenant_id, channel_id, DurationKind::kResolution, resolved_at, resolved_at - opened_at);
}

void AnalyticsDelta::Message(AnalyticsConversationState& state, bool inbound, bool by_person, int64_t at) {
  AnalyticsCounts& counts = counts_[{state.tenant_id, AnalyticsSlotOf(at), state.channel_id}];
  if (inbound) {
    ++counts.messages_in;
    if (!state.first_in_at) {
      state.first_in_at = at;
      state.dirty = true;
    }
  } else if (by_person) {
    ++counts.messages_out_person;
    if (!state.person_answered_at) {
      // From the hand-off when the person answers it; else (a takeover, a reply without an escalation) from the
      // customer's first message.
      std::optional<int64_t> since = state.handoff_at && *state.handoff_at <= at ? state.handoff_at : state.first_in_at;
      if (since) Duration(state.tenant_id, state.channel_id, DurationKind::kFirstResponsePerson, at, at - *since);
      state.person_answered_at = at;
      state.dirty = true;
    }
    HandOff(state, at);
  } else {
    ++counts.messages_out_bot;
    if (!state.bot_answered_at) {
      if (state.first_in_at) {
        Duration(state.tenant_id, state.channel_id, DurationKind::kFirstResponseBot, at, at - *state.first_in_at);
      }
      state.bot_answered_at = at;
      state.dirty = true;
      AnalyticsCounts& start = StartSlot(state);
      ++start.conversations_bot_answered;
      if (!state.handoff_at) ++start.conversations_automated;
    }
  }
}

void AnalyticsDelta::HandOff(AnalyticsConversationState& state, int64_t at) {
  if (state.handoff_at) return;
  state.handoff_at = at;
  state.dirty = true;
  AnalyticsCounts& start = StartSlot(state);
  ++start.conversations_handed_off;
  if (state.bot_answered_at) --start.conversations_automated;
}

void AnalyticsDelta::Duration(int64_t tenant_id, int64_t channel_id, DurationKind kind, int64_t at_ms,
                              int64_t duration_ms) {
  ++durations_[{tenant_id, AnalyticsSlotOf(at_ms), channel_id, static_cast<int>(kind),
                DurationBin(std::max<int64_t>(duration_ms, 0))}];
}

AnalyticsCounts& AnalyticsDelta::StartSlot(const AnalyticsConversationState& state) {
  return counts_[{state.tenant_id, state.start_slot, state.channel_id}];
}

Result<void> CheckAnalyticsQuery(const AnalyticsQuery& query) {
  const auto& bounds = query.slot_bounds;
  if (bounds.size() < 2 || bounds.size() > kMaxAnalyticsPeriods + 1 ||
      !std::is_sorted(bounds.begin(), bounds.end(), std::less_equal<>())) {
    return Error::InvalidArgument("analytics periods must be 1 to " + std::to_string(kMaxAnalyticsPeriods) +
                                  " increasing ranges");
  }
  return Ok();
}

}  // namespace parley::store
