// The analytics aggregates on SQLite (migration 0025): the rollup that keeps them and the query that reads them.

#include "store/sqlite/analytics_store.h"

#include "store/analytics_rules.h"
#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <unordered_map>

namespace parley::store::sqlite {
namespace {

#define COUNT_COLUMNS                                                                                     \
  "conversations_started, conversations_bot_answered, conversations_handed_off, conversations_automated," \
  " messages_in, messages_out_bot, messages_out_person, escalations, credits"
constexpr char kAddCounts[] =
    "INSERT INTO analytics_counts (tenant_id, slot, channel_id, " COUNT_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT (tenant_id, slot, channel_id) DO UPDATE SET"
    " conversations_started = conversations_started + excluded.conversations_started,"
    " conversations_bot_answered = conversations_bot_answered + excluded.conversations_bot_answered,"
    " conversations_handed_off = conversations_handed_off + excluded.conversations_handed_off,"
    " conversations_automated = conversations_automated + excluded.conversations_automated,"
    " messages_in = messages_in + excluded.messages_in,"
    " messages_out_bot = messages_out_bot + excluded.messages_out_bot,"
    " messages_out_person = messages_out_person + excluded.messages_out_person,"
    " escalations = escalations + excluded.escalations, credits = credits + excluded.credits";
constexpr char kAddCredits[] =
    "INSERT INTO analytics_counts (tenant_id, slot, channel_id, credits) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (tenant_id, slot, channel_id) DO UPDATE SET credits = credits + excluded.credits";
constexpr char kAddEscalation[] =
    "INSERT INTO analytics_escalations (tenant_id, slot, channel_id, reason, count) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (tenant_id, slot, channel_id, reason) DO UPDATE SET count = count + excluded.count";
constexpr char kAddDuration[] =
    "INSERT INTO analytics_durations (tenant_id, slot, channel_id, kind, bin, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (tenant_id, slot, channel_id, kind, bin) DO UPDATE SET count = count + excluded.count";

// Whether a rollup would find anything: read first, so that an idle server's rollups (and each GET /api/analytics's
// catch-up) cost no write and no disk sync.
constexpr char kPending[] =
    "SELECT EXISTS (SELECT 1 FROM conversations WHERE id >"
    "  (SELECT last_id FROM analytics_cursors WHERE source = 'conversations'))"
    " OR EXISTS (SELECT 1 FROM support_items WHERE id >"
    "  (SELECT last_id FROM analytics_cursors WHERE source = 'support_items'))"
    " OR EXISTS (SELECT 1 FROM messages WHERE id > (SELECT last_id FROM analytics_cursors WHERE source = 'messages'))"
    " OR EXISTS (SELECT 1 FROM analytics_open_support o LEFT JOIN support_items s ON s.id = o.support_item_id"
    "  WHERE s.id IS NULL OR s.status = 'resolved')";
constexpr char kCursor[] = "SELECT last_id FROM analytics_cursors WHERE source = ?1";
constexpr char kSetCursor[] = "UPDATE analytics_cursors SET last_id = ?2 WHERE source = ?1";

constexpr char kNewConversations[] =
    "SELECT id, tenant_id, channel_id, created_at FROM conversations WHERE id > ?1 ORDER BY id LIMIT ?2";
constexpr char kInsertState[] =
    "INSERT OR IGNORE INTO analytics_conversations (conversation_id, tenant_id, channel_id, start_slot)"
    " VALUES (?1, ?2, ?3, ?4)";
constexpr char kNewSupportItems[] =
    "SELECT s.id, s.tenant_id, s.conversation_id, s.reason, s.created_at, s.status, s.resolved_at"
    " FROM support_items s WHERE s.id > ?1 ORDER BY s.id LIMIT ?2";
constexpr char kInsertOpenSupport[] =
    "INSERT OR IGNORE INTO analytics_open_support (support_item_id, tenant_id, channel_id) VALUES (?1, ?2, ?3)";
// The escalations counted as open that have been resolved since (or are gone).
constexpr char kResolvedSupportItems[] =
    "SELECT o.support_item_id, o.tenant_id, o.channel_id, s.created_at, s.resolved_at"
    " FROM analytics_open_support o LEFT JOIN support_items s ON s.id = o.support_item_id"
    " WHERE s.id IS NULL OR s.status = 'resolved' LIMIT ?1";
constexpr char kDeleteOpenSupport[] = "DELETE FROM analytics_open_support WHERE support_item_id = ?1";
// Notes never reach the customer and reactions are not messages people answer.
constexpr char kNewMessages[] =
    "SELECT id, conversation_id, direction, created_at,"
    " type NOT IN ('note', 'reaction') AS counted,"
    " COALESCE(json_extract(details, '$.sent_by') = 'person', 0) AS by_person"
    " FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2";
constexpr char kLoadState[] =
    "SELECT tenant_id, channel_id, start_slot, first_in_at, handoff_at, bot_answered_at, person_answered_at"
    " FROM analytics_conversations WHERE conversation_id = ?1";
constexpr char kSaveState[] =
    "UPDATE analytics_conversations SET first_in_at = ?2, handoff_at = ?3, bot_answered_at = ?4,"
    " person_answered_at = ?5 WHERE conversation_id = ?1";

// ?1 tenant, ?2 first slot, ?3 end slot (excluded), ?4 channel or NULL. Rows come in primary key order and are summed
// into periods as they are read: a GROUP BY would sort them first.
constexpr char kQueryCounts[] =
    "SELECT slot, " COUNT_COLUMNS
    " FROM analytics_counts WHERE tenant_id = ?1 AND slot >= ?2 AND slot < ?3 AND (?4 IS NULL OR channel_id = ?4)";
constexpr char kQueryEscalations[] =
    "SELECT slot, reason, count FROM analytics_escalations"
    " WHERE tenant_id = ?1 AND slot >= ?2 AND slot < ?3 AND (?4 IS NULL OR channel_id = ?4)";
constexpr char kQueryDurations[] =
    "SELECT slot, kind, bin, count FROM analytics_durations"
    " WHERE tenant_id = ?1 AND slot >= ?2 AND slot < ?3 AND (?4 IS NULL OR channel_id = ?4)";

// Calls `each` (returning Result<void>) at every row `statement` steps to; returns how many rows there were.
template <typename Each>
Result<int64_t> ForEachRow(Statement& statement, Each&& each) {
  int64_t rows = 0;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, statement.Step());
    if (!row) return rows;
    ++rows;
    STORE_TRY(each());
  }
}

