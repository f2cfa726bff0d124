#pragma once
// Message search indexing in the background, private to the SQLite backend. Migration 0020 took FTS5's work off the
// transaction that stores a message (it halved the webhook ingest rate): the indexer indexes new messages after
// their commit, in batches, on the store's writer, one transaction per batch, so a message is searchable well
// under a second after its webhook is acknowledged. search_index_state.messages_through says how far it got; it
// survives restarts, so a server catches up with what it had not indexed, and with what another process wrote.
//
// Deleting a message (or unsending it) is not deferred: migration 0017's triggers remove the index rows of an
// indexed message in the same transaction, and the indexer never indexes a message that is gone or unsent by the
// time it gets to it.

#include "core/error.h"
#include "store/sqlite/db.h"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace parley::store::sqlite {

class SqliteStore;

// Indexes up to `limit` messages after the indexer's mark inside the caller's write transaction, and moves the mark
// past them. Returns how many messages it went past (indexed or left out); fewer than `limit` means caught up.
Result<int> IndexSearchBatch(Database& db, int limit);
// Merges the message search index's segments inside the caller's write transaction, writing about `pages` pages,
// when some level of FTS5's segments is due a merge. Returns whether merge work is left.
Result<bool> MergeSearchIndex(Database& db, int pages);

class SearchIndexer {
 public:
  // Messages per transaction: large enough that FTS5 writes few segments, small enough that the webhooks sharing
  // the writer with a batch wait a few milliseconds at most.
  static constexpr int kBatch = 1000;
  // Pages one merge step writes. Migration 0035 turned FTS5's own merging (automerge) off: it ran inside the batch
  // that tipped a level over, so its cost grew with the index and stalled every webhook queued behind it. The
  // indexer merges instead in steps of this size, each a write of its own (a millisecond or two), after each batch
  // until nothing is due, so the index stays as compact as automerge kept it.
  static constexpr int kMergePages = 32;

  explicit SearchIndexer(SqliteStore& store) : store_(store) {}
  ~SearchIndexer() { Stop(); }
  SearchIndexer(const SearchIndexer&) = delete;
  SearchIndexer& operator=(const SearchIndexer&) = delete;

  // Starts the background thread (once; the schema must be migrated). It catches up at once.
  void Start();
  // A write committed: new messages may wait. Cheap; called by the writer after each commit.
  void Notify();
  // Stops the thread, after the batch in progress; before the store closes its writer.
  void Stop();
  // Indexes everything committed so far, and merges what that made due, on the calling thread (for tests and
  // benchmarks that search at once).
  Result<void> Flush();

 private:
  void Loop();
  // Whether messages above the mark are waiting (one read, no write).
  Result<bool> Behind();
  bool Stopping();

  SqliteStore& store_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool notified_ = false;  // GUARDED_BY(mutex_)
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace parley::store::sqlite
