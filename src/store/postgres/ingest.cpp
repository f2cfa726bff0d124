// PostgresStore's inbound path: the ingest thread's group commit, and each webhook payload (messages, statuses,
// deletions and the business's own echoes) applied inside the group's transaction by the rules of the SQLite
// backend's (sqlite/ingest.cpp). Rows other processes may be writing at the same moment are taken with INSERT … ON
// CONFLICT (contacts, conversations, messages) or locked before they are read and changed (a message's status).

#include "core/log.h"
#include "core/time.h"
#include "store/event_data.h"
#include "store/postgres/inbound_batch.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <exception>
#include <iterator>
#include <map>
#include <utility>

namespace parley::store::postgres {
namespace {

// Only live channels receive: a removed channel's account is unknown.
constexpr char kResolveChannel[] =
    "SELECT id, tenant_id, enabled FROM channels WHERE platform = $1 AND account_id = $2 AND removed_at IS NULL";
constexpr char kMessageExists[] =
    "SELECT 1 FROM messages WHERE channel_id = $1 AND platform_message_id = $2 AND platform_message_id <> ''";
// Any conversation of the contact on the channel: a private reply to a comment is queued in the comment's thread, and
// Meta echoes it as a direct message.
constexpr char kOwnUnrecordedReply[] =
    "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id"
    " WHERE c.channel_id = $1 AND c.contact_id = $2 AND m.direction = 'out' AND m.platform_message_id = ''"
    " AND m.status = 'queued' AND m.text IS NOT DISTINCT FROM $3 ORDER BY m.id LIMIT 1";
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

// Payloads one transaction writes at most: it bounds the statements' arrays, the rows a group keeps locked until its
// commit (its conversations, its tenants' event heads) and what a failed group replays one payload at a time.
constexpr size_t kMaxGroupSize = 256;

constexpr char kSavepoint[] = "SAVEPOINT job";
constexpr char kRelease[] = "RELEASE SAVEPOINT job";
constexpr char kRollbackTo[] = "ROLLBACK TO SAVEPOINT job";

// Payloads of one transaction, applied in order: the inbound messages of consecutive payloads gathered into one
// batch (inbound_batch.h), written before anything else of a payload that has more (statuses, deletions, echoes),
// which is applied item by item, so that the result is that of applying the payloads one at a time.
class GroupWriter {
 public:
  GroupWriter(Connection& db, EventNotes& notes) : db_(db), notes_(notes) {}

  // Each payload's outcome, or its own error (kInvalidArgument for a message without a sender: nothing of that
  // payload is written). A failed statement fails the whole call, leaving the transaction to be rolled back.
  Result<std::vector<Result<IngestOutcome>>> Apply(const std::vector<const IngestRequest*>& requests) {
    std::vector<PayloadProgress> progress(requests.size());
    std::vector<bool> invalid(requests.size(), false);
    for (size_t i = 0; i < requests.size(); ++i) {
      const IngestRequest& request = *requests[i];
      invalid[i] = std::any_of(request.messages.begin(), request.messages.end(),
                               [](const InboundItem& item) { return item.message.contact_id.empty(); });
      if (invalid[i]) continue;
      STORE_TRY(ApplyPayload(request, progress[i]));
    }
    STORE_TRY(Flush());
    std::vector<Result<IngestOutcome>> results;
    for (size_t i = 0; i < requests.size(); ++i) {
      if (invalid[i]) {
        results.emplace_back(Error::InvalidArgument("message without a sender"));
      } else {
        results.emplace_back(std::move(progress[i].outcome));
      }
    }
    return results;
  }

