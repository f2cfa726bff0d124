#include "mail/smtp_sender.h"

#include <curl/curl.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

namespace parley::mail {
namespace {

// libcurl's global state is set up once per process, before any handle (curl_global_init is not thread-safe).
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The host of scheme://[user@]host[:port][/…], without brackets.
std::string HostOf(std::string_view url) {
  auto rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (rest.starts_with('[')) return std::string(rest.substr(1, rest.find(']') - 1));
  return std::string(rest.substr(0, rest.find(':')));
}

bool IsLoopback(const std::string& host) { return host == "localhost" || host == "::1" || host.starts_with("127."); }

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data->size() - upload->offset);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// The socket of a transaction, so that a stop can cut it: libcurl's own ways of ending a transaction early (removing
// the handle, an aborting callback) still say QUIT on the connection and wait for the reply, up to the reply
// timeout, from a server that may be the very one that hangs.
struct TransferSocket {
  std::mutex mutex;
  curl_socket_t fd = CURL_SOCKET_BAD;  // GUARDED_BY(mutex): open, not yet closed by libcurl.
  bool cut = false;                    // GUARDED_BY(mutex)

  // Makes every wait on the socket end now (reads see the end, writes fail), and refuses any later socket.
  void Cut() {
    std::lock_guard lock(mutex);
    cut = true;
    if (fd != CURL_SOCKET_BAD) ::shutdown(fd, SHUT_RDWR);
  }
};

curl_socket_t OpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* socket = static_cast<TransferSocket*>(user);
  std::lock_guard lock(socket->mutex);
  if (socket->cut) return CURL_SOCKET_BAD;
  socket->fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  return socket->fd;
}

// Under the mutex, so that Cut never shuts down a number the process has given to another file since.
int CloseSocket(void* user, curl_socket_t fd) {
  auto* socket = static_cast<TransferSocket*>(user);
  std::lock_guard lock(socket->mutex);
  if (socket->fd == fd) socket->fd = CURL_SOCKET_BAD;
  return ::close(fd);
}

// curl_easy_perform's transaction through a multi handle of its own, so that a stop ends it at once wherever it is:
// the wait for the socket is woken (curl_multi_wakeup) and the socket is cut.
CURLcode Perform(CURL* easy, std::stop_token stop) {
  TransferSocket socket;
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &socket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CloseSocket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, &socket);
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(), &curl_multi_cleanup);
  if (!multi || curl_multi_add_handle(multi.get(), easy) != CURLM_OK) return CURLE_OUT_OF_MEMORY;
  std::stop_callback wake(stop, [&socket, m = multi.get()] {
    socket.Cut();
    curl_multi_wakeup(m);
  });
  CURLcode result = CURLE_ABORTED_BY_CALLBACK;
  int running = 1;
  while (!stop.stop_requested()) {
    if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
    if (running == 0) {
      int left = 0;
      if (CURLMsg* done = curl_multi_info_read(multi.get(), &left); done && done->msg == CURLMSG_DONE) {
        result = done->data.result;
      }
      break;
    }
    // libcurl's own timeouts end the transaction through curl_multi_perform; 1 s is only the longest sleep.
    curl_multi_poll(multi.get(), nullptr, 0, 1000, nullptr);
  }
  curl_multi_remove_handle(multi.get(), easy);
  return result;
}

class SmtpSender final : public MailSender {
 public:
  explicit SmtpSender(SmtpOptions options)
      : options_(std::move(options)), loopback_(IsLoopback(HostOf(options_.url))) {}

  std::optional<SendFailure> Send(const std::string& from_address, const std::string& recipient,
                                  const std::string& rfc5322, std::stop_token stop) override {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) return SendFailure{false, "cannot start an SMTP client"};
    CURL* h = curl.get();
    const std::string from = "<" + from_address + ">";
    const std::string to = "<" + recipient + ">";
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(curl_slist_append(nullptr, to.c_str()),
                                                                           &curl_slist_free_all);
    Upload upload{&rfc5322};
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    // smtps:// is TLS from the start whatever this says; for smtp:// it decides STARTTLS.
    curl_easy_setopt(h, CURLOPT_USE_SSL, loopback_ ? CURLUSESSL_TRY : CURLUSESSL_ALL);
    if (!options_.user.empty()) {
      curl_easy_setopt(h, CURLOPT_USERNAME, options_.user.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadUpload);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(rfc5322.size()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, static_cast<long>(options_.reply_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // Timeouts without SIGALRM: other threads run on.
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    const CURLcode result = Perform(h, stop);
    if (result == CURLE_OK) return std::nullopt;
    if (stop.stop_requested()) return SendFailure{false, "abandoned: the server is stopping"};
    long reply = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
    std::string reason = error[0] != '\0' ? error : curl_easy_strerror(result);
    if (reply != 0) reason = "SMTP " + std::to_string(reply) + ": " + reason;
    // A 5xx reply is the server's final word (unknown recipient, refused sender, wrong password); anything else
    // (4xx, a connection or TLS failure, a timeout) may pass.
    return SendFailure{reply >= 500 && reply < 600, std::move(reason)};
  }

 private:
  const SmtpOptions options_;
  const bool loopback_;
};

}  // namespace

Result<std::unique_ptr<MailSender>> MakeSmtpSender(SmtpOptions options) {
  const std::string_view url = options.url;
  if (!(url.starts_with("smtp://") || url.starts_with("smtps://")) || HostOf(url).empty()) {
    return Error::InvalidArgument("PARLEY_SMTP_URL must be smtp://host[:port] or smtps://host[:port]");
  }
  InitCurlOnce();
  return std::unique_ptr<MailSender>(std::make_unique<SmtpSender>(std::move(options)));
}

}  // namespace parley::mail
