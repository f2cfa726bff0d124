// SqliteStore's claims and replies: recovery's pending list, the exclusive claim on a conversation, the reply
// committed under it (or the claim released), the agent's traces and the conversation's mode.

#include "core/json.h"
#include "store/sqlite/analytics_store.h"
#include "store/sqlite/billing_store.h"
#include "store/sqlite/conversation_row.h"
#include "store/sqlite/cursor.h"
#include "store/sqlite/event_log.h"
#include "store/sqlite/message_row.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/writer.h"

#include "core/crypto.h"

#include <algorithm>
#include <utility>

namespace parley::store::sqlite {
namespace {

// Statements, named and kept at namespace scope.
// ?1 NULL: every one; otherwise those no claim holds at that time (the condition under which kTakeClaim takes one).
constexpr char kListPending[] =
    "SELECT c.id, c.tenant_id, ch.platform, c.pending_since, c.last_inbound_at FROM conversations c"
    " JOIN channels ch ON ch.id = c.channel_id WHERE c.pending_since IS NOT NULL"
    " AND (?1 IS NULL OR c.claim_token IS NULL OR c.claim_expires_at <= ?1) ORDER BY c.pending_since, c.id";
constexpr char kGetPending[] =
    "SELECT c.id, c.tenant_id, ch.platform, c.pending_since, c.last_inbound_at FROM conversations c"
    " JOIN channels ch ON ch.id = c.channel_id WHERE c.id = ?1 AND c.pending_since IS NOT NULL";
// Takes the claim and records the newest answerable message it covers.
constexpr char kTakeClaim[] =
    "UPDATE conversations SET claim_token = ?2, claim_expires_at = ?3 + ?4,"
    " claim_through_id = (SELECT MAX(m.id) FROM messages m WHERE m.conversation_id = conversations.id"
    "   AND m.id > conversations.answered_through_id AND m.direction = 'in' AND m.answerable = 1)"
    " WHERE id = ?1 AND pending_since IS NOT NULL AND (claim_token IS NULL OR claim_expires_at <= ?3)"
    " RETURNING inbound_seq, answered_through_id, claim_through_id";
constexpr char kClaimHolder[] =
    "SELECT claim_expires_at FROM conversations WHERE id = ?1 AND pending_since IS NOT NULL"
    " AND claim_token IS NOT NULL AND claim_expires_at > ?2";
// The newest ?4 messages a claim covers, newest first, each with how many it covers in all (column 13).
constexpr char kClaimedMessages[] =
    "SELECT " PARLEY_MESSAGE_COLUMNS
    ", COUNT(*) OVER ()"
    " FROM messages WHERE conversation_id = ?1 AND id > ?2 AND id <= ?3 AND direction = 'in' AND answerable = 1"
    " AND status <> 'deleted' ORDER BY id DESC LIMIT ?4";
constexpr char kRecentMessages[] = "SELECT " PARLEY_MESSAGE_COLUMNS
                                   " FROM messages WHERE conversation_id = ?1 AND id < ?2 AND status <> 'deleted'"
                                   " AND type <> 'note' ORDER BY id DESC LIMIT ?3";
// Marks everything the claim covered answered, clears pending state and the claim. ?2: a reply's time, or 0.
constexpr char kMarkAnswered[] =
    "UPDATE conversations SET answered_through_id = MAX(answered_through_id, COALESCE(claim_through_id, 0)),"
    " answered_seq = inbound_seq, pending_since = NULL, last_message_at = MAX(last_message_at, ?2),"
    " claim_token = NULL, claim_expires_at = NULL, claim_through_id = NULL WHERE id = ?1";
constexpr char kReleaseClaim[] =
    "UPDATE conversations SET claim_token = NULL, claim_expires_at = NULL, claim_through_id = NULL"
    " WHERE id = ?1 AND claim_token = ?2";
constexpr char kConversationClaimState[] =
    "SELECT claim_token, inbound_seq, tenant_id, channel_id, mode FROM conversations WHERE id = ?1";
constexpr char kInsertReplyTrace[] =
    "INSERT INTO reply_traces (tenant_id, conversation_id, message_id, decision, reason, trace, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kReplyTraces[] =
    "SELECT " PARLEY_TRACE_COLUMNS " FROM reply_traces WHERE conversation_id = ?1 ORDER BY id";
// Escalation by the agent: the claimed messages are answered (by the hand-off message); later ones wait for people.
constexpr char kHandOff[] =
    "UPDATE conversations SET mode = 'human', handoff_reason = ?2, human_until = ?3 WHERE id = ?1";
// A conversation already waiting for a person keeps its one open item (and its first draft).
constexpr char kOpenSupportItem[] =
    "INSERT INTO support_items (tenant_id, conversation_id, reason, created_at, priority, draft)"
    " SELECT tenant_id, id, ?2, ?3, ?4, ?5 FROM conversations WHERE id = ?1 ON CONFLICT DO NOTHING";
constexpr char kSelectConversation[] = PARLEY_SELECT_CONVERSATION " WHERE c.id = ?1";
constexpr char kInsertOutbound[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, created_at, answerable, details)"
    " VALUES (?1, ?2, ?3, 'out', ?4, ?5, '', 'queued', ?6, 0, ?7)";
constexpr char kConversationOfTenant[] = "SELECT 1 FROM conversations WHERE id = ?1 AND tenant_id = ?2";

}  // namespace

Result<std::vector<PendingConversation>> SqliteStore::ListPendingConversations(std::optional<int64_t> unclaimed_at_ms) {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kListPending));
  select.Bind(1, unclaimed_at_ms);
  std::vector<PendingConversation> pending;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    pending.push_back({select.Int(0), select.Int(1), Platform(select.Text(2)), select.Int(3),
                       select.OptionalInt(4).value_or(select.Int(3))});
  }
  return pending;
}

