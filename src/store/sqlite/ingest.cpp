// SqliteStore's inbound path: the writer applies each webhook payload (messages, statuses, deletions and the
// business's own echoes) inside the group transaction, with caches of channel routes and contacts.

#include "store/message_details.h"
#include "store/sqlite/conversation_row.h"
#include "store/sqlite/event_log.h"
#include "store/sqlite/message_row.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/writer.h"

#include "core/time.h"

#include <algorithm>

namespace parley::store::sqlite {
namespace {

// Statements, named and kept at namespace scope.
// Only live channels receive: a removed channel's account is unknown.
constexpr char kResolveChannel[] =
    "SELECT id, tenant_id, enabled FROM channels WHERE platform = ?1 AND account_id = ?2 AND removed_at IS NULL";

constexpr char kSelectContact[] = "SELECT id, name FROM contacts WHERE channel_id = ?1 AND platform_id = ?2";
constexpr char kInsertContact[] =
    "INSERT INTO contacts (tenant_id, channel_id, platform_id, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char kRenameContact[] = "UPDATE contacts SET name = ?2 WHERE id = ?1";
// ?3: the media of a comment thread, '' for the direct conversation (Conversation::comment_on).
constexpr char kSelectOpenConversation[] =
    "SELECT id FROM conversations WHERE channel_id = ?1 AND contact_id = ?2 AND comment_on = ?3 AND status = 'open'";
constexpr char kInsertConversation[] =
    "INSERT INTO conversations (tenant_id, channel_id, contact_id, created_at, last_message_at, comment_on)"
    " VALUES (?1, ?2, ?3, ?4, ?4, ?5)";
constexpr char kMessageExists[] =
    "SELECT 1 FROM messages WHERE channel_id = ?1 AND platform_message_id = ?2 AND platform_message_id <> ''";
constexpr char kInsertInbound[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, error_code, error_title, error_detail, platform_timestamp, created_at, answerable, details)"
    " VALUES (?1, ?2, ?3, 'in', ?4, ?5, ?6, 'received', ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT DO NOTHING";
// A customer's message after the people's hold ran out (?2: when it came) returns the conversation to the bot. Run
// before kTouchConversation; its own statement so that the one change of mode an inbound message makes is known
// (and told by a conversation.updated).
constexpr char kEndExpiredHold[] =
    "UPDATE conversations SET mode = 'bot', handoff_reason = NULL, human_until = NULL"
    " WHERE id = ?1 AND status = 'open' AND mode = 'human' AND human_until <= ?2";
// ?3 is 1 for an answerable message, 0 otherwise.
// In human mode (until human_until passes) a customer message is left to the person: it does not make the
// conversation pending, and counts as handled so the bot does not answer it later. Every SET expression reads
// the row as it was before the update.
constexpr char kTouchConversation[] =
    "UPDATE conversations SET last_message_at = MAX(last_message_at, ?2),"
    " pending_since = CASE WHEN ?3 AND (mode = 'bot' OR human_until <= ?2) THEN COALESCE(pending_since, ?2)"
    "   ELSE pending_since END,"
    " answered_through_id = CASE WHEN ?3 AND mode = 'human' AND (human_until IS NULL OR human_until > ?2)"
    "   THEN MAX(answered_through_id, ?4) ELSE answered_through_id END,"
    " last_inbound_at = CASE WHEN ?3 THEN ?2 ELSE last_inbound_at END,"
    " inbound_seq = inbound_seq + ?3"
    " WHERE id = ?1 AND status = 'open'";
// Read after kTouchConversation rather than through RETURNING (see Database::LastInsertRowid).
constexpr char kPendingState[] = "SELECT pending_since, last_inbound_at FROM conversations WHERE id = ?1";
// Any conversation of the contact on the channel: a private reply to a comment is queued in the comment's thread, and
// Meta echoes it as a direct message.
constexpr char kOwnUnrecordedReply[] =
    "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id"
    " WHERE c.channel_id = ?1 AND c.contact_id = ?2 AND m.direction = 'out' AND m.platform_message_id = ''"
    " AND m.status = 'queued' AND m.text IS ?3 ORDER BY m.id LIMIT 1";
constexpr char kFillPlatformId[] = "UPDATE messages SET platform_message_id = ?2 WHERE id = ?1";
constexpr char kInsertEcho[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, platform_timestamp, created_at, answerable, details)"
    " VALUES (?1, ?2, ?3, 'out', 'text', ?4, ?5, 'sent', ?6, ?7, 0, '{\"sent_by\":\"person\"}')";
constexpr char kFindMessageByPlatformId[] =
    "SELECT id, conversation_id, direction, status FROM messages"
    " WHERE channel_id = ?1 AND platform_message_id = ?2 AND platform_message_id <> ''";
constexpr char kReadThrough[] =
    "UPDATE messages SET status = 'read' WHERE conversation_id = ?1 AND id <= ?2 AND direction = 'out'"
    " AND status IN ('sent', 'delivered')";
// What kReadThrough changes, read before it does (each gets a message.updated).
constexpr char kUnreadThrough[] =
    "SELECT id FROM messages WHERE conversation_id = ?1 AND id <= ?2 AND direction = 'out'"
    " AND status IN ('sent', 'delivered') ORDER BY id";
constexpr char kInboundToDelete[] =
    "SELECT id, conversation_id FROM messages WHERE channel_id = ?1 AND platform_message_id = ?2"
    " AND platform_message_id <> '' AND direction = 'in' AND status <> 'deleted'";
constexpr char kDeleteInbound[] = "UPDATE messages SET status = 'deleted' WHERE id = ?1";
// A status for a message whose send result is not recorded yet, kept for RecordSendResult.
constexpr char kKeepEarlyStatus[] =
    "INSERT OR IGNORE INTO early_statuses"
    " (channel_id, platform_message_id, status, error_code, error_title, error_detail, received_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

}  // namespace

Result<std::optional<SqliteStore::Writer::ChannelRoute>> SqliteStore::Writer::Resolve(const Platform& platform,
                                                                                      const std::string& account_id) {
  RouteMap& routes = routes_[platform.name()];
  if (auto it = routes.find(std::string_view(account_id)); it != routes.end()) return it->second;
  STORE_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(kResolveChannel));
  stmt.Bind(1, ToString(platform)).Bind(2, account_id);
  STORE_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<ChannelRoute>();
  ChannelRoute route{stmt.Int(0), stmt.Int(1), stmt.Int(2) != 0};
  routes.emplace(account_id, route);
  return route;
}

