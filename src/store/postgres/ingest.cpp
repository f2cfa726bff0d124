// PostgresStore's inbound path: the ingest thread's group commit, and each webhook payload (messages, statuses,
// deletions and the business's own echoes) applied inside the group's transaction by the rules of the SQLite
// backend's (sqlite/ingest.cpp). Rows other processes may be writing at the same moment are taken with INSERT … ON
// CONFLICT (contacts, conversations, messages) or locked before they are read and changed (a message's status).

#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "store/event_data.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <exception>
#include <iterator>
#include <utility>

namespace parley::store::postgres {
namespace {

// Keys of ToJsonDetails() that have their own columns (or live in contacts/channels): the rest is `details`.
constexpr std::string_view kColumnKeys[] = {"platform",   "account_id",   "platform_message_id",
                                            "contact_id", "contact_name", "timestamp_ms",
                                            "type",       "text",         "error"};

// Only live channels receive: a removed channel's account is unknown.
constexpr char kResolveChannel[] =
    "SELECT id, tenant_id, enabled FROM channels WHERE platform = $1 AND account_id = $2 AND removed_at IS NULL";
// The contact and its open conversation, if any, with whether a people's hold on it has run out by $3 (a message's
// arrival), in one round trip: the ingest thread waits for each statement in turn, so a webhook's cost is mostly its
// number of statements.
constexpr char kSelectContact[] =
    "SELECT ct.id, ct.name, cv.id, COALESCE(cv.mode = 'human' AND cv.human_until <= $3, FALSE)"
    " FROM contacts ct LEFT JOIN conversations cv"
    " ON cv.channel_id = ct.channel_id AND cv.contact_id = ct.id AND cv.status = 'open'"
    " WHERE ct.channel_id = $1 AND ct.platform_id = $2";
constexpr char kInsertContact[] =
    "INSERT INTO contacts (tenant_id, channel_id, platform_id, name, created_at) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (channel_id, platform_id) DO NOTHING RETURNING id";
constexpr char kRenameContact[] = "UPDATE contacts SET name = $2 WHERE id = $1";
constexpr char kSelectOpenConversation[] =
    "SELECT id FROM conversations WHERE channel_id = $1 AND contact_id = $2 AND status = 'open'";
constexpr char kInsertConversation[] =
    "INSERT INTO conversations (tenant_id, channel_id, contact_id, created_at, last_message_at)"
    " VALUES ($1, $2, $3, $4, $4) ON CONFLICT (channel_id, contact_id) WHERE status = 'open' DO NOTHING RETURNING id";
constexpr char kMessageExists[] =
    "SELECT 1 FROM messages WHERE channel_id = $1 AND platform_message_id = $2 AND platform_message_id <> ''";
constexpr char kInsertInbound[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, error_code, error_title, error_detail, platform_timestamp, created_at, answerable, details)"
    " VALUES ($1, $2, $3, 'in', $4, $5, $6, 'received', $7, $8, $9, $10, $11, $12, $13::jsonb)"
    " ON CONFLICT DO NOTHING RETURNING id";
// A customer's message after the people's hold ran out ($2: when it came) returns the conversation to the bot. Run
// before kTouchConversation; its own statement so that the one change of mode an inbound message makes is known.
constexpr char kEndExpiredHold[] =
    "UPDATE conversations SET mode = 'bot', handoff_reason = NULL, human_until = NULL"
    " WHERE id = $1 AND status = 'open' AND mode = 'human' AND human_until <= $2";
// $3: the message is answerable. In human mode (until human_until passes) a customer message is left to the person:
// it does not make the conversation pending, and counts as handled so the bot does not answer it later. Every SET
// expression reads the row as it was before the update; RETURNING reads it after.
constexpr char kTouchConversation[] =
    "UPDATE conversations SET last_message_at = GREATEST(last_message_at, $2),"
    " pending_since = CASE WHEN $3 AND (mode = 'bot' OR human_until <= $2) THEN COALESCE(pending_since, $2)"
    "   ELSE pending_since END,"
    " answered_through_id = CASE WHEN $3 AND mode = 'human' AND (human_until IS NULL OR human_until > $2)"
    "   THEN GREATEST(answered_through_id, $4) ELSE answered_through_id END,"
    " last_inbound_at = CASE WHEN $3 THEN $2 ELSE last_inbound_at END,"
    " inbound_seq = inbound_seq + CASE WHEN $3 THEN 1 ELSE 0 END"
    " WHERE id = $1 AND status = 'open' RETURNING pending_since, last_inbound_at";
constexpr char kOwnUnrecordedReply[] =
    "SELECT id FROM messages WHERE conversation_id = $1 AND direction = 'out' AND platform_message_id = ''"
    " AND status = 'queued' AND text IS NOT DISTINCT FROM $2 ORDER BY id LIMIT 1";
constexpr char kFillPlatformId[] = "UPDATE messages SET platform_message_id = $2 WHERE id = $1";
constexpr char kInsertEcho[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, platform_timestamp, created_at, answerable, details)"
    " VALUES ($1, $2, $3, 'out', 'text', $4, $5, 'sent', $6, $7, FALSE, '{\"sent_by\":\"person\"}') RETURNING id";
// Locked: two statuses of one message applied at once by two processes must not both pass the rank check.
constexpr char kFindMessageByPlatformId[] =
    "SELECT id, conversation_id, direction, status FROM messages"
    " WHERE channel_id = $1 AND platform_message_id = $2 AND platform_message_id <> '' FOR UPDATE";
constexpr char kReadThrough[] =
    "UPDATE messages SET status = 'read' WHERE conversation_id = $1 AND id <= $2 AND direction = 'out'"
    " AND status IN ('sent', 'delivered') RETURNING id";
constexpr char kSetOutboundStatus[] =
    "UPDATE messages SET status = $2,"
    " error_code = CASE WHEN $2 = 'failed' THEN $3 ELSE error_code END,"
    " error_title = CASE WHEN $2 = 'failed' THEN $4 ELSE error_title END,"
    " error_detail = CASE WHEN $2 = 'failed' THEN $5 ELSE error_detail END"
    " WHERE id = $1";
constexpr char kInboundToDelete[] =
    "SELECT id, conversation_id FROM messages WHERE channel_id = $1 AND platform_message_id = $2"
    " AND platform_message_id <> '' AND direction = 'in' AND status <> 'deleted' FOR UPDATE";
constexpr char kDeleteInbound[] = "UPDATE messages SET status = 'deleted' WHERE id = $1";
// A status for a message whose send result is not recorded yet, kept for RecordSendResult.
constexpr char kKeepEarlyStatus[] =
    "INSERT INTO early_statuses"
    " (channel_id, platform_message_id, status, error_code, error_title, error_detail, received_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";

// Payloads one transaction writes at most. A row a transaction updates keeps one version per update until the commit
// (a conversation's, at each of its messages), and reading it walks them: a bounded group keeps that walk short.
constexpr size_t kMaxGroupSize = 256;

constexpr char kSavepoint[] = "SAVEPOINT job";
constexpr char kRelease[] = "RELEASE SAVEPOINT job";
constexpr char kRollbackTo[] = "ROLLBACK TO SAVEPOINT job";

// `details` column text: the type-specific part of the message, or nullopt when there is none.
std::optional<std::string> DetailsJson(const UnifiedMessage& m) {
  boost::json::object details = ToJsonDetails(m);
  for (std::string_view key : kColumnKeys) details.erase(key);
  if (details.empty()) return std::nullopt;
  return SerializeJson(details);
}

struct ChannelRoute {
  int64_t id = 0;
  int64_t tenant_id = 0;
  bool enabled = true;  //!< Messages to a disabled channel are stored, not answered.
};

// One payload's application: the connection and notes of the group's transaction, and what the payload did.
class PayloadWriter {
 public:
  PayloadWriter(Connection& db, EventNotes& notes, IngestOutcome& outcome)
      : db_(db), notes_(notes), outcome_(outcome) {}

