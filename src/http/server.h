#pragma once
// The HTTP/1.1 server: Boost.Beast on Asio with one coroutine per connection, keep-alive, a body-size limit
// (413), a deadline on every read and write, and a graceful stop that lets in-flight requests finish.

#include "http/http.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace parley::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;               //!< 0 picks a free port; see Server::port().
  uint64_t max_body_bytes = 1 << 20;  //!< Larger bodies answer 413 and are not read.
  // Document uploads have their own limit: targets starting with one of `upload_prefixes` get `max_upload_bytes`
  // (when > 0) instead of `max_body_bytes`.
  uint64_t max_upload_bytes = 0;
  std::vector<std::string> upload_prefixes;
  std::chrono::milliseconds header_timeout{10000};  //!< Headers must arrive within this.
  std::chrono::milliseconds body_timeout{10000};    //!< The body must arrive within this.
  std::chrono::milliseconds idle_timeout{60000};    //!< Keep-alive connections idle this long close.
  std::chrono::milliseconds write_timeout{10000};
};

class Server {
 public:
  // `router` must outlive the server.
  Server(boost::asio::any_io_executor executor, ServerOptions options, const Router& router);
  ~Server();

  // Binds and starts accepting. Fails with kUnavailable when the address cannot be bound.
  Result<void> Start();
  uint16_t port() const;

  // Stops accepting, closes idle keep-alive connections, lets in-flight requests finish (their responses carry
  // `Connection: close`) and completes when every connection is gone.
  boost::asio::awaitable<void> Stop();

  int64_t active_connections() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace parley::http