Result<int64_t> SqliteStore::Writer::UpsertContact(const ChannelRoute& channel, const UnifiedMessage& m,
                                                   int64_t now_ms) {
  {
    STORE_ASSIGN_OR_RETURN(auto select, db_->Prepare(kSelectContact));
    select.Bind(1, channel.id).Bind(2, m.contact_id);
    STORE_ASSIGN_OR_RETURN(bool found, select.Step());
    if (found) {
      int64_t id = select.Int(0);
      if (m.contact_name.empty() || select.Text(1) == m.contact_name) return id;
      STORE_ASSIGN_OR_RETURN(auto rename, db_->Prepare(kRenameContact));
      STORE_TRY(rename.Bind(1, id).Bind(2, m.contact_name).Run());
      return id;
    }
  }
  STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertContact));
  insert.Bind(1, channel.tenant_id).Bind(2, channel.id).Bind(3, m.contact_id).Bind(4, m.contact_name).Bind(5, now_ms);
  STORE_TRY(insert.Run());
  return db_->LastInsertRowid();
}

Result<void> SqliteStore::Writer::IngestMessage(const ChannelRoute& channel, const InboundItem& item,
                                                int64_t received_at_ms, Platform platform, IngestOutcome& outcome) {
  const UnifiedMessage& m = item.message;
  const bool answerable = item.answerable && channel.enabled;
  const std::string comment_on = m.comment ? m.comment->media_id : std::string();
  std::string cache_key = std::to_string(channel.id) + ':' + comment_on + ':' + m.contact_id;
  int64_t contact_id = 0;
  int64_t conversation_id = 0;
  if (auto cached = contacts_.find(std::string_view(cache_key)); cached != contacts_.end()) {
    contact_id = cached->second.contact_id;
    conversation_id = cached->second.conversation_id;
    if (!m.contact_name.empty() && m.contact_name != cached->second.name) {
      STORE_ASSIGN_OR_RETURN(auto rename, db_->Prepare(kRenameContact));
      STORE_TRY(rename.Bind(1, contact_id).Bind(2, m.contact_name).Run());
      cached->second.name = m.contact_name;
    }
  } else {
    STORE_ASSIGN_OR_RETURN(contact_id, UpsertContact(channel, m, received_at_ms));
    STORE_ASSIGN_OR_RETURN(auto select, db_->Prepare(kSelectOpenConversation));
    select.Bind(1, channel.id).Bind(2, contact_id).Bind(3, comment_on);
    STORE_ASSIGN_OR_RETURN(bool found, select.Step());
    if (found) conversation_id = select.Int(0);
  }
  if (conversation_id == 0) {
    // A retry of a message whose conversation has been closed since must not open an empty conversation.
    if (!m.platform_message_id.empty()) {
      STORE_ASSIGN_OR_RETURN(auto exists, db_->Prepare(kMessageExists));
      exists.Bind(1, channel.id).Bind(2, m.platform_message_id);
      STORE_ASSIGN_OR_RETURN(bool duplicate, exists.Step());
      if (duplicate) {
        ++outcome.duplicates;
        return Ok();
      }
    }
    STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertConversation));
    insert.Bind(1, channel.tenant_id).Bind(2, channel.id).Bind(3, contact_id).Bind(4, received_at_ms);
    STORE_TRY(insert.Bind(5, comment_on).Run());
    conversation_id = db_->LastInsertRowid();
    STORE_TRY(AppendEvent(channel.tenant_id, EventType::kConversationCreated, ConversationEventData(conversation_id),
                          received_at_ms));
    opened_conversations_.push_back(conversation_id);
  }
  if (contacts_.size() >= kMaxCachedContacts) contacts_.clear();
  contacts_.insert_or_assign(std::move(cache_key), ContactIds{contact_id, m.contact_name, conversation_id});

  int64_t message_id = 0;
  {
    std::string details = MessageDetailsJson(m).value_or("");
    STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertInbound));
    insert.Bind(1, channel.tenant_id).Bind(2, conversation_id).Bind(3, channel.id).Bind(4, ToString(m.type));
    insert.Bind(5, m.text).Bind(6, m.platform_message_id);
    if (m.error) {
      insert.Bind(7, m.error->code).Bind(8, m.error->title).Bind(9, m.error->detail);
    }
    insert.Bind(10, m.timestamp_ms).Bind(11, received_at_ms).Bind(12, answerable ? 1 : 0);
    if (!details.empty()) insert.Bind(13, details);
    STORE_TRY(insert.Run());
    if (db_->Changes() == 0) {
      ++outcome.duplicates;  // Leaves pending state alone: the first copy already counted.
      return Ok();
    }
    message_id = db_->LastInsertRowid();
  }
  ++outcome.stored;
  // message.created is the whole story of the conversation's activity (its last message, unread count and window
  // follow from it: docs/dashboard.md); a conversation.updated is added only when its mode changed.
  STORE_TRY(AppendEvent(channel.tenant_id, EventType::kMessageCreated, MessageEventData(conversation_id, message_id),
                        received_at_ms));
  {
    STORE_ASSIGN_OR_RETURN(auto end_hold, db_->Prepare(kEndExpiredHold));
    STORE_TRY(end_hold.Bind(1, conversation_id).Bind(2, received_at_ms).Run());
    if (db_->Changes() > 0) NoteChange(channel.tenant_id, conversation_id);
  }
  {
    STORE_ASSIGN_OR_RETURN(auto touch, db_->Prepare(kTouchConversation));
    STORE_TRY(
        touch.Bind(1, conversation_id).Bind(2, received_at_ms).Bind(3, answerable ? 1 : 0).Bind(4, message_id).Run());
    if (db_->Changes() == 0) return Error::Unavailable("conversation closed meanwhile", "stale contact cache; retry");
  }
  if (!answerable) return Ok();
  STORE_ASSIGN_OR_RETURN(auto state, db_->Prepare(kPendingState));
  state.Bind(1, conversation_id);
  STORE_ASSIGN_OR_RETURN(bool found, state.Step());
  if (!found || state.IsNull(0)) return Ok();  // A person answers here.
  PendingConversation pending{conversation_id, channel.tenant_id, platform, state.Int(0), state.Int(1)};
  auto it = std::find_if(outcome.pending.begin(), outcome.pending.end(),
                         [&](const PendingConversation& p) { return p.conversation_id == conversation_id; });
  if (it == outcome.pending.end()) {
    outcome.pending.push_back(pending);
  } else {
    *it = pending;
  }
  return Ok();
}

