#include "store/postgres/pool.h"

namespace parley::store::postgres {

ConnectionPool::Lease::~Lease() {
  if (!connection_) return;
  if (connection_->Healthy() && connection_->InTransaction()) (void)connection_->Execute(kRollback);
  pool_->Return(std::move(connection_));
}

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::Open(const std::string& url, int size) {
  if (size < 1) return Error::InvalidArgument("the PostgreSQL pool needs at least one connection");
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(url, size));
  STORE_ASSIGN_OR_RETURN(auto first, Connection::Open(url));
  pool->idle_.push_back(std::move(first));
  pool->open_ = 1;
  return pool;
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return closed_ || !idle_.empty() || open_ < size_; });
    if (closed_) return Error::Unavailable("store is closed");
    ++leased_;
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;  // Reserved: connecting happens outside the lock.
  }
  auto opened = Connection::Open(url_);
  if (!opened) {
    std::lock_guard lock(mutex_);
    --open_;
    --leased_;
    cv_.notify_all();
    return opened.error();
  }
  return Lease(this, std::move(*opened));
}

void ConnectionPool::Return(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  --leased_;
  if (connection->Healthy() && !closed_) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  cv_.notify_all();
}

void ConnectionPool::Close() {
  std::unique_lock lock(mutex_);
  closed_ = true;
  cv_.notify_all();
  cv_.wait(lock, [&] { return leased_ == 0; });
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
}

}  // namespace parley::store::postgres
