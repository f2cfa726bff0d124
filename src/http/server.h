#pragma once
// The HTTP/1.1 server: Boost.Beast on Asio with one coroutine per connection, keep-alive, a body-size limit
// (413), a deadline on every read and write, and a graceful stop that lets in-flight requests finish.
//
// A request is decided on in two stages. Once its header has arrived, the server finds its route, resolves the
// client's address and runs the route's gate (authentication and roles for tenant routes): a refusal is answered
// before any of the body is read. Only then is the body read, into memory, or for an upload route's multipart
// body into a temporary file, which at most `max_uploads` requests (`max_uploads_per_address` per client) do at
// once.
//
// With ServerOptions::tls the server speaks HTTPS only (http/tls.h): each connection's TLS handshake must finish
// within the header timeout, then requests are served as over plain TCP, under the same limits and timeouts.

#include "http/client_address.h"
#include "http/http.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace parley::http {

class TlsContext;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;               //!< 0 picks a free port; see Server::port().
  uint64_t max_body_bytes = 1 << 20;  //!< Larger bodies answer 413 and are not read.
  //! The limit of a body that goes to a file (RouteOptions::body_to_file); 0: `max_body_bytes`.
  uint64_t max_upload_bytes = 0;
  //! Where bodies that go to a file are written. Start() creates it and removes what a previous run left there,
  //! so it must belong to this server alone. Empty: the system's temporary directory, left as it is.
  std::filesystem::path upload_dir;
  int max_uploads = 8;              //!< Bodies going to files at once; beyond it 503 with Retry-After.
  int max_uploads_per_address = 2;  //!< The same per client address (LimitKey); beyond it 429 with Retry-After.
  TrustedProxies trusted_proxies;   //!< Whose X-Forwarded-For names the client (ClientAddress).
  //! True when people reach this server over HTTPS (directly or through a proxy): every response then tells
  //! browsers to never use plain HTTP for it again (Strict-Transport-Security).
  bool strict_transport = false;
  //! Set: connections speak TLS, each with the context current when it was accepted (TlsContext::Reload swaps it
  //! for later ones). Null: plain HTTP.
  std::shared_ptr<TlsContext> tls;
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

  // Binds and starts accepting. Fails with kUnavailable when the address cannot be bound or `upload_dir` cannot
  // be created.
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
