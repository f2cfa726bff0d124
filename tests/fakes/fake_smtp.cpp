#include "fakes/fake_smtp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace parley::testing {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string DecodeBase64(std::string_view text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const auto index = kAlphabet.find(c);
    if (index == std::string::npos) continue;  // Line breaks, padding.
    buffer = (buffer << 6) | static_cast<uint32_t>(index);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

// The text between "<" and ">" of "FROM:<a@b> SIZE=…", or what follows the colon.
std::string PathOf(const std::string& argument) {
  const auto open = argument.find('<');
  const auto close = argument.find('>');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    return argument.substr(open + 1, close - open - 1);
  }
  return argument.substr(argument.find(':') + 1);
}

class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  bool ReadLine(std::string& line) {
    while (true) {
      const auto end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return true;
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  void Write(const std::string& reply) {
    const std::string line = reply + "\r\n";
    size_t sent = 0;
    while (sent < line.size()) {
      const ssize_t n = ::send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

 private:
  int fd_;
  std::string buffer_;
};

}  // namespace

std::string ReceivedMail::Header(const std::string& name) const {
  const std::string wanted = Lower(name) + ":";
  std::string value;
  bool in_header = false;
  size_t start = 0;
  while (start < data.size()) {
    auto end = data.find("\r\n", start);
    if (end == std::string::npos) end = data.size();
    const std::string line = data.substr(start, end - start);
    start = end + 2;
    if (line.empty()) break;  // End of the header.
    if (line[0] == ' ' || line[0] == '\t') {
      if (in_header) value += line;  // A folded line, unfolded (RFC 5322: CRLF removed).
      continue;
    }
    in_header = Lower(line.substr(0, wanted.size())) == wanted;
    if (in_header) value = line.substr(wanted.size());
  }
  const auto first = value.find_first_not_of(' ');
  return first == std::string::npos ? "" : value.substr(first);
}

std::string ReceivedMail::Subject() const {
  std::string raw = Header("Subject");
  std::string out;
  size_t at = 0;
  while (at < raw.size()) {
    const auto word = raw.find("=?UTF-8?B?", at);
    if (word == std::string::npos) {
      out += raw.substr(at);
      break;
    }
    std::string between = raw.substr(at, word - at);
    // Whitespace between two encoded words is not part of the text (RFC 2047, 6.2).
    if (between.find_first_not_of(" \t") != std::string::npos) out += between;
    const auto end = raw.find("?=", word + 10);
    out += DecodeBase64(raw.substr(word + 10, end - word - 10));
    at = end + 2;
  }
  return out;
}

std::string ReceivedMail::Text() const {
  const auto body_start = data.find("\r\n\r\n");
  std::string body = body_start == std::string::npos ? "" : data.substr(body_start + 4);
  if (Lower(Header("Content-Transfer-Encoding")) == "base64") body = DecodeBase64(body);
  std::string text;
  for (char c : body) {
    if (c != '\r') text += c;
  }
  return text;
}

FakeSmtp::FakeSmtp() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int yes = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("fake SMTP server: cannot listen");
  }
  socklen_t length = sizeof address;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FakeSmtp::~FakeSmtp() {
  std::vector<std::thread> sessions;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    sessions.swap(sessions_);
  }
  for (auto& session : sessions) session.join();
}

void FakeSmtp::AcceptLoop() {
  while (true) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    open_fds_.push_back(fd);
    sessions_.emplace_back([this, fd] { Serve(fd); });
  }
}

