// The analytics aggregates on PostgreSQL, by the SQLite backend's rules (analytics_rules.h): the rollup that keeps
// them and the query that reads them. The rollup reads a commit-ordered change feed (migration 0004 says why ids
// are not): rows whose inserting transaction is older than every running one, past a cursor on (feed_xid, id).
//
// Rollups from several processes are serialized by the lock each takes on the cursor rows before it reads them: the
// next one waits, then reads the cursors the first moved and the aggregates it added (a READ COMMITTED statement
// sees what committed before it began), so every row is counted exactly once.

#include "store/analytics_store.h"
#include "store/analytics_rules.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/sub_stores.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::store::postgres {
namespace {

#define COUNT_COLUMNS                                                                                     \
  "conversations_started, conversations_bot_answered, conversations_handed_off, conversations_automated," \
  " messages_in, messages_out_bot, messages_out_person, escalations, credits"
constexpr char kAddCounts[] =
    "INSERT INTO analytics_counts AS a (tenant_id, slot, channel_id, " COUNT_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    " ON CONFLICT (tenant_id, slot, channel_id) DO UPDATE SET"
    " conversations_started = a.conversations_started + excluded.conversations_started,"
    " conversations_bot_answered = a.conversations_bot_answered + excluded.conversations_bot_answered,"
    " conversations_handed_off = a.conversations_handed_off + excluded.conversations_handed_off,"
    " conversations_automated = a.conversations_automated + excluded.conversations_automated,"
    " messages_in = a.messages_in + excluded.messages_in,"
    " messages_out_bot = a.messages_out_bot + excluded.messages_out_bot,"
    " messages_out_person = a.messages_out_person + excluded.messages_out_person,"
    " escalations = a.escalations + excluded.escalations, credits = a.credits + excluded.credits";
constexpr char kAddEscalation[] =
    "INSERT INTO analytics_escalations AS a (tenant_id, slot, channel_id, reason, count) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (tenant_id, slot, channel_id, reason) DO UPDATE SET count = a.count + excluded.count";
constexpr char kAddDuration[] =
    "INSERT INTO analytics_durations AS a (tenant_id, slot, channel_id, kind, bin, count)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (tenant_id, slot, channel_id, kind, bin) DO UPDATE SET count = a.count + excluded.count";

// Transactions with a smaller id than the horizon have all ended (committed or rolled back): the oldest still
// running, or the next to start. Taken in a statement of its own, before the transaction has an id of its own.
constexpr char kHorizon[] = "SELECT pg_snapshot_xmin(pg_current_snapshot())";
constexpr char kCursors[] = "SELECT source, last_xid, last_id FROM analytics_cursors";
// Locked in one order, so that rollups queue up behind each other instead of deadlocking.
constexpr char kLockCursors[] = "SELECT source, last_xid, last_id FROM analytics_cursors ORDER BY source FOR UPDATE";
constexpr char kSetCursor[] = "UPDATE analytics_cursors SET last_xid = $2::xid8, last_id = $3 WHERE source = $1";

// Whether a rollup would find anything: read first, so that an idle server's rollups (and each GET /api/analytics's
// catch-up) write nothing. $1…$6 the cursors of conversations, support items and messages; $7 the horizon.
constexpr char kPending[] =
    "SELECT EXISTS (SELECT 1 FROM conversations WHERE (feed_xid, id) > ($1::xid8, $2) AND feed_xid < $7::xid8)"
    " OR EXISTS (SELECT 1 FROM support_items WHERE (feed_xid, id) > ($3::xid8, $4) AND feed_xid < $7::xid8)"
    " OR EXISTS (SELECT 1 FROM messages WHERE (feed_xid, id) > ($5::xid8, $6) AND feed_xid < $7::xid8)"
    " OR EXISTS (SELECT 1 FROM analytics_open_support o LEFT JOIN support_items s ON s.id = o.support_item_id"
    "  WHERE s.id IS NULL OR s.status = 'resolved')";

// The feed of each source: $1, $2 its cursor, $3 the horizon, $4 the limit; the row's feed_xid and id first.
// Conversations and support items are key-share locked as they are read: a state row or an open escalation is then
// inserted for them (foreign keys) while an erasure that would delete them waits for the rollup's commit.
constexpr char kNewConversations[] =
    "SELECT feed_xid, id, tenant_id, channel_id, created_at FROM conversations"
    " WHERE (feed_xid, id) > ($1::xid8, $2) AND feed_xid < $3::xid8 ORDER BY feed_xid, id LIMIT $4 FOR KEY SHARE";
constexpr char kInsertState[] =
    "INSERT INTO analytics_conversations (conversation_id, tenant_id, channel_id, start_slot)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id) DO NOTHING";
constexpr char kNewSupportItems[] =
    "SELECT feed_xid, id, tenant_id, conversation_id, reason, created_at, status, resolved_at FROM support_items"
    " WHERE (feed_xid, id) > ($1::xid8, $2) AND feed_xid < $3::xid8 ORDER BY feed_xid, id LIMIT $4 FOR KEY SHARE";
constexpr char kInsertOpenSupport[] =
    "INSERT INTO analytics_open_support (support_item_id, tenant_id, channel_id) VALUES ($1, $2, $3)"
    " ON CONFLICT (support_item_id) DO NOTHING";
// The escalations counted as open that have been resolved since (or are gone).
constexpr char kResolvedSupportItems[] =
    "SELECT o.support_item_id, o.tenant_id, o.channel_id, s.created_at, s.resolved_at"
    " FROM analytics_open_support o LEFT JOIN support_items s ON s.id = o.support_item_id"
    " WHERE s.id IS NULL OR s.status = 'resolved' ORDER BY o.support_item_id LIMIT $1";
constexpr char kDeleteOpenSupport[] = "DELETE FROM analytics_open_support WHERE support_item_id = ANY ($1::bigint[])";
// Notes never reach the customer and reactions are not messages people answer.
constexpr char kNewMessages[] =
    "SELECT feed_xid, id, conversation_id, direction, created_at, type NOT IN ('note', 'reaction'),"
    " COALESCE(details ->> 'sent_by' = 'person', FALSE) FROM messages"
    " WHERE (feed_xid, id) > ($1::xid8, $2) AND feed_xid < $3::xid8 ORDER BY feed_xid, id LIMIT $4";
constexpr char kLoadState[] =
    "SELECT tenant_id, channel_id, start_slot, first_in_at, handoff_at, bot_answered_at, person_answered_at"
    " FROM analytics_conversations WHERE conversation_id = $1";
constexpr char kStateOf[] = "SELECT tenant_id, channel_id, created_at FROM conversations WHERE id = $1 FOR KEY SHARE";
constexpr char kSaveState[] =
    "UPDATE analytics_conversations SET first_in_at = $2, handoff_at = $3, bot_answered_at = $4,"
    " person_answered_at = $5 WHERE conversation_id = $1";

// $1 tenant, $2 first slot, $3 end slot (excluded), $4 channel or NULL, $5 the period bounds as an array: each row is
// a period's sum (width_bucket numbers the periods from 1), so only a few rows per period cross the connection.
#define QUERY_RANGE                                                                                        \
  " WHERE tenant_id = $1 AND slot >= $2 AND slot < $3 AND ($4::bigint IS NULL OR channel_id = $4::bigint)" \
  " GROUP BY 1"
constexpr char kQueryCounts[] =
    "SELECT width_bucket(slot, $5::bigint[]) - 1, SUM(conversations_started), SUM(conversations_bot_answered),"
    " SUM(conversations_handed_off), SUM(conversations_automated), SUM(messages_in), SUM(messages_out_bot),"
    " SUM(messages_out_person), SUM(escalations), SUM(credits) FROM analytics_counts" QUERY_RANGE;
constexpr char kQueryEscalations[] =
    "SELECT width_bucket(slot, $5::bigint[]) - 1, reason, SUM(count) FROM analytics_escalations" QUERY_RANGE ", 2";
constexpr char kQueryDurations[] =
    "SELECT width_bucket(slot, $5::bigint[]) - 1, kind, bin, SUM(count) FROM analytics_durations" QUERY_RANGE ", 2, 3";
#undef QUERY_RANGE
#undef COUNT_COLUMNS

// A source's cursor: the last row read, by its transaction's id (text: an xid8 is unsigned) and its own.
struct Cursor {
  std::string xid = "0";
  int64_t id = 0;
};
constexpr const char* kSources[] = {"conversations", "messages", "support_items"};

Result<std::unordered_map<std::string, Cursor>> ReadCursors(Connection& db, const char* sql) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(sql));
  std::unordered_map<std::string, Cursor> cursors;
  for (int i = 0; i < rows.size(); ++i) cursors[rows.String(i, 0)] = Cursor{rows.String(i, 1), rows.Int(i, 2)};
  for (const char* source : kSources) {
    if (!cursors.contains(source)) return Error::Internal(std::string("no analytics cursor for ") + source);
  }
  return cursors;
}

