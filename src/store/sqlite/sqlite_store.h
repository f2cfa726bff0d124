#pragma once
// The embedded SQLite backend of store::Store.
//
// One writer thread owns the only write connection and executes every write. Writes queue up while the previous
// group commits; the writer then runs the whole queue in ONE transaction, commits once and only then completes
// every write: one fsync acknowledges many webhooks (group commit). Should a write fail, the group is rolled back
// and replayed with each write in its own SAVEPOINT, so the failing write rolls back alone and gets its error while
// the others commit (savepoints are kept off the common path: they cost about a third of the ingest rate). Reads use a
// small pool of query-only connections, which WAL lets run concurrently with the writer.

#include "store/events.h"
#include "store/sqlite/db.h"
#include "store/store.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace parley::store::sqlite {

class SearchIndexer;  // Message search indexing in the background (search_indexer.h).

//! What a write inside a group does, for the writer's per-kind timings (parley_store_write_job_seconds{kind}).
enum class WriteKind { kIngest, kSearchIndex, kSearchMerge, kAnalytics, kClaim, kReply, kOutbox, kEventsPrune, kOther };
inline constexpr int kWriteKinds = 9;

struct SqliteOptions {
  std::string path;                  //!< Database file; its directory must exist.
  std::string synchronous = "full";  //!< off, normal, full or extra: `full` fsyncs the WAL on every commit.
  int readers = 4;                   //!< Read-only connections in the pool.
  int busy_timeout_ms = 5000;        //!< Wait for another process's write lock (CLI and server on one file).
  boost::asio::any_io_executor callback_executor;                           //!< See StoreOptions::callback_executor.
  std::function<void(int64_t tenant_id, int64_t last_event_id)> on_events;  //!< See StoreOptions::on_events.
  std::function<void()> on_routes_changed;                                  //!< See StoreOptions::on_routes_changed.
  //! WAL pages (4 KiB) the writer's commits add between two checkpoints; SQLite's own automatic threshold.
  int checkpoint_frames = 1000;
  //! WAL length past which the writer checkpoints once itself, so that the WAL restarts (see AfterCommit).
  int wal_restart_frames = 16000;
};

class SqliteStore final : public Store {
 public:
  // Opens the writer and reader connections and starts the writer thread. Does not migrate.
  // Fails with kUnavailable when the file cannot be opened, kInvalidArgument for a bad option.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options, const crypto::SecretBox& box);
  // Close()s.
  ~SqliteStore() override;

  // Applies missing migrations on a short-lived connection of its own, each in a BEGIN IMMEDIATE transaction
  // that re-checks schema_migrations under the write lock, so concurrent processes apply each one exactly once.
  Result<void> Migrate() override;

  using Store::CreateTenant;
  Result<Tenant> CreateTenant(const std::string& name, const NewApiKey& first_key) override;
  // Channels: sqlite/channel_store.cpp.
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

  // A request with a message lacking contact_id fails alone with kInvalidArgument; after Close() `done` runs
  // at once on the calling thread with kUnavailable.
  void Ingest(IngestRequest request, IngestCallback done) override;

  Result<std::vector<PendingConversation>> ListPendingConversations(std::optional<int64_t> unclaimed_at_ms) override;
  using Store::ListPendingConversations;
  Result<std::optional<PendingConversation>> GetPendingConversation(int64_t conversation_id) override;
  // A conversation whose unanswered messages were all unsent by the customer (deleted) is marked answered and
  // yields neither a claim nor a holder; so does an unknown conversation id.
  Result<ClaimAttempt> ClaimConversation(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) override;
  // kNotFound for an unknown conversation; the Claim must come from ClaimConversation.
  Result<std::vector<StoredMessage>> RecentMessages(int64_t conversation_id, int64_t before_id, int limit) override;
  using Store::CommitReply;
  Result<CommitResult> CommitReply(const Claim& claim, const Reply& reply, int64_t now_ms,
                                   std::vector<int64_t>* outbound_ids) override;
  Result<Conversation> SetConversationMode(int64_t tenant_id, int64_t conversation_id, const std::string& mode,
                                           const std::string& reason, int64_t human_idle_ms, int64_t now_ms) override;
  Result<std::vector<ReplyTrace>> ListReplyTraces(int64_t tenant_id, int64_t conversation_id) override;
  // A no-op (success) when `token` no longer holds the conversation.
  Result<void> ReleaseClaim(int64_t conversation_id, const std::string& token) override;
  Result<std::vector<OutboundMessage>> ListQueuedOutbound() override;
  // kNotFound unless `message_id` is an outbound message.
  Result<OutboundMessage> GetOutbound(int64_t message_id) override;
  // `status` must be kSent (with the platform's id) or kFailed (with `error`), else kInvalidArgument; kNotFound
  // unless `message_id` is an outbound message. Only a queued message changes status; the platform id is filled
  // in if still empty. Idempotent.
  Result<void> RecordSendResult(int64_t message_id, const std::string& platform_message_id, MessageStatus status,
                                const std::optional<MessageError>& error) override;
  // Outbox leases: sqlite/outbox.cpp.
  Result<OutboundAttempt> LeaseNextOutbound(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) override;
  Result<void> DeferOutbound(int64_t message_id, const std::string& token, int64_t retry_at_ms,
                             const MessageError& error) override;

