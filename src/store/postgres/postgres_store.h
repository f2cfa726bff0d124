#pragma once
// The PostgreSQL backend of store::Store (issue 18 §2), for several Parley processes sharing one database.
//
// Every method but Ingest borrows a connection from a bounded pool (pool.h) and runs its statements in one
// transaction; a serialization failure or a deadlock replays the transaction. Rows several processes compete for
// are taken with conditional UPDATEs (a claim, a send lease) that PostgreSQL re-checks under the row lock, so
// exactly one taker wins. Ingest groups webhooks as the SQLite writer does: payloads queue up while the previous
// group commits, and the ingest thread then writes the queue (up to 256 payloads) in ONE transaction and acknowledges
// every payload after the commit; should one payload fail, the group is rolled back and replayed with each payload in
// its own SAVEPOINT, so the failing one gets its error alone.

#include "store/events.h"
#include "store/postgres/pg.h"
#include "store/postgres/pool.h"
#include "store/store.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace parley::store::postgres {

struct PostgresOptions {
  std::string url;      //!< postgresql://user[:password]@host[:port]/database[?options]
  int connections = 8;  //!< Pooled connections for the blocking methods (the ingest thread has its own).
  boost::asio::any_io_executor callback_executor;                           //!< See StoreOptions::callback_executor.
  std::function<void(int64_t tenant_id, int64_t last_event_id)> on_events;  //!< See StoreOptions::on_events.
};

// An event for AppendEvents; WriteEvents gives it its tenant's next id.
struct NewEvent {
  int64_t tenant_id = 0;
  EventType type = EventType::kMessageCreated;
  std::string data;
  int64_t created_at_ms = 0;
};

// The events one transaction appends, held until its last statements: WriteEvents, just before the commit, locks
// the tenants' event_heads rows, gives the events their ids and inserts them. A tenant's events still commit in id
// order, but its head stays locked only from those last statements to the commit instead of from its first event:
// the tenant's other writers (ingest, the pool's transactions, other processes) wait for each other's commit only,
// not for each other's whole transaction. A copy is a savepoint's state, to go back to when the savepoint is rolled
// back.
class EventNotes {
 public:
  //! Tenant -> the newest id written, announced once committed.
  const std::map<int64_t, int64_t>& newest() const { return newest_; }
  void Clear() {
    pending_.clear();
    newest_.clear();
  }

 private:
  friend void AppendEvents(EventNotes&, std::vector<NewEvent>);
  friend void AppendEvent(EventNotes&, int64_t, EventType, std::string_view, int64_t);
  friend Result<void> WriteEvents(Connection&, EventNotes&);
  std::vector<NewEvent> pending_;  //!< Appended, not written yet, in order.
  std::map<int64_t, int64_t> newest_;
};

// Appends `events`, in order, to their tenants' logs: written by WriteEvents when the transaction ends.
void AppendEvents(EventNotes& notes, std::vector<NewEvent> events);
// AppendEvents for one event.
void AppendEvent(EventNotes& notes, int64_t tenant_id, EventType type, std::string_view data, int64_t now_ms);
// Writes the appended events (two statements whatever their number: the heads advanced and locked in tenant order,
// then the events) and notes their ids; called last, before the commit.
Result<void> WriteEvents(Connection& connection, EventNotes& notes);

// For the backend's files, inside the caller's transaction: the outbound message `message_id` with its channel
// (kNotFound unless it is one), and the resolution of a conversation's open support items by `resolved_by`, each
// with its support.resolved event.
Result<OutboundMessage> LoadOutbound(Connection& connection, int64_t message_id, const crypto::SecretBox& box);
Result<void> ResolveSupportItemsOf(Connection& connection, EventNotes& notes, int64_t tenant_id,
                                   int64_t conversation_id, std::string_view resolved_by, int64_t now_ms);
// Releases the reply's reservation, if any, and when it `committed` adds its usage to the tenant's day.
Result<void> SettleReplyUsage(Connection& connection, int64_t tenant_id, const Reply& reply, bool committed);

class PostgresStore final : public Store {
 public:
  // Connects (one pooled connection at once, so a wrong URL fails here with kUnavailable) and starts the ingest
  // thread. Does not migrate.
  static Result<std::unique_ptr<PostgresStore>> Open(const PostgresOptions& options, const crypto::SecretBox& box);
  // Close()s.
  ~PostgresStore() override;

  // Applies missing migrations on a connection of its own (migrate.h). kConflict for a database newer than this
  // binary.
  Result<void> Migrate() override;

