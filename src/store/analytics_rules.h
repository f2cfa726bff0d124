#pragma once
// The analytics rules, written once for both backends (sqlite/analytics_store.cpp, postgres/analytics_store.cpp):
// how the rows a rollup reads (a conversation, an escalation, a resolution, a message) become figures, and which
// queries are valid. Each backend reads its rows, keeps the per-conversation state rows and writes the delta.

#include "store/analytics_store.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace parley::store {

// The rollup's memory of one conversation (a row of analytics_conversations): what has been counted for it.
struct AnalyticsConversationState {
  int64_t tenant_id = 0;
  int64_t channel_id = 0;
  int64_t start_slot = 0;
  std::optional<int64_t> first_in_at;
  std::optional<int64_t> handoff_at;
  std::optional<int64_t> bot_answered_at;
  std::optional<int64_t> person_answered_at;
  bool dirty = false;  //!< Changed by this rollup: its row is to be saved.
};

// What one rollup adds, gathered in memory and written by the backend once per aggregate row at the end. The maps are
// ordered, so that a backend writes (and row-locks) aggregates in the same order in every rollup.
class AnalyticsDelta {
 public:
  using Key = std::tuple<int64_t, int64_t, int64_t>;                         //!< (tenant, slot, channel)
  using EscalationKey = std::tuple<int64_t, int64_t, int64_t, std::string>;  //!< … and the reason.
  using DurationKey = std::tuple<int64_t, int64_t, int64_t, int, int>;       //!< … and the kind and the bin.

  // A conversation created at `created_at`.
  void ConversationStarted(int64_t tenant_id, int64_t channel_id, int64_t created_at);
  // An escalation of `state`'s conversation opened at `opened_at`: the conversation goes to a person.
  void EscalationOpened(AnalyticsConversationState& state, const std::string& reason, int64_t opened_at);
  // An escalation opened at `opened_at` and resolved at `resolved_at`.
  void EscalationResolved(int64_t tenant_id, int64_t channel_id, int64_t opened_at, int64_t resolved_at);
  // A counted message (neither a note nor a reaction) of `state`'s conversation at `at`: the customer's when
  // `inbound`, else a person's when `by_person`, else the bot's.
  void Message(AnalyticsConversationState& state, bool inbound, bool by_person, int64_t at);

  const std::map<Key, AnalyticsCounts>& counts() const { return counts_; }
  const std::map<EscalationKey, int64_t>& escalations() const { return escalations_; }
  const std::map<DurationKey, int64_t>& durations() const { return durations_; }

 private:
  // The conversation went to a person at `at` (counted once).
  void HandOff(AnalyticsConversationState& state, int64_t at);
  void Duration(int64_t tenant_id, int64_t channel_id, DurationKind kind, int64_t at_ms, int64_t duration_ms);
  AnalyticsCounts& StartSlot(const AnalyticsConversationState& state);

  std::map<Key, AnalyticsCounts> counts_;
  std::map<EscalationKey, int64_t> escalations_;
  std::map<DurationKey, int64_t> durations_;
};

// kInvalidArgument unless `query` has 1 to kMaxAnalyticsPeriods periods with increasing bounds.
Result<void> CheckAnalyticsQuery(const AnalyticsQuery& query);

}  // namespace parley::store