  // `limit` is clamped to 1..500.
  using Store::ListConversations;
  Result<Page<Conversation>> ListConversations(int64_t tenant_id, const ConversationFilter& filter,
                                               const std::optional<std::string>& cursor, int limit) override;
  Result<Conversation> GetConversation(int64_t tenant_id, int64_t conversation_id) override;
  Result<Conversation> AssignConversation(int64_t tenant_id, int64_t conversation_id,
                                          std::optional<int64_t> user_id) override;
  Result<Conversation> CloseConversation(int64_t tenant_id, int64_t conversation_id, int64_t now_ms) override;
  Result<OutboundMessage> QueuePersonReply(int64_t tenant_id, int64_t conversation_id, const std::string& text,
                                           const std::string& sent_by, int64_t human_idle_ms, int64_t now_ms,
                                           const MessagingWindow& window,
                                           const std::optional<TemplateMessage>& message_template,
                                           const std::optional<OutboundFile>& file) override;
  using Store::QueuePersonReply;
  Result<Page<SupportItem>> ListSupportItems(int64_t tenant_id, const SupportFilter& filter,
                                             const std::optional<std::string>& cursor, int limit) override;
  using Store::ListSupportItems;
  Result<SupportItem> ResolveSupportItem(int64_t tenant_id, int64_t item_id, const std::string& resolved_by,
                                         bool hand_back, int64_t now_ms) override;
  Result<Page<StoredMessage>> ListMessages(int64_t tenant_id, int64_t conversation_id,
                                           const std::optional<std::string>& cursor, int limit) override;
  Result<Page<StoredMessage>> ListMessagesNewestFirst(int64_t tenant_id, int64_t conversation_id,
                                                      const std::optional<std::string>& before, int limit) override;

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

  // For the backend's writes (ingest.cpp, inbox.cpp, knowledge_store.cpp, …): appends an event to `tenant_id`'s log
  // inside the current write, i.e. only from a function running on the writer thread (Write, WriteSync, Ingest),
  // and returns its id. The id is announced through SqliteOptions::on_events once the write's group is durable, and
  // forgotten if the write fails. `data` is the JSON object of store/events.h's EventType.
  Result<int64_t> AppendEvent(int64_t tenant_id, EventType type, std::string_view data, int64_t now_ms);

  // For the backend's other parts (sqlite/knowledge_store.cpp): runs `fn` on the writer thread inside the next
  // group and returns once that group is committed (durably unless `durable` is false); `fn` must depend on
  // nothing but the database and its captures, since a failed group is replayed. `kind` only labels its timing.
  // `Read` lends a reader.
  Result<void> Write(const std::function<Result<void>(Database&)>& fn, bool durable = true,
                     WriteKind kind = WriteKind::kOther);
  Result<void> Read(const std::function<Result<void>(Database&)>& fn);
  // Write() for a change that deletes contacts or conversations (erasure, sqlite/contact_store.cpp): the writer's
  // caches, which would route the next message of a contact to rows that are gone, are dropped in the same step.
  Result<void> WriteForgettingCaches(const std::function<Result<void>(Database&)>& fn) {
    return WriteForgettingRoutes(fn);
  }

  // pending_writes counts writes queued or in the group being committed.
  StoreHealth Health() override;
  void ForgetCachedRoutes() override { routes_stale_.store(true); }
  void Close() override;

