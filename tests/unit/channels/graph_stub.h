#pragma once
// A one-file stand-in for the Graph API for the adapters' unit tests: answers every request on 127.0.0.1 with
// the next canned response and records what it received, so a test checks the URL, headers and body an adapter
// sends and how it reads each answer. Runs on the test's io_context; Run() drives a coroutine to completion.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <future>
#include <string>
#include <utility>
#include <vector>

namespace parley::channels::stub {

struct StubRequest {
  std::string method;
  std::string target;
  std::string authorization;
  std::string content_type;
  std::string body;
};

class GraphStub {
 public:
  explicit GraphStub(boost::asio::io_context& io)
      : io_(io), acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    boost::asio::co_spawn(io_, Accept(), boost::asio::detached);
  }

  std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/v23.0";
  }

  //! Queues the answer to the next request; without one the stub answers 200 {}.
  void Answer(int status, std::string body) { answers_.emplace_back(status, std::move(body)); }

  const std::vector<StubRequest>& requests() const { return requests_; }

  //! Runs `task` on the io_context until it completes and returns its result.
  template <class T>
  T Run(boost::asio::awaitable<T> task) {
    std::future<T> result = boost::asio::co_spawn(io_, std::move(task), boost::asio::use_future);
    while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) io_.run_one();
    return result.get();
  }

 private:
  boost::asio::awaitable<void> Accept() {
    for (;;) {
      boost::asio::ip::tcp::socket socket = co_await acceptor_.async_accept(boost::asio::use_awaitable);
      boost::asio::co_spawn(io_, Serve(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> Serve(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      co_await http::async_read(socket, buffer, request, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (ec) co_return;
      requests_.push_back({std::string(request.method_string()), std::string(request.target()),
                           std::string(request[http::field::authorization]),
                           std::string(request[http::field::content_type]), request.body()});
      auto [status, body] = answers_.empty() ? std::pair<int, std::string>{200, "{}"} : answers_.front();
      if (!answers_.empty()) answers_.pop_front();
      http::response<http::string_body> response{static_cast<http::status>(status), request.version()};
      response.set(http::field::content_type, "application/json");
      response.keep_alive(request.keep_alive());
      response.body() = std::move(body);
      response.prepare_payload();
      co_await http::async_write(socket, response, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (ec || !request.keep_alive()) co_return;
    }
  }

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::deque<std::pair<int, std::string>> answers_;
  std::vector<StubRequest> requests_;
};

}  // namespace parley::channels::stub
