// PostgresStore's claims and replies: recovery's pending list, the exclusive claim on a conversation, the reply
// committed under it (or the claim released), the agent's traces and the conversation's mode. The rules are the
// SQLite backend's (sqlite/claims.cpp); here several processes compete, so a claim is a conditional UPDATE that
// PostgreSQL re-checks under the row lock (one taker wins), and a commit locks the conversation row before it checks
// the claim, so no customer message can slip in between the check and the commit.

#include "core/crypto.h"
#include "core/json.h"
#include "store/analytics_store.h"
#include "store/event_data.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"

#include <algorithm>
#include <utility>

namespace parley::store::postgres {
namespace {

constexpr int kMaxRecentMessages = 500;

// $1 NULL: every one; otherwise those no claim holds at that time (the condition under which kTakeClaim takes one).
constexpr char kListPending[] =
    "SELECT c.id, c.tenant_id, ch.platform, c.pending_since, c.last_inbound_at FROM conversations c"
    " JOIN channels ch ON ch.id = c.channel_id WHERE c.pending_since IS NOT NULL"
    " AND ($1::bigint IS NULL OR c.claim_token IS NULL OR c.claim_expires_at <= $1) ORDER BY c.pending_since, c.id";
constexpr char kGetPending[] =
    "SELECT c.id, c.tenant_id, ch.platform, c.pending_since, c.last_inbound_at FROM conversations c"
    " JOIN channels ch ON ch.id = c.channel_id WHERE c.id = $1 AND c.pending_since IS NOT NULL";
// Takes the claim and records the newest answerable message it covers.
constexpr char kTakeClaim[] =
    "UPDATE conversations c SET claim_token = $2, claim_expires_at = $3::bigint + $4::bigint,"
    " claim_through_id = (SELECT MAX(m.id) FROM messages m WHERE m.conversation_id = c.id"
    "   AND m.id > c.answered_through_id AND m.direction = 'in' AND m.answerable)"
    " WHERE c.id = $1 AND c.pending_since IS NOT NULL AND (c.claim_token IS NULL OR c.claim_expires_at <= $3)"
    " RETURNING c.inbound_seq, c.answered_through_id, c.claim_through_id";
constexpr char kClaimHolder[] =
    "SELECT claim_expires_at FROM conversations WHERE id = $1 AND pending_since IS NOT NULL"
    " AND claim_token IS NOT NULL AND claim_expires_at > $2";
// The newest $4 messages a claim covers, newest first, each with how many it covers in all (column 13).
constexpr char kClaimedMessages[] =
    "SELECT " PG_MESSAGE_COLUMNS
    ", COUNT(*) OVER ()"
    " FROM messages WHERE conversation_id = $1 AND id > $2 AND id <= $3 AND direction = 'in' AND answerable"
    " AND status <> 'deleted' ORDER BY id DESC LIMIT $4";
constexpr char kRecentMessages[] = "SELECT " PG_MESSAGE_COLUMNS
                                   " FROM messages WHERE conversation_id = $1 AND id < $2 AND status <> 'deleted'"
                                   " AND type <> 'note' ORDER BY id DESC LIMIT $3";
// Marks everything the claim covered answered, clears pending state and the claim. $2: a reply's time, or 0.
constexpr char kMarkAnswered[] =
    "UPDATE conversations SET answered_through_id = GREATEST(answered_through_id, COALESCE(claim_through_id, 0)),"
    " answered_seq = inbound_seq, pending_since = NULL, last_message_at = GREATEST(last_message_at, $2),"
    " claim_token = NULL, claim_expires_at = NULL, claim_through_id = NULL WHERE id = $1";
constexpr char kReleaseClaim[] =
    "UPDATE conversations SET claim_token = NULL, claim_expires_at = NULL, claim_through_id = NULL"
    " WHERE id = $1 AND claim_token = $2";
// Locked until the commit: an inbound message for the conversation waits, then finds the reply committed.
constexpr char kConversationClaimState[] =
    "SELECT claim_token, inbound_seq, tenant_id, channel_id, mode FROM conversations WHERE id = $1 FOR UPDATE";
constexpr char kInsertReplyTrace[] =
    "INSERT INTO reply_traces (tenant_id, conversation_id, message_id, decision, reason, trace, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr char kReplyTraces[] = "SELECT " PG_TRACE_COLUMNS " FROM reply_traces WHERE conversation_id = $1 ORDER BY id";
// Escalation by the agent: the claimed messages are answered (by the hand-off message); later ones wait for people.
constexpr char kHandOff[] =
    "UPDATE conversations SET mode = 'human', handoff_reason = $2, human_until = $3 WHERE id = $1";
// A conversation already waiting for a person keeps its one open item (and its first draft).
constexpr char kOpenSupportItem[] =
    "INSERT INTO support_items (tenant_id, conversation_id, reason, created_at, priority, draft)"
    " SELECT tenant_id, id, $2, $3, $4, $5 FROM conversations WHERE id = $1 ON CONFLICT DO NOTHING RETURNING id";
constexpr char kSelectConversation[] = PG_SELECT_CONVERSATION " WHERE c.id = $1";
constexpr char kSelectChannel[] = "SELECT " PG_CHANNEL_COLUMNS " FROM channels WHERE id = $1";
constexpr char kInsertOutbound[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, created_at, answerable, details)"
    " VALUES ($1, $2, $3, 'out', $4, $5, '', 'queued', $6, FALSE, $7::jsonb) RETURNING id";
constexpr char kConversationOfTenant[] = "SELECT 1 FROM conversations WHERE id = $1 AND tenant_id = $2";
// Locked: the mode change and the checks of a concurrent commit see one another.
constexpr char kLockConversationOfTenant[] = "SELECT 1 FROM conversations WHERE id = $1 AND tenant_id = $2 FOR UPDATE";
constexpr char kResolveSupportItems[] =
    "UPDATE support_items SET status = 'resolved', resolved_by = $2, resolved_at = $3"
    " WHERE conversation_id = $1 AND status = 'open' RETURNING id";
// Usage and credits (the SQLite backend's billing_store.cpp SettleReplyUsage and analytics_store.cpp
// AddReplyCredits).
constexpr char kDeleteReservation[] = "DELETE FROM usage_reservations WHERE id = $1";
constexpr char kAddUsage[] =
    "INSERT INTO usage_daily AS u (tenant_id, day, ai_replies, credits, prompt_tokens, completion_tokens, messages_in,"
    " messages_out) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id, day) DO UPDATE SET"
    " ai_replies = u.ai_replies + excluded.ai_replies, credits = u.credits + excluded.credits,"
    " prompt_tokens = u.prompt_tokens + excluded.prompt_tokens,"
    " completion_tokens = u.completion_tokens + excluded.completion_tokens,"
    " messages_in = u.messages_in + excluded.messages_in, messages_out = u.messages_out + excluded.messages_out";
constexpr char kAddCredits[] =
    "INSERT INTO analytics_counts AS a (tenant_id, slot, channel_id, credits) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (tenant_id, slot, channel_id) DO UPDATE SET credits = a.credits + excluded.credits";

Result<Conversation> LoadConversation(Connection& db, int64_t conversation_id) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kSelectConversation, Params(conversation_id)));
  if (rows.empty()) return Error::NotFound("no such conversation");
  return ReadConversation(rows, 0);
}

}  // namespace

