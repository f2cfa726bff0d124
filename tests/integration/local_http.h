#pragma once
// An HTTP server on 127.0.0.1 standing for what the real binary calls out to in a test: a web site, a customer's
// webhook endpoint, an internal service. It takes a free port and serves on a thread of its own until destroyed.
//
// Add the routes to router(), then Start(). A handler runs on the server's thread: declare the server after the
// members its handlers use, so that it stops before they go.

#include "http/http.h"
#include "http/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace parley::testing {

class LocalHttpServer {
 public:
  LocalHttpServer() = default;
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  http::Router& router() { return router_; }
  // Binds a free port (the test fails if it cannot) and starts serving.
  void Start();

  uint16_t port() const { return server_->port(); }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port()) + path; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ = boost::asio::make_work_guard(io_);
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

}  // namespace parley::testing