 private:
  Result<void> ApplyPayload(const IngestRequest& request, PayloadProgress& payload) {
    // The webhook route names the platform; items are routed by it rather than by their own field.
    for (const InboundItem& item : request.messages) {
      STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, item.message.account_id, payload));
      if (!channel) continue;
      batch_.push_back(InboundRow{&item, *channel, request.platform, request.received_at_ms, &payload, false});
    }
    if (request.statuses.empty() && request.deletions.empty() && request.echoes.empty()) {
      if (!batch_.empty() && batch_.back().payload == &payload) batch_.back().ends_payload = true;
      return Ok();
    }
    STORE_TRY(Flush());
    for (const StatusUpdate& status : request.statuses) {
      STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, status.account_id, payload));
      if (!channel) continue;
      STORE_TRY(ApplyStatus(*channel, status, payload));
    }
    for (const Deletion& deletion : request.deletions) {
      STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, deletion.account_id, payload));
      if (!channel) continue;
      STORE_ASSIGN_OR_RETURN(auto found,
                             db_.Query(kInboundToDelete, Params(channel->id, deletion.platform_message_id)));
      if (found.empty()) continue;
      const int64_t message_id = found.Int(0, 0);
      const int64_t conversation_id = found.Int(0, 1);
      STORE_TRY(db_.Query(kDeleteInbound, Params(message_id)));
      AppendEvent(notes_, channel->tenant_id, EventType::kMessageUpdated,
                  MessageStatusEventData(conversation_id, message_id, MessageStatus::kDeleted, std::nullopt),
                  request.received_at_ms);
    }
    for (const BusinessEcho& echo : request.echoes) {
      STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, echo.account_id, payload));
      if (!channel) continue;
      STORE_TRY(ApplyEcho(*channel, echo, request.received_at_ms, request.human_idle_ms, payload));
    }
    std::vector<NewEvent> events;
    payload.EndEvents(request.received_at_ms, events);
    AppendEvents(notes_, std::move(events));
    return Ok();
  }

  Result<void> Flush() {
    STORE_TRY(WriteInbound(db_, notes_, batch_));
    batch_.clear();
    return Ok();
  }

  // The live channel for the account (looked up once per group), or nullopt (counted as an unknown account). Notes
  // the tenant in the payload's outcome.
  Result<std::optional<ChannelRoute>> Resolve(Platform platform, const std::string& account_id,
                                              PayloadProgress& payload) {
    auto key = std::pair{platform, account_id};
    auto cached = routes_.find(key);
    if (cached == routes_.end()) {
      STORE_ASSIGN_OR_RETURN(auto rows, db_.Query(kResolveChannel, Params(ToString(platform), account_id)));
      std::optional<ChannelRoute> route;
      if (!rows.empty()) route = ChannelRoute{rows.Int(0, 0), rows.Int(0, 1), rows.Bool(0, 2)};
      cached = routes_.emplace(std::move(key), route).first;
    }
    const std::optional<ChannelRoute>& route = cached->second;
    if (!route) {
      ++payload.outcome.unknown_account;
      return route;
    }
    std::vector<int64_t>& tenants = payload.outcome.tenant_ids;
    if (std::find(tenants.begin(), tenants.end(), route->tenant_id) == tenants.end()) {
      tenants.push_back(route->tenant_id);
    }
    return route;
  }

  Result<void> ApplyStatus(const ChannelRoute& channel, const StatusUpdate& status, PayloadProgress& payload) {
    STORE_ASSIGN_OR_RETURN(auto found,
                           db_.Query(kFindMessageByPlatformId, Params(channel.id, status.platform_message_id)));
    if (found.empty()) {
      ++payload.outcome.statuses_unmatched;
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
      ++payload.outcome.statuses_applied;
      std::vector<int64_t> ids;
      for (int i = 0; i < read.size(); ++i) ids.push_back(read.Int(i, 0));
      std::sort(ids.begin(), ids.end());
      for (int64_t id : ids) {
        AppendEvent(notes_, channel.tenant_id, EventType::kMessageUpdated,
                    MessageStatusEventData(conversation_id, id, MessageStatus::kRead, std::nullopt), NowMs());
      }
      return Ok();
    }
    if (!outbound) {
      ++payload.outcome.statuses_unmatched;
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
    ++payload.outcome.statuses_applied;
    // A failure's error is what the update kept; other statuses keep the earlier error, if any, which the event
    // leaves out: the tick is what moved.
    const std::optional<MessageError> error =
        status.status == MessageStatus::kFailed ? status.error : std::optional<MessageError>();
    AppendEvent(notes_, channel.tenant_id, EventType::kMessageUpdated,
                MessageStatusEventData(conversation_id, message_id, status.status, error), NowMs());
    return Ok();
  }

  Result<void> ApplyEcho(const ChannelRoute& channel, const BusinessEcho& echo, int64_t received_at_ms,
                         int64_t human_idle_ms, PayloadProgress& payload) {
    {
      STORE_ASSIGN_OR_RETURN(auto known, db_.Query(kMessageExists, Params(channel.id, echo.platform_message_id)));
      if (!known.empty()) return Ok();  // Parley's own reply (its send result already recorded), or a retried echo.
    }
    STORE_ASSIGN_OR_RETURN(auto contacts,
                           UpsertContacts(db_, {ContactKey{channel, echo.contact_id, "", received_at_ms}}));
    {
      // The echo of a reply Parley sent may overtake the send's answer: same text, still queued, means it is ours.
      STORE_ASSIGN_OR_RETURN(auto own, db_.Query(kOwnUnrecordedReply, Params(channel.id, contacts[0].id, echo.text)));
      if (!own.empty()) {
        STORE_TRY(db_.Query(kFillPlatformId, Params(own.Int(0, 0), echo.platform_message_id)));
        return Ok();
      }
    }
    int64_t conversation_id = 0;
    if (!contacts[0].open_conversation) {
      STORE_ASSIGN_OR_RETURN(auto opened,
                             OpenConversations(db_, {NewConversation{channel, contacts[0].id, received_at_ms}}));
      conversation_id = opened[0].id;
      if (opened[0].created) {
        AppendEvent(notes_, channel.tenant_id, EventType::kConversationCreated, ConversationEventData(conversation_id),
                    received_at_ms);
        payload.opened.push_back(conversation_id);
      }
    } else {
      conversation_id = *contacts[0].open_conversation;
    }
    STORE_ASSIGN_OR_RETURN(auto inserted,
                           db_.Query(kInsertEcho, Params(channel.tenant_id, conversation_id, channel.id, echo.text,
                                                         echo.platform_message_id, echo.timestamp_ms, received_at_ms)));
    AppendEvent(notes_, channel.tenant_id, EventType::kMessageCreated,
                MessageEventData(conversation_id, inserted.Int(0, 0)), received_at_ms);
    payload.NoteChange(channel.tenant_id, conversation_id);
    std::optional<int64_t> human_until;
    if (human_idle_ms > 0) human_until = received_at_ms + human_idle_ms;
    STORE_TRY(db_.Query(kTakeOver, Params(conversation_id, received_at_ms, "takeover", human_until)));
    ++payload.outcome.takeovers;
    return Ok();
  }

  Connection& db_;
  EventNotes& notes_;
  std::map<std::pair<Platform, std::string>, std::optional<ChannelRoute>> routes_;
  std::vector<InboundRow> batch_;  //!< Inbound messages not written yet.
};

}  // namespace