// One rollup, inside its transaction; made afresh for each attempt of it.
class RollupPass {
 public:
  RollupPass(Connection& db, int max_rows) : db_(db), max_rows_(max_rows) {}

  // The sources in SQLite's order (sqlite/analytics_store.cpp says why), a later one waiting while an earlier one has
  // more rows than a rollup reads.
  Result<int64_t> Run() {
    STORE_ASSIGN_OR_RETURN(auto horizon, db_.Query(kHorizon));
    horizon_ = horizon.String(0, 0);
    STORE_ASSIGN_OR_RETURN(cursors_, ReadCursors(db_, kLockCursors));
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
  // Reads the rows of `source` past its cursor and before the horizon (`sql`), at most max_rows_, through
  // `each(rows, i)`, and moves the cursor past them.
  template <typename Each>
  Result<int64_t> ReadSource(const char* source, const char* sql, Each&& each) {
    Cursor& cursor = cursors_.at(source);
    STORE_ASSIGN_OR_RETURN(auto rows, db_.Query(sql, Params(cursor.xid, cursor.id, horizon_, max_rows_)));
    for (int i = 0; i < rows.size(); ++i) STORE_TRY(each(rows, i));
    if (rows.empty()) return 0;
    cursor = Cursor{rows.String(rows.size() - 1, 0), rows.Int(rows.size() - 1, 1)};
    STORE_TRY(db_.Query(kSetCursor, Params(source, cursor.xid, cursor.id)));
    return rows.size();
  }

  Result<int64_t> Conversations() {
    return ReadSource("conversations", kNewConversations, [&](const Rows& rows, int i) -> Result<void> {
      const int64_t tenant = rows.Int(i, 2), channel = rows.Int(i, 3), created_at = rows.Int(i, 4);
      delta_.ConversationStarted(tenant, channel, created_at);
      STORE_TRY(db_.Query(kInsertState, Params(rows.Int(i, 1), tenant, channel, AnalyticsSlotOf(created_at))));
      return Ok();
    });
  }

  Result<int64_t> SupportItems() {
    return ReadSource("support_items", kNewSupportItems, [&](const Rows& rows, int i) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(AnalyticsConversationState * state, State(rows.Int(i, 3)));
      if (state == nullptr) return Ok();
      const int64_t opened_at = rows.Int(i, 5);
      delta_.EscalationOpened(*state, rows.String(i, 4), opened_at);
      if (rows.Text(i, 6) == "resolved" && !rows.IsNull(i, 7)) {
        delta_.EscalationResolved(state->tenant_id, state->channel_id, opened_at, rows.Int(i, 7));
        return Ok();
      }
      STORE_TRY(db_.Query(kInsertOpenSupport, Params(rows.Int(i, 1), state->tenant_id, state->channel_id)));
      return Ok();
    });
  }