  // Test hook: the writer thread blocks until `release` is ready, so that every write queued meanwhile commits
  // in the next group. Returns once the writer is blocked (the hold is queued like a write).
  void HoldWriterForTesting(std::shared_future<void> release);
  // Number of writes committed (or failed) together in the most recent group.
  int64_t LastGroupSizeForTesting() const { return last_group_size_.load(); }

  class Writer;  // The writer thread's state: its connection and caches (writer.h).

 private:
  // A write executed by the writer thread inside the group transaction.
  struct IngestJob {
    IngestRequest request;
    IngestCallback done;
  };
  struct TaskJob {
    // Runs inside the group transaction; an error rolls back this job's effects only. Must depend on nothing
    // but the database and its captures: a group with a failure is rolled back and replayed.
    std::function<Result<void>(Writer&)> apply;
    // Receives the group's commit result (or apply's error) once the outcome is durable or abandoned.
    std::promise<Result<void>>* committed;
    // False for claim leases: losing one to a power cut only makes its conversation pending again, so a group of
    // nothing but leases commits without waiting for the disk.
    bool durable = true;
    WriteKind kind = WriteKind::kOther;
  };
  using Job = std::variant<IngestJob, TaskJob>;

  // A committed (or failed) group waiting to be acknowledged, in commit order.
  struct Completion {
    std::vector<Job> jobs;
    std::vector<Result<void>> results;    // Per job: its own error, if any.
    std::vector<IngestOutcome> outcomes;  // Per job: what an IngestJob stored.
    Result<void> group_result;            // The transaction's outcome.
    // Per tenant the newest event id the group appended, announced after the sync (SqliteOptions::on_events).
    std::vector<std::pair<int64_t, int64_t>> events;
    bool needs_sync = false;  // Holds a durable write that only the syncer's fdatasync makes safe.
  };

  SqliteStore(const SqliteOptions& options, const crypto::SecretBox& box, std::unique_ptr<Writer> writer,
              std::unique_ptr<Database> checkpoint_db, std::vector<std::unique_ptr<Database>> readers);

  // Queues `job` (moving from it); false after Close(), and `job` is left intact.
  bool Enqueue(Job& job);
  // Runs `fn(Writer&) -> Result<T>` on the writer thread inside the next group and waits until it commits.
  template <class T, class Fn>
  Result<T> WriteSync(Fn&& fn, bool durable = true, WriteKind kind = WriteKind::kOther);
  void WriterLoop();
  void RunGroup(std::vector<Job>& group);
  // Acknowledges every job of `batch`; `sync` is the outcome of the disk sync that covers it. Blocked WriteSync
  // callers are released here; Ingest callbacks run here too, or all together in one post to the callback
  // executor.
  void Acknowledge(std::vector<Completion>& batch, const Result<void>& sync);
  // With synchronous=full the writer commits without waiting for the disk (WAL written, not synced) and goes on
  // with the next group while this thread fdatasyncs the WAL and then acknowledges, in commit order. Durability is
  // that of synchronous=full; the fsync no longer stalls the writer.
  void SyncerLoop();
  Result<void> SyncWal();
  // Checkpoints the WAL on its own thread and connection each time the writer's commits have added
  // options_.checkpoint_frames to it. SQLite's automatic checkpoint runs inside the commit that crosses its
  // threshold, and its copying and two fsyncs stalled every write queued behind it (1–2.5 ms, for 1 % of the
  // commits at 1,000 webhooks/s).
  void CheckpointerLoop();
  // Called by SQLite on the writer thread after each commit, with the WAL's length. The WAL restarts from its
  // beginning only when a write starts after a checkpoint has copied all of it, which a checkpoint running beside a
  // busy writer seldom does; past options_.wal_restart_frames the writer checkpoints once itself, between two
  // groups (a short one: the checkpointer has copied nearly everything), so the WAL stays bounded.
  void AfterCommit(int wal_frames);
  // The writer's own checkpoint once the WAL is too long (AfterCommit), between two groups; put off to a later
  // group while the checkpointer is running.
  void RestartWal();

  // A reader connection from the pool, returned on destruction.
  class ReaderLease;
  Result<ReaderLease> AcquireReader();

