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
#include <unordered_set>
#include <vector>

namespace parley::store::postgres {
namespace {

#define COUNT_COLUMNS                                                                                     \
  "conversations_started, conversations_bot_answered, conversations_handed_off, conversations_automated," \
  " messages_in, messages_out_bot, messages_out_person, escalations, credits"
constexpr char kAddCounts[] =
    "INSERT INTO analytics_counts AS a (tenant_id, slot, channel_id, " COUNT_COLUMNS
    ") SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],"
    " $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[])"
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
    "INSERT INTO analytics_escalations AS a (tenant_id, slot, channel_id, reason, count)"
    " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[])"
    " ON CONFLICT (tenant_id, slot, channel_id, reason) DO UPDATE SET count = a.count + excluded.count";
constexpr char kAddDuration[] =
    "INSERT INTO analytics_durations AS a (tenant_id, slot, channel_id, kind, bin, count)"
    " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::int[], $6::bigint[])"
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
constexpr char kInsertStates[] =
    "INSERT INTO analytics_conversations (conversation_id, tenant_id, channel_id, start_slot)"
    " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[])"
    " ON CONFLICT (conversation_id) DO NOTHING";
constexpr char kNewSupportItems[] =
    "SELECT feed_xid, id, tenant_id, conversation_id, reason, created_at, status, resolved_at FROM support_items"
    " WHERE (feed_xid, id) > ($1::xid8, $2) AND feed_xid < $3::xid8 ORDER BY feed_xid, id LIMIT $4 FOR KEY SHARE";
constexpr char kInsertOpenSupport[] =
    "INSERT INTO analytics_open_support (support_item_id, tenant_id, channel_id)"
    " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) ON CONFLICT (support_item_id) DO NOTHING";
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
constexpr char kLoadStates[] =
    "SELECT conversation_id, tenant_id, channel_id, start_slot, first_in_at, handoff_at, bot_answered_at,"
    " person_answered_at FROM analytics_conversations WHERE conversation_id = ANY($1::bigint[])";
constexpr char kStatesOf[] =
    "SELECT id, tenant_id, channel_id, created_at FROM conversations WHERE id = ANY($1::bigint[])"
    " ORDER BY id FOR KEY SHARE";
constexpr char kSaveStates[] =
    "UPDATE analytics_conversations a SET first_in_at = u.first_in_at, handoff_at = u.handoff_at,"
    " bot_answered_at = u.bot_answered_at, person_answered_at = u.person_answered_at"
    " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])"
    " AS u(id, first_in_at, handoff_at, bot_answered_at, person_answered_at) WHERE a.conversation_id = u.id";

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
  // Reads the rows of `source` past its cursor and before the horizon (`sql`), at most max_rows_, and moves the
  // cursor past them.
  Result<Rows> ReadSource(const char* source, const char* sql) {
    Cursor& cursor = cursors_.at(source);
    STORE_ASSIGN_OR_RETURN(auto rows, db_.Query(sql, Params(cursor.xid, cursor.id, horizon_, max_rows_)));
    if (rows.empty()) return rows;
    cursor = Cursor{rows.String(rows.size() - 1, 0), rows.Int(rows.size() - 1, 1)};
    STORE_TRY(db_.Query(kSetCursor, Params(source, cursor.xid, cursor.id)));
    return rows;
  }

  Result<int64_t> Conversations() {
    STORE_ASSIGN_OR_RETURN(auto rows, ReadSource("conversations", kNewConversations));
    StateRows added;
    for (int i = 0; i < rows.size(); ++i) {
      const int64_t tenant = rows.Int(i, 2), channel = rows.Int(i, 3), created_at = rows.Int(i, 4);
      delta_.ConversationStarted(tenant, channel, created_at);
      added.Add(rows.Int(i, 1), tenant, channel, AnalyticsSlotOf(created_at));
    }
    STORE_TRY(added.Insert(db_));
    return rows.size();
  }