Result<void> SettleReplyUsage(Connection& db, int64_t tenant_id, const Reply& reply, bool committed) {
  if (!reply.reservation_id.empty()) STORE_TRY(db.Query(kDeleteReservation, Params(reply.reservation_id)));
  if (!committed || !reply.usage) return Ok();
  const Usage& u = *reply.usage;
  if (u.day.empty()) return Error::InvalidArgument("usage needs a day");
  STORE_TRY(db.Query(kAddUsage, Params(tenant_id, u.day, u.ai_replies, u.credits, u.prompt_tokens, u.completion_tokens,
                                       u.messages_in, u.messages_out)));
  return Ok();
}

Result<void> ResolveSupportItemsOf(Connection& db, EventNotes& notes, int64_t tenant_id, int64_t conversation_id,
                                   std::string_view resolved_by, int64_t now_ms) {
  STORE_ASSIGN_OR_RETURN(auto resolved, db.Query(kResolveSupportItems, Params(conversation_id, resolved_by, now_ms)));
  std::vector<int64_t> items;
  for (int i = 0; i < resolved.size(); ++i) items.push_back(resolved.Int(i, 0));
  std::sort(items.begin(), items.end());
  for (int64_t item_id : items) {
    AppendEvent(notes, tenant_id, EventType::kSupportResolved, SupportEventData(item_id, conversation_id), now_ms);
  }
  return Ok();
}