  Result<int64_t> Resolutions() {
    STORE_ASSIGN_OR_RETURN(auto rows, db_.Query(kResolvedSupportItems, Params(max_rows_)));
    if (rows.empty()) return 0;
    std::vector<int64_t> done;
    for (int i = 0; i < rows.size(); ++i) {
      done.push_back(rows.Int(i, 0));
      if (rows.IsNull(i, 3) || rows.IsNull(i, 4)) continue;  // Erased with its conversation: nothing to count.
      delta_.EscalationResolved(rows.Int(i, 1), rows.Int(i, 2), rows.Int(i, 3), rows.Int(i, 4));
    }
    STORE_TRY(db_.Query(kDeleteOpenSupport, Params(IdArray(done))));
    return rows.size();
  }

  Result<int64_t> Messages() {
    return ReadSource("messages", kNewMessages, [&](const Rows& rows, int i) -> Result<void> {
      if (!rows.Bool(i, 5)) return Ok();
      STORE_ASSIGN_OR_RETURN(AnalyticsConversationState * state, State(rows.Int(i, 2)));
      if (state != nullptr) delta_.Message(*state, rows.Text(i, 3) == "in", rows.Bool(i, 6), rows.Int(i, 4));
      return Ok();
    });
  }

  // The conversation's rollup state, from this rollup's cache or the table; nullptr when the conversation is gone
  // (erased meanwhile). A conversation not read from the feed yet gets its state row here: its transaction can be
  // newer than the horizon while a message of an older one already belongs to it (a transaction that took its id
  // before the conversation's committed, and wrote into it after), and that message is counted now.
  Result<AnalyticsConversationState*> State(int64_t conversation_id) {
    if (auto found = states_.find(conversation_id); found != states_.end()) return &found->second;
    STORE_ASSIGN_OR_RETURN(auto load, db_.Query(kLoadState, Params(conversation_id)));
    AnalyticsConversationState state;
    if (!load.empty()) {
      state = AnalyticsConversationState{
          load.Int(0, 0),         load.Int(0, 1),         load.Int(0, 2),         load.OptionalInt(0, 3),
          load.OptionalInt(0, 4), load.OptionalInt(0, 5), load.OptionalInt(0, 6), false};
    } else {
      STORE_ASSIGN_OR_RETURN(auto conversation, db_.Query(kStateOf, Params(conversation_id)));
      if (conversation.empty()) return static_cast<AnalyticsConversationState*>(nullptr);
      state.tenant_id = conversation.Int(0, 0);
      state.channel_id = conversation.Int(0, 1);
      state.start_slot = AnalyticsSlotOf(conversation.Int(0, 2));
      STORE_TRY(db_.Query(kInsertState, Params(conversation_id, state.tenant_id, state.channel_id, state.start_slot)));
    }
    return &states_.emplace(conversation_id, state).first->second;
  }