  Result<void> Apply(const IngestRequest& request) {
    STORE_TRY(ApplyItems(request));
    // One conversation.updated per conversation whose mode the payload changed, after the events of its messages.
    for (const auto& [tenant_id, conversation_id] : changed_) {
      STORE_TRY(AppendEvent(db_, notes_, tenant_id, EventType::kConversationUpdated,
                            ConversationEventData(conversation_id), request.received_at_ms));
    }
    return Ok();
  }

 private:
  Result<void> ApplyItems(const IngestRequest& request) {
    // The webhook route names the platform; items are routed by it rather than by their own field.
    for (const InboundItem& item : request.messages) {
      if (item.message.contact_id.empty()) return Error::InvalidArgument("message without a sender");
      STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, item.message.account_id));
      if (!channel) continue;
      STORE_TRY(IngestMessage(*channel, item, request.received_at_ms, request.platform));
    }
    for (const StatusUpdate& status : request.statuses) {
      STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, status.account_id));
      if (!channel) continue;
      STORE_TRY(ApplyStatus(*channel, status));
    }
    for (const Deletion& deletion : request.deletions) {
      STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, deletion.account_id));
      if (!channel) continue;
      STORE_ASSIGN_OR_RETURN(auto found,
                             db_.Query(kInboundToDelete, Params(channel->id, deletion.platform_message_id)));
      if (found.empty()) continue;
      const int64_t message_id = found.Int(0, 0);
      const int64_t conversation_id = found.Int(0, 1);
      STORE_TRY(db_.Query(kDeleteInbound, Params(message_id)));
      STORE_TRY(AppendEvent(db_, notes_, channel->tenant_id, EventType::kMessageUpdated,
                            MessageStatusEventData(conversation_id, message_id, MessageStatus::kDeleted, std::nullopt),
                            request.received_at_ms));
    }
    for (const BusinessEcho& echo : request.echoes) {
      STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, echo.account_id));
      if (!channel) continue;
      STORE_TRY(ApplyEcho(*channel, echo, request.received_at_ms, request.human_idle_ms));
    }
    return Ok();
  }

  // The live channel for the account, or nullopt (counted as an unknown account). Touches the tenant.
  Result<std::optional<ChannelRoute>> Resolve(Platform platform, const std::string& account_id) {
    STORE_ASSIGN_OR_RETURN(auto rows, db_.Query(kResolveChannel, Params(ToString(platform), account_id)));
    if (rows.empty()) {
      ++outcome_.unknown_account;
      return std::optional<ChannelRoute>();
    }
    ChannelRoute route{rows.Int(0, 0), rows.Int(0, 1), rows.Bool(0, 2)};
    if (std::find(outcome_.tenant_ids.begin(), outcome_.tenant_ids.end(), route.tenant_id) ==
        outcome_.tenant_ids.end()) {
      outcome_.tenant_ids.push_back(route.tenant_id);
    }
    return route;
  }

  struct ContactRow {
    int64_t id = 0;
    std::optional<int64_t> open_conversation;  //!< As the look-up found it; none for a contact just added.
    bool hold_over = false;                    //!< That conversation's people's hold has run out.
  };

  Result<ContactRow> UpsertContact(const ChannelRoute& channel, const std::string& platform_id, const std::string& name,
                                   int64_t now_ms) {
    STORE_ASSIGN_OR_RETURN(auto found, db_.Query(kSelectContact, Params(channel.id, platform_id, now_ms)));
    if (found.empty()) {
      STORE_ASSIGN_OR_RETURN(
          auto inserted, db_.Query(kInsertContact, Params(channel.tenant_id, channel.id, platform_id, name, now_ms)));
      if (!inserted.empty()) return ContactRow{inserted.Int(0, 0), std::nullopt};
      // Another process inserted the contact since the select.
      STORE_ASSIGN_OR_RETURN(found, db_.Query(kSelectContact, Params(channel.id, platform_id, now_ms)));
      if (found.empty()) return Error::Internal("contact vanished");
    }
    const ContactRow contact{found.Int(0, 0), found.OptionalInt(0, 2), found.Bool(0, 3)};
    if (!name.empty() && found.Text(0, 1) != name) STORE_TRY(db_.Query(kRenameContact, Params(contact.id, name)));
    return contact;
  }

  // The contact's open conversation, opened (with conversation.created) when it has none. 0 when opening one would
  // only hold a retried message already stored in a conversation closed since.
  Result<int64_t> OpenConversation(const ChannelRoute& channel, const ContactRow& contact,
                                   const std::string& message_id, int64_t now_ms) {
    if (contact.open_conversation) return *contact.open_conversation;
    const int64_t contact_id = contact.id;
    if (!message_id.empty()) {
      STORE_ASSIGN_OR_RETURN(auto exists, db_.Query(kMessageExists, Params(channel.id, message_id)));
      if (!exists.empty()) return int64_t{0};
    }
    STORE_ASSIGN_OR_RETURN(auto inserted,
                           db_.Query(kInsertConversation, Params(channel.tenant_id, channel.id, contact_id, now_ms)));
    if (inserted.empty()) {
      // Another process opened it since the look-up.
      STORE_ASSIGN_OR_RETURN(auto open, db_.Query(kSelectOpenConversation, Params(channel.id, contact_id)));
      if (open.empty()) return Error::Unavailable("conversation closed meanwhile", "retry the payload");
      return open.Int(0, 0);
    }
    const int64_t conversation_id = inserted.Int(0, 0);
    STORE_TRY(AppendEvent(db_, notes_, channel.tenant_id, EventType::kConversationCreated,
                          ConversationEventData(conversation_id), now_ms));
    opened_.push_back(conversation_id);
    return conversation_id;
  }

  Result<void> IngestMessage(const ChannelRoute& channel, const InboundItem& item, int64_t received_at_ms,
                             Platform platform) {
    const UnifiedMessage& m = item.message;
    const bool answerable = item.answerable && channel.enabled;
    STORE_ASSIGN_OR_RETURN(ContactRow contact, UpsertContact(channel, m.contact_id, m.contact_name, received_at_ms));
    STORE_ASSIGN_OR_RETURN(int64_t conversation_id,
                           OpenConversation(channel, contact, m.platform_message_id, received_at_ms));
    if (conversation_id == 0) {
      ++outcome_.duplicates;
      return Ok();
    }
    Params insert(channel.tenant_id, conversation_id, channel.id, ToString(m.type), m.text, m.platform_message_id);
    if (m.error) {
      insert.Add(m.error->code).Add(m.error->title).Add(m.error->detail);
    } else {
      insert.AddNull().AddNull().AddNull();
    }
    insert.Add(m.timestamp_ms).Add(received_at_ms).Add(answerable).Add(DetailsJson(m));
    STORE_ASSIGN_OR_RETURN(auto inserted, db_.Query(kInsertInbound, insert));
    if (inserted.empty()) {
      ++outcome_.duplicates;  // Leaves pending state alone: the first copy already counted.
      return Ok();
    }
    const int64_t message_id = inserted.Int(0, 0);
    ++outcome_.stored;
    // message.created is the whole story of the conversation's activity; a conversation.updated is added only when
    // its mode changed.
    STORE_TRY(AppendEvent(db_, notes_, channel.tenant_id, EventType::kMessageCreated,
                          MessageEventData(conversation_id, message_id), received_at_ms));
    if (contact.hold_over) {
      // Only then: a hold is set in the future by a person, never behind a message arriving now.
      STORE_ASSIGN_OR_RETURN(auto ended, db_.Query(kEndExpiredHold, Params(conversation_id, received_at_ms)));
      if (ended.affected() > 0) NoteChange(channel.tenant_id, conversation_id);
    }
    STORE_ASSIGN_OR_RETURN(
        auto state, db_.Query(kTouchConversation, Params(conversation_id, received_at_ms, answerable, message_id)));
    if (state.empty()) return Error::Unavailable("conversation closed meanwhile", "retry the payload");
    if (!answerable || state.IsNull(0, 0)) return Ok();  // A person answers here.
    PendingConversation pending{conversation_id, channel.tenant_id, platform, state.Int(0, 0), state.Int(0, 1)};
    auto it = std::find_if(outcome_.pending.begin(), outcome_.pending.end(),
                           [&](const PendingConversation& p) { return p.conversation_id == conversation_id; });
    if (it == outcome_.pending.end()) {
      outcome_.pending.push_back(pending);
    } else {
      *it = pending;
    }
    return Ok();
  }

  Result<void> ApplyStatus(const ChannelRoute& channel, const StatusUpdate& status) {
    STORE_ASSIGN_OR_RETURN(auto found,
                           db_.Query(kFindMessageByPlatformId, Params(channel.id, status.platform_message_id)));
    if (found.empty()) {
      ++outcome_.statuses_unmatched;
      if (!status.watermark) {
        // Possibly a reply whose send result is not recorded yet: RecordSendResult applies it then.
        Params keep(channel.id, status.platform_message_id, ToString(status.status));
        if (status.error) {
          keep.Add(status.error->code).Add(status.error->title).Add(status.error->detail);
        } else {
          keep.AddNull().AddNull().AddNull();
        }
        STORE_TRY(db_.Query(kKeepEarlyStatus, keep.Add(NowMs())));
      }
      return Ok();
    }
    const int64_t message_id = found.Int(0, 0);
    const int64_t conversation_id = found.Int(0, 1);
    const bool outbound = found.Text(0, 2) == "out";
    const std::optional<MessageStatus> current = ParseMessageStatus(found.Text(0, 3));
    if (status.watermark) {
      // Instagram names the newest message read (either side's); everything the business sent up to it is read.
      STORE_ASSIGN_OR_RETURN(auto read, db_.Query(kReadThrough, Params(conversation_id, message_id)));
      if (read.empty()) return Ok();
      ++outcome_.statuses_applied;
      std::vector<int64_t> ids;
      for (int i = 0; i < read.size(); ++i) ids.push_back(read.Int(i, 0));
      std::sort(ids.begin(), ids.end());
      for (int64_t id : ids) {
        STORE_TRY(AppendEvent(db_, notes_, channel.tenant_id, EventType::kMessageUpdated,
                              MessageStatusEventData(conversation_id, id, MessageStatus::kRead, std::nullopt),
                              NowMs()));
      }
      return Ok();
    }
    if (!outbound) {
      ++outcome_.statuses_unmatched;
      return Ok();
    }
    const int next_rank = OutboundRank(status.status);
    if (!current || next_rank < 0 || next_rank <= OutboundRank(*current)) return Ok();
    Params update(message_id, ToString(status.status));
    if (status.error) {
      update.Add(status.error->code).Add(status.error->title).Add(status.error->detail);
    } else {
      update.AddNull().AddNull().AddNull();
    }
    STORE_TRY(db_.Query(kSetOutboundStatus, update));
    ++outcome_.statuses_applied;
    // A failure's error is what the update kept; other statuses keep the earlier error, if any, which the event
    // leaves out: the tick is what moved.
    const std::optional<MessageError> error =
        status.status == MessageStatus::kFailed ? status.error : std::optional<MessageError>();
    STORE_TRY(AppendEvent(db_, notes_, channel.tenant_id, EventType::kMessageUpdated,
                          MessageStatusEventData(conversation_id, message_id, status.status, error), NowMs()));
    return Ok();
  }

  Result<void> ApplyEcho(const ChannelRoute& channel, const BusinessEcho& echo, int64_t received_at_ms,
                         int64_t human_idle_ms) {
    {
      STORE_ASSIGN_OR_RETURN(auto known, db_.Query(kMessageExists, Params(channel.id, echo.platform_message_id)));
      if (!known.empty()) return Ok();  // Parley's own reply (its send result already recorded), or a retried echo.
    }
    STORE_ASSIGN_OR_RETURN(ContactRow contact, UpsertContact(channel, echo.contact_id, "", received_at_ms));
    int64_t conversation_id = 0;
    if (!contact.open_conversation) {
      STORE_ASSIGN_OR_RETURN(conversation_id, OpenConversation(channel, contact, "", received_at_ms));
    } else {
      conversation_id = *contact.open_conversation;
      // The echo of a reply Parley sent may overtake the send's answer: same text, still queued, means it is ours.
      STORE_ASSIGN_OR_RETURN(auto own, db_.Query(kOwnUnrecordedReply, Params(conversation_id, echo.text)));
      if (!own.empty()) {
        STORE_TRY(db_.Query(kFillPlatformId, Params(own.Int(0, 0), echo.platform_message_id)));
        return Ok();
      }
    }
    STORE_ASSIGN_OR_RETURN(auto inserted,
                           db_.Query(kInsertEcho, Params(channel.tenant_id, conversation_id, channel.id, echo.text,
                                                         echo.platform_message_id, echo.timestamp_ms, received_at_ms)));
    STORE_TRY(AppendEvent(db_, notes_, channel.tenant_id, EventType::kMessageCreated,
                          MessageEventData(conversation_id, inserted.Int(0, 0)), received_at_ms));
    NoteChange(channel.tenant_id, conversation_id);
    std::optional<int64_t> human_until;
    if (human_idle_ms > 0) human_until = received_at_ms + human_idle_ms;
    STORE_TRY(db_.Query(kTakeOver, Params(conversation_id, received_at_ms, "takeover", human_until)));
    ++outcome_.takeovers;
    return Ok();
  }

  // The payload changed the conversation's mode: it gets a conversation.updated unless the payload opened it.
  void NoteChange(int64_t tenant_id, int64_t conversation_id) {
    if (std::find(opened_.begin(), opened_.end(), conversation_id) != opened_.end()) return;
    const std::pair<int64_t, int64_t> key{tenant_id, conversation_id};
    if (std::find(changed_.begin(), changed_.end(), key) == changed_.end()) changed_.push_back(key);
  }

  Connection& db_;
  EventNotes& notes_;
  IngestOutcome& outcome_;
  std::vector<int64_t> opened_;                       //!< Conversations the payload opened.
  std::vector<std::pair<int64_t, int64_t>> changed_;  //!< (tenant, conversation) whose mode it changed.
};

}  // namespace

