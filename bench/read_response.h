#pragma once
// The load generators' response reader: a raw socket and a buffer, so that what a benchmark measures is the server,
// not an HTTP client library.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <string>

namespace parley::bench {

// Reads one HTTP/1.1 response (Content-Length bodies only, which is what Parley sends) from `socket`, keeping what
// follows it in `buffer`; returns the status.
inline boost::asio::awaitable<int> ReadResponse(boost::asio::ip::tcp::socket& socket, std::string& buffer) {
  for (;;) {
    auto header_end = buffer.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      int status = std::atoi(buffer.c_str() + 9);
      size_t length = 0;
      auto cl = buffer.find("Content-Length: ");
      if (cl == std::string::npos) cl = buffer.find("content-length: ");
      if (cl != std::string::npos && cl < header_end) length = std::strtoul(buffer.c_str() + cl + 16, nullptr, 10);
      size_t total = header_end + 4 + length;
      if (buffer.size() >= total) {
        buffer.erase(0, total);
        co_return status;
      }
    }
    char chunk[8192];
    size_t n = co_await socket.async_read_some(boost::asio::buffer(chunk), boost::asio::use_awaitable);
    buffer.append(chunk, n);
  }
}

}  // namespace parley::bench
