#pragma once
// The mailer: prepares the e-mails Parley sends and delivers them, off the request path.
//
// An e-mail is prepared (composed and sealed, Prepare) by whoever causes it and queued in the store in the same
// transaction as the cause (an invitation, a reset link): it cannot be lost between the two. One thread of the
// mailer then takes the queued e-mails that are due, hands each to the MailSender, and records the outcome: sent
// (the sealed text is blanked), failed for good (the server refused: 5xx), or tried again later, after
// `retry_base_ms` doubling up to `retry_max_ms`, for up to `give_up_after_ms`. A sender that dies mid-send leaves
// its e-mails leased; they are taken again when the lease ends.
//
// The same thread notifies escalations: after each commit that appended events (StoreOptions::on_events), it reads
// the tenant's event log past its cursor (kept in the store, written with what an escalation queues) and queues, for
// every support.opened, an e-mail to each of the tenant's users who asked for them (notify_by_email), in their
// language, at most one per user and conversation per `escalation_quiet_ms`, so that a conversation escalating again
// and again sends one e-mail.
//
// Stop() abandons a send in progress (its e-mail stays queued): a server stops promptly even when its mail server
// does not answer.
//
// Without a sender (no PARLEY_SMTP_URL) the mailer is disabled: nothing is queued, and callers give links to copy.

#include "core/config.h"
#include "core/crypto.h"
#include "mail/mail.h"
#include "mail/texts.h"
#include "store/store.h"
#include "store/team_store.h"

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>

namespace parley::mail {

struct MailerOptions {
  std::string from;        //!< PARLEY_SMTP_FROM.
  std::string public_url;  //!< The base of links, e-mailed or not (PARLEY_PUBLIC_URL, or the listener's address).
  int64_t retry_base_ms = 30000;
  int64_t retry_max_ms = 3600000;
  int64_t give_up_after_ms = int64_t{24} * 3600 * 1000;
  int64_t lease_ms = 300000;  //!< Longer than a send with its timeouts.
  int64_t escalation_quiet_ms = int64_t{30} * 60 * 1000;
  //! Without a cursor (a tenant never read before), events older than this before the mailer started are not
  //! notified: turning e-mail on does not send a day of old escalations.
  int64_t first_read_window_ms = int64_t{5} * 60 * 1000;
};

class Mailer {
 public:
  // `sender` may be null: the mailer is then disabled. `box` must outlive the mailer.
  Mailer(MailerOptions options, const crypto::SecretBox& box, std::unique_ptr<MailSender> sender);
  ~Mailer();
  Mailer(const Mailer&) = delete;
  Mailer& operator=(const Mailer&) = delete;

  bool enabled() const { return sender_ != nullptr; }
  const MailerOptions& options() const { return options_; }

  // An e-mail ready to queue: `text` composed for `to` in `language` and sealed. kInvalidArgument for an address
  // or subject that cannot be put in a header.
  Result<store::OutgoingMail> Prepare(std::string_view kind, std::optional<int64_t> tenant_id, const std::string& to,
                                      std::string_view language, const Text& text) const;

  // Starts the delivery thread. `store` must outlive Stop(). Does nothing when disabled.
  void Start(store::Store& store);
  // Something was queued: look now rather than at the next due time. Thread-safe, never blocks.
  void Wake();
  // For StoreOptions::on_events: the tenant's log grew. Thread-safe, never blocks, never calls the store, so that
  // the store's threads may call it (even before Start: the tenants are remembered).
  void OnEvents(int64_t tenant_id, int64_t last_event_id);
  // Ends the thread promptly: a send in progress is abandoned and its e-mail stays queued, due at once on the next
  // start. Waits for the thread (at most a store write or two). Idempotent.
  void Stop();

 private:
  void Loop();
  // Sends what is due until nothing is; false when the store failed.
  bool Deliver();
  void NotifyEscalations(int64_t tenant_id);

  const MailerOptions options_;
  const crypto::SecretBox& box_;
  const std::unique_ptr<MailSender> sender_;
  const std::string from_address_;
  store::Store* store_ = nullptr;  // Set by Start, before the thread.
  int64_t started_at_ms_ = 0;

  std::map<int64_t, int64_t> cursors_;  // The mailer thread's: how far each tenant's log was read.

  std::mutex mutex_;
  std::condition_variable wake_;
  std::stop_source stop_;            // Requested under mutex_.
  bool mail_queued_ = false;         // GUARDED_BY(mutex_)
  std::set<int64_t> event_tenants_;  // GUARDED_BY(mutex_): tenants with events to read.
  std::thread thread_;               // Last: started after the state it uses.
};

// The server's mailer from the configuration: disabled without PARLEY_SMTP_URL, else over SMTP (mail/smtp_sender.h)
// with links based on PARLEY_PUBLIC_URL (or the listener's address). kInvalidArgument for a bad PARLEY_SMTP_URL.
Result<std::unique_ptr<Mailer>> MakeMailer(const Config& config, const crypto::SecretBox& box);

}  // namespace parley::mail
