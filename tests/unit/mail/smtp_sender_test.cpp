// The SMTP sender against a server that accepts connections and never says a word: its timeouts end the wait, and
// a stop ends it at once (the server's shutdown does not wait for a mail server that hangs).

#include "mail/smtp_sender.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

namespace parley::mail {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMessage = "Subject: hello\r\n\r\nhello\r\n";

// A listening socket on 127.0.0.1 that nobody serves: the kernel completes the connection, no greeting ever comes.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0 && ::listen(fd_, 4) == 0) {
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
      port_ = ntohs(address.sin_port);
    }
  }
  ~SilentServer() { ::close(fd_); }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // The next connection, once a client has made it (-1 when none comes within 10 s).
  int Accept() const {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, 10000) != 1) return -1;
    return ::accept(fd_, nullptr, nullptr);
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(SmtpSenderTest, AStopAbandonsASendWaitingForTheServer) {
  SilentServer server;
  auto sender = MakeSmtpSender({server.url(), "", ""});
  ASSERT_TRUE(sender) << sender.error().message;
  std::stop_source stop;
  std::optional<SendFailure> failure;
  std::thread send([&] { failure = (*sender)->Send("a@parley.test", "b@acme.test", kMessage, stop.get_token()); });
  const int connection = server.Accept();  // The send is under way, waiting for the greeting.
  EXPECT_GE(connection, 0);
  const auto asked = std::chrono::steady_clock::now();
  stop.request_stop();
  send.join();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 1s);
  ASSERT_TRUE(failure.has_value());
  EXPECT_FALSE(failure->permanent) << "the e-mail is tried again on the next start";
  if (connection >= 0) ::close(connection);
}

TEST(SmtpSenderTest, AServerThatNeverRepliesFailsTheSendAfterTheReplyTimeout) {
  SilentServer server;
  SmtpOptions options{server.url(), "", ""};
  options.reply_timeout = 1s;
  auto sender = MakeSmtpSender(options);
  ASSERT_TRUE(sender) << sender.error().message;
  const auto began = std::chrono::steady_clock::now();
  auto failure = (*sender)->Send("a@parley.test", "b@acme.test", kMessage, {});
  EXPECT_LT(std::chrono::steady_clock::now() - began, options.timeout);
  ASSERT_TRUE(failure.has_value());
  EXPECT_FALSE(failure->permanent) << failure->reason;
}

}  // namespace
}  // namespace parley::mail