  Result<void> Flush() {
    for (const auto& [id, state] : states_) {
      if (!state.dirty) continue;
      STORE_TRY(db_.Query(kSaveState, Params(id, state.first_in_at, state.handoff_at, state.bot_answered_at,
                                             state.person_answered_at)));
    }
    for (const auto& [key, c] : delta_.counts()) {
      const auto& [tenant, slot, channel] = key;
      STORE_TRY(
          db_.Query(kAddCounts, Params(tenant, slot, channel, c.conversations_started, c.conversations_bot_answered,
                                       c.conversations_handed_off, c.conversations_automated, c.messages_in,
                                       c.messages_out_bot, c.messages_out_person, c.escalations, c.credits)));
    }
    for (const auto& [key, count] : delta_.escalations()) {
      const auto& [tenant, slot, channel, reason] = key;
      STORE_TRY(db_.Query(kAddEscalation, Params(tenant, slot, channel, reason, count)));
    }
    for (const auto& [key, count] : delta_.durations()) {
      const auto& [tenant, slot, channel, kind, bin] = key;
      STORE_TRY(db_.Query(kAddDuration, Params(tenant, slot, channel, kind, bin, count)));
    }
    return Ok();
  }

  Connection& db_;
  const int max_rows_;
  std::string horizon_;
  std::unordered_map<std::string, Cursor> cursors_;
  AnalyticsDelta delta_;
  std::unordered_map<int64_t, AnalyticsConversationState> states_;
};