Result<IngestOutcome> PostgresStore::ApplyIngest(Connection& connection, EventNotes& notes,
                                                 const IngestRequest& request) {
  IngestOutcome outcome;
  PayloadWriter writer(connection, notes, outcome);
  STORE_TRY(writer.Apply(request));
  return outcome;
}

void PostgresStore::Ingest(IngestRequest request, IngestCallback done) {
  {
    std::lock_guard lock(queue_mutex_);
    if (!closed_) {
      queue_.push_back(IngestJob{std::move(request), std::move(done), {}});
      queue_cv_.notify_one();
      return;
    }
  }
  done(Error::Unavailable("store is closed"));
}

void PostgresStore::HoldIngestForTesting(std::shared_future<void> release) {
  auto started = std::make_shared<std::promise<void>>();
  std::future<void> blocked = started->get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (closed_) return;
    queue_.push_back(IngestJob{{}, {}, [release, started] {
                                 started->set_value();
                                 release.wait();
                               }});
  }
  queue_cv_.notify_one();
  blocked.wait();
}

void PostgresStore::IngestLoop() {
  std::vector<IngestJob> group;
  while (true) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty()) return;  // Closed and drained.
      if (queue_.size() <= kMaxGroupSize) {
        group.swap(queue_);
      } else {
        group.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + kMaxGroupSize));
        queue_.erase(queue_.begin(), queue_.begin() + kMaxGroupSize);
      }
      in_flight_.store(static_cast<int64_t>(group.size()));
    }
    // A test's hold blocks here, before the group it was queued with.
    for (IngestJob& job : group) {
      if (job.hold) job.hold();
    }
    std::erase_if(group, [](const IngestJob& job) { return static_cast<bool>(job.hold); });
    if (!group.empty()) RunGroup(group);
    group.clear();
    in_flight_.store(0);
  }
}

