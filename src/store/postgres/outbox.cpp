// PostgresStore's outbox: the replies queued for sending (the bot's and people's), the lease under which each is
// sent (one sender among all processes, oldest first per conversation, retried later after a transient failure),
// and the outcome of each send, with the statuses that reached Parley before that outcome. The rules are the SQLite
// backend's (sqlite/outbox.cpp); a lease is taken by a conditional UPDATE, so of two senders one gets it and the
// other reads the live lease on its next look.

#include "core/crypto.h"
#include "core/time.h"
#include "store/event_data.h"
#include "store/messaging_window.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"

#include <boost/json/parse.hpp>

#include <map>
#include <utility>

namespace parley::store::postgres {
namespace {

#define PG_OUTBOUND_SELECT                                                                                     \
  "SELECT m.id, m.conversation_id, m.tenant_id, m.channel_id, ct.platform_id, m.type, COALESCE(m.text, ''),"   \
  " COALESCE(m.details->>'reply_to', ''), COALESCE((m.details->>'human_agent')::boolean, FALSE),"              \
  " (m.details->'template')::text, COALESCE(m.details->>'comment_reply', ''),"                                 \
  " md.public_id, COALESCE(md.file_key, ''), COALESCE(md.mime_type, ''), md.bytes,"                            \
  " COALESCE(m.details->'media'->>'filename', '')"                                                             \
  " FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id" \
  " LEFT JOIN media md ON md.message_id = m.id"
constexpr char kQueuedOutbound[] =
    PG_OUTBOUND_SELECT " WHERE m.status = 'queued' AND m.direction = 'out' ORDER BY m.id";
constexpr char kOutboundById[] = PG_OUTBOUND_SELECT " WHERE m.id = $1 AND m.direction = 'out'";
#undef PG_OUTBOUND_SELECT
constexpr char kSelectChannel[] = "SELECT " PG_CHANNEL_COLUMNS " FROM channels WHERE id = $1";

// Locked: two send results for one message (a retry racing its first attempt) are recorded one after the other.
constexpr char kSendState[] =
    "SELECT status, conversation_id, tenant_id FROM messages WHERE id = $1 AND direction = 'out' FOR UPDATE";
// Only a queued message takes the send result: a webhook may already have moved it further.
constexpr char kRecordSend[] =
    "UPDATE messages SET send_token = NULL, send_lease_until = NULL, next_attempt_at = NULL,"
    " platform_message_id = CASE WHEN platform_message_id = '' THEN $2 ELSE platform_message_id END,"
    " error_code = CASE WHEN status = 'queued' AND $3 = 'failed' THEN $4 ELSE error_code END,"
    " error_title = CASE WHEN status = 'queued' AND $3 = 'failed' THEN $5 ELSE error_title END,"
    " error_detail = CASE WHEN status = 'queued' AND $3 = 'failed' THEN $6 ELSE error_detail END,"
    " status = CASE WHEN status = 'queued' THEN $3 ELSE status END"
    " WHERE id = $1 AND direction = 'out'";
// A message whose last send failed is a customer left unanswered: a person is told (one open item per
// conversation).
constexpr char kOpenSupportItem[] =
    "INSERT INTO support_items (tenant_id, conversation_id, reason, created_at)"
    " SELECT tenant_id, id, 'send_failed', $2 FROM conversations WHERE id = $1 ON CONFLICT DO NOTHING RETURNING id";
constexpr char kEarlyStatusesFor[] =
    "SELECT e.status, e.error_code, e.error_title, e.error_detail, m.status, m.channel_id FROM messages m"
    " JOIN early_statuses e ON e.channel_id = m.channel_id AND e.platform_message_id = m.platform_message_id"
    " WHERE m.id = $1";
constexpr char kForgetEarlyStatuses[] =
    "DELETE FROM early_statuses WHERE (channel_id = $1 AND platform_message_id = $2) OR received_at < $3";
constexpr char kSetOutboundStatus[] =
    "UPDATE messages SET status = $2,"
    " error_code = CASE WHEN $2 = 'failed' THEN $3 ELSE error_code END,"
    " error_title = CASE WHEN $2 = 'failed' THEN $4 ELSE error_title END,"
    " error_detail = CASE WHEN $2 = 'failed' THEN $5 ELSE error_detail END"
    " WHERE id = $1";
// The conversation's oldest queued message, with its lease, its retry state and the start of its messaging window
// (the customer's last message of any kind; for a template, which needs no window, when it was queued).
constexpr char kNextQueued[] =
    "SELECT m.id, m.send_token, m.send_lease_until, m.next_attempt_at, m.send_attempts,"
    " CASE WHEN m.details->'template' IS NULL THEN COALESCE(" PG_CUSTOMER_WROTE_AT
    ", m.created_at)"
    "   ELSE m.created_at END,"
    " COALESCE((m.details->>'human_agent')::boolean, FALSE), m.platform_message_id, m.tenant_id"
    " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
    " WHERE m.conversation_id = $1 AND m.status = 'queued' AND m.direction = 'out' ORDER BY m.id LIMIT 1";
// The platform echoed it back (the echo filled in its id): an attempt that seemed to fail went through after all.
constexpr char kEchoedAsSent[] =
    "UPDATE messages SET status = 'sent', send_token = NULL, send_lease_until = NULL, next_attempt_at = NULL"
    " WHERE id = $1 AND status = 'queued'";
// Taken only if nobody else took it since it was read ($4: now).
constexpr char kTakeSendLease[] =
    "UPDATE messages SET send_token = $2, send_lease_until = $3 WHERE id = $1 AND status = 'queued'"
    " AND (send_token IS NULL OR send_lease_until <= $4) AND (next_attempt_at IS NULL OR next_attempt_at <= $4)";
constexpr char kDeferSend[] =
    "UPDATE messages SET send_token = NULL, send_lease_until = NULL, send_attempts = send_attempts + 1,"
    " next_attempt_at = $3, error_code = $4, error_title = $5, error_detail = $6"
    " WHERE id = $1 AND send_token = $2 AND status = 'queued'";

constexpr int64_t kEarlyStatusLifetimeMs = int64_t{24} * 3600 * 1000;
// Looks at the conversation's queue again after losing a lease to another sender, at most this often.
constexpr int kLeaseRaces = 8;

// Outbound messages of `rows` (kQueuedOutbound's columns) with their channels, each token unsealed once.
Result<std::vector<OutboundMessage>> ReadOutbound(Connection& db, const Rows& rows, const crypto::SecretBox& box) {
  std::vector<OutboundMessage> messages;
  std::map<int64_t, Channel> channels;  // Few channels, many messages.
  for (int i = 0; i < rows.size(); ++i) {
    OutboundMessage m;
    m.id = rows.Int(i, 0);
    m.conversation_id = rows.Int(i, 1);
    m.tenant_id = rows.Int(i, 2);
    const int64_t channel_id = rows.Int(i, 3);
    m.recipient_id = rows.String(i, 4);
    m.draft.type = ParseMessageType(rows.Text(i, 5)).value_or(MessageType::kText);
    m.draft.text = rows.String(i, 6);
    m.draft.reply_to = rows.String(i, 7);
    m.draft.human_agent = rows.Bool(i, 8);
    m.draft.comment_reply = ParseCommentReply(rows.Text(i, 10));
    if (!rows.IsNull(i, 9)) {
      // Written by QueuePersonReply from a TemplateMessage: it parses unless edited by hand, and then the message
      // fails to send rather than going out as text the customer's window may no longer accept.
      boost::system::error_code error;
      boost::json::value stored = boost::json::parse(rows.Text(i, 9), error);
      if (!error) m.draft.whatsapp_template = TemplateFromJson(stored);
      if (!m.draft.whatsapp_template) m.draft.whatsapp_template = TemplateMessage{};
    }
    if (!rows.IsNull(i, 11)) {
      m.draft.file = OutboundFile{.type = m.draft.type,
                                  .mime_type = rows.String(i, 13),
                                  .bytes = rows.Int(i, 14),
                                  .filename = rows.String(i, 15),
                                  .file_key = rows.String(i, 12),
                                  .public_id = rows.String(i, 11)};
    }
    auto it = channels.find(channel_id);
    if (it == channels.end()) {
      STORE_ASSIGN_OR_RETURN(auto channel_rows, db.Query(kSelectChannel, Params(channel_id)));
      if (channel_rows.empty()) return Error::Internal("outbound message without a channel");
      STORE_ASSIGN_OR_RETURN(Channel channel, ReadChannel(channel_rows, 0, box));
      it = channels.emplace(channel_id, std::move(channel)).first;
    }
    m.channel = it->second;
    messages.push_back(std::move(m));
  }
  return messages;
}

}  // namespace

Result<OutboundMessage> LoadOutbound(Connection& db, int64_t message_id, const crypto::SecretBox& box) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kOutboundById, Params(message_id)));
  STORE_ASSIGN_OR_RETURN(auto messages, ReadOutbound(db, rows, box));
  if (messages.empty()) return Error::NotFound("no such outbound message");
  return std::move(messages.front());
}