class PostgresAnalyticsStore final : public AnalyticsStore {
 public:
  explicit PostgresAnalyticsStore(PostgresStore& store) : store_(store) {}

  Result<int64_t> Rollup(int max_rows) override {
    STORE_ASSIGN_OR_RETURN(bool pending, store_.Read<bool>([&](Connection& db) -> Result<bool> {
      STORE_ASSIGN_OR_RETURN(auto horizon, db.Query(kHorizon));
      STORE_ASSIGN_OR_RETURN(auto cursors, ReadCursors(db, kCursors));
      const Cursor &conversations = cursors.at("conversations"), &support = cursors.at("support_items"),
                   &messages = cursors.at("messages");
      STORE_ASSIGN_OR_RETURN(auto rows,
                             db.Query(kPending, Params(conversations.xid, conversations.id, support.xid, support.id,
                                                       messages.xid, messages.id, horizon.String(0, 0))));
      return rows.Bool(0, 0);
    }));
    if (!pending) return 0;
    return store_.Write<int64_t>([&](Connection& db, EventNotes&) -> Result<int64_t> {
      RollupPass rollup(db, std::max(max_rows, 1));
      return rollup.Run();
    });
  }

  Result<std::vector<AnalyticsPeriod>> Query(const AnalyticsQuery& query) override {
    STORE_TRY(CheckAnalyticsQuery(query));
    const auto& bounds = query.slot_bounds;
    const Params params(query.tenant_id, bounds.front(), bounds.back(), query.channel_id, IdArray(bounds));
    return store_.Read<std::vector<AnalyticsPeriod>>([&](Connection& db) -> Result<std::vector<AnalyticsPeriod>> {
      std::vector<AnalyticsPeriod> periods(bounds.size() - 1);
      // Calls `add(rows, i, period)` with each row of `sql`.
      auto sum = [&](const char* sql, auto add) -> Result<void> {
        STORE_ASSIGN_OR_RETURN(auto rows, db.Query(sql, params));
        for (int i = 0; i < rows.size(); ++i) {
          const int64_t period = rows.Int(i, 0);
          if (period >= 0 && period < static_cast<int64_t>(periods.size())) add(rows, i, periods[period]);
        }
        return Ok();
      };
      STORE_TRY(sum(kQueryCounts, [](const Rows& rows, int i, AnalyticsPeriod& period) {
        period.counts += AnalyticsCounts{rows.Int(i, 1), rows.Int(i, 2), rows.Int(i, 3), rows.Int(i, 4), rows.Int(i, 5),
                                         rows.Int(i, 6), rows.Int(i, 7), rows.Int(i, 8), rows.Int(i, 9)};
      }));
      STORE_TRY(sum(kQueryEscalations, [](const Rows& rows, int i, AnalyticsPeriod& period) {
        period.escalations_by_reason[rows.String(i, 1)] += rows.Int(i, 2);
      }));
      STORE_TRY(sum(kQueryDurations, [](const Rows& rows, int i, AnalyticsPeriod& period) {
        period.durations.at(rows.Int(i, 1))[static_cast<int>(rows.Int(i, 2))] += rows.Int(i, 3);
      }));
      return periods;
    });
  }

 private:
  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<AnalyticsStore> MakePostgresAnalyticsStore(PostgresStore& store) {
  return std::make_unique<PostgresAnalyticsStore>(store);
}

}  // namespace parley::store::postgres
