#pragma once
// The SQLite store's writer: the state of the thread that owns the only write connection. Private to the backend;
// the group-commit engine (group_commit.cpp) runs it, and ingest.cpp applies webhook payloads with it.

#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley::store::sqlite {

// The writer thread's state: the only write connection, and caches of channel routes and of each contact's ids,
// which spare the hot path two look-ups per message. Used by that thread only.
class SqliteStore::Writer {
 public:
  explicit Writer(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Database& db() { return *db_; }

  // Drops the caches, after a rollback that may have undone the rows they point to.
  void ForgetRoutes() {
    for (RouteMap& routes : routes_) routes.clear();
    contacts_.clear();
  }

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
  // valid.
  Result<std::optional<ChannelRoute>> Resolve(Platform platform, const std::string& account_id);
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

  std::unique_ptr<Database> db_;
  std::array<RouteMap, 2> routes_;                                                     //!< Indexed by Platform.
  std::unordered_map<std::string, ContactIds, StringHash, std::equal_to<>> contacts_;  //!< "channel_id:platform_id"
};

}  // namespace parley::store::sqlite
