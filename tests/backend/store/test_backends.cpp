#include "test_backends.h"

#include "store/postgres/pg.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"
#include "support/backend_servers.h"
#include "support/temp_dir.h"

#include <unistd.h>
#include <atomic>
#include <stdexcept>

namespace parley::store::testing {
namespace {

template <class T>
T Must(Result<T> result, const char* what) {
  if (!result)
    throw std::runtime_error(std::string(what) + ": " + result.error().message + " " + result.error().detail);
  return std::move(*result);
}
void Must(Result<void> result, const char* what) {
  if (!result)
    throw std::runtime_error(std::string(what) + ": " + result.error().message + " " + result.error().detail);
}

class SqliteBackend final : public TestBackend {
 public:
  SqliteBackend(const crypto::SecretBox& box, OnEvents on_events) : box_(box), on_events_(std::move(on_events)) {
    store_ = Open();
    Must(store_->Migrate(), "migrate");
  }
  Store& store() override { return *store_; }
  int64_t QueryInt(const std::string& sql) override {
    auto db = Must(sqlite::Database::Open(path(), {}), "open");
    auto statement = Must(db->Prepare(sql.c_str()), "prepare");
    if (!Must(statement.Step(), "step")) throw std::runtime_error("no row: " + sql);
    return statement.Int(0);
  }
  std::vector<std::string> QueryStrings(const std::string& sql) override {
    auto db = Must(sqlite::Database::Open(path(), {}), "open");
    auto statement = Must(db->Prepare(sql.c_str()), "prepare");
    std::vector<std::string> values;
    while (Must(statement.Step(), "step")) values.push_back(statement.String(0));
    return values;
  }
  void RecordFutureMigration() override {
    auto db = Must(sqlite::Database::Open(path(), {}), "open");
    Must(db->Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)"),
         "insert");
  }
  std::unique_ptr<Store> OpenAnother() override { return Open(); }
  void HoldWriter(std::shared_future<void> release) override { store_->HoldWriterForTesting(std::move(release)); }
  int64_t EndConnections() override { return 0; }  // SQLite has no server to lose.
  int64_t LastGroupSize() override { return store_->LastGroupSizeForTesting(); }

 private:
  std::string path() const { return (dir_.path() / "parley.db").string(); }
  std::unique_ptr<sqlite::SqliteStore> Open() {
    sqlite::SqliteOptions options;
    options.path = path();
    options.synchronous = "normal";  // Durability is not under test; fsyncs would only slow the suite down.
    options.on_events = on_events_;
    return Must(sqlite::SqliteStore::Open(options, box_), "open");
  }

  parley::testing::TempDir dir_{"parley-conformance"};
  crypto::SecretBox box_;
  OnEvents on_events_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

class PostgresBackend final : public TestBackend {
 public:
  PostgresBackend(const crypto::SecretBox& box, OnEvents on_events) : box_(box), on_events_(std::move(on_events)) {
    static std::atomic<int> counter{0};
    // Built from numbers only: identifiers cannot be sent as parameters.
    schema_ = "conformance_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    const std::string server = parley::testing::TestPostgresUrl();
    admin_ = Must(postgres::Connection::Open(server), "connect");
    Must(admin_->Execute("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_), "schema");
    // The schema names the test's connections too (application_name), so that a test can find and end them.
    url_ = server + (server.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_ +
           "&application_name=" + schema_;
    store_ = Open();
    Must(store_->Migrate(), "migrate");
  }
  ~PostgresBackend() override {
    store_->Close();
    (void)admin_->Execute("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }
  Store& store() override { return *store_; }
  int64_t QueryInt(const std::string& sql) override {
    auto connection = Must(postgres::Connection::Open(url_), "connect");
    auto rows = Must(connection->Query(sql), "query");
    if (rows.empty()) throw std::runtime_error("no row: " + sql);
    return rows.Int(0, 0);
  }
  std::vector<std::string> QueryStrings(const std::string& sql) override {
    auto connection = Must(postgres::Connection::Open(url_), "connect");
    auto rows = Must(connection->Query(sql), "query");
    std::vector<std::string> values;
    for (int i = 0; i < rows.size(); ++i) values.push_back(rows.String(i, 0));
    return values;
  }
  void RecordFutureMigration() override {
    auto connection = Must(postgres::Connection::Open(url_), "connect");
    Must(connection->Execute(
             "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)"),
         "insert");
  }
  std::unique_ptr<Store> OpenAnother() override { return Open(); }
  void HoldWriter(std::shared_future<void> release) override { store_->HoldIngestForTesting(std::move(release)); }
  int64_t EndConnections() override {
    auto rows = Must(admin_->Query("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                   " WHERE application_name = $1",
                                   postgres::Params(schema_)),
                     "terminate");
    return rows.Int(0, 0);
  }
  int64_t LastGroupSize() override { return store_->LastGroupSizeForTesting(); }

 private:
  std::unique_ptr<postgres::PostgresStore> Open() {
    postgres::PostgresOptions options;
    options.url = url_;
    options.connections = 4;
    options.on_events = on_events_;
    return Must(postgres::PostgresStore::Open(options, box_), "open");
  }

  crypto::SecretBox box_;
  OnEvents on_events_;
  std::string schema_;
  std::string url_;
  std::unique_ptr<postgres::Connection> admin_;
  std::unique_ptr<postgres::PostgresStore> store_;
};

}  // namespace

std::string BackendName(Backend backend) { return backend == Backend::kSqlite ? "Sqlite" : "Postgres"; }

std::unique_ptr<TestBackend> MakeTestBackend(Backend backend, const crypto::SecretBox& box, OnEvents on_events) {
  if (backend == Backend::kSqlite) return std::make_unique<SqliteBackend>(box, std::move(on_events));
  return std::make_unique<PostgresBackend>(box, std::move(on_events));
}

}  // namespace parley::store::testing