Result<std::vector<PendingConversation>> PostgresStore::ListPendingConversations(
    std::optional<int64_t> unclaimed_at_ms) {
  return Read<std::vector<PendingConversation>>([&](Connection& db) -> Result<std::vector<PendingConversation>> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kListPending, Params(unclaimed_at_ms)));
    std::vector<PendingConversation> pending;
    for (int i = 0; i < rows.size(); ++i) {
      pending.push_back({rows.Int(i, 0), rows.Int(i, 1), Platform(rows.Text(i, 2)), rows.Int(i, 3),
                         rows.OptionalInt(i, 4).value_or(rows.Int(i, 3))});
    }
    return pending;
  });
}

Result<std::optional<PendingConversation>> PostgresStore::GetPendingConversation(int64_t conversation_id) {
  return Read<std::optional<PendingConversation>>([&](Connection& db) -> Result<std::optional<PendingConversation>> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kGetPending, Params(conversation_id)));
    if (rows.size() == 0) return std::optional<PendingConversation>();
    return PendingConversation{rows.Int(0, 0), rows.Int(0, 1), Platform(rows.Text(0, 2)), rows.Int(0, 3),
                               rows.OptionalInt(0, 4).value_or(rows.Int(0, 3))};
  });
}

Result<Store::ClaimAttempt> PostgresStore::ClaimConversation(int64_t conversation_id, int64_t now_ms,
                                                             int64_t lease_ms) {
  const std::string token = crypto::RandomToken(16);
  return Write<ClaimAttempt>([&](Connection& db, EventNotes&) -> Result<ClaimAttempt> {
    ClaimAttempt attempt;
    Claim claim;
    claim.conversation_id = conversation_id;
    claim.token = token;
    STORE_ASSIGN_OR_RETURN(auto taken, db.Query(kTakeClaim, Params(conversation_id, token, now_ms, lease_ms)));
    if (taken.empty()) {
      // Held by a live claim, nothing pending, or no such conversation: only the first has a holder.
      STORE_ASSIGN_OR_RETURN(auto held, db.Query(kClaimHolder, Params(conversation_id, now_ms)));
      if (!held.empty()) attempt.held_until_ms = held.Int(0, 0);
      return attempt;
    }
    claim.inbound_seq = taken.Int(0, 0);
    const int64_t answered_through = taken.Int(0, 1);
    if (const std::optional<int64_t> through = taken.OptionalInt(0, 2)) {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kClaimedMessages, Params(conversation_id, answered_through, *through,
                                                                          static_cast<int64_t>(kMaxClaimedMessages))));
      for (int i = rows.size() - 1; i >= 0; --i) claim.messages.push_back(ReadMessage(rows, i));
      if (!rows.empty()) claim.messages_total = rows.Int(0, 13);
    }
    if (claim.messages.empty()) {
      // Everything pending was unsent by the customer: nothing to answer, so the conversation stops pending.
      STORE_TRY(db.Query(kMarkAnswered, Params(conversation_id, int64_t{0})));
      return attempt;
    }
    STORE_ASSIGN_OR_RETURN(claim.conversation, LoadConversation(db, conversation_id));
    STORE_ASSIGN_OR_RETURN(auto channel, db.Query(kSelectChannel, Params(claim.conversation.channel_id)));
    if (channel.empty()) return Error::Internal("claimed conversation without a channel");
    STORE_ASSIGN_OR_RETURN(claim.channel, ReadChannel(channel, 0, box_));
    attempt.claim = std::move(claim);
    return attempt;
  });
}