  Result<int64_t> SupportItems() {
    STORE_ASSIGN_OR_RETURN(auto rows, ReadSource("support_items", kNewSupportItems));
    std::vector<int64_t> conversations;
    for (int i = 0; i < rows.size(); ++i) conversations.push_back(rows.Int(i, 3));
    STORE_TRY(LoadStates(conversations));
    std::vector<int64_t> open, tenants, channels;
    for (int i = 0; i < rows.size(); ++i) {
      AnalyticsConversationState* state = State(rows.Int(i, 3));
      if (state == nullptr) continue;
      const int64_t opened_at = rows.Int(i, 5);
      delta_.EscalationOpened(*state, rows.String(i, 4), opened_at);
      if (rows.Text(i, 6) == "resolved" && !rows.IsNull(i, 7)) {
        delta_.EscalationResolved(state->tenant_id, state->channel_id, opened_at, rows.Int(i, 7));
        continue;
      }
      open.push_back(rows.Int(i, 1));
      tenants.push_back(state->tenant_id);
      channels.push_back(state->channel_id);
    }
    if (!open.empty()) {
      STORE_TRY(db_.Query(kInsertOpenSupport, Params().AddArray(open).AddArray(tenants).AddArray(channels)));
    }
    return rows.size();
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
    STORE_ASSIGN_OR_RETURN(auto rows, ReadSource("messages", kNewMessages));
    std::vector<int64_t> conversations;
    for (int i = 0; i < rows.size(); ++i) {
      if (rows.Bool(i, 5)) conversations.push_back(rows.Int(i, 2));
    }
    STORE_TRY(LoadStates(conversations));
    for (int i = 0; i < rows.size(); ++i) {
      if (!rows.Bool(i, 5)) continue;
      AnalyticsConversationState* state = State(rows.Int(i, 2));
      if (state != nullptr) delta_.Message(*state, rows.Text(i, 3) == "in", rows.Bool(i, 6), rows.Int(i, 4));
    }
    return rows.size();
  }

  // New rows of analytics_conversations, written with one statement.
  struct StateRows {
    std::vector<int64_t> ids, tenants, channels, slots;
    void Add(int64_t id, int64_t tenant, int64_t channel, int64_t slot) {
      ids.push_back(id);
      tenants.push_back(tenant);
      channels.push_back(channel);
      slots.push_back(slot);
    }
    Result<void> Insert(Connection& db) const {
      if (ids.empty()) return Ok();
      STORE_TRY(db.Query(kInsertStates, Params().AddArray(ids).AddArray(tenants).AddArray(channels).AddArray(slots)));
      return Ok();
    }
  };

  // Brings the rollup state of `conversation_ids` into this rollup's cache, from the table (two statements for all
  // of them). A conversation not read from the feed yet gets its state row here: its transaction can be newer than
  // the horizon while a message of an older one already belongs to it (a transaction that took its id before the
  // conversation's committed, and wrote into it after), and that message is counted now. A conversation gone (erased
  // meanwhile) is noted as such.
  Result<void> LoadStates(std::vector<int64_t> conversation_ids) {
    std::erase_if(conversation_ids, [&](int64_t id) { return states_.contains(id) || gone_.contains(id); });
    std::sort(conversation_ids.begin(), conversation_ids.end());
    conversation_ids.erase(std::unique(conversation_ids.begin(), conversation_ids.end()), conversation_ids.end());
    if (conversation_ids.empty()) return Ok();
    STORE_ASSIGN_OR_RETURN(auto load, db_.Query(kLoadStates, Params().AddArray(conversation_ids)));
    for (int i = 0; i < load.size(); ++i) {
      states_.emplace(
          load.Int(i, 0),
          AnalyticsConversationState{load.Int(i, 1), load.Int(i, 2), load.Int(i, 3), load.OptionalInt(i, 4),
                                     load.OptionalInt(i, 5), load.OptionalInt(i, 6), load.OptionalInt(i, 7), false});
    }
    std::erase_if(conversation_ids, [&](int64_t id) { return states_.contains(id); });
    if (conversation_ids.empty()) return Ok();
    STORE_ASSIGN_OR_RETURN(auto found, db_.Query(kStatesOf, Params().AddArray(conversation_ids)));
    StateRows added;
    for (int i = 0; i < found.size(); ++i) {
      AnalyticsConversationState state;
      state.tenant_id = found.Int(i, 1);
      state.channel_id = found.Int(i, 2);
      state.start_slot = AnalyticsSlotOf(found.Int(i, 3));
      added.Add(found.Int(i, 0), state.tenant_id, state.channel_id, state.start_slot);
      states_.emplace(found.Int(i, 0), state);
    }
    for (int64_t id : conversation_ids) {
      if (!states_.contains(id)) gone_.insert(id);
    }
    return added.Insert(db_);
  }