Result<void> SqliteStore::Writer::ApplyStatus(const ChannelRoute& channel, const StatusUpdate& status,
                                              IngestOutcome& outcome) {
  STORE_ASSIGN_OR_RETURN(auto find, db_->Prepare(kFindMessageByPlatformId));
  find.Bind(1, channel.id).Bind(2, status.platform_message_id);
  STORE_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) {
    ++outcome.statuses_unmatched;
    if (!status.watermark) {
      // Possibly a reply whose send result is not recorded yet: RecordSendResult applies it then.
      STORE_ASSIGN_OR_RETURN(auto keep, db_->Prepare(kKeepEarlyStatus));
      keep.Bind(1, channel.id).Bind(2, status.platform_message_id).Bind(3, ToString(status.status)).Bind(7, NowMs());
      if (status.error) keep.Bind(4, status.error->code).Bind(5, status.error->title).Bind(6, status.error->detail);
      STORE_TRY(keep.Run());
    }
    return Ok();
  }
  int64_t message_id = find.Int(0);
  int64_t conversation_id = find.Int(1);
  bool outbound = find.Text(2) == "out";
  std::optional<MessageStatus> current = ParseMessageStatus(find.Text(3));

  if (status.watermark) {
    // Instagram names the newest message read (either side's); everything the business sent up to it is read.
    std::vector<int64_t> now_read;
    {
      STORE_ASSIGN_OR_RETURN(auto unread, db_->Prepare(kUnreadThrough));
      unread.Bind(1, conversation_id).Bind(2, message_id);
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, unread.Step());
        if (!row) break;
        now_read.push_back(unread.Int(0));
      }
    }
    if (now_read.empty()) return Ok();
    STORE_ASSIGN_OR_RETURN(auto read, db_->Prepare(kReadThrough));
    STORE_TRY(read.Bind(1, conversation_id).Bind(2, message_id).Run());
    ++outcome.statuses_applied;
    for (int64_t id : now_read) {
      STORE_TRY(AppendEvent(channel.tenant_id, EventType::kMessageUpdated,
                            MessageStatusEventData(conversation_id, id, MessageStatus::kRead, std::nullopt), NowMs()));
    }
    return Ok();
  }
  if (!outbound) {
    ++outcome.statuses_unmatched;
    return Ok();
  }
  int next_rank = OutboundRank(status.status);
  if (!current || next_rank < 0 || next_rank <= OutboundRank(*current)) return Ok();

  STORE_ASSIGN_OR_RETURN(auto update, db_->Prepare(kSetOutboundStatus));
  update.Bind(1, message_id).Bind(2, ToString(status.status));
  if (status.error) update.Bind(3, status.error->code).Bind(4, status.error->title).Bind(5, status.error->detail);
  STORE_TRY(update.Run());
  ++outcome.statuses_applied;
  // A failure's error is what the update kept; other statuses keep the earlier error, if any, which the event leaves
  // out: the tick is what moved.
  const std::optional<MessageError> error =
      status.status == MessageStatus::kFailed ? status.error : std::optional<MessageError>();
  STORE_TRY(AppendEvent(channel.tenant_id, EventType::kMessageUpdated,
                        MessageStatusEventData(conversation_id, message_id, status.status, error), NowMs()));
  return Ok();
}