void FakeSmtp::Serve(int fd) {
  bool hang = false;
  {
    std::lock_guard lock(mutex_);
    ++connections_;
    hang = hang_;
  }
  Connection connection(fd);
  std::string line;
  if (hang) {
    while (connection.ReadLine(line)) {
    }  // Until the client gives up or the fake stops (shutdown).
  } else {
    connection.Write("220 fake-smtp.test ESMTP ready");
  }
  ReceivedMail current;
  std::string auth_user;
  bool in_transaction = false;
  while (!hang && connection.ReadLine(line)) {
    const std::string verb = Lower(line.substr(0, line.find(' ')));
    const std::string argument = line.find(' ') == std::string::npos ? "" : line.substr(line.find(' ') + 1);
    if (verb == "ehlo") {
      connection.Write("250-fake-smtp.test greets you");
      connection.Write("250-AUTH PLAIN LOGIN");
      connection.Write("250 8BITMIME");
    } else if (verb == "helo") {
      connection.Write("250 fake-smtp.test");
    } else if (verb == "auth") {
      const std::string mechanism = Lower(argument.substr(0, argument.find(' ')));
      if (mechanism == "plain") {
        std::string credentials =
            argument.find(' ') == std::string::npos ? "" : argument.substr(argument.find(' ') + 1);
        if (credentials.empty()) {
          connection.Write("334 ");
          if (!connection.ReadLine(credentials)) break;
        }
        // authzid NUL authcid NUL password
        const std::string decoded = DecodeBase64(credentials);
        const auto first = decoded.find('\0');
        const auto second = decoded.find('\0', first + 1);
        auth_user = decoded.substr(first + 1, second - first - 1);
        connection.Write("235 2.7.0 authenticated");
      } else if (mechanism == "login") {
        std::string user, password;
        connection.Write("334 VXNlcm5hbWU6");
        if (!connection.ReadLine(user)) break;
        connection.Write("334 UGFzc3dvcmQ6");
        if (!connection.ReadLine(password)) break;
        auth_user = DecodeBase64(user);
        connection.Write("235 2.7.0 authenticated");
      } else {
        connection.Write("504 5.5.4 unknown mechanism");
      }
    } else if (verb == "mail") {
      int refuse = 0;
      {
        std::lock_guard lock(mutex_);
        if (refuse_next_ > 0) {
          --refuse_next_;
          ++refusals_;
          refuse = refuse_code_;
        }
      }
      if (refuse != 0) {
        connection.Write(std::to_string(refuse) + (refuse >= 500 ? " 5.7.1 refused" : " 4.3.0 try again later"));
        continue;
      }
      current = ReceivedMail{PathOf(argument), {}, {}, auth_user};
      in_transaction = true;
      connection.Write("250 2.1.0 OK");
    } else if (verb == "rcpt") {
      if (!in_transaction) {
        connection.Write("503 5.5.1 MAIL first");
        continue;
      }
      current.recipients.push_back(PathOf(argument));
      connection.Write("250 2.1.5 OK");
    } else if (verb == "data") {
      if (!in_transaction || current.recipients.empty()) {
        connection.Write("503 5.5.1 RCPT first");
        continue;
      }
      connection.Write("354 end with <CRLF>.<CRLF>");
      std::string data;
      bool complete = false;
      while (connection.ReadLine(line)) {
        if (line == ".") {
          complete = true;
          break;
        }
        if (line.starts_with('.')) line.erase(0, 1);  // RFC 5321 4.5.2: dot-unstuffing.
        data += line + "\r\n";
      }
      if (!complete) break;
      current.data = std::move(data);
      {
        std::lock_guard lock(mutex_);
        messages_.push_back(current);
      }
      in_transaction = false;
      connection.Write("250 2.0.0 queued");
    } else if (verb == "rset") {
      in_transaction = false;
      connection.Write("250 2.0.0 OK");
    } else if (verb == "noop") {
      connection.Write("250 2.0.0 OK");
    } else if (verb == "quit") {
      connection.Write("221 2.0.0 bye");
      break;
    } else {
      connection.Write("502 5.5.2 command not implemented");
    }
  }
  std::lock_guard lock(mutex_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

std::vector<ReceivedMail> FakeSmtp::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

bool FakeSmtp::WaitForMessages(size_t n, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (messages().size() >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return messages().size() >= n;
}

void FakeSmtp::RefuseNext(int n, int code) {
  std::lock_guard lock(mutex_);
  refuse_next_ = n;
  refuse_code_ = code;
}

void FakeSmtp::Hang(bool hang) {
  std::lock_guard lock(mutex_);
  hang_ = hang;
}

int FakeSmtp::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

int FakeSmtp::refusals() const {
  std::lock_guard lock(mutex_);
  return refusals_;
}

}  // namespace parley::testing