class RollupPass {
 public:
  RollupPass(Database& db, int max_rows) : db_(db), max_rows_(max_rows) {}

  // Sources are read in this order so that a conversation's state exists before its escalations and messages are
  // counted, and an escalation's hand-off time is known before the person's reply that answers it; a later source
  // waits for the next rollup while an earlier one has more rows than one rollup reads.
  Result<int64_t> Run() {
    STORE_ASSIGN_OR_RETURN(int64_t conversations, Conversations());
    int64_t read = conversations;
    if (conversations < max_rows_) {
      STORE_ASSIGN_OR_RETURN(int64_t support, SupportItems());
      read += support;
      if (support < max_rows_) {
        STORE_ASSIGN_OR_RETURN(int64_t messages, Messages());
        read += messages;
      }
    }
    STORE_ASSIGN_OR_RETURN(int64_t resolved, Resolutions());
    read += resolved;
    STORE_TRY(Flush());
    return read;
  }

 private:
  Result<int64_t> GetCursor(const char* source) {
    STORE_ASSIGN_OR_RETURN(auto select, db_.Prepare(kCursor));
    STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, source).Step());
    if (!found) return Error::Internal(std::string("no analytics cursor for ") + source);
    return select.Int(0);
  }
  Result<void> SetCursor(const char* source, int64_t last_id) {
    STORE_ASSIGN_OR_RETURN(auto update, db_.Prepare(kSetCursor));
    return update.Bind(1, source).Bind(2, last_id).Run();
  }

  // Reads the rows of `source` after its cursor (`sql`: ?1 the cursor, ?2 the limit; the row's id first), at most
  // max_rows_, through `each` (given the statement at the row), and moves the cursor past them.
  template <typename Each>
  Result<int64_t> ReadSource(const char* source, const char* sql, Each&& each) {
    STORE_ASSIGN_OR_RETURN(int64_t cursor, GetCursor(source));
    STORE_ASSIGN_OR_RETURN(auto select, db_.Prepare(sql));
    select.Bind(1, cursor).Bind(2, max_rows_);
    STORE_ASSIGN_OR_RETURN(int64_t read, ForEachRow(select, [&] {
                             cursor = select.Int(0);
                             return each(select);
                           }));
    if (read > 0) STORE_TRY(SetCursor(source, cursor));
    return read;
  }

  Result<int64_t> Conversations() {
    return ReadSource("conversations", kNewConversations, [&](const Statement& row) -> Result<void> {
      const int64_t tenant = row.Int(1), channel = row.Int(2);
      delta_.ConversationStarted(tenant, channel, row.Int(3));
      STORE_ASSIGN_OR_RETURN(auto insert, db_.Prepare(kInsertState));
      return insert.Bind(1, row.Int(0)).Bind(2, tenant).Bind(3, channel).Bind(4, AnalyticsSlotOf(row.Int(3))).Run();
    });
  }

  Result<int64_t> SupportItems() {
    return ReadSource("support_items", kNewSupportItems, [&](const Statement& row) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(AnalyticsConversationState * state, State(row.Int(2)));
      if (state == nullptr) return Ok();
      const int64_t opened_at = row.Int(4);
      delta_.EscalationOpened(*state, row.String(3), opened_at);
      if (row.Text(5) == "resolved" && !row.IsNull(6)) {
        delta_.EscalationResolved(state->tenant_id, state->channel_id, opened_at, row.Int(6));
        return Ok();
      }
      STORE_ASSIGN_OR_RETURN(auto open, db_.Prepare(kInsertOpenSupport));
      return open.Bind(1, row.Int(0)).Bind(2, state->tenant_id).Bind(3, state->channel_id).Run();
    });
  }

  Result<int64_t> Resolutions() {
    STORE_ASSIGN_OR_RETURN(auto select, db_.Prepare(kResolvedSupportItems));
    select.Bind(1, max_rows_);
    std::vector<int64_t> done;
    STORE_TRY(ForEachRow(select, [&]() -> Result<void> {
      done.push_back(select.Int(0));
      if (select.IsNull(3) || select.IsNull(4)) return Ok();  // Erased with its conversation: nothing to count.
      delta_.EscalationResolved(select.Int(1), select.Int(2), select.Int(3), select.Int(4));
      return Ok();
    }));
    for (int64_t id : done) {
      STORE_ASSIGN_OR_RETURN(auto remove, db_.Prepare(kDeleteOpenSupport));
      STORE_TRY(remove.Bind(1, id).Run());
    }
    return static_cast<int64_t>(done.size());
  }

  Result<int64_t> Messages() {
    return ReadSource("messages", kNewMessages, [&](const Statement& row) -> Result<void> {
      if (row.Int(4) == 0) return Ok();
      STORE_ASSIGN_OR_RETURN(AnalyticsConversationState * state, State(row.Int(1)));
      if (state != nullptr) delta_.Message(*state, row.Text(2) == "in", row.Int(5) != 0, row.Int(3));
      return Ok();
    });
  }

  // The conversation's rollup state, from this rollup's cache or the table; nullptr when it has none (a conversation
  // erased meanwhile).
  Result<AnalyticsConversationState*> State(int64_t conversation_id) {
    if (auto found = states_.find(conversation_id); found != states_.end()) return &found->second;
    STORE_ASSIGN_OR_RETURN(auto load, db_.Prepare(kLoadState));
    STORE_ASSIGN_OR_RETURN(bool found, load.Bind(1, conversation_id).Step());
    if (!found) return static_cast<AnalyticsConversationState*>(nullptr);
    AnalyticsConversationState state{load.Int(0),         load.Int(1),         load.Int(2),         load.OptionalInt(3),
                                     load.OptionalInt(4), load.OptionalInt(5), load.OptionalInt(6), false};
    return &states_.emplace(conversation_id, state).first->second;
  }

  Result<void> Flush() {
    for (const auto& [id, state] : states_) {
      if (!state.dirty) continue;
      STORE_ASSIGN_OR_RETURN(auto save, db_.Prepare(kSaveState));
      save.Bind(1, id).Bind(2, state.first_in_at).Bind(3, state.handoff_at).Bind(4, state.bot_answered_at);
      STORE_TRY(save.Bind(5, state.person_answered_at).Run());
    }
    for (const auto& [key, c] : delta_.counts()) {
      auto [tenant, slot, channel] = key;
      STORE_ASSIGN_OR_RETURN(auto counts, db_.Prepare(kAddCounts));
      counts.Bind(1, tenant).Bind(2, slot).Bind(3, channel).Bind(4, c.conversations_started);
      counts.Bind(5, c.conversations_bot_answered).Bind(6, c.conversations_handed_off);
      counts.Bind(7, c.conversations_automated).Bind(8, c.messages_in).Bind(9, c.messages_out_bot);
      STORE_TRY(counts.Bind(10, c.messages_out_person).Bind(11, c.escalations).Bind(12, c.credits).Run());
    }
    for (const auto& [key, count] : delta_.escalations()) {
      const auto& [tenant, slot, channel, reason] = key;
      STORE_ASSIGN_OR_RETURN(auto escalations, db_.Prepare(kAddEscalation));
      STORE_TRY(escalations.Bind(1, tenant).Bind(2, slot).Bind(3, channel).Bind(4, reason).Bind(5, count).Run());
    }
    for (const auto& [key, count] : delta_.durations()) {
      auto [tenant, slot, channel, kind, bin] = key;
      STORE_ASSIGN_OR_RETURN(auto durations, db_.Prepare(kAddDuration));
      durations.Bind(1, tenant).Bind(2, slot).Bind(3, channel).Bind(4, kind).Bind(5, bin);
      STORE_TRY(durations.Bind(6, count).Run());
    }
    return Ok();
  }

  Database& db_;
  const int max_rows_;
  AnalyticsDelta delta_;
  std::unordered_map<int64_t, AnalyticsConversationState> states_;
};