Result<std::vector<OutboundMessage>> PostgresStore::ListQueuedOutbound() {
  return Read<std::vector<OutboundMessage>>([&](Connection& db) -> Result<std::vector<OutboundMessage>> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kQueuedOutbound));
    return ReadOutbound(db, rows, box_);
  });
}

Result<OutboundMessage> PostgresStore::GetOutbound(int64_t message_id) {
  return Read<OutboundMessage>([&](Connection& db) { return LoadOutbound(db, message_id, box_); });
}

Result<void> PostgresStore::RecordSendResult(int64_t message_id, const std::string& platform_message_id,
                                             MessageStatus status, const std::optional<MessageError>& error) {
  if (status != MessageStatus::kSent && status != MessageStatus::kFailed) {
    return Error::InvalidArgument("a send result is sent or failed");
  }
  if (status == MessageStatus::kSent && platform_message_id.empty()) {
    return Error::InvalidArgument("a sent message has a platform id");
  }
  return Write<void>([&](Connection& db, EventNotes& notes) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto state, db.Query(kSendState, Params(message_id)));
    if (state.empty()) return Error::NotFound("no such outbound message");
    const bool was_queued = state.Text(0, 0) == "queued";
    const int64_t conversation_id = state.Int(0, 1);
    const int64_t tenant_id = state.Int(0, 2);
    const int64_t now_ms = NowMs();
    Params record(message_id, platform_message_id, ToString(status));
    if (error) {
      record.Add(error->code).Add(error->title).Add(error->detail);
    } else {
      record.AddNull().AddNull().AddNull();
    }
    STORE_TRY(db.Query(kRecordSend, record));
    if (was_queued) {
      AppendEvent(notes, tenant_id, EventType::kMessageUpdated,
                  MessageStatusEventData(conversation_id, message_id, status,
                                         status == MessageStatus::kFailed ? error : std::nullopt),
                  now_ms);
    }
    if (status != MessageStatus::kSent) {
      if (!was_queued) return Ok();
      STORE_ASSIGN_OR_RETURN(auto opened, db.Query(kOpenSupportItem, Params(conversation_id, now_ms)));
      if (opened.empty()) return Ok();
      AppendEvent(notes, tenant_id, EventType::kSupportOpened, SupportEventData(opened.Int(0, 0), conversation_id),
                  now_ms);
      return Ok();
    }
    // Statuses that came in before this record: apply the most advanced one.
    STORE_ASSIGN_OR_RETURN(auto early, db.Query(kEarlyStatusesFor, Params(message_id)));
    std::optional<StatusUpdate> best;
    int best_rank = -1;
    int64_t channel_id = 0;
    for (int i = 0; i < early.size(); ++i) {
      auto candidate = ParseMessageStatus(early.Text(i, 0));
      auto current = ParseMessageStatus(early.Text(i, 4));
      channel_id = early.Int(i, 5);
      if (!candidate || !current) continue;
      const int rank = OutboundRank(*candidate);
      if (rank <= OutboundRank(*current) || rank <= best_rank) continue;
      best_rank = rank;
      best.emplace();
      best->status = *candidate;
      if (!early.IsNull(i, 1)) {
        best->error = MessageError{static_cast<int>(early.Int(i, 1)), early.String(i, 2), early.String(i, 3)};
      }
    }
    if (channel_id == 0) return Ok();
    if (best) {
      Params apply(message_id, ToString(best->status));
      if (best->error) {
        apply.Add(best->error->code).Add(best->error->title).Add(best->error->detail);
      } else {
        apply.AddNull().AddNull().AddNull();
      }
      STORE_TRY(db.Query(kSetOutboundStatus, apply));
      AppendEvent(notes, tenant_id, EventType::kMessageUpdated,
                  MessageStatusEventData(conversation_id, message_id, best->status,
                                         best->status == MessageStatus::kFailed ? best->error : std::nullopt),
                  now_ms);
    }
    STORE_TRY(db.Query(kForgetEarlyStatuses, Params(channel_id, platform_message_id, now_ms - kEarlyStatusLifetimeMs)));
    return Ok();
  });
}

