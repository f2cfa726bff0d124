// SqliteStore's outbox: the replies queued for sending (the bot's and people's), the lease under which each is
// sent (one sender, oldest first per conversation, retried later after a transient failure), and the outcome of
// each send, with the statuses that reached Parley before that outcome.

#include "store/messaging_window.h"
#include "store/sqlite/conversation_row.h"
#include "store/sqlite/event_log.h"
#include "store/sqlite/message_row.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/writer.h"

#include "core/crypto.h"
#include "core/time.h"

#include <boost/json/parse.hpp>

#include <map>
#include <utility>

namespace parley::store::sqlite {
namespace {

// Statements, named and kept at namespace scope.
constexpr char kQueuedOutbound[] =
    "SELECT m.id, m.conversation_id, m.tenant_id, m.channel_id, ct.platform_id, m.type, COALESCE(m.text, ''),"
    " COALESCE(json_extract(m.details, '$.reply_to'), ''), COALESCE(json_extract(m.details, '$.human_agent'), 0),"
    " json_extract(m.details, '$.template'), COALESCE(json_extract(m.details, '$.comment_reply'), ''),"
    " md.public_id, COALESCE(md.file_key, ''), COALESCE(md.mime_type, ''), md.bytes,"
    " COALESCE(json_extract(m.details, '$.media.filename'), '')"
    " FROM messages m"
    " JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id"
    " LEFT JOIN media md ON md.message_id = m.id"
    " WHERE m.status = 'queued' AND m.direction = 'out' ORDER BY m.id";
constexpr char kOutboundById[] =
    "SELECT m.id, m.conversation_id, m.tenant_id, m.channel_id, ct.platform_id, m.type, COALESCE(m.text, ''),"
    " COALESCE(json_extract(m.details, '$.reply_to'), ''), COALESCE(json_extract(m.details, '$.human_agent'), 0),"
    " json_extract(m.details, '$.template'), COALESCE(json_extract(m.details, '$.comment_reply'), ''),"
    " md.public_id, COALESCE(md.file_key, ''), COALESCE(md.mime_type, ''), md.bytes,"
    " COALESCE(json_extract(m.details, '$.media.filename'), '')"
    " FROM messages m"
    " JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id"
    " LEFT JOIN media md ON md.message_id = m.id"
    " WHERE m.id = ?1 AND m.direction = 'out'";
constexpr char kEarlyStatusesFor[] =
    "SELECT e.status, e.error_code, e.error_title, e.error_detail, m.status, m.channel_id FROM messages m"
    " JOIN early_statuses e ON e.channel_id = m.channel_id AND e.platform_message_id = m.platform_message_id"
    " WHERE m.id = ?1";
constexpr char kForgetEarlyStatuses[] =
    "DELETE FROM early_statuses WHERE (channel_id = ?1 AND platform_message_id = ?2) OR received_at < ?3";
// Only a queued message takes the send result: a webhook may already have moved it further.
constexpr char kRecordSend[] =
    "UPDATE messages SET send_token = NULL, send_lease_until = NULL, next_attempt_at = NULL,"
    " platform_message_id = CASE WHEN platform_message_id = '' THEN ?2 ELSE platform_message_id END,"
    " error_code = CASE WHEN status = 'queued' AND ?3 = 'failed' THEN ?4 ELSE error_code END,"
    " error_title = CASE WHEN status = 'queued' AND ?3 = 'failed' THEN ?5 ELSE error_title END,"
    " error_detail = CASE WHEN status = 'queued' AND ?3 = 'failed' THEN ?6 ELSE error_detail END,"
    " status = CASE WHEN status = 'queued' THEN ?3 ELSE status END"
    " WHERE id = ?1 AND direction = 'out'";

constexpr char kSendState[] =
    "SELECT status, conversation_id, tenant_id FROM messages WHERE id = ?1 AND direction = 'out'";
// A message whose last send failed is a customer left unanswered: a person is told (one open item per
// conversation).
constexpr char kOpenSupportItem[] =
    "INSERT INTO support_items (tenant_id, conversation_id, reason, created_at)"
    " SELECT tenant_id, id, 'send_failed', ?2 FROM conversations WHERE id = ?1 ON CONFLICT DO NOTHING";

// The conversation's oldest queued message, with its lease, its retry state and the start of its messaging window
// (the customer's last message of any kind; for a template, which needs no window, when it was queued).
constexpr char kNextQueued[] =
    "SELECT m.id, m.send_token, m.send_lease_until, m.next_attempt_at, m.send_attempts,"
    " CASE WHEN json_extract(m.details, '$.template') IS NULL THEN COALESCE(" PARLEY_CUSTOMER_WROTE_AT
    ", m.created_at)"
    "   ELSE m.created_at END,"
    " COALESCE(json_extract(m.details, '$.human_agent'), 0), m.platform_message_id"
    " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
    " WHERE m.conversation_id = ?1 AND m.status = 'queued' AND m.direction = 'out' ORDER BY m.id LIMIT 1";
// The platform echoed it back (the echo filled in its id): an attempt that seemed to fail went through after all.
constexpr char kEchoedAsSent[] =
    "UPDATE messages SET status = 'sent', send_token = NULL, send_lease_until = NULL, next_attempt_at = NULL"
    " WHERE id = ?1";
constexpr char kMessageOwner[] = "SELECT tenant_id, conversation_id FROM messages WHERE id = ?1";
constexpr char kTakeSendLease[] = "UPDATE messages SET send_token = ?2, send_lease_until = ?3 WHERE id = ?1";
constexpr char kDeferSend[] =
    "UPDATE messages SET send_token = NULL, send_lease_until = NULL, send_attempts = send_attempts + 1,"
    " next_attempt_at = ?3, error_code = ?4, error_title = ?5, error_detail = ?6"
    " WHERE id = ?1 AND send_token = ?2 AND status = 'queued'";

}  // namespace

Result<OutboundAttempt> SqliteStore::LeaseNextOutbound(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) {
  std::string token = crypto::RandomToken(16);
  return WriteSync<OutboundAttempt>(
      [&](Writer& w) -> Result<OutboundAttempt> {
        Database& db = w.db();
        OutboundAttempt attempt;
        int64_t message_id = 0;
        OutboundLease lease;
        while (true) {
          STORE_ASSIGN_OR_RETURN(auto next, db.Prepare(kNextQueued));
          STORE_ASSIGN_OR_RETURN(bool found, next.Bind(1, conversation_id).Step());
          if (!found) return attempt;
          message_id = next.Int(0);
          if (!next.Text(7).empty()) {
            STORE_ASSIGN_OR_RETURN(auto echoed, db.Prepare(kEchoedAsSent));
            STORE_TRY(echoed.Bind(1, message_id).Run());
            STORE_ASSIGN_OR_RETURN(auto owner, db.Prepare(kMessageOwner));
            STORE_TRY(owner.Bind(1, message_id).Step());
            STORE_TRY(AppendEvent(
                owner.Int(0), EventType::kMessageUpdated,
                MessageStatusEventData(conversation_id, message_id, MessageStatus::kSent, std::nullopt), now_ms));
            continue;
          }
          if (!next.IsNull(1) && next.Int(2) > now_ms) {
            attempt.wait_until_ms = next.Int(2);
            return attempt;
          }
          if (!next.IsNull(3) && next.Int(3) > now_ms) {
            attempt.wait_until_ms = next.Int(3);
            return attempt;
          }
          lease.attempts = static_cast<int>(next.Int(4));
          lease.window_ends_at_ms = WindowEndsAt(next.Int(5), next.Int(6) != 0);
          break;
        }
        STORE_ASSIGN_OR_RETURN(auto take, db.Prepare(kTakeSendLease));
        STORE_TRY(take.Bind(1, message_id).Bind(2, token).Bind(3, now_ms + lease_ms).Run());
        STORE_ASSIGN_OR_RETURN(auto messages, LoadOutbound(db, message_id));
        if (messages.empty()) return Error::Internal("leased message vanished");
        lease.message = std::move(messages.front());
        lease.token = token;
        attempt.lease = std::move(lease);
        return attempt;
      },
      /*durable=*/false, WriteKind::kOutbox);
}

Result<void> SqliteStore::DeferOutbound(int64_t message_id, const std::string& token, int64_t retry_at_ms,
                                        const MessageError& error) {
  return WriteSync<void>(
      [&](Writer& w) -> Result<void> {
        STORE_ASSIGN_OR_RETURN(auto defer, w.db().Prepare(kDeferSend));
        defer.Bind(1, message_id).Bind(2, token).Bind(3, retry_at_ms);
        return defer.Bind(4, error.code).Bind(5, error.title).Bind(6, error.detail).Run();
      },
      /*durable=*/true, WriteKind::kOutbox);
}

Result<std::vector<OutboundMessage>> SqliteStore::LoadOutbound(Database& db, std::optional<int64_t> message_id) {
  std::vector<OutboundMessage> messages;
  std::vector<int64_t> channel_ids;
  {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(message_id ? kOutboundById : kQueuedOutbound));
    if (message_id) select.Bind(1, *message_id);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      OutboundMessage m;
      m.id = select.Int(0);
      m.conversation_id = select.Int(1);
      m.tenant_id = select.Int(2);
      channel_ids.push_back(select.Int(3));
      m.recipient_id = select.String(4);
      m.draft.type = ParseMessageType(select.Text(5)).value_or(MessageType::kText);
      m.draft.text = select.String(6);
      m.draft.reply_to = select.String(7);
      m.draft.human_agent = select.Int(8) != 0;
      m.draft.comment_reply = ParseCommentReply(select.Text(10));
      if (!select.IsNull(9)) {
        // Written by QueuePersonReply from a TemplateMessage: it parses unless edited by hand, and then the message
        // fails to send rather than going out as text the customer's window may no longer accept.
        boost::system::error_code error;
        boost::json::value stored = boost::json::parse(select.Text(9), error);
        if (!error) m.draft.whatsapp_template = TemplateFromJson(stored);
        if (!m.draft.whatsapp_template) m.draft.whatsapp_template = TemplateMessage{};
      }
      if (!select.IsNull(11)) {
        m.draft.file = OutboundFile{.type = m.draft.type,
                                    .mime_type = select.String(13),
                                    .bytes = select.Int(14),
                                    .filename = select.String(15),
                                    .file_key = select.String(12),
                                    .public_id = select.String(11)};
      }
      messages.push_back(std::move(m));
    }
  }
  std::map<int64_t, Channel> channels;  // Few channels, many messages: unseal each token once.
  for (size_t i = 0; i < messages.size(); ++i) {
    auto it = channels.find(channel_ids[i]);
    if (it == channels.end()) {
      STORE_ASSIGN_OR_RETURN(Channel channel, LoadChannel(db, channel_ids[i]));
      it = channels.emplace(channel_ids[i], std::move(channel)).first;
    }
    messages[i].channel = it->second;
  }
  return messages;
}