Result<std::vector<Result<IngestOutcome>>> PostgresStore::ApplyIngest(
    Connection& connection, EventNotes& notes, const std::vector<const IngestRequest*>& requests) {
  GroupWriter writer(connection, notes);
  return writer.Apply(requests);
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
    std::vector<const IngestRequest*> requests;
    for (const IngestJob& job : group) requests.push_back(&job.request);
    auto all = ApplyIngest(db, notes, requests);
    if (all) {
      for (size_t i = 0; i < group.size(); ++i) results[i] = std::move((*all)[i]);
    } else {
      // Replayed with each payload in its own savepoint: the failing ones roll back alone.
      (void)db.Execute(kRollback);
      notes.Clear();
      committed = db.Execute(kBegin);
      if (!committed) continue;
      for (size_t i = 0; i < group.size() && committed; ++i) {
        committed = db.Execute(kSavepoint);
        if (!committed) break;
        const EventNotes before = notes;
        auto one = ApplyIngest(db, notes, {requests[i]});
        results[i] = one ? std::move((*one)[0]) : Result<IngestOutcome>(one.error());
        committed = db.Execute(one ? kRelease : kRollbackTo);
        if (!one) notes = before;  // Its events, and its first lock of a tenant's head, are rolled back.
      }
    }
    if (committed) committed = WriteEvents(db, notes);
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