Result<std::optional<PendingConversation>> SqliteStore::GetPendingConversation(int64_t conversation_id) {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kGetPending));
  select.Bind(1, conversation_id);
  STORE_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return std::optional<PendingConversation>();
  return PendingConversation{select.Int(0), select.Int(1), Platform(select.Text(2)), select.Int(3),
                             select.OptionalInt(4).value_or(select.Int(3))};
}

Result<Store::ClaimAttempt> SqliteStore::ClaimConversation(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) {
  std::string token = crypto::RandomToken(16);
  return WriteSync<ClaimAttempt>(
      [&](Writer& w) -> Result<ClaimAttempt> {
        Database& db = w.db();
        ClaimAttempt attempt;
        Claim claim;
        claim.conversation_id = conversation_id;
        claim.token = token;
        int64_t answered_through = 0;
        std::optional<int64_t> through;
        {
          STORE_ASSIGN_OR_RETURN(auto take, db.Prepare(kTakeClaim));
          take.Bind(1, conversation_id).Bind(2, token).Bind(3, now_ms).Bind(4, lease_ms);
          STORE_ASSIGN_OR_RETURN(bool taken, take.Step());
          if (!taken) {
            // Held by a live claim, nothing pending, or no such conversation: only the first has a holder.
            STORE_ASSIGN_OR_RETURN(auto state, db.Prepare(kClaimHolder));
            STORE_ASSIGN_OR_RETURN(bool held, state.Bind(1, conversation_id).Bind(2, now_ms).Step());
            if (held) attempt.held_until_ms = state.Int(0);
            return attempt;
          }
          claim.inbound_seq = take.Int(0);
          answered_through = take.Int(1);
          through = take.OptionalInt(2);
        }
        if (through) {
          STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kClaimedMessages));
          select.Bind(1, conversation_id).Bind(2, answered_through).Bind(3, *through).Bind(4, kMaxClaimedMessages);
          while (true) {
            STORE_ASSIGN_OR_RETURN(bool row, select.Step());
            if (!row) break;
            claim.messages.push_back(ReadMessage(select));
            claim.messages_total = select.Int(13);
          }
          std::reverse(claim.messages.begin(), claim.messages.end());
        }
        if (claim.messages.empty()) {
          // Everything pending was unsent by the customer: nothing to answer, so the conversation stops pending.
          STORE_ASSIGN_OR_RETURN(auto answered, db.Prepare(kMarkAnswered));
          STORE_TRY(answered.Bind(1, conversation_id).Bind(2, 0).Run());
          return attempt;
        }
        {
          STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectConversation));
          STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, conversation_id).Step());
          if (!found) return Error::Internal("claimed conversation vanished");
          claim.conversation = ReadConversation(select);
        }
        STORE_ASSIGN_OR_RETURN(claim.channel, LoadChannel(db, claim.conversation.channel_id));
        attempt.claim = std::move(claim);
        return attempt;
      },
      /*durable=*/false, WriteKind::kClaim);
}