// The index of the period holding `slot`, or -1.
int PeriodOf(const std::vector<int64_t>& bounds, int64_t slot) {
  auto after = std::upper_bound(bounds.begin(), bounds.end(), slot);
  if (after == bounds.begin() || after == bounds.end()) return -1;
  return static_cast<int>(after - bounds.begin()) - 1;
}

class SqliteAnalyticsStore final : public AnalyticsStore {
 public:
  explicit SqliteAnalyticsStore(SqliteStore& store) : store_(store) {}

  Result<int64_t> Rollup(int max_rows) override {
    bool pending = false;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kPending));
      STORE_TRY(select.Step());
      pending = select.Int(0) != 0;
      return Ok();
    }));
    if (!pending) return 0;
    int64_t read = 0;
    STORE_TRY(store_.Write(
        [&](Database& db) -> Result<void> {
          RollupPass rollup(db, std::max(max_rows, 1));
          STORE_ASSIGN_OR_RETURN(read, rollup.Run());
          return Ok();
        },
        /*durable=*/true, WriteKind::kAnalytics));
    return read;
  }

  Result<std::vector<AnalyticsPeriod>> Query(const AnalyticsQuery& query) override {
    STORE_TRY(CheckAnalyticsQuery(query));
    const auto& bounds = query.slot_bounds;
    std::vector<AnalyticsPeriod> periods(bounds.size() - 1);
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      // Calls `add` with each row of `sql` in the range and the index of the period holding its slot.
      auto sum = [&](const char* sql, auto add) -> Result<void> {
        STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(sql));
        select.Bind(1, query.tenant_id).Bind(2, bounds.front()).Bind(3, bounds.back()).Bind(4, query.channel_id);
        STORE_TRY(ForEachRow(select, [&]() -> Result<void> {
          const int period = PeriodOf(bounds, select.Int(0));
          if (period >= 0) add(select, periods[period]);
          return Ok();
        }));
        return Ok();
      };
      STORE_TRY(sum(kQueryCounts, [](const Statement& row, AnalyticsPeriod& period) {
        period.counts += AnalyticsCounts{row.Int(1), row.Int(2), row.Int(3), row.Int(4), row.Int(5),
                                         row.Int(6), row.Int(7), row.Int(8), row.Int(9)};
      }));
      STORE_TRY(sum(kQueryEscalations, [](const Statement& row, AnalyticsPeriod& period) {
        period.escalations_by_reason[row.String(1)] += row.Int(2);
      }));
      return sum(kQueryDurations, [](const Statement& row, AnalyticsPeriod& period) {
        const int64_t kind = row.Int(1);
        if (kind >= 0 && kind < kDurationKinds) period.durations[kind][static_cast<int>(row.Int(2))] += row.Int(3);
      });
    }));
    return periods;
  }

 private:
  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<AnalyticsStore> MakeSqliteAnalyticsStore(SqliteStore& store) {
  return std::make_unique<SqliteAnalyticsStore>(store);
}

Result<void> AddReplyCredits(Database& db, int64_t tenant_id, int64_t channel_id, int64_t credits, int64_t now_ms) {
  if (credits == 0) return Ok();
  STORE_ASSIGN_OR_RETURN(auto add, db.Prepare(kAddCredits));
  return add.Bind(1, tenant_id).Bind(2, AnalyticsSlotOf(now_ms)).Bind(3, channel_id).Bind(4, credits).Run();
}

}  // namespace parley::store::sqlite