Result<CommitResult> PostgresStore::CommitReply(const Claim& claim, const Reply& reply, int64_t now_ms,
                                                std::vector<int64_t>* outbound_ids) {
  std::vector<std::optional<std::string>> details;
  for (const OutboundDraft& draft : reply.messages) {
    details.push_back(OutboundDetailsJson(draft));
  }
  using Committed = std::pair<CommitResult, std::vector<int64_t>>;
  auto committed = Write<Committed>([&](Connection& db, EventNotes& notes) -> Result<Committed> {
    STORE_ASSIGN_OR_RETURN(auto state, db.Query(kConversationClaimState, Params(claim.conversation_id)));
    if (state.empty()) return Error::NotFound("no such conversation");
    const int64_t tenant_id = state.Int(0, 2);
    // A matching token means nobody took the conversation over, even if the lease ran out meanwhile. A reply that is
    // not committed costs nothing: its reservation goes back to the quota.
    if (state.IsNull(0, 0) || state.Text(0, 0) != claim.token) {
      STORE_TRY(SettleReplyUsage(db, tenant_id, reply, false));
      return Committed{CommitResult::kLost, {}};
    }
    // A newer customer message, or a person who took over, makes this reply stale.
    if (state.Int(0, 1) != claim.inbound_seq || state.Text(0, 4) == "human") {
      STORE_TRY(db.Query(kReleaseClaim, Params(claim.conversation_id, claim.token)));
      STORE_TRY(SettleReplyUsage(db, tenant_id, reply, false));
      return Committed{CommitResult::kSuperseded, {}};
    }
    const int64_t channel_id = state.Int(0, 3);
    std::vector<int64_t> ids;
    for (size_t i = 0; i < reply.messages.size(); ++i) {
      const OutboundDraft& draft = reply.messages[i];
      STORE_ASSIGN_OR_RETURN(auto inserted,
                             db.Query(kInsertOutbound, Params(tenant_id, claim.conversation_id, channel_id,
                                                              ToString(draft.type), draft.text, now_ms, details[i])));
      ids.push_back(inserted.Int(0, 0));
      AppendEvent(notes, tenant_id, EventType::kMessageCreated, MessageEventData(claim.conversation_id, ids.back()),
                  now_ms);
    }
    if (reply.decision) {
      std::optional<int64_t> first;
      if (!ids.empty()) first = ids.front();
      STORE_TRY(db.Query(kInsertReplyTrace, Params(tenant_id, claim.conversation_id, first, ToString(*reply.decision),
                                                   ToString(reply.reason), reply.trace, now_ms)));
    }
    STORE_TRY(db.Query(kMarkAnswered, Params(claim.conversation_id, ids.empty() ? int64_t{0} : now_ms)));
    if (reply.hand_off) {
      std::optional<int64_t> human_until;
      if (reply.human_idle_ms > 0) human_until = now_ms + reply.human_idle_ms;
      STORE_TRY(db.Query(kHandOff, Params(claim.conversation_id, ToString(reply.reason), human_until)));
      STORE_ASSIGN_OR_RETURN(auto opened,
                             db.Query(kOpenSupportItem, Params(claim.conversation_id, ToString(reply.reason), now_ms,
                                                               ToString(reply.priority), reply.draft)));
      if (!opened.empty()) {
        AppendEvent(notes, tenant_id, EventType::kSupportOpened,
                    SupportEventData(opened.Int(0, 0), claim.conversation_id), now_ms);
      }
    }
    if (reply.hand_off || !ids.empty()) {
      AppendEvent(notes, tenant_id, EventType::kConversationUpdated, ConversationEventData(claim.conversation_id),
                  now_ms);
    }
    STORE_TRY(SettleReplyUsage(db, tenant_id, reply, true));
    if (reply.usage && reply.usage->credits != 0) {
      STORE_TRY(db.Query(kAddCredits, Params(tenant_id, AnalyticsSlotOf(now_ms), channel_id, reply.usage->credits)));
    }
    return Committed{CommitResult::kCommitted, std::move(ids)};
  });
  if (!committed) return committed.error();
  if (outbound_ids != nullptr) *outbound_ids = std::move(committed->second);
  return committed->first;
}