Result<CommitResult> SqliteStore::CommitReply(const Claim& claim, const Reply& reply, int64_t now_ms,
                                              std::vector<int64_t>* outbound_ids) {
  std::vector<std::string> details;
  for (const OutboundDraft& draft : reply.messages) {
    details.push_back(OutboundDetailsJson(draft).value_or(""));
  }
  auto committed = WriteSync<std::pair<CommitResult, std::vector<int64_t>>>(
      [&](Writer& w) -> Result<std::pair<CommitResult, std::vector<int64_t>>> {
        Database& db = w.db();
        int64_t tenant_id = 0;
        int64_t channel_id = 0;
        {
          STORE_ASSIGN_OR_RETURN(auto state, db.Prepare(kConversationClaimState));
          STORE_ASSIGN_OR_RETURN(bool found, state.Bind(1, claim.conversation_id).Step());
          if (!found) return Error::NotFound("no such conversation");
          // A matching token means nobody took the conversation over, even if the lease ran out meanwhile.
          tenant_id = state.Int(2);
          // A reply that is not committed costs nothing: its reservation goes back to the quota.
          if (state.IsNull(0) || state.Text(0) != claim.token) {
            STORE_TRY(SettleReplyUsage(db, tenant_id, reply, false));
            return std::pair{CommitResult::kLost, std::vector<int64_t>{}};
          }
          // A newer customer message, or a person who took over, makes this reply stale.
          if (state.Int(1) != claim.inbound_seq || state.Text(4) == "human") {
            STORE_ASSIGN_OR_RETURN(auto release, db.Prepare(kReleaseClaim));
            STORE_TRY(release.Bind(1, claim.conversation_id).Bind(2, claim.token).Run());
            STORE_TRY(SettleReplyUsage(db, tenant_id, reply, false));
            return std::pair{CommitResult::kSuperseded, std::vector<int64_t>{}};
          }
          channel_id = state.Int(3);
        }
        std::vector<int64_t> ids;
        for (size_t i = 0; i < reply.messages.size(); ++i) {
          const OutboundDraft& draft = reply.messages[i];
          STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertOutbound));
          insert.Bind(1, tenant_id).Bind(2, claim.conversation_id).Bind(3, channel_id).Bind(4, ToString(draft.type));
          insert.Bind(5, draft.text).Bind(6, now_ms);
          if (!details[i].empty()) insert.Bind(7, details[i]);
          STORE_TRY(insert.Run());
          ids.push_back(db.LastInsertRowid());
          STORE_TRY(AppendEvent(tenant_id, EventType::kMessageCreated,
                                MessageEventData(claim.conversation_id, ids.back()), now_ms));
        }
        if (reply.decision) {
          STORE_ASSIGN_OR_RETURN(auto trace, db.Prepare(kInsertReplyTrace));
          trace.Bind(1, tenant_id).Bind(2, claim.conversation_id);
          if (!ids.empty()) trace.Bind(3, ids.front());
          trace.Bind(4, ToString(*reply.decision)).Bind(5, ToString(reply.reason)).Bind(6, reply.trace).Bind(7, now_ms);
          STORE_TRY(trace.Run());
        }
        STORE_ASSIGN_OR_RETURN(auto answered, db.Prepare(kMarkAnswered));
        STORE_TRY(answered.Bind(1, claim.conversation_id).Bind(2, ids.empty() ? 0 : now_ms).Run());
        if (reply.hand_off) {
          STORE_ASSIGN_OR_RETURN(auto hand_off, db.Prepare(kHandOff));
          hand_off.Bind(1, claim.conversation_id).Bind(2, ToString(reply.reason));
          if (reply.human_idle_ms > 0) hand_off.Bind(3, now_ms + reply.human_idle_ms);
          STORE_TRY(hand_off.Run());
          STORE_ASSIGN_OR_RETURN(auto support, db.Prepare(kOpenSupportItem));
          support.Bind(1, claim.conversation_id).Bind(2, ToString(reply.reason)).Bind(3, now_ms);
          support.Bind(4, ToString(reply.priority));
          if (reply.draft) support.Bind(5, *reply.draft);
          STORE_TRY(support.Run());
          if (db.Changes() > 0) {
            STORE_TRY(AppendEvent(tenant_id, EventType::kSupportOpened,
                                  SupportEventData(db.LastInsertRowid(), claim.conversation_id), now_ms));
          }
        }
        if (reply.hand_off || !ids.empty()) {
          STORE_TRY(AppendEvent(tenant_id, EventType::kConversationUpdated,
                                ConversationEventData(claim.conversation_id), now_ms));
        }
        STORE_TRY(SettleReplyUsage(db, tenant_id, reply, true));
        if (reply.usage) STORE_TRY(AddReplyCredits(db, tenant_id, channel_id, reply.usage->credits, now_ms));
        return std::pair{CommitResult::kCommitted, std::move(ids)};
      },
      /*durable=*/true, WriteKind::kReply);
  if (!committed) return committed.error();
  if (outbound_ids != nullptr) *outbound_ids = std::move(committed->second);
  return committed->first;
}