  // The conversation's rollup state, loaded by LoadStates; nullptr when the conversation is gone.
  AnalyticsConversationState* State(int64_t conversation_id) {
    auto found = states_.find(conversation_id);
    return found == states_.end() ? nullptr : &found->second;
  }

  Result<void> Flush() {
    STORE_TRY(SaveStates());
    if (!delta_.counts().empty()) {
      std::vector<std::vector<int64_t>> columns(12);
      for (const auto& [key, c] : delta_.counts()) {
        const auto& [tenant, slot, channel] = key;
        for (size_t i = 0;
             const int64_t value : {tenant, slot, channel, c.conversations_started, c.conversations_bot_answered,
                                    c.conversations_handed_off, c.conversations_automated, c.messages_in,
                                    c.messages_out_bot, c.messages_out_person, c.escalations, c.credits}) {
          columns[i++].push_back(value);
        }
      }
      Params params;
      for (const auto& column : columns) params.AddArray(column);
      STORE_TRY(db_.Query(kAddCounts, params));
    }
    if (!delta_.escalations().empty()) {
      std::vector<int64_t> tenants, slots, channels, counts;
      std::vector<std::string_view> reasons;
      for (const auto& [key, count] : delta_.escalations()) {
        const auto& [tenant, slot, channel, reason] = key;
        tenants.push_back(tenant);
        slots.push_back(slot);
        channels.push_back(channel);
        reasons.push_back(reason);
        counts.push_back(count);
      }
      Params params;
      params.AddArray(tenants).AddArray(slots).AddArray(channels).AddArray(reasons).AddArray(counts);
      STORE_TRY(db_.Query(kAddEscalation, params));
    }
    if (!delta_.durations().empty()) {
      std::vector<int64_t> tenants, slots, channels, kinds, bins, counts;
      for (const auto& [key, count] : delta_.durations()) {
        const auto& [tenant, slot, channel, kind, bin] = key;
        tenants.push_back(tenant);
        slots.push_back(slot);
        channels.push_back(channel);
        kinds.push_back(kind);
        bins.push_back(bin);
        counts.push_back(count);
      }
      Params params;
      params.AddArray(tenants).AddArray(slots).AddArray(channels).AddArray(kinds).AddArray(bins).AddArray(counts);
      STORE_TRY(db_.Query(kAddDuration, params));
    }
    return Ok();
  }

  Result<void> SaveStates() {
    std::vector<int64_t> ids;
    std::vector<std::optional<int64_t>> first_in, handoff, bot_answered, person_answered;
    for (const auto& [id, state] : states_) {
      if (!state.dirty) continue;
      ids.push_back(id);
      first_in.push_back(state.first_in_at);
      handoff.push_back(state.handoff_at);
      bot_answered.push_back(state.bot_answered_at);
      person_answered.push_back(state.person_answered_at);
    }
    if (ids.empty()) return Ok();
    Params params;
    params.AddArray(ids).AddArray(first_in).AddArray(handoff).AddArray(bot_answered).AddArray(person_answered);
    STORE_TRY(db_.Query(kSaveStates, params));
    return Ok();
  }

  Connection& db_;
  const int max_rows_;
  std::string horizon_;
  std::unordered_map<std::string, Cursor> cursors_;
  AnalyticsDelta delta_;
  std::unordered_map<int64_t, AnalyticsConversationState> states_;
  std::unordered_set<int64_t> gone_;  //!< Conversations erased meanwhile.
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
