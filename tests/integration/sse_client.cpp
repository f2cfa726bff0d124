#include "integration/sse_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <memory>

namespace parley::testing {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

struct SseConnection {
  asio::io_context io;
  asio::ip::tcp::socket socket{io};
  boost::beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
};

SseClient::SseClient(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers) {
  // http://host:port/target
  const std::string rest = url.substr(url.find("//") + 2);
  const std::string host_port = rest.substr(0, rest.find('/'));
  const std::string target = rest.substr(host_port.size());
  const std::string host = host_port.substr(0, host_port.find(':'));
  const std::string port = host_port.substr(host_port.find(':') + 1);

  auto connection = std::make_shared<SseConnection>();
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(connection->io);
  auto endpoints = resolver.resolve(host, port, ec);
  if (ec) return;
  asio::connect(connection->socket, endpoints, ec);
  if (ec) return;
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target, 11};
  request.set(bhttp::field::host, host_port);
  request.set(bhttp::field::accept, "text/event-stream");
  for (const auto& [name, value] : headers) request.set(name, value);
  bhttp::write(connection->socket, request, ec);
  if (ec) return;
  connection->parser.body_limit(std::numeric_limits<uint64_t>::max());
  bhttp::read_header(connection->socket, connection->buffer, connection->parser, ec);
  if (ec) return;
  status_ = connection->parser.get().result_int();
  for (const auto& field : connection->parser.get()) {
    headers_[Lower(std::string(field.name_string()))] = std::string(field.value());
  }
  fd_ = connection->socket.native_handle();
  reader_ = std::thread([this, connection] {
    if (connection->parser.chunked()) {
      auto on_chunk = [this](std::uint64_t, std::string_view body, boost::system::error_code&) {
        Parse(body);
        return body.size();
      };
      connection->parser.on_chunk_body(on_chunk);
    }
    boost::system::error_code read_ec;
    bhttp::read(connection->socket, connection->buffer, connection->parser, read_ec);
    std::lock_guard lock(mutex_);
    if (!read_ec) body_ = connection->parser.get().body();
    ended_ = true;
    changed_.notify_all();
  });
}

SseClient::~SseClient() { Close(); }

void SseClient::Close() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);  // Unblocks the reader, which owns the socket.
  if (reader_.joinable()) reader_.join();
  fd_ = -1;
}

void SseClient::Parse(std::string_view chunk) {
  pending_.append(chunk);
  for (size_t end; (end = pending_.find("\n\n")) != std::string::npos;) {
    std::string frame = pending_.substr(0, end);
    pending_.erase(0, end + 2);
    SseEvent event;
    event.received = std::chrono::steady_clock::now();
    size_t start = 0;
    while (start <= frame.size()) {
      size_t line_end = frame.find('\n', start);
      if (line_end == std::string::npos) line_end = frame.size();
      std::string_view line(frame.data() + start, line_end - start);
      if (line.starts_with("id: ")) event.id = line.substr(4);
      if (line.starts_with("data: ")) event.data = line.substr(6);
      if (line.starts_with(": ")) event.comment = line.substr(2);
      if (line.starts_with("retry: ")) event.retry = line.substr(7);
      start = line_end + 1;
    }
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
    changed_.notify_all();
  }
}

std::vector<SseEvent> SseClient::WaitForData(size_t count, std::chrono::milliseconds timeout) {
  std::vector<SseEvent> with_data;
  WaitUntil(
      [&](const std::vector<SseEvent>& events) {
        with_data.clear();
        for (const auto& e : events) {
          if (!e.data.empty()) with_data.push_back(e);
        }
        return with_data.size() >= count;
      },
      timeout);
  return with_data;
}

bool SseClient::WaitUntil(const std::function<bool(const std::vector<SseEvent>&)>& pred,
                          std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return pred(events_) || ended_; }) && pred(events_);
}

boost::json::object SseClient::WaitForObject(const std::function<bool(const boost::json::object&)>& match,
                                             std::chrono::milliseconds timeout) {
  boost::json::object found;
  WaitUntil(
      [&](const std::vector<SseEvent>& events) {
        for (const SseEvent& event : events) {
          if (event.data.empty()) continue;
          boost::json::value data = boost::json::parse(event.data);
          if (data.is_object() && match(data.as_object())) {
            found = std::move(data.as_object());
            return true;
          }
        }
        return false;
      },
      timeout);
  return found;
}

std::vector<SseEvent> SseClient::Events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

bool SseClient::ended() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

std::string SseClient::body() const {
  std::lock_guard lock(mutex_);
  return body_;
}

}  // namespace parley::testing
