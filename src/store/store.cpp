#include "store/store.h"

#include "store/sqlite/sqlite_store.h"

#include <filesystem>
#include <string_view>
#include <system_error>

namespace parley::store {

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options, const crypto::SecretBox& box) {
  // sqlite://relative/file.db or sqlite:///absolute/file.db: everything after the scheme's "//" is the path.
  constexpr std::string_view kSqliteScheme = "sqlite://";
  std::string_view url = options.database_url;
  if (!url.starts_with(kSqliteScheme)) {
    return Error::InvalidArgument("unsupported database URL: only sqlite:// is available");
  }
  std::string path(url.substr(kSqliteScheme.size()));
  // One in-memory database per connection would split the writer from the readers.
  if (path.empty() || path == ":memory:") return Error::InvalidArgument("the sqlite URL needs a file path");

  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return Error::Unavailable("cannot create the database directory", parent.string() + ": " + ec.message());
  }
  sqlite::SqliteOptions sqlite_options;
  sqlite_options.path = std::move(path);
  sqlite_options.synchronous = options.sqlite_synchronous;
  sqlite_options.callback_executor = options.callback_executor;
  sqlite_options.on_events = options.on_events;
  auto store = sqlite::SqliteStore::Open(sqlite_options, box);
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace parley::store

namespace parley::store {

Result<Tenant> Store::CreateTenant(const std::string& name, const std::string& api_key_hash) {
  return CreateTenant(name, NewApiKey{0, "default", api_key_hash.substr(0, 8), "owner", api_key_hash});
}

Result<CommitResult> Store::CommitReply(const Claim& claim, const std::optional<OutboundDraft>& reply, int64_t now_ms,
                                        int64_t* outbound_id) {
  Reply full;
  if (reply) full.messages.push_back(*reply);
  std::vector<int64_t> ids;
  auto committed = CommitReply(claim, full, now_ms, &ids);
  if (committed && outbound_id != nullptr) *outbound_id = ids.empty() ? 0 : ids.front();
  return committed;
}

}  // namespace parley::store
