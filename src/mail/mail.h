#pragma once
// E-mail: what Parley sends (invitations, password reset links, escalation notices) and how. A message is composed
// once, as RFC 5322 text, when what causes it commits; it waits in the store's outbox (store/team_store.h) and a
// MailSender hands it to the operator's mail server (SMTP, mail/smtp_sender.h) off the request path, with retries
// (mail/mailer.h).

#include "core/error.h"

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace parley::mail {

// A plain-text e-mail, before composing.
struct Message {
  std::string from;      //!< As PARLEY_SMTP_FROM: `Parley <noreply@example.com>` or `noreply@example.com`.
  std::string to;        //!< One address.
  std::string subject;   //!< UTF-8; encoded (RFC 2047) when not plain ASCII.
  std::string text;      //!< UTF-8, lines separated by "\n".
  int64_t date_ms = 0;   //!< The Date header.
  std::string language;  //!< Content-Language ("en", "fr").
};

// The address inside `Name <address>` (or the whole text, trimmed, when there are no angle brackets).
std::string AddressOf(std::string_view mailbox);

// The message as RFC 5322 text with CRLF line ends: Date, From, To, Subject, Message-ID (random, at the sender's
// domain), MIME-Version, Content-Type text/plain; charset=UTF-8, Content-Transfer-Encoding base64 (safe through
// any server, with or without 8BITMIME), Content-Language. Header values with CR or LF are refused
// (kInvalidArgument): nothing a person typed can add a header.
Result<std::string> Compose(const Message& message);

// Why a send failed, which decides whether to try again.
struct SendFailure {
  bool permanent = false;  //!< The server refused for good (5xx): trying again cannot help.
  std::string reason;      //!< For the outbox's last_error and the logs; free of secrets.
};

class MailSender {
 public:
  virtual ~MailSender() = default;
  // Hands `rfc5322` to the mail server for `recipient`, envelope sender `from_address`. Blocks (a network
  // transaction, bounded by its timeouts): call from a thread of its own. Empty optional on success. A stop
  // requested on `stop` abandons the transaction at once (a failure; the caller knows why).
  virtual std::optional<SendFailure> Send(const std::string& from_address, const std::string& recipient,
                                          const std::string& rfc5322, std::stop_token stop) = 0;
};

}  // namespace parley::mail
