#pragma once
// The aggregates behind GET /api/analytics (docs/analytics.md says what each figure means). Reached through
// Store::analytics(); blocking and thread-safe like Store.
//
// The server keeps them by rolling up what the store already holds, in the background: a cursor per source table
// (conversations, support items, messages: ids that only grow) and a small state row per conversation (when its
// customer first wrote, when the bot and a person first answered, when it went to a person) turn new rows into
// counters, so a report reads aggregates only, never the messages. Webhook ingest is untouched by it. Credits are
// the exception: the reply's commit adds them in its own transaction (the only place a reply's credits and its
// channel are known together).
//
// Aggregates are per tenant, per channel and per quarter-hour slot of UTC time: every time zone in use today is
// offset from UTC by a multiple of 15 minutes (India +5:30, Nepal +5:45, Chatham +12:45), so a slot never straddles a
// local midnight and any zone's days and weeks are exact sums of slots. Durations (first responses, resolutions) are
// kept as histograms per slot, whose medians merge across slots, channels and days; see DurationBin.

#include "core/error.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace parley::store {

inline constexpr int64_t kAnalyticsSlotMs = int64_t{15} * 60 * 1000;
inline int64_t AnalyticsSlotOf(int64_t utc_ms) { return utc_ms >= 0 ? utc_ms / kAnalyticsSlotMs : 0; }

// What a figure counts; each is added to the slot of the moment it names.
struct AnalyticsCounts {
  int64_t conversations_started = 0;  //!< At the conversation's creation.
  // The next three are added to the slot the conversation STARTED in, whenever it happens, so that a period's
  // automation rate is about the conversations that started in it.
  int64_t conversations_bot_answered = 0;  //!< The bot sent it at least one message.
  int64_t conversations_handed_off = 0;    //!< It went to a person: an escalation, or a person's reply.
  int64_t conversations_automated = 0;     //!< Answered by the bot and never handed to a person (so far).
  int64_t messages_in = 0;                 //!< Customer messages (reactions left out), at arrival.
  int64_t messages_out_bot = 0;            //!< The bot's messages, at commit.
  int64_t messages_out_person = 0;         //!< People's messages (dashboard, API, the platform's app), at commit.
  int64_t escalations = 0;                 //!< Support items opened, at opening.
  int64_t credits = 0;                     //!< Billing credits of the bot's replies, at commit.

  AnalyticsCounts& operator+=(const AnalyticsCounts& other);
};

enum class DurationKind {
  kFirstResponseBot,     //!< A conversation's first customer message → the bot's first message.
  kFirstResponsePerson,  //!< Hand-off (or the first customer message) → a person's first message.
  kResolution,           //!< An escalation opened → resolved.
};
inline constexpr int kDurationKinds = 3;

// Durations as counts per bin. Bin 0 holds durations under a second; bin k ≥ 1 holds [2^((k-1)/4), 2^(k/4)) seconds:
// four bins per doubling, so a median read as its bin's geometric middle is within 9.1 % of the true one, whatever the
// scale, and a histogram over a day takes a few dozen rows at most.
using DurationHistogram = std::map<int, int64_t>;
int DurationBin(int64_t duration_ms);
// The bin's representative duration in milliseconds (its geometric middle; 500 for bin 0).
int64_t DurationBinMiddleMs(int bin);
// The histogram's median (lower median), as DurationBinMiddleMs; nullopt when it is empty.
std::optional<int64_t> MedianMs(const DurationHistogram& histogram);

// One period's aggregates (summed over channels unless the query names one).
struct AnalyticsPeriod {
  AnalyticsCounts counts;
  std::map<std::string, int64_t> escalations_by_reason;  //!< Reason codes of core/decision.h.
  std::array<DurationHistogram, kDurationKinds> durations;
};

struct AnalyticsQuery {
  int64_t tenant_id = 0;
  // Period i covers the slots [slot_bounds[i], slot_bounds[i + 1]): at least two bounds, increasing.
  std::vector<int64_t> slot_bounds;
  std::optional<int64_t> channel_id;  //!< nullopt: all channels.
};

class AnalyticsStore {
 public:
  virtual ~AnalyticsStore() = default;

  // Folds rows added or changed since the last rollup into the aggregates, reading at most `max_rows` rows of each
  // source, in one write. Returns how many rows it read: 0 when caught up. A fresh database (or one just migrated to
  // 0025) starts from its oldest rows: the first rollups are the backfill.
  virtual Result<int64_t> Rollup(int max_rows) = 0;
  // The tenant's aggregates per period (query.slot_bounds.size() - 1 of them, in order). kInvalidArgument for bounds
  // that are not increasing or more than kMaxAnalyticsPeriods periods.
  virtual Result<std::vector<AnalyticsPeriod>> Query(const AnalyticsQuery& query) = 0;
};
inline constexpr size_t kMaxAnalyticsPeriods = 800;

}  // namespace parley::store
