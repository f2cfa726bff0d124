// SqliteStore's group-commit engine: the writer thread runs queued writes in one transaction per group, the syncer
// thread makes each group durable and acknowledges it, and the checkpointer thread keeps the WAL short (see
// sqlite_store.h for the design).

#include "store/sqlite/search_indexer.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/writer.h"

#include "core/log.h"
#include "core/metrics.h"

#include <boost/asio/post.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <utility>

namespace parley::store::sqlite {
namespace {

// Each job of a group that failed is replayed in its own savepoint.
constexpr char kSavepoint[] = "SAVEPOINT job";
constexpr char kRelease[] = "RELEASE job";
constexpr char kRollbackTo[] = "ROLLBACK TO job";

}  // namespace

bool SqliteStore::Enqueue(Job& job) {
  {
    std::lock_guard lock(queue_mutex_);
    if (closed_) return false;
    queue_.push_back(std::move(job));
  }
  queue_cv_.notify_one();
  return true;
}

namespace {

// The writer's figures: groups per second and jobs per group say how well commits are shared.
struct WriterMetrics {
  metrics::Counter& groups = metrics::Global().GetCounter(
      "parley_store_write_groups_total", "Write transactions committed by the store's writer (group commits).",
      {{"backend", "sqlite"}});
  metrics::Counter& jobs = metrics::Global().GetCounter(
      "parley_store_write_jobs_total", "Writes (webhook payloads and other updates) in those transactions.",
      {{"backend", "sqlite"}});
  metrics::Histogram& group_seconds =
      metrics::Global().GetHistogram("parley_store_write_group_seconds",
                                     "Time from BEGIN to the end of COMMIT of one group.", {{"backend", "sqlite"}});
  metrics::Histogram& commit_seconds = metrics::Global().GetHistogram(
      "parley_store_commit_seconds", "Time spent in COMMIT (writing the WAL).", {{"backend", "sqlite"}});
  metrics::Histogram& sync_seconds = metrics::Global().GetHistogram(
      "parley_store_sync_seconds", "Time spent in fdatasync of the WAL before acknowledging (synchronous=full).",
      {{"backend", "sqlite"}});
  metrics::Histogram& checkpoint_seconds = metrics::Global().GetHistogram(
      "parley_store_checkpoint_seconds", "Time one WAL checkpoint took, on the checkpointer's own thread.",
      {{"backend", "sqlite"}});
  metrics::Histogram& wal_restart_seconds = metrics::Global().GetHistogram(
      "parley_store_wal_restart_seconds",
      "Time the writer stopped between two groups to checkpoint a WAL grown too long.", {{"backend", "sqlite"}});
  // Per kind of write, the time one job took inside its group: which writes make a slow group, and so a slow
  // acknowledgement for every webhook queued behind it.
  std::array<metrics::Histogram*, kWriteKinds> job_seconds = [] {
    constexpr std::array<const char*, kWriteKinds> kNames = {
        "ingest", "search_index", "search_merge", "analytics", "claim", "reply", "outbox", "events_prune", "other"};
    std::array<metrics::Histogram*, kWriteKinds> histograms{};
    for (int i = 0; i < kWriteKinds; ++i) {
      histograms[i] = &metrics::Global().GetHistogram("parley_store_write_job_seconds",
                                                      "Time one write took inside its group, by kind.",
                                                      {{"backend", "sqlite"}, {"kind", kNames[i]}});
    }
    return histograms;
  }();

  metrics::Histogram& Job(WriteKind kind) { return *job_seconds[static_cast<int>(kind)]; }
};

WriterMetrics& Figures() {
  static WriterMetrics figures;
  return figures;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void SqliteStore::WriterLoop() {
  writer_->db().OnWalCommit([this](int frames) { AfterCommit(frames); });
  std::vector<Job> group;  // Swapped with queue_, so both keep their capacity and steady state allocates nothing.
  while (true) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty()) return;  // Closed and drained.
      group.swap(queue_);
      in_flight_.store(static_cast<int64_t>(group.size()));
    }
    RunGroup(group);
    group.clear();
    if (wal_too_long_) RestartWal();
  }
}

