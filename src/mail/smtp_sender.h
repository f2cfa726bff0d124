#pragma once
// The MailSender of a real mail server, over libcurl's SMTP client (Debian's libcurl4-openssl-dev): one SMTP
// transaction per message (EHLO, AUTH when a user is set, MAIL FROM, RCPT TO, DATA, QUIT).
//
// TLS follows the URL's scheme: `smtps://host:465` speaks TLS from the first byte (implicit TLS); `smtp://host:587`
// requires STARTTLS, so that neither the password nor the links in the messages cross the network in clear, except
// for a server on the loopback interface (a local relay such as Postfix, or the tests' fake), where STARTTLS is
// used when offered. Certificates are verified against the system's store. A stop abandons a transaction at once
// (libcurl's multi interface, woken by the stop), whatever phase it is in.

#include "mail/mail.h"

#include <chrono>
#include <memory>
#include <string>

namespace parley::mail {

struct SmtpOptions {
  std::string url;       //!< PARLEY_SMTP_URL: smtp://host:587 or smtps://host:465.
  std::string user;      //!< PARLEY_SMTP_USER; empty: no AUTH.
  std::string password;  //!< PARLEY_SMTP_PASSWORD. Secret: never logged.
  // A message is a few kilobytes: a server that takes longer than this is down, and the e-mail is tried again later.
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::seconds reply_timeout{15};    //!< For each of the server's replies (the greeting included).
  std::chrono::milliseconds timeout{30000};  //!< The whole transaction.
};

// Fails with kInvalidArgument when the URL is not smtp:// or smtps:// with a host.
Result<std::unique_ptr<MailSender>> MakeSmtpSender(SmtpOptions options);

}  // namespace parley::mail