Result<void> PostgresStore::ReleaseClaim(int64_t conversation_id, const std::string& token) {
  return Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
    STORE_TRY(db.Query(kReleaseClaim, Params(conversation_id, token)));
    return Ok();
  });
}

Result<std::vector<StoredMessage>> PostgresStore::RecentMessages(int64_t conversation_id, int64_t before_id,
                                                                 int limit) {
  return Read<std::vector<StoredMessage>>([&](Connection& db) -> Result<std::vector<StoredMessage>> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kRecentMessages, Params(conversation_id, before_id,
                                                                       std::clamp(limit, 0, kMaxRecentMessages))));
    std::vector<StoredMessage> messages;
    for (int i = rows.size() - 1; i >= 0; --i) messages.push_back(ReadMessage(rows, i));
    return messages;
  });
}

Result<Conversation> PostgresStore::SetConversationMode(int64_t tenant_id, int64_t conversation_id,
                                                        const std::string& mode, const std::string& reason,
                                                        int64_t human_idle_ms, int64_t now_ms) {
  if (mode != "bot" && mode != "human") return Error::InvalidArgument("mode must be bot or human");
  return Write<Conversation>([&](Connection& db, EventNotes& notes) -> Result<Conversation> {
    STORE_ASSIGN_OR_RETURN(auto owned, db.Query(kLockConversationOfTenant, Params(conversation_id, tenant_id)));
    if (owned.empty()) return Error::NotFound("no such conversation");
    if (mode == "human") {
      std::optional<int64_t> human_until;
      if (human_idle_ms > 0) human_until = now_ms + human_idle_ms;
      STORE_TRY(db.Query(
          kTakeOver, Params(conversation_id, now_ms, reason.empty() ? std::string("manual") : reason, human_until)));
    } else {
      STORE_TRY(db.Query(kHandBack, Params(conversation_id)));
      STORE_TRY(ResolveSupportItemsOf(db, notes, tenant_id, conversation_id, "hand_back", now_ms));
    }
    AppendEvent(notes, tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms);
    return LoadConversation(db, conversation_id);
  });
}

Result<std::vector<ReplyTrace>> PostgresStore::ListReplyTraces(int64_t tenant_id, int64_t conversation_id) {
  return Read<std::vector<ReplyTrace>>([&](Connection& db) -> Result<std::vector<ReplyTrace>> {
    STORE_ASSIGN_OR_RETURN(auto owned, db.Query(kConversationOfTenant, Params(conversation_id, tenant_id)));
    if (owned.empty()) return Error::NotFound("no such conversation");
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kReplyTraces, Params(conversation_id)));
    std::vector<ReplyTrace> traces;
    for (int i = 0; i < rows.size(); ++i) traces.push_back(ReadReplyTrace(rows, i));
    return traces;
  });
}

}  // namespace parley::store::postgres