void SqliteStore::Writer::NoteChange(int64_t tenant_id, int64_t conversation_id) {
  if (std::find(opened_conversations_.begin(), opened_conversations_.end(), conversation_id) !=
      opened_conversations_.end()) {
    return;
  }
  const std::pair<int64_t, int64_t> key{tenant_id, conversation_id};
  if (std::find(changed_conversations_.begin(), changed_conversations_.end(), key) == changed_conversations_.end()) {
    changed_conversations_.push_back(key);
  }
}

Result<void> SqliteStore::Writer::Ingest(const IngestRequest& request, IngestOutcome& outcome) {
  opened_conversations_.clear();
  changed_conversations_.clear();
  STORE_TRY(IngestItems(request, outcome));
  // One conversation.updated per conversation whose mode the payload changed, after the events of its messages.
  for (const auto& [tenant_id, conversation_id] : changed_conversations_) {
    STORE_TRY(AppendEvent(tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id),
                          request.received_at_ms));
  }
  return Ok();
}

Result<void> SqliteStore::Writer::IngestItems(const IngestRequest& request, IngestOutcome& outcome) {
  auto touch_tenant = [&](int64_t tenant_id) {
    if (std::find(outcome.tenant_ids.begin(), outcome.tenant_ids.end(), tenant_id) == outcome.tenant_ids.end()) {
      outcome.tenant_ids.push_back(tenant_id);
    }
  };
  // The webhook route names the platform; items are routed by it rather than by their own field.
  for (const InboundItem& item : request.messages) {
    if (item.message.contact_id.empty()) return Error::InvalidArgument("message without a sender");
    STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, item.message.account_id));
    if (!channel) {
      ++outcome.unknown_account;
      continue;
    }
    touch_tenant(channel->tenant_id);
    STORE_TRY(IngestMessage(*channel, item, request.received_at_ms, request.platform, outcome));
  }
  for (const StatusUpdate& status : request.statuses) {
    STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, status.account_id));
    if (!channel) {
      ++outcome.unknown_account;
      continue;
    }
    touch_tenant(channel->tenant_id);
    STORE_TRY(ApplyStatus(*channel, status, outcome));
  }
  for (const Deletion& deletion : request.deletions) {
    STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, deletion.account_id));
    if (!channel) {
      ++outcome.unknown_account;
      continue;
    }
    touch_tenant(channel->tenant_id);
    STORE_ASSIGN_OR_RETURN(auto find, db_->Prepare(kInboundToDelete));
    STORE_ASSIGN_OR_RETURN(bool found, find.Bind(1, channel->id).Bind(2, deletion.platform_message_id).Step());
    if (!found) continue;
    const int64_t message_id = find.Int(0);
    const int64_t conversation_id = find.Int(1);
    STORE_ASSIGN_OR_RETURN(auto erase, db_->Prepare(kDeleteInbound));
    STORE_TRY(erase.Bind(1, message_id).Run());
    STORE_TRY(AppendEvent(channel->tenant_id, EventType::kMessageUpdated,
                          MessageStatusEventData(conversation_id, message_id, MessageStatus::kDeleted, std::nullopt),
                          request.received_at_ms));
  }
  for (const BusinessEcho& echo : request.echoes) {
    STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, echo.account_id));
    if (!channel) {
      ++outcome.unknown_account;
      continue;
    }
    touch_tenant(channel->tenant_id);
    STORE_TRY(ApplyEcho(*channel, echo, request.received_at_ms, request.human_idle_ms, outcome));
  }
  return Ok();
}