Result<std::vector<OutboundMessage>> SqliteStore::ListQueuedOutbound() {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  return LoadOutbound(*reader, std::nullopt);
}

Result<OutboundMessage> SqliteStore::GetOutbound(int64_t message_id) {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  STORE_ASSIGN_OR_RETURN(auto messages, LoadOutbound(*reader, message_id));
  if (messages.empty()) return Error::NotFound("no such outbound message");
  return std::move(messages.front());
}

Result<void> SqliteStore::RecordSendResult(int64_t message_id, const std::string& platform_message_id,
                                           MessageStatus status, const std::optional<MessageError>& error) {
  if (status != MessageStatus::kSent && status != MessageStatus::kFailed) {
    return Error::InvalidArgument("a send result is sent or failed");
  }
  if (status == MessageStatus::kSent && platform_message_id.empty()) {
    return Error::InvalidArgument("a sent message has a platform id");
  }
  return WriteSync<void>(
      [&](Writer& w) -> Result<void> {
        bool was_queued = false;
        int64_t conversation_id = 0;
        int64_t tenant_id = 0;
        {
          STORE_ASSIGN_OR_RETURN(auto state, w.db().Prepare(kSendState));
          STORE_ASSIGN_OR_RETURN(bool found, state.Bind(1, message_id).Step());
          if (!found) return Error::NotFound("no such outbound message");
          was_queued = state.Text(0) == "queued";
          conversation_id = state.Int(1);
          tenant_id = state.Int(2);
        }
        const int64_t now_ms = NowMs();
        STORE_ASSIGN_OR_RETURN(auto update, w.db().Prepare(kRecordSend));
        update.Bind(1, message_id).Bind(2, platform_message_id).Bind(3, ToString(status));
        if (error) update.Bind(4, error->code).Bind(5, error->title).Bind(6, error->detail);
        STORE_TRY(update.Run());
        if (w.db().Changes() == 0) return Error::NotFound("no such outbound message");
        if (was_queued) {
          STORE_TRY(AppendEvent(tenant_id, EventType::kMessageUpdated,
                                MessageStatusEventData(conversation_id, message_id, status,
                                                       status == MessageStatus::kFailed ? error : std::nullopt),
                                now_ms));
        }
        if (status != MessageStatus::kSent) {
          if (!was_queued) return Ok();
          STORE_ASSIGN_OR_RETURN(auto support, w.db().Prepare(kOpenSupportItem));
          STORE_TRY(support.Bind(1, conversation_id).Bind(2, now_ms).Run());
          if (w.db().Changes() == 0) return Ok();
          STORE_TRY(AppendEvent(tenant_id, EventType::kSupportOpened,
                                SupportEventData(w.db().LastInsertRowid(), conversation_id), now_ms));
          return Ok();
        }
        // Statuses that came in before this record: apply the most advanced one.
        STORE_ASSIGN_OR_RETURN(auto early, w.db().Prepare(kEarlyStatusesFor));
        early.Bind(1, message_id);
        std::optional<StatusUpdate> best;
        int best_rank = -1;
        int64_t channel_id = 0;
        while (true) {
          STORE_ASSIGN_OR_RETURN(bool row, early.Step());
          if (!row) break;
          auto candidate = ParseMessageStatus(early.Text(0));
          auto current = ParseMessageStatus(early.Text(4));
          channel_id = early.Int(5);
          if (!candidate || !current) continue;
          int rank = OutboundRank(*candidate);
          if (rank <= OutboundRank(*current) || rank <= best_rank) continue;
          best_rank = rank;
          best.emplace();
          best->status = *candidate;
          if (!early.IsNull(1))
            best->error =
                MessageError{static_cast<int>(early.Int(1)), std::string(early.Text(2)), std::string(early.Text(3))};
        }
        if (channel_id == 0) return Ok();
        if (best) {
          STORE_ASSIGN_OR_RETURN(auto apply, w.db().Prepare(kSetOutboundStatus));
          apply.Bind(1, message_id).Bind(2, ToString(best->status));
          if (best->error) apply.Bind(3, best->error->code).Bind(4, best->error->title).Bind(5, best->error->detail);
          STORE_TRY(apply.Run());
          STORE_TRY(
              AppendEvent(tenant_id, EventType::kMessageUpdated,
                          MessageStatusEventData(conversation_id, message_id, best->status,
                                                 best->status == MessageStatus::kFailed ? best->error : std::nullopt),
                          now_ms));
        }
        constexpr int64_t kEarlyStatusLifetimeMs = int64_t{24} * 3600 * 1000;
        STORE_ASSIGN_OR_RETURN(auto forget, w.db().Prepare(kForgetEarlyStatuses));
        STORE_TRY(
            forget.Bind(1, channel_id).Bind(2, platform_message_id).Bind(3, NowMs() - kEarlyStatusLifetimeMs).Run());
        return Ok();
      },
      /*durable=*/true, WriteKind::kOutbox);
}

}  // namespace parley::store::sqlite