Result<OutboundAttempt> PostgresStore::LeaseNextOutbound(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) {
  const std::string token = crypto::RandomToken(16);
  return Write<OutboundAttempt>([&](Connection& db, EventNotes& notes) -> Result<OutboundAttempt> {
    OutboundAttempt attempt;
    for (int look = 0; look < kLeaseRaces; ++look) {
      STORE_ASSIGN_OR_RETURN(auto next, db.Query(kNextQueued, Params(conversation_id)));
      if (next.empty()) return attempt;
      const int64_t message_id = next.Int(0, 0);
      if (!next.Text(0, 7).empty()) {
        STORE_ASSIGN_OR_RETURN(auto echoed, db.Query(kEchoedAsSent, Params(message_id)));
        if (echoed.affected() > 0) {
          AppendEvent(notes, next.Int(0, 8), EventType::kMessageUpdated,
                      MessageStatusEventData(conversation_id, message_id, MessageStatus::kSent, std::nullopt), now_ms);
        }
        continue;
      }
      if (!next.IsNull(0, 1) && next.Int(0, 2) > now_ms) {
        attempt.wait_until_ms = next.Int(0, 2);
        return attempt;
      }
      if (!next.IsNull(0, 3) && next.Int(0, 3) > now_ms) {
        attempt.wait_until_ms = next.Int(0, 3);
        return attempt;
      }
      STORE_ASSIGN_OR_RETURN(auto taken,
                             db.Query(kTakeSendLease, Params(message_id, token, now_ms + lease_ms, now_ms)));
      if (taken.affected() == 0) continue;  // Another sender took it since: its lease is read on the next look.
      OutboundLease lease;
      lease.attempts = static_cast<int>(next.Int(0, 4));
      lease.window_ends_at_ms = WindowEndsAt(next.Int(0, 5), next.Bool(0, 6));
      STORE_ASSIGN_OR_RETURN(lease.message, LoadOutbound(db, message_id, box_));
      lease.token = token;
      attempt.lease = std::move(lease);
      return attempt;
    }
    return Error::Unavailable("the outbox is contended", "no lease after repeated races");
  });
}

Result<void> PostgresStore::DeferOutbound(int64_t message_id, const std::string& token, int64_t retry_at_ms,
                                          const MessageError& error) {
  return Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
    STORE_TRY(db.Query(kDeferSend, Params(message_id, token, retry_at_ms, error.code, error.title, error.detail)));
    return Ok();
  });
}

}  // namespace parley::store::postgres