void SqliteStore::RestartWal() {
  // Not while the checkpointer runs: waiting for it held every queued write up to a checkpoint's length (its p99
  // was 50 ms); the writer tries again after its next group, and by then has less left to copy. A checkpointer kept
  // busy could put the restart off for ever, so past half as long again the writer waits.
  std::unique_lock running(checkpoint_run_mutex_, std::try_to_lock);
  if (!running.owns_lock()) {
    if (wal_frames_ < options_.wal_restart_frames + options_.wal_restart_frames / 2) return;
    running.lock();
  }
  wal_too_long_ = false;
  const auto start = std::chrono::steady_clock::now();
  if (auto done = writer_->db().Checkpoint(); !done) {
    log::Warn("sqlite_checkpoint_failed", {{"detail", done.error().detail}});
  }
  Figures().wal_restart_seconds.Observe(SecondsSince(start));
}

void SqliteStore::RunGroup(std::vector<Job>& group) {
  Database& db = writer_->db();
  if (routes_stale_.exchange(false)) writer_->ForgetRoutes();
  const auto group_start = std::chrono::steady_clock::now();
  // One result slot per job; ingest outcomes live in their own vector so TaskJobs cost nothing there.
  Completion completion;
  completion.results.assign(group.size(), Ok());
  completion.outcomes.resize(group.size());
  std::vector<Result<void>>& results = completion.results;
  std::vector<IngestOutcome>& outcomes = completion.outcomes;

  auto run_job = [&](size_t i) -> Result<void> {
    outcomes[i] = IngestOutcome();  // A retried job starts from scratch.
    const size_t events_mark = writer_->EventMark();
    Result<void> result = Ok();
    const auto job_start = std::chrono::steady_clock::now();
    WriteKind kind = WriteKind::kIngest;
    try {
      if (auto* ingest = std::get_if<IngestJob>(&group[i])) {
        result = writer_->Ingest(ingest->request, outcomes[i]);
      } else {
        auto& task = std::get<TaskJob>(group[i]);
        kind = task.kind;
        result = task.apply(*writer_);
      }
    } catch (const std::exception& e) {
      result = Error::Internal(std::string("write threw: ") + e.what());
    }
    Figures().Job(kind).Observe(SecondsSince(job_start));
    // A failed job's events are rolled back with it: announcing their ids would announce ids that the next events
    // take again.
    if (!result) writer_->DropEventsSince(events_mark);
    return result;
  };
  // SQLite rolled the whole transaction back on its own (I/O error, disk full): every job in the group is lost.
  auto transaction_lost = [&](const Result<void>& job_result) -> Result<void> {
    if (!job_result) return job_result;
    return Error::Unavailable("storage unavailable", "transaction rolled back");
  };

  // Fast path: every job straight in the transaction. A savepoint per job copies each page it touches, which
  // costs about a third of the ingest rate; failures are rare, so they pay instead, with the slow path below.
  bool any_failed = false;
  Result<void> group_result = db.Run(kBegin);
  for (size_t i = 0; group_result && !any_failed && i < group.size(); ++i) {
    results[i] = run_job(i);
    if (!db.InTransaction()) {
      group_result = transaction_lost(results[i]);
    } else {
      any_failed = !results[i];
    }
  }
  if (group_result && any_failed) {
    // Slow path: undo everything and replay each job in its own savepoint, so that a failing job rolls back
    // alone. Replaying is sound because every job is a function of the database state, which is restored.
    (void)db.Run(kRollback);
    writer_->ForgetRoutes();  // A route cached from a rolled-back AddChannel would be stale.
    writer_->DropEventsSince(0);
    std::fill(results.begin(), results.end(), Ok());
    group_result = db.Run(kBegin);
    for (size_t i = 0; group_result && i < group.size(); ++i) {
      group_result = db.Run(kSavepoint);
      if (!group_result) break;
      results[i] = run_job(i);
      if (!db.InTransaction()) {
        group_result = transaction_lost(results[i]);
        break;
      }
      if (!results[i]) {
        if (auto r = db.Run(kRollbackTo); !r) group_result = r;
      }
      if (auto r = db.Run(kRelease); !r && group_result) group_result = r;
    }
  }
  const auto commit_start = std::chrono::steady_clock::now();
  if (group_result) group_result = db.Run(kCommit);
  Figures().commit_seconds.Observe(SecondsSince(commit_start));
  Figures().group_seconds.Observe(SecondsSince(group_start));
  Figures().groups.Inc();
  Figures().jobs.Inc(group.size());
  if (!group_result && db.InTransaction()) {
    (void)db.Run(kRollback);
    writer_->ForgetRoutes();
  }
  if (group_result) {
    completion.events = writer_->TakeEventNotes();
  } else {
    writer_->DropEventsSince(0);
  }

  last_group_size_.store(static_cast<int64_t>(group.size()));
  in_flight_.store(0);  // Before completing: a caller that saw its write finish sees it counted out.
  completion.group_result = std::move(group_result);
  // Claim leases need no sync: losing one to a power cut only makes its conversation pending again.
  // Nor do leases, but an event does, whatever wrote it: a reader may have seen its id, which must never be given
  // again.
  completion.needs_sync = completion.group_result &&
                          (!completion.events.empty() || std::any_of(group.begin(), group.end(), [](const Job& job) {
                            const auto* task = std::get_if<TaskJob>(&job);
                            return task == nullptr || task->durable;
                          }));
  completion.jobs = std::move(group);
  if (!deferred_sync_) {
    std::vector<Completion> batch;
    batch.push_back(std::move(completion));
    Acknowledge(batch, Ok());
    return;
  }
  {
    std::lock_guard lock(sync_mutex_);
    to_sync_.push_back(std::move(completion));
  }
  sync_cv_.notify_one();
}

