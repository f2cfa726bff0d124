#pragma once
// The SQLite store's writer: the state of the thread that owns the only write connection. Private to the backend;
// the group-commit engine (group_commit.cpp) runs it, and ingest.cpp applies webhook payloads with it.

#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace parley::store::sqlite {

// The writer thread's state: the only write connection, and caches of channel routes and of each contact's ids,
// which spare the hot path two look-ups per message. Used by that thread only.
class SqliteStore::Writer {
 public:
  explicit Writer(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Database& db() { return *db_; }

  // Drops the caches, after a rollback that may have undone the rows they point to.
  void ForgetRoutes() {
    routes_.clear();
    contacts_.clear();
  }

  // Appends an event to `tenant_id`'s log inside the current transaction and notes its id (SqliteStore::AppendEvent).
  Result<int64_t> AppendEvent(int64_t tenant_id, EventType type, std::string_view data, int64_t now_ms);
  // The events appended since the notes were last taken: a position to drop back to when a write fails, the drop,
  // and the notes themselves for the announcement once the group commits.
  size_t EventMark() const { return event_notes_.size(); }
  void DropEventsSince(size_t mark) {
    event_notes_.resize(std::min(mark, event_notes_.size()));
    next_event_ids_.clear();  // The rollback may have taken ids back.
  }
  // Per tenant its newest appended id; empties the notes.
  std::vector<std::pair<int64_t, int64_t>> TakeEventNotes();

  // Applies one webhook payload inside the caller's transaction. Fails with kInvalidArgument for a message without
  // a sender, or with the SQLite error; `outcome` is then meaningless.
  Result<void> Ingest(const IngestRequest& request, IngestOutcome& outcome);

 private:
  struct ChannelRoute {
    int64_t id = 0;
    int64_t tenant_id = 0;
    bool enabled = true;  //!< Messages to a disabled channel are stored, not answered.
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using RouteMap = std::unordered_map<std::string, ChannelRoute, StringHash, std::equal_to<>>;

  // The live channel for (platform, account_id), or nullopt. A cache miss re-queries, so channels another process
  // added are found; removing, enabling or disabling a channel goes through WriteForgettingRoutes, so hits stay
  // valid, and other processes on the file are told (StoreOptions::on_routes_changed) and drop theirs
  // (SqliteStore::ForgetCachedRoutes).
  Result<std::optional<ChannelRoute>> Resolve(const Platform& platform, const std::string& account_id);
  // Ingest's items, before the conversations' conversation.updated events.
  Result<void> IngestItems(const IngestRequest& request, IngestOutcome& outcome);
  // The payload being ingested changed the conversation's mode (a reply from the platform's app took it over, a
  // customer's message ended the people's hold): it gets a conversation.updated unless the payload opened it.
  void NoteChange(int64_t tenant_id, int64_t conversation_id);
  Result<void> ApplyEcho(const ChannelRoute& channel, const BusinessEcho& echo, int64_t received_at_ms,
                         int64_t human_idle_ms, IngestOutcome& outcome);
  Result<void> IngestMessage(const ChannelRoute& channel, const InboundItem& item, int64_t received_at_ms,
                             Platform platform, IngestOutcome& outcome);
  Result<void> ApplyStatus(const ChannelRoute& channel, const StatusUpdate& status, IngestOutcome& outcome);
  Result<int64_t> UpsertContact(const ChannelRoute& channel, const UnifiedMessage& m, int64_t now_ms);

  // A contact's row, name and open conversation. If that conversation was closed behind the cache's back (by
  // another process), touching it fails the request, whose rollback empties the caches; the platform's retry
  // then finds the new state.
  struct ContactIds {
    int64_t contact_id = 0;
    std::string name;
    int64_t conversation_id = 0;
  };
  static constexpr size_t kMaxCachedContacts = 100'000;

  struct EventNote {
    int64_t tenant_id = 0;
    int64_t id = 0;
  };

  std::unique_ptr<Database> db_;
  std::vector<EventNote> event_notes_;  //!< Appended in the group being written, in order.
  // Per tenant the id its next event takes, known once the group has appended one: within a group the writer holds
  // the write lock, so only it appends, and each further event costs one INSERT. Cleared with the notes.
  std::unordered_map<int64_t, int64_t> next_event_ids_;
  // The conversations the payload being ingested opened, and those whose mode it changed: the latter get one
  // conversation.updated each at the end of the payload, the former none (conversation.created tells).
  std::vector<int64_t> opened_conversations_;
  std::vector<std::pair<int64_t, int64_t>> changed_conversations_;                     //!< (tenant, conversation)
  std::unordered_map<std::string, RouteMap, StringHash, std::equal_to<>> routes_;      //!< By platform name.
  std::unordered_map<std::string, ContactIds, StringHash, std::equal_to<>> contacts_;  //!< "channel_id:platform_id"
};

}  // namespace parley::store::sqlite
