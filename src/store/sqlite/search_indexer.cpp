#include "store/sqlite/search_indexer.h"

#include "core/log.h"
#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::store::sqlite {
namespace {

constexpr char kMark[] = "SELECT messages_through FROM search_index_state WHERE id = 1";
constexpr char kBehind[] =
    "SELECT EXISTS (SELECT 1 FROM messages WHERE id > (SELECT messages_through FROM search_index_state WHERE id = 1))";
constexpr char kNewMessages[] =
    "SELECT id, conversation_id, text, status FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2";
constexpr char kSearchSeq[] = "SELECT search_seq FROM conversations WHERE id = ?1";
constexpr char kSetSearchSeq[] = "UPDATE conversations SET search_seq = ?2 WHERE id = ?1";
constexpr char kSetSearchKey[] = "UPDATE messages SET search_key = ?2 WHERE id = ?1";
constexpr char kIndexText[] = "INSERT INTO messages_search (rowid, text) VALUES (?1, ?2)";
constexpr char kMoveMark[] = "UPDATE search_index_state SET messages_through = ?1 WHERE id = 1";
constexpr char kMerge[] = "INSERT INTO messages_search (messages_search, rank) VALUES ('merge', ?1)";

// A search key is (conversation id << 22) | the message's rank among its conversation's indexed messages
// (migration 0017): past this rank a conversation's messages are not indexed.
constexpr int kRankBits = 22;
constexpr int64_t kMaxRank = (int64_t{1} << kRankBits) - 1;

// How long the indexer lets new messages gather before a batch: at full ingest rate a batch then holds about a
// thousand messages, and the search lags by this much plus the batch's own time.
constexpr auto kGather = std::chrono::milliseconds(100);
// Without a notification (messages written by another process), how often it looks.
constexpr auto kIdlePoll = std::chrono::seconds(2);

struct NewMessage {
  int64_t id = 0;
  int64_t conversation_id = 0;
  std::string text;
  bool indexable = false;
  int64_t key = 0;  //!< Its search key once ranked; 0 when it is left out.
};

}  // namespace

Result<int> IndexSearchBatch(Database& db, int limit) {
  int64_t mark = 0;
  {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kMark));
    STORE_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) return Error::Internal("search_index_state has no row");
    mark = select.Int(0);
  }
  // Read first, write after: the batch's updates do not run under an open scan of the same table.
  std::vector<NewMessage> batch;
  {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kNewMessages));
    select.Bind(1, mark).Bind(2, limit);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      NewMessage& message = batch.emplace_back();
      message.id = select.Int(0);
      message.conversation_id = select.Int(1);
      message.indexable = !select.IsNull(2) && !select.Text(2).empty() && select.Text(3) != "deleted";
      if (message.indexable) message.text = select.String(2);
    }
  }
  if (batch.empty()) return 0;
  // Each conversation's counter is read once and written once per batch.
  std::unordered_map<int64_t, int64_t> ranks;
  std::vector<NewMessage*> indexed;
  for (NewMessage& message : batch) {
    if (!message.indexable) continue;
    auto [it, inserted] = ranks.try_emplace(message.conversation_id, 0);
    if (inserted) {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSearchSeq));
      select.Bind(1, message.conversation_id);
      STORE_ASSIGN_OR_RETURN(bool found, select.Step());
      if (found) it->second = select.Int(0);
    }
    const int64_t rank = ++it->second;
    if (rank > kMaxRank) continue;
    message.key = (message.conversation_id << kRankBits) | rank;
    STORE_ASSIGN_OR_RETURN(auto set_key, db.Prepare(kSetSearchKey));
    STORE_TRY(set_key.Bind(1, message.id).Bind(2, message.key).Run());
    indexed.push_back(&message);
  }
  // In rowid order: FTS5 writes its pending terms out as a new segment whenever a rowid is lower than the one before,
  // and keys interleave conversations, so in message order a batch of 1,000 wrote hundreds of one-message segments
  // whose merging grew with the index and held the writer for up to seconds (docs/benchmarks.md).
  std::sort(indexed.begin(), indexed.end(), [](const NewMessage* a, const NewMessage* b) { return a->key < b->key; });
  for (const NewMessage* message : indexed) {
    STORE_ASSIGN_OR_RETURN(auto index, db.Prepare(kIndexText));
    STORE_TRY(index.Bind(1, message->key).Bind(2, message->text).Run());
  }
  for (const auto& [conversation_id, rank] : ranks) {
    STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kSetSearchSeq));
    STORE_TRY(update.Bind(1, conversation_id).Bind(2, rank).Run());
  }
  STORE_ASSIGN_OR_RETURN(auto move, db.Prepare(kMoveMark));
  STORE_TRY(move.Bind(1, batch.back().id).Run());
  return static_cast<int>(batch.size());
}

Result<bool> MergeSearchIndex(Database& db, int pages) {
  const int64_t before = db.TotalChanges();
  STORE_ASSIGN_OR_RETURN(auto merge, db.Prepare(kMerge));
  STORE_TRY(merge.Bind(1, pages).Run());
  // FTS5's documented test: a step that found nothing to merge changes at most one row.
  return db.TotalChanges() - before >= 2;
}

void SearchIndexer::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  notified_ = true;  // Catch up with what an earlier run or another process left.
  thread_ = std::thread([this] { Loop(); });
}

void SearchIndexer::Notify() {
  {
    std::lock_guard lock(mutex_);
    if (notified_) return;
    notified_ = true;
  }
  cv_.notify_one();
}

void SearchIndexer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<bool> SearchIndexer::Behind() {
  bool behind = false;
  STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kBehind));
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    behind = row && select.Int(0) != 0;
    return Ok();
  }));
  return behind;
}

bool SearchIndexer::Stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

// Not durable: a batch lost to a power cut is redone from the mark, which is lost with it; a merge lost with it is
// redone by the next batch's merging.
Result<void> SearchIndexer::Flush() {
  while (true) {
    int done = 0;
    STORE_TRY(store_.Write(
        [&](Database& db) -> Result<void> {
          STORE_ASSIGN_OR_RETURN(done, IndexSearchBatch(db, kBatch));
          return Ok();
        },
        /*durable=*/false, WriteKind::kSearchIndex));
    for (bool more = done > 0; more && !Stopping();) {
      STORE_TRY(store_.Write(
          [&](Database& db) -> Result<void> {
            STORE_ASSIGN_OR_RETURN(more, MergeSearchIndex(db, kMergePages));
            return Ok();
          },
          /*durable=*/false, WriteKind::kSearchMerge));
    }
    // Stop() does not wait for a backlog: the next start catches up.
    if (done < kBatch || Stopping()) return Ok();
  }
}

void SearchIndexer::Loop() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, kIdlePoll, [&] { return notified_ || stopping_; });
      if (stopping_) return;
      // The messages of the next moment join this batch; notifications meanwhile are covered by it.
      if (cv_.wait_for(lock, kGather, [&] { return stopping_; })) return;
      notified_ = false;
    }
    // A failed batch is retried at the next notification or poll: the mark moves only with the rows it indexed.
    auto behind = Behind();
    if (!behind) {
      log::Warn("search_index_failed", {{"detail", behind.error().detail}});
    } else if (*behind) {
      if (auto indexed = Flush(); !indexed) log::Warn("search_index_failed", {{"detail", indexed.error().detail}});
    }
  }
}

}  // namespace parley::store::sqlite
