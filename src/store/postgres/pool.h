#pragma once
// A bounded pool of PostgreSQL connections, private to the PostgreSQL backend. Store methods block (they run on the
// caller's blocking pool), so a method borrows a connection, runs its statements and gives it back; when all
// `size` connections are out, the next caller waits for one. Connections are opened on demand and a lost one is
// dropped and replaced by the next borrower.

#include "store/postgres/pg.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace parley::store::postgres {

class ConnectionPool {
 public:
  // A borrowed connection, returned to the pool on destruction (rolled back first if a transaction was left open;
  // dropped if the server is gone).
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    ~Lease();
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Opens one connection at once, so that a wrong URL or an unreachable server is reported here (kUnavailable).
  static Result<std::unique_ptr<ConnectionPool>> Open(const std::string& url, int size);
  ~ConnectionPool() { Close(); }

  // Waits for a free connection (or opens one while fewer than `size` exist). kUnavailable after Close() or when a
  // new connection cannot be opened.
  Result<Lease> Acquire();
  // Refuses further leases and waits for the ones out to come back.
  void Close();
  const std::string& url() const { return url_; }

 private:
  ConnectionPool(std::string url, int size) : url_(std::move(url)), size_(size) {}
  void Return(std::unique_ptr<Connection> connection);

  const std::string url_;
  const int size_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mutex_)
  int open_ = 0;                                   // GUARDED_BY(mutex_): idle and leased.
  int leased_ = 0;                                 // GUARDED_BY(mutex_)
  bool closed_ = false;                            // GUARDED_BY(mutex_)
};

// Attempts at a transaction that PostgreSQL aborted for a serialization failure or a deadlock before giving up.
inline constexpr int kTransactionAttempts = 5;

// Runs `fn(Connection&) -> Result<T>` inside BEGIN … COMMIT on a pooled connection. A serialization failure or a
// deadlock (the transaction was rolled back whole) runs `fn` again, up to kTransactionAttempts times, so `fn` must
// depend on nothing but the database and its captures; so does a pooled connection found dead at BEGIN. Any other
// error rolls back and is returned; so is the COMMIT's own failure (whose outcome is then unknown: never retried).
template <class T, class Fn>
Result<T> InTransaction(ConnectionPool& pool, Fn&& fn) {
  Result<T> result = Error::Internal("transaction not attempted");
  for (int attempt = 1; attempt <= kTransactionAttempts; ++attempt) {
    auto lease = pool.Acquire();
    if (!lease) return lease.error();
    Connection& connection = **lease;
    if (auto begin = connection.Execute(kBegin); !begin) {
      // A connection the server dropped while it sat in the pool (a restart, an idle timeout): nothing was done on
      // it, so a fresh one may try; the pool drops the dead one.
      if (!connection.Healthy() && attempt < kTransactionAttempts) continue;
      return begin.error();
    }
    result = fn(connection);
    if (result) {
      auto committed = connection.Execute(kCommit);
      if (committed) return result;
      result = committed.error();
    } else {
      (void)connection.Execute(kRollback);
    }
    const std::string& state = connection.LastSqlState();
    const bool retry = state == kSerializationFailure || state == kDeadlockDetected;
    if (!retry) return result;
  }
  return result;
}

}  // namespace parley::store::postgres