Result<void> SqliteStore::Writer::ApplyEcho(const ChannelRoute& channel, const BusinessEcho& echo,
                                            int64_t received_at_ms, int64_t human_idle_ms, IngestOutcome& outcome) {
  {
    STORE_ASSIGN_OR_RETURN(auto exists, db_->Prepare(kMessageExists));
    STORE_ASSIGN_OR_RETURN(bool known, exists.Bind(1, channel.id).Bind(2, echo.platform_message_id).Step());
    if (known) return Ok();  // Parley's own reply (its send result already recorded), or a retried echo.
  }
  UnifiedMessage contact;
  contact.contact_id = echo.contact_id;
  STORE_ASSIGN_OR_RETURN(int64_t contact_id, UpsertContact(channel, contact, received_at_ms));
  {
    // The echo of a reply Parley sent may overtake the send's answer: same text, still queued, means it is ours.
    STORE_ASSIGN_OR_RETURN(auto own, db_->Prepare(kOwnUnrecordedReply));
    STORE_ASSIGN_OR_RETURN(bool ours, own.Bind(1, channel.id).Bind(2, contact_id).Bind(3, echo.text).Step());
    if (ours) {
      int64_t message_id = own.Int(0);
      STORE_ASSIGN_OR_RETURN(auto fill, db_->Prepare(kFillPlatformId));
      return fill.Bind(1, message_id).Bind(2, echo.platform_message_id).Run();
    }
  }
  int64_t conversation_id = 0;
  {
    STORE_ASSIGN_OR_RETURN(auto select, db_->Prepare(kSelectOpenConversation));
    STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, channel.id).Bind(2, contact_id).Bind(3, "").Step());
    if (found) conversation_id = select.Int(0);
  }
  if (conversation_id == 0) {
    STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertConversation));
    insert.Bind(1, channel.tenant_id).Bind(2, channel.id).Bind(3, contact_id).Bind(4, received_at_ms);
    STORE_TRY(insert.Bind(5, "").Run());
    conversation_id = db_->LastInsertRowid();
    STORE_TRY(AppendEvent(channel.tenant_id, EventType::kConversationCreated, ConversationEventData(conversation_id),
                          received_at_ms));
    opened_conversations_.push_back(conversation_id);
  }
  STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertEcho));
  insert.Bind(1, channel.tenant_id).Bind(2, conversation_id).Bind(3, channel.id).Bind(4, echo.text);
  STORE_TRY(insert.Bind(5, echo.platform_message_id).Bind(6, echo.timestamp_ms).Bind(7, received_at_ms).Run());
  STORE_TRY(AppendEvent(channel.tenant_id, EventType::kMessageCreated,
                        MessageEventData(conversation_id, db_->LastInsertRowid()), received_at_ms));
  NoteChange(channel.tenant_id, conversation_id);
  STORE_ASSIGN_OR_RETURN(auto take_over, db_->Prepare(kTakeOver));
  take_over.Bind(1, conversation_id).Bind(2, received_at_ms).Bind(3, "takeover");
  if (human_idle_ms > 0) take_over.Bind(4, received_at_ms + human_idle_ms);
  STORE_TRY(take_over.Run());
  ++outcome.takeovers;
  return Ok();
}

void SqliteStore::Ingest(IngestRequest request, IngestCallback done) {
  Job job = IngestJob{std::move(request), std::move(done)};
  if (!Enqueue(job)) std::get<IngestJob>(job).done(ClosedError());
}

}  // namespace parley::store::sqlite
