#include "mail/smtp_sender.h"

#include <curl/curl.h>

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

class SmtpSender final : public MailSender {
 public:
  explicit SmtpSender(SmtpOptions options)
      : options_(std::move(options)), loopback_(IsLoopback(HostOf(options_.url))) {}

  std::optional<SendFailure> Send(const std::string& from_address, const std::string& recipient,
                                  const std::string& rfc5322) override {
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
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // Timeouts without SIGALRM: other threads run on.
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    const CURLcode result = curl_easy_perform(h);
    if (result == CURLE_OK) return std::nullopt;
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