  using Store::CreateTenant;
  Result<Tenant> CreateTenant(const std::string& name, const NewApiKey& first_key) override;
  // Channels: channels.cpp.
  Result<Channel> AddChannel(const NewChannel& channel) override;
  Result<Channel> GetChannel(int64_t channel_id) override;
  Result<Channel> GetChannelByPublicId(std::string_view public_id) override;
  Result<std::vector<StoredMessage>> ListContactThread(int64_t channel_id, std::string_view contact_platform_id,
                                                       int64_t after_id, int limit) override;
  Result<StoredMessage> GetMessageByPlatformId(int64_t channel_id, std::string_view platform_message_id) override;
  Result<void> SaveContactProfile(int64_t channel_id, std::string_view platform_id, std::string_view name,
                                  std::string_view email) override;
  Result<std::vector<Channel>> ListChannels(int64_t tenant_id) override;
  Result<Channel> GetChannel(int64_t tenant_id, int64_t channel_id) override;
  Result<Channel> UpdateChannel(int64_t tenant_id, int64_t channel_id, const ChannelUpdate& update) override;
  Result<Channel> RemoveChannel(int64_t tenant_id, int64_t channel_id) override;

  // ingest.cpp. A request with a message lacking contact_id fails alone with kInvalidArgument; after Close() `done`
  // runs at once on the calling thread with kUnavailable.
  void Ingest(IngestRequest request, IngestCallback done) override;

  // claims.cpp.
  Result<std::vector<PendingConversation>> ListPendingConversations(std::optional<int64_t> unclaimed_at_ms) override;
  using Store::ListPendingConversations;
  Result<std::optional<PendingConversation>> GetPendingConversation(int64_t conversation_id) override;
  Result<ClaimAttempt> ClaimConversation(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) override;
  using Store::CommitReply;
  Result<CommitResult> CommitReply(const Claim& claim, const Reply& reply, int64_t now_ms,
                                   std::vector<int64_t>* outbound_ids) override;
  Result<void> ReleaseClaim(int64_t conversation_id, const std::string& token) override;
  Result<std::vector<StoredMessage>> RecentMessages(int64_t conversation_id, int64_t before_id, int limit) override;
  Result<Conversation> SetConversationMode(int64_t tenant_id, int64_t conversation_id, const std::string& mode,
                                           const std::string& reason, int64_t human_idle_ms, int64_t now_ms) override;
  Result<std::vector<ReplyTrace>> ListReplyTraces(int64_t tenant_id, int64_t conversation_id) override;

  // outbox.cpp.
  Result<std::vector<OutboundMessage>> ListQueuedOutbound() override;
  Result<OutboundMessage> GetOutbound(int64_t message_id) override;
  Result<void> RecordSendResult(int64_t message_id, const std::string& platform_message_id, MessageStatus status,
                                const std::optional<MessageError>& error) override;
  Result<OutboundAttempt> LeaseNextOutbound(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) override;
  Result<void> DeferOutbound(int64_t message_id, const std::string& token, int64_t retry_at_ms,
                             const MessageError& error) override;
  // inbox.cpp; a filter's `text` is searched as search.h says.
  using Store::ListConversations;
  Result<Page<Conversation>> ListConversations(int64_t tenant_id, const ConversationFilter& filter,
                                               const std::optional<std::string>& cursor, int limit) override;
  Result<Conversation> GetConversation(int64_t tenant_id, int64_t conversation_id) override;
  Result<Conversation> AssignConversation(int64_t tenant_id, int64_t conversation_id,
                                          std::optional<int64_t> user_id) override;
  Result<Conversation> CloseConversation(int64_t tenant_id, int64_t conversation_id, int64_t now_ms) override;
  using Store::QueuePersonReply;
  Result<OutboundMessage> QueuePersonReply(int64_t tenant_id, int64_t conversation_id, const std::string& text,
                                           const std::string& sent_by, int64_t human_idle_ms, int64_t now_ms,
                                           const MessagingWindow& window,
                                           const std::optional<TemplateMessage>& message_template,
                                           const std::optional<OutboundFile>& file) override;
  using Store::ListSupportItems;
  Result<Page<SupportItem>> ListSupportItems(int64_t tenant_id, const SupportFilter& filter,
                                             const std::optional<std::string>& cursor, int limit) override;
  Result<SupportItem> ResolveSupportItem(int64_t tenant_id, int64_t item_id, const std::string& resolved_by,
                                         bool hand_back, int64_t now_ms) override;
  Result<Page<StoredMessage>> ListMessages(int64_t tenant_id, int64_t conversation_id,
                                           const std::optional<std::string>& cursor, int limit) override;
  Result<Page<StoredMessage>> ListMessagesNewestFirst(int64_t tenant_id, int64_t conversation_id,
                                                      const std::optional<std::string>& before, int limit) override;

  // Sub-stores (sub_stores.h), each in its own file.
  KnowledgeStore& knowledge() override;
  BillingStore& billing() override;
  AccessStore& access() override;
  InboxStore& inbox() override;
  ContactStore& contacts() override;
  TenantStore& tenants() override;
  AnalyticsStore& analytics() override;
  TeamStore& team() override;
  EventLog& events() override;
  WebhookStore& webhooks() override;
  MediaRecords& media() override;
  OAuthFlowStore& oauth_flows() override;

  // pending_writes counts webhook payloads queued or in the group being committed.
  StoreHealth Health() override;
  void Close() override;