void PostgresStore::RunGroup(std::vector<IngestJob>& group) {
  last_group_size_.store(static_cast<int64_t>(group.size()));
  std::vector<Result<IngestOutcome>> results(group.size(), Error::Internal("not run"));
  EventNotes notes;
  Result<void> committed = Error::Internal("not run");
  for (int attempt = 1; attempt <= kTransactionAttempts; ++attempt) {
    if (!ingest_connection_ || !ingest_connection_->Healthy()) {
      auto reconnected = Connection::Open(options_.url);
      if (!reconnected) {
        committed = reconnected.error();
        break;
      }
      ingest_connection_ = std::move(*reconnected);
    }
    Connection& db = *ingest_connection_;
    notes.Clear();
    committed = db.Execute(kBegin);
    if (!committed) continue;
    // First the whole group without savepoints (the common case: nothing fails).
    bool failed = false;
    for (size_t i = 0; i < group.size() && !failed; ++i) {
      results[i] = ApplyIngest(db, notes, group[i].request);
      failed = !results[i];
    }
    if (failed) {
      // Replayed with each payload in its own savepoint: the failing ones roll back alone.
      (void)db.Execute(kRollback);
      notes.Clear();
      committed = db.Execute(kBegin);
      if (!committed) continue;
      for (size_t i = 0; i < group.size() && committed; ++i) {
        committed = db.Execute(kSavepoint);
        if (!committed) break;
        const EventNotes before = notes;
        results[i] = ApplyIngest(db, notes, group[i].request);
        committed = db.Execute(results[i] ? kRelease : kRollbackTo);
        if (!results[i]) notes = before;  // Its events, and its first lock of a tenant's head, are rolled back.
      }
    }
    if (committed) committed = FlushEventHeads(db, notes);
    if (committed) committed = db.Execute(kCommit);
    if (committed) break;
    if (db.InTransaction()) (void)db.Execute(kRollback);
    const std::string& state = db.LastSqlState();
    if (state != kSerializationFailure && state != kDeadlockDetected) break;
  }
  if (!committed) log::Warn("postgres_ingest_failed", {{"detail", committed.error().detail}});
  // Events first, so that a dashboard hears of a message while its webhook is being answered.
  if (committed) Announce(notes);
  std::vector<std::pair<IngestCallback, Result<IngestOutcome>>> callbacks;
  for (size_t i = 0; i < group.size(); ++i) {
    Result<IngestOutcome> result = !committed ? Result<IngestOutcome>(committed.error()) : std::move(results[i]);
    callbacks.emplace_back(std::move(group[i].done), std::move(result));
  }
  auto run = [](std::vector<std::pair<IngestCallback, Result<IngestOutcome>>>& all) {
    for (auto& [done, outcome] : all) {
      try {
        done(std::move(outcome));
      } catch (const std::exception&) {
        // The callback contract forbids throwing; the other callbacks must still run.
      }
    }
  };
  if (!options_.callback_executor) {
    run(callbacks);
    return;
  }
  boost::asio::post(options_.callback_executor, [run, callbacks = std::move(callbacks)]() mutable { run(callbacks); });
}

}  // namespace parley::store::postgres
