#pragma once
// What the vector and BM25 catalogs share: one entry per index, each guarding its index with a shared mutex (many
// searches and saves, one writer) and remembering how far into the store the index has read.

#include "core/error.h"
#include "store/knowledge_store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace parley::knowledge {

// Where to write an index file before renaming it over `path`: a name of this process's own, because a server and
// a CLI process on the same data directory may save the same index at once, and two writers of one temporary file
// would rename a mix of both. (Within a process an entry's save_mutex serializes saves.)
inline std::string TemporaryPathFor(const std::string& path) { return path + ".tmp" + std::to_string(::getpid()); }

// Replaces the file at `path` with what `write(temporary_path)` writes (Result<void>), through TemporaryPathFor and a
// rename, so that readers never see half a file; `what` names the file in errors.
template <typename Write>
Result<void> ReplaceFile(const std::string& path, const char* what, Write write) {
  std::string temporary = TemporaryPathFor(path);
  std::error_code ignored;
  Result<void> written = write(temporary);
  if (!written) {
    std::filesystem::remove(temporary, ignored);
    return written;
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, ignored);
    return Error::Unavailable(std::string("cannot write the ") + what, error.message());
  }
  return Ok();
}

// What an index has applied from the store: chunks up to this id, deletions up to this sequence number.
struct StorePosition {
  int64_t after_chunk_id = 0;
  int64_t after_deletion_seq = 0;
};

template <typename Key, typename Index>
class IndexEntries {
 public:
  struct Entry {
    std::shared_mutex mutex;
    std::unique_ptr<Index> index;  // GUARDED_BY(mutex); null until first used.
    StorePosition position;        // GUARDED_BY(mutex)
    // Changed since last saved: set with `mutex` held exclusively, cleared by a save holding it shared (no change
    // can happen meanwhile).
    std::atomic<bool> dirty{false};
    std::mutex save_mutex;  // One save of an entry at a time: they would write the same temporary file.
  };

  // The entry for `key`, made empty on first use. Entries are never removed, so the reference stays valid.
  Entry& For(const Key& key) {
    std::lock_guard lock(mutex_);
    auto& entry = entries_[key];
    if (!entry) entry = std::make_unique<Entry>();
    return *entry;
  }

  // Every entry so far, with its key. Entries are never removed, so the pointers stay valid.
  std::vector<std::pair<Key, Entry*>> All() {
    std::vector<std::pair<Key, Entry*>> entries;
    std::lock_guard lock(mutex_);
    for (auto& [key, entry] : entries_) entries.emplace_back(key, entry.get());
    return entries;
  }

  // Calls `save(key, entry)` for each changed entry, holding its lock shared (searches go on; a saving of a 1M-chunk
  // graph takes seconds), and marks it saved when that succeeds; stops at the first failure.
  template <typename Save>
  Result<void> SaveChanged(Save save) {
    for (auto& [key, entry] : All()) {
      std::lock_guard saving(entry->save_mutex);
      std::shared_lock lock(entry->mutex);
      if (!entry->index || !entry->dirty) continue;
      Result<void> saved = save(key, std::as_const(*entry));
      if (!saved) return saved;
      entry->dirty = false;
    }
    return Ok();
  }

 private:
  std::mutex mutex_;
  std::map<Key, std::unique_ptr<Entry>> entries_;  // GUARDED_BY(mutex_)
};

// Brings `entry`'s index up to date with knowledge base `knowledge_base_id` in the store, a page at a time:
// `read(after_chunk_id, page_size)` returns the next chunks by id (Result<std::vector<C>>, each C with a
// `chunk_id`), `add(index, chunks)` inserts those the index has not seen yet (Result<void>; on failure the
// entry is left as it was), and the deletion log is applied with the last page. Store reads happen without the
// entry's lock, so searches go on meanwhile; a chunk another caller applied in between is skipped.
//
// A new version of a document removes its old chunks and adds its new ones in one transaction. The deletions are
// read before the chunks and applied under the same lock as the last page of them, so a search never sees the old
// chunks gone without the new ones there: had the chunks been read first and the transaction committed between
// the two reads, the index would have held neither version until its next catch-up. Read in this order, such a
// transaction leaves both for that while at worst. A chunk added and deleted between the two reads is not read.
template <typename Entry, typename Read, typename Add>
Result<void> CatchUpWithStore(store::KnowledgeStore& store, int64_t knowledge_base_id, Entry& entry, int page_size,
                              Read read, Add add) {
  StorePosition position;
  {
    std::shared_lock lock(entry.mutex);
    position = entry.position;
  }
  int64_t new_seq = position.after_deletion_seq;
  auto deleted = store.DeletedChunksAfter(knowledge_base_id, position.after_deletion_seq, &new_seq);
  if (!deleted) return deleted.error();
  while (true) {
    auto chunks = read(position.after_chunk_id, page_size);
    if (!chunks) return chunks.error();
    bool last_page = static_cast<int>(chunks->size()) < page_size;
    bool deleting = last_page && !deleted->empty();
    if (chunks->empty() && !deleting) return Ok();
    std::unique_lock lock(entry.mutex);
    auto unseen = std::find_if(chunks->begin(), chunks->end(),
                               [&](const auto& chunk) { return chunk.chunk_id > entry.position.after_chunk_id; });
    if (unseen != chunks->end()) {
      Result<void> added = add(*entry.index, std::span(unseen, chunks->end()));
      if (!added) return added;
      entry.position.after_chunk_id = chunks->back().chunk_id;
    }
    if (deleting && new_seq > entry.position.after_deletion_seq) {
      for (int64_t id : *deleted) entry.index->Remove(id);
      entry.position.after_deletion_seq = new_seq;
    }
    entry.dirty = true;
    if (last_page) return Ok();
    position.after_chunk_id = entry.position.after_chunk_id;
  }
}

}  // namespace parley::knowledge