  // For the backend's files: runs `fn(Connection&, EventNotes&) -> Result<T>` in a transaction (InTransaction, so
  // it may run again after a serialization failure) and, once it commits, announces the events it appended.
  template <class T, class Fn>
  Result<T> Write(Fn&& fn);
  // Runs `fn(Connection&) -> Result<T>` on a pooled connection, in one snapshot (a read-only transaction); a pooled
  // connection found dead is replaced.
  template <class T, class Fn>
  Result<T> Read(Fn&& fn);

  // Read() of the one row `sql` selects, made a T by `read(rows, 0)`; kNotFound with `not_found` when there is none.
  template <class T, class ReadRow>
  Result<T> ReadOne(const char* sql, const Params& params, const char* not_found, ReadRow read) {
    return Read<T>([&](Connection& db) -> Result<T> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(sql, params));
      if (rows.empty()) return Error::NotFound(not_found);
      return read(rows, 0);
    });
  }
  // Read() of every row `sql` selects, each made a T by `read(rows, i)`.
  template <class T, class ReadRow>
  Result<std::vector<T>> ReadAll(const char* sql, const Params& params, ReadRow read) {
    return Read<std::vector<T>>([&](Connection& db) -> Result<std::vector<T>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(sql, params));
      std::vector<T> all;
      all.reserve(rows.size());
      for (int i = 0; i < rows.size(); ++i) all.push_back(read(rows, i));
      return all;
    });
  }

  const crypto::SecretBox& box() const { return box_; }

  // Test hook: the ingest thread blocks until `release` is ready, so that every payload queued meanwhile commits in
  // the next group. Returns once the thread is blocked.
  void HoldIngestForTesting(std::shared_future<void> release);
  // Payloads committed (or failed) together in the most recent group.
  int64_t LastGroupSizeForTesting() const { return last_group_size_.load(); }

 private:
  struct IngestJob {
    IngestRequest request;
    IngestCallback done;
    std::function<void()> hold;  //!< Set for HoldIngestForTesting's job instead of a request.
  };

  PostgresStore(const PostgresOptions& options, const crypto::SecretBox& box, std::unique_ptr<ConnectionPool> pool,
                std::unique_ptr<Connection> ingest_connection);

  void Announce(const EventNotes& notes);
  void IngestLoop();
  // Writes `group` in one transaction (or, after a failure, each job in its own savepoint) and acknowledges each job.
  void RunGroup(std::vector<IngestJob>& group);
  // Applies payloads in order inside the ingest thread's transaction (ingest.cpp): each payload's outcome or its own
  // error (nothing of it written), or the error of a failed statement, after which the transaction must be rolled
  // back.
  Result<std::vector<Result<IngestOutcome>>> ApplyIngest(Connection& connection, EventNotes& notes,
                                                         const std::vector<const IngestRequest*>& requests);

  const PostgresOptions options_;
  const crypto::SecretBox box_;
  std::unique_ptr<ConnectionPool> pool_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::vector<IngestJob> queue_;  // GUARDED_BY(queue_mutex_)
  bool closed_ = false;           // GUARDED_BY(queue_mutex_)
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> last_group_size_{0};
  std::unique_ptr<Connection> ingest_connection_;  // Used only by ingest_thread_ (reconnected when lost).

  std::unique_ptr<KnowledgeStore> knowledge_;
  std::unique_ptr<BillingStore> billing_;
  std::unique_ptr<AccessStore> access_;
  std::unique_ptr<InboxStore> inbox_;
  std::unique_ptr<ContactStore> contacts_;
  std::unique_ptr<TenantStore> tenants_;
  std::unique_ptr<AnalyticsStore> analytics_;
  std::unique_ptr<TeamStore> team_;
  std::unique_ptr<EventLog> events_;
  std::unique_ptr<WebhookStore> webhooks_;
  std::unique_ptr<MediaRecords> media_;
  std::unique_ptr<OAuthFlowStore> oauth_flows_;
  std::mutex close_mutex_;     // Serializes Close().
  std::thread ingest_thread_;  // Declared last: started after the state it uses, joined by Close().
};

template <class T, class Fn>
Result<T> PostgresStore::Write(Fn&& fn) {
  EventNotes notes;
  auto result = InTransaction<T>(*pool_, [&](Connection& connection) -> Result<T> {
    notes.Clear();  // A replayed transaction appends its events again.
    Result<T> written = fn(connection, notes);
    if (written) STORE_TRY(WriteEvents(connection, notes));
    return written;
  });
  if (result) Announce(notes);
  return result;
}

template <class T, class Fn>
Result<T> PostgresStore::Read(Fn&& fn) {
  for (int attempt = 1;; ++attempt) {
    STORE_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
    if (auto begin = (*lease).Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !begin) {
      // A pooled connection the server dropped meanwhile: nothing was read on it, a fresh one may try.
      if (!(*lease).Healthy() && attempt < kTransactionAttempts) continue;
      return begin.error();
    }
    Result<T> result = fn(*lease);
    (void)(*lease).Execute(kCommit);
    return result;
  }
}

}  // namespace parley::store::postgres
