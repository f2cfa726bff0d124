#include "store/store.h"

#include "store/postgres/migrate.h"
#include "store/postgres/pg.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/maintenance.h"
#include "store/sqlite/sqlite_store.h"
#include "store/try.h"

#include <filesystem>
#include <string_view>
#include <system_error>

namespace parley::store {
namespace {

// sqlite://relative/file.db or sqlite:///absolute/file.db: everything after the scheme's "//" is the path.
constexpr std::string_view kSqliteScheme = "sqlite://";

enum class Backend { kSqlite, kPostgres };

// The backend a URL names. libpq takes both of PostgreSQL's URI schemes and the URL whole.
Result<Backend> BackendOf(std::string_view url) {
  if (url.starts_with(kSqliteScheme)) return Backend::kSqlite;
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return Backend::kPostgres;
  return Error::InvalidArgument("unsupported database URL: use sqlite://PATH or postgresql://…");
}

Result<std::string> SqlitePath(std::string_view url) {
  std::string path(url.substr(kSqliteScheme.size()));
  // One in-memory database per connection would split the writer from the readers.
  if (path.empty() || path == ":memory:") return Error::InvalidArgument("the sqlite URL needs a file path");
  return path;
}

Result<std::unique_ptr<Store>> OpenSqlite(const StoreOptions& options, const crypto::SecretBox& box) {
  STORE_ASSIGN_OR_RETURN(std::string path, SqlitePath(options.database_url));
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
  sqlite_options.on_routes_changed = options.on_routes_changed;
  STORE_ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::Open(sqlite_options, box));
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> OpenPostgres(const StoreOptions& options, const crypto::SecretBox& box) {
  if (options.database_connections < 1) return Error::InvalidArgument("the PostgreSQL pool needs a connection");
  postgres::PostgresOptions postgres_options;
  postgres_options.url = options.database_url;
  postgres_options.connections = options.database_connections;
  postgres_options.callback_executor = options.callback_executor;
  postgres_options.on_events = options.on_events;
  STORE_ASSIGN_OR_RETURN(auto store, postgres::PostgresStore::Open(postgres_options, box));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options, const crypto::SecretBox& box) {
  STORE_ASSIGN_OR_RETURN(Backend backend, BackendOf(options.database_url));
  return backend == Backend::kSqlite ? OpenSqlite(options, box) : OpenPostgres(options, box);
}

Result<std::vector<MigrationStatus>> ReadMigrationStatus(const std::string& database_url) {
  STORE_ASSIGN_OR_RETURN(Backend backend, BackendOf(database_url));
  if (backend == Backend::kSqlite) {
    STORE_ASSIGN_OR_RETURN(std::string path, SqlitePath(database_url));
    return sqlite::ReadMigrationStatus(path);
  }
  STORE_ASSIGN_OR_RETURN(auto connection, postgres::Connection::Open(database_url));
  return postgres::ReadMigrationStatus(*connection);
}

}  // namespace parley::store
