#pragma once
// A local stand-in for a mail server: speaks enough of RFC 5321 for an SMTP client such as libcurl's (greeting,
// EHLO/HELO, AUTH PLAIN and LOGIN, MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT; no STARTTLS,
// which it does not advertise) on 127.0.0.1, and records each message it accepts. It can refuse the next
// transactions, with a transient (451) or a permanent (550) reply, to test retries, or hang. One thread accepts, one
// thread serves each connection; safe to query from the test thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parley::testing {

struct ReceivedMail {
  std::string mail_from;                //!< The envelope sender, without angle brackets.
  std::vector<std::string> recipients;  //!< The envelope recipients.
  std::string data;                     //!< The message as received, dot-unstuffed, CRLF line ends.
  std::string auth_user;                //!< Who authenticated, if anyone.

  // The value of header `name` (case-insensitive), unfolded; empty when absent.
  std::string Header(const std::string& name) const;
  // The Subject, with RFC 2047 "=?UTF-8?B?…?=" words decoded.
  std::string Subject() const;
  // The body, decoded when it is base64, with "\n" line ends.
  std::string Text() const;
};

class FakeSmtp {
 public:
  FakeSmtp();
  ~FakeSmtp();

  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  std::vector<ReceivedMail> messages() const;
  // Waits up to `timeout` until at least `n` messages have arrived.
  bool WaitForMessages(size_t n, std::chrono::milliseconds timeout) const;
  // The next `n` MAIL FROM commands are answered `code` (451: try later; 550: refused for good).
  void RefuseNext(int n, int code);
  // Transactions refused so far.
  int refusals() const;
  // While `hang` holds, new connections are accepted and never answered, not even greeted: a mail server that hangs.
  void Hang(bool hang);
  // Connections accepted so far.
  int connections() const;

 private:
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<ReceivedMail> messages_;  // GUARDED_BY(mutex_)
  int refuse_next_ = 0;                 // GUARDED_BY(mutex_)
  int refuse_code_ = 451;               // GUARDED_BY(mutex_)
  int refusals_ = 0;                    // GUARDED_BY(mutex_)
  bool hang_ = false;                   // GUARDED_BY(mutex_)
  int connections_ = 0;                 // GUARDED_BY(mutex_)
  bool stopping_ = false;               // GUARDED_BY(mutex_)
  std::vector<int> open_fds_;           // GUARDED_BY(mutex_)
  std::vector<std::thread> sessions_;   // GUARDED_BY(mutex_)
  std::thread acceptor_;
};

}  // namespace parley::testing