  // The channel with its token unsealed, removed or not; kNotFound, or kInternal when the token does not open
  // under box_.
  Result<Channel> LoadChannel(Database& db, int64_t channel_id);
  // Write() for the changes that alter how webhooks are routed (removing, enabling, disabling a channel): the
  // writer's cache of channel routes is dropped in the same step.
  Result<void> WriteForgettingRoutes(const std::function<Result<void>(Database&)>& fn);
  // Outbound messages with their channel: the one with `message_id`, or every queued one when nullopt.
  Result<std::vector<OutboundMessage>> LoadOutbound(Database& db, std::optional<int64_t> message_id);

  const SqliteOptions options_;
  const crypto::SecretBox box_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::vector<Job> queue_;             // GUARDED_BY(queue_mutex_)
  bool closed_ = false;                // GUARDED_BY(queue_mutex_)
  std::atomic<int64_t> in_flight_{0};  // Writes in the group being committed.
  std::atomic<int64_t> last_group_size_{0};
  std::atomic<bool> routes_stale_{false};  // ForgetCachedRoutes: the writer drops its caches before the next group.

  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Database>> idle_readers_;  // GUARDED_BY(readers_mutex_)
  int readers_out_ = 0;                                  // GUARDED_BY(readers_mutex_)
  bool readers_closed_ = false;                          // GUARDED_BY(readers_mutex_)

  const bool deferred_sync_;  // synchronous=full/extra: acknowledgements wait for SyncerLoop.
  std::mutex sync_mutex_;
  std::condition_variable sync_cv_;
  std::vector<Completion> to_sync_;  // GUARDED_BY(sync_mutex_)
  bool sync_closed_ = false;         // GUARDED_BY(sync_mutex_)
  int wal_fd_ = -1;                  // Used only by syncer_thread_.

  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;           // GUARDED_BY(checkpoint_mutex_)
  bool checkpoint_closed_ = false;           // GUARDED_BY(checkpoint_mutex_)
  std::unique_ptr<Database> checkpoint_db_;  // Used only by checkpointer_thread_.
  // Held while either thread checkpoints: SQLite answers BUSY to a second checkpoint rather than wait, and the
  // writer's own must not keep losing to the checkpointer's.
  std::mutex checkpoint_run_mutex_;

  std::unique_ptr<Writer> writer_;  // Used only by writer_thread_.
  int wal_frames_at_request_ = 0;   // Used only by writer_thread_: the WAL's length when a checkpoint was asked.
  bool wal_too_long_ = false;       // Used only by writer_thread_.
  int wal_frames_ = 0;              // Used only by writer_thread_: the WAL's length after the last commit.
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
  std::unique_ptr<SearchIndexer> search_indexer_;  // Started by Migrate(), notified after each commit.
  std::mutex close_mutex_;                         // Serializes Close().
  std::thread checkpointer_thread_;                // Started before the writer, joined after it.
  std::thread syncer_thread_;                      // Started before the writer, joined after it.
  std::thread writer_thread_;                      // Declared last: started after the state it uses, joined by Close().
};

// A pooled read-only connection, returned to the pool on destruction.
class SqliteStore::ReaderLease {
 public:
  ReaderLease(SqliteStore* store, std::unique_ptr<Database> db) : store_(store), db_(std::move(db)) {}
  ReaderLease(ReaderLease&& other) noexcept = default;
  ~ReaderLease();
  Database& operator*() { return *db_; }

 private:
  SqliteStore* store_;
  std::unique_ptr<Database> db_;
};

inline Error ClosedError() { return Error::Unavailable("store is closed"); }

template <class T, class Fn>
Result<T> SqliteStore::WriteSync(Fn&& fn, bool durable, WriteKind kind) {
  std::optional<Result<T>> result;
  std::promise<Result<void>> committed;
  std::future<Result<void>> future = committed.get_future();
  // The closure refers to this frame, which lives until the writer has set `committed`.
  Job job = TaskJob{[&](Writer& writer) -> Result<void> {
                      result.emplace(fn(writer));
                      if (*result) return Ok();
                      return result->error();
                    },
                    &committed, durable, kind};
  if (!Enqueue(job)) return ClosedError();
  Result<void> commit = future.get();
  if (!commit) return commit.error();
  return std::move(*result);
}

}  // namespace parley::store::sqlite