void SqliteStore::Acknowledge(std::vector<Completion>& batch, const Result<void>& sync) {
  // Events are announced first, so that a dashboard hears of a message while its webhook is being answered.
  if (options_.on_events && sync) {
    for (const Completion& completion : batch) {
      if (!completion.group_result) continue;
      for (const auto& [tenant_id, last_id] : completion.events) {
        try {
          options_.on_events(tenant_id, last_id);
        } catch (const std::exception&) {
          // The callback contract forbids throwing; a missed announcement only delays a stream until its next poll.
        }
      }
    }
  }
  // Completion only after the commit (and its sync): a caller learns of success once it is durable.
  std::vector<std::pair<IngestCallback, Result<IngestOutcome>>> callbacks;
  for (Completion& completion : batch) {
    for (size_t i = 0; i < completion.jobs.size(); ++i) {
      Result<void> result = !completion.results[i]     ? completion.results[i]
                            : !completion.group_result ? completion.group_result
                                                       : sync;
      if (auto* ingest = std::get_if<IngestJob>(&completion.jobs[i])) {
        callbacks.emplace_back(std::move(ingest->done), result
                                                            ? Result<IngestOutcome>(std::move(completion.outcomes[i]))
                                                            : Result<IngestOutcome>(result.error()));
      } else {
        std::get<TaskJob>(completion.jobs[i]).committed->set_value(std::move(result));
      }
    }
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
  if (callbacks.empty()) return;
  if (!options_.callback_executor) {
    run(callbacks);
    return;
  }
  boost::asio::post(options_.callback_executor, [run, callbacks = std::move(callbacks)]() mutable { run(callbacks); });
}

void SqliteStore::SyncerLoop() {
  std::vector<Completion> batch;
  while (true) {
    {
      std::unique_lock lock(sync_mutex_);
      sync_cv_.wait(lock, [&] { return !to_sync_.empty() || sync_closed_; });
      if (to_sync_.empty()) return;  // Closed and drained.
      batch.swap(to_sync_);
    }
    // One fdatasync covers every group committed so far: later groups share the earlier ones' wait.
    const bool needs_sync = std::any_of(batch.begin(), batch.end(), [](const Completion& c) { return c.needs_sync; });
    Result<void> synced = needs_sync ? SyncWal() : Ok();
    Acknowledge(batch, synced);
    batch.clear();
  }
}

void SqliteStore::AfterCommit(int wal_frames) {
  search_indexer_->Notify();  // The commit may hold new messages to index for search.
  wal_frames_ = wal_frames;
  if (wal_frames < wal_frames_at_request_) wal_frames_at_request_ = 0;  // The WAL restarted.
  if (wal_frames >= options_.wal_restart_frames) wal_too_long_ = true;
  if (wal_frames - wal_frames_at_request_ < options_.checkpoint_frames) return;
  wal_frames_at_request_ = wal_frames;
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_wanted_ = true;
  }
  checkpoint_cv_.notify_one();
}

