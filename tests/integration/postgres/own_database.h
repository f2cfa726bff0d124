#pragma once
// A database of the test's own on the backend servers' PostgreSQL (support/backend_servers.h): created empty when the
// test starts and dropped (with any connection left to it) when it ends, so that tests running at the same time never
// share tables, and the binary under test gets a plain libpq URL to it.

#include "store/postgres/pg.h"
#include "support/backend_servers.h"

#include <unistd.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

namespace parley::testing {

class OwnDatabase {
 public:
  OwnDatabase() {
    static std::atomic<int> counter{0};
    // Built from numbers only: a database name cannot be sent as a parameter.
    name_ = "parley_it_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    const std::string server = TestPostgresUrl();
    admin_ = store::postgres::Connection::Open(server).value();
    if (!admin_->Execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)") ||
        !admin_->Execute("CREATE DATABASE " + name_)) {
      throw std::runtime_error("cannot create the test database " + name_);
    }
    // The server's URL (postgresql://user@host:port/database[?options]) with this database.
    const size_t query = server.find('?');
    const size_t slash = server.rfind('/', query);
    url_ = server.substr(0, slash + 1) + name_ + (query == std::string::npos ? "" : server.substr(query));
  }
  ~OwnDatabase() { (void)admin_->Execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  OwnDatabase(const OwnDatabase&) = delete;
  OwnDatabase& operator=(const OwnDatabase&) = delete;

  const std::string& url() const { return url_; }
  // The one integer `sql` reads, on a connection of the test's own.
  int64_t QueryInt(const std::string& sql) const {
    auto connection = store::postgres::Connection::Open(url_).value();
    return connection->Query(sql).value().Int(0, 0);
  }

 private:
  std::string name_;
  std::string url_;
  std::unique_ptr<store::postgres::Connection> admin_;
};

}  // namespace parley::testing
