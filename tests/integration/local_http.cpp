#include "integration/local_http.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>

namespace parley::testing {

namespace asio = boost::asio;

void LocalHttpServer::Start() {
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  server_ = std::make_unique<http::Server>(io_.get_executor(), options, router_);
  EXPECT_TRUE(server_->Start().has_value());
  thread_ = std::thread([this] { io_.run(); });
}

LocalHttpServer::~LocalHttpServer() {
  if (server_) asio::co_spawn(io_, server_->Stop(), asio::use_future).wait_for(std::chrono::seconds(5));
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace parley::testing
