#pragma once
// The backends the store conformance suite runs against, each giving every test a fresh, migrated store: SQLite in
// a new file of a temporary directory, PostgreSQL in a new schema of the test server's database
// (support/backend_servers.h), dropped afterwards.

#include "core/crypto.h"
#include "store/store.h"

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace parley::store::testing {

enum class Backend { kSqlite, kPostgres };
std::string BackendName(Backend backend);  // "Sqlite", "Postgres": the suffix of the test names.
// For GoogleTest's messages.
inline void PrintTo(Backend backend, std::ostream* out) { *out << BackendName(backend); }

// One fresh store, with what the tests need to see past the interface.
class TestBackend {
 public:
  virtual ~TestBackend() = default;
  virtual Store& store() = 0;
  // The one integer a query returns, read with a connection of the test's own ("SELECT COUNT(*) FROM messages";
  // the SQL must mean the same on both backends).
  virtual int64_t QueryInt(const std::string& sql) = 0;
  // The first column of every row a query returns, as text.
  virtual std::vector<std::string> QueryStrings(const std::string& sql) = 0;
  // Writes a migration newer than this binary's into the database's record, as a newer Parley would.
  virtual void RecordFutureMigration() = 0;
  // A second store on the same database, as another process would open it (not migrated).
  virtual std::unique_ptr<Store> OpenAnother() = 0;
  // The store's group commit: holds its writer until `release`, and tells how many writes the last group held.
  virtual void HoldWriter(std::shared_future<void> release) = 0;
  virtual int64_t LastGroupSize() = 0;
  // Has the database server end every connection of the store's (as a restart would); how many it ended.
  virtual int64_t EndConnections() = 0;
};

// Told of each commit's newest event id per tenant (StoreOptions::on_events).
using OnEvents = std::function<void(int64_t tenant_id, int64_t last_event_id)>;

// Opens and migrates a fresh store of `backend`, sealing tokens with `box`.
std::unique_ptr<TestBackend> MakeTestBackend(Backend backend, const crypto::SecretBox& box, OnEvents on_events);

}  // namespace parley::store::testing