Result<std::vector<StoredMessage>> SqliteStore::RecentMessages(int64_t conversation_id, int64_t before_id, int limit) {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kRecentMessages));
  select.Bind(1, conversation_id).Bind(2, before_id).Bind(3, std::clamp(limit, 0, kMaxPageSize));
  std::vector<StoredMessage> messages;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    messages.push_back(ReadMessage(select));
  }
  std::reverse(messages.begin(), messages.end());
  return messages;
}

Result<Conversation> SqliteStore::SetConversationMode(int64_t tenant_id, int64_t conversation_id,
                                                      const std::string& mode, const std::string& reason,
                                                      int64_t human_idle_ms, int64_t now_ms) {
  if (mode != "bot" && mode != "human") return Error::InvalidArgument("mode must be bot or human");
  auto updated = WriteSync<Conversation>([&](Writer& w) -> Result<Conversation> {
    Database& db = w.db();
    STORE_ASSIGN_OR_RETURN(auto owned, db.Prepare(kConversationOfTenant));
    STORE_ASSIGN_OR_RETURN(bool found, owned.Bind(1, conversation_id).Bind(2, tenant_id).Step());
    if (!found) return Error::NotFound("no such conversation");
    if (mode == "human") {
      STORE_ASSIGN_OR_RETURN(auto take_over, db.Prepare(kTakeOver));
      take_over.Bind(1, conversation_id).Bind(2, now_ms).Bind(3, reason.empty() ? std::string_view("manual") : reason);
      if (human_idle_ms > 0) take_over.Bind(4, now_ms + human_idle_ms);
      STORE_TRY(take_over.Run());
    } else {
      STORE_ASSIGN_OR_RETURN(auto hand_back, db.Prepare(kHandBack));
      STORE_TRY(hand_back.Bind(1, conversation_id).Run());
      STORE_TRY(ResolveSupportItemsOf(*this, db, tenant_id, conversation_id, "hand_back", now_ms));
    }
    STORE_TRY(AppendEvent(tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms));
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectConversation));
    STORE_ASSIGN_OR_RETURN(bool row, select.Bind(1, conversation_id).Step());
    if (!row) return Error::Internal("conversation vanished");
    return ReadConversation(select);
  });
  return updated;
}

Result<std::vector<ReplyTrace>> SqliteStore::ListReplyTraces(int64_t tenant_id, int64_t conversation_id) {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  {
    STORE_ASSIGN_OR_RETURN(auto owned, (*reader).Prepare(kConversationOfTenant));
    STORE_ASSIGN_OR_RETURN(bool found, owned.Bind(1, conversation_id).Bind(2, tenant_id).Step());
    if (!found) return Error::NotFound("no such conversation");
  }
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kReplyTraces));
  select.Bind(1, conversation_id);
  std::vector<ReplyTrace> traces;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    traces.push_back(ReadReplyTrace(select));
  }
  return traces;
}

Result<void> SqliteStore::ReleaseClaim(int64_t conversation_id, const std::string& token) {
  return WriteSync<void>(
      [&](Writer& w) -> Result<void> {
        STORE_ASSIGN_OR_RETURN(auto release, w.db().Prepare(kReleaseClaim));
        return release.Bind(1, conversation_id).Bind(2, token).Run();
      },
      /*durable=*/false, WriteKind::kClaim);
}

}  // namespace parley::store::sqlite