void SqliteStore::CheckpointerLoop() {
  while (true) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      checkpoint_cv_.wait(lock, [&] { return checkpoint_wanted_ || checkpoint_closed_; });
      if (checkpoint_closed_) return;  // Closing the last connection checkpoints what is left.
      checkpoint_wanted_ = false;
    }
    const auto start = std::chrono::steady_clock::now();
    std::lock_guard running(checkpoint_run_mutex_);
    if (auto done = checkpoint_db_->Checkpoint(); !done) {
      log::Warn("sqlite_checkpoint_failed", {{"detail", done.error().detail}});
      continue;
    }
    Figures().checkpoint_seconds.Observe(SecondsSince(start));
  }
}

Result<void> SqliteStore::SyncWal() {
  const auto start = std::chrono::steady_clock::now();
  const std::string wal_path = options_.path + "-wal";
  // The WAL is reused in place after checkpoints; reopen only if the file itself was replaced.
  struct stat on_disk {};
  struct stat open_file {};
  if (wal_fd_ >= 0 && (::stat(wal_path.c_str(), &on_disk) != 0 || ::fstat(wal_fd_, &open_file) != 0 ||
                       on_disk.st_ino != open_file.st_ino || on_disk.st_dev != open_file.st_dev)) {
    ::close(wal_fd_);
    wal_fd_ = -1;
  }
  if (wal_fd_ < 0) wal_fd_ = ::open(wal_path.c_str(), O_RDWR | O_CLOEXEC);
  if (wal_fd_ < 0 || ::fdatasync(wal_fd_) != 0) {
    return Error::Unavailable("storage unavailable", std::string("syncing the WAL failed: ") + std::strerror(errno));
  }
  Figures().sync_seconds.Observe(SecondsSince(start));
  return Ok();
}

Result<void> SqliteStore::Write(const std::function<Result<void>(Database&)>& fn, bool durable, WriteKind kind) {
  auto written = WriteSync<std::monostate>(
      [&](Writer& writer) -> Result<std::monostate> {
        auto result = fn(writer.db());
        if (!result) return result.error();
        return std::monostate{};
      },
      durable, kind);
  if (!written) return written.error();
  return Ok();
}

Result<void> SqliteStore::WriteForgettingRoutes(const std::function<Result<void>(Database&)>& fn) {
  auto written = WriteSync<std::monostate>([&](Writer& writer) -> Result<std::monostate> {
    auto result = fn(writer.db());
    writer.ForgetRoutes();
    if (!result) return result.error();
    return std::monostate{};
  });
  if (!written) return written.error();
  // The other processes on this file cache routes too (StoreOptions::on_routes_changed).
  if (options_.on_routes_changed) options_.on_routes_changed();
  return Ok();
}

StoreHealth SqliteStore::Health() {
  StoreHealth health;
  health.backend = "sqlite";
  std::lock_guard lock(queue_mutex_);
  health.ok = !closed_;
  health.detail = closed_ ? "closed" : "wal, synchronous=" + options_.synchronous;
  health.pending_writes = static_cast<int64_t>(queue_.size()) + in_flight_.load();
  return health;
}

void SqliteStore::HoldWriterForTesting(std::shared_future<void> release) {
  // Not WriteSync: the caller waits only until the writer is blocked, not for a hold it has yet to release.
  auto committed = std::make_shared<std::promise<Result<void>>>();
  auto started = std::make_shared<std::promise<void>>();
  std::future<void> blocked = started->get_future();
  auto once = std::make_shared<std::once_flag>();  // A replayed group runs the hold again.
  Job job = TaskJob{[release, committed, started, once](Writer&) -> Result<void> {
                      std::call_once(*once, [&] { started->set_value(); });
                      release.wait();
                      return Ok();
                    },
                    committed.get()};
  if (Enqueue(job)) blocked.wait();
}

}  // namespace parley::store::sqlite
