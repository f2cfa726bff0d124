#pragma once
// The team around a tenant, beyond its users (store/access_store.h): invitations to join it, the durable outbox of
// the e-mails Parley sends (invitations, password reset links, escalation notices), people's notification
// preferences, and how far each tenant's event log has been read for notifications. Same rules as store.h: every
// method blocks (call from the blocking pool or a thread of its own), is thread-safe, and every method taking a
// tenant id is scoped by it. Invitation tokens are only ever stored as SHA-256 hashes; the e-mails as sealed text.

#include "core/error.h"
#include "store/access_store.h"
#include "store/store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::store {

// Where the newest e-mail of an invitation is.
struct MailState {
  std::string status;  //!< "queued" (waiting or being retried), "sent", "failed" (refused for good or given up).
  int attempts = 0;
  std::optional<std::string> last_error;  //!< The mail server's answer to the last failed attempt.
  std::optional<int64_t> sent_at_ms;
};

struct Invitation {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string email;       //!< Lower-cased.
  std::string role;        //!< "owner", "admin", "agent".
  std::string language;    //!< Of the e-mail, and of the user it becomes: "en", "fr", …
  std::string invited_by;  //!< The audit log's actor ("user:12").
  std::string status;      //!< "pending", "accepted", "revoked" (a pending one past expires_at_ms is expired).
  int64_t created_at_ms = 0;
  int64_t sent_at_ms = 0;  //!< When the current token was made (created or resent).
  int64_t expires_at_ms = 0;
  std::optional<int64_t> accepted_at_ms;
  std::optional<int64_t> accepted_user_id;
  std::optional<int64_t> revoked_at_ms;
  std::optional<MailState> mail;  //!< None when no e-mail was queued for it (no SMTP: the link was copied).
};

// An e-mail to queue with the change that causes it.
struct OutgoingMail {
  std::optional<int64_t> tenant_id;
  std::string kind;  //!< "invitation", "password_reset", "escalation".
  std::string recipient;
  std::string sealed_message;  //!< The RFC 5322 text sealed with the master key (crypto::SecretBox).
  //! When set, the mail is not queued if one with the same key was queued within `dedupe_window_ms`.
  std::optional<std::string> dedupe_key;
  int64_t dedupe_window_ms = 0;
};

// A queued e-mail handed to a sender, which holds it until its lease ends.
struct QueuedMail {
  int64_t id = 0;
  std::optional<int64_t> tenant_id;
  std::string kind;
  std::string recipient;
  std::string sealed_message;
  int attempts = 0;  //!< Before this one.
  int64_t created_at_ms = 0;
};

struct NewInvitation {
  int64_t tenant_id = 0;
  std::string email;
  std::string role;
  std::string language;
  std::string invited_by;
  std::string token_hash;
  int64_t expires_at_ms = 0;
};

struct UserPreferences {
  std::optional<bool> notify_by_email;
  std::optional<std::string> language;
};

class TeamStore {
 public:
  virtual ~TeamStore() = default;

  // --- Invitations ---
  // Records a pending invitation and, in the same transaction, queues `mail` (its invitation id set) when given.
  // kConflict when the tenant has a pending invitation for the address or a user (of any tenant) has it.
  virtual Result<Invitation> CreateInvitation(const NewInvitation& invitation, const std::optional<OutgoingMail>& mail,
                                              int64_t now_ms) = 0;
  // The tenant's invitations, newest first, at most `limit`, each with its newest e-mail's state.
  virtual Result<std::vector<Invitation>> ListInvitations(int64_t tenant_id, int limit) = 0;
  virtual Result<Invitation> GetInvitation(int64_t tenant_id, int64_t invitation_id) = 0;
  // Resend: a new token (the old link stops working) valid until `expires_at_ms`; the invitation's e-mails still
  // queued are dropped and `mail` is queued instead. kNotFound; kConflict when it is accepted or revoked.
  virtual Result<Invitation> RenewInvitation(int64_t tenant_id, int64_t invitation_id, const std::string& token_hash,
                                             int64_t expires_at_ms, const std::optional<OutgoingMail>& mail,
                                             int64_t now_ms) = 0;
  // The link stops working and its queued e-mails are dropped. kNotFound; kConflict when accepted or revoked.
  virtual Result<Invitation> RevokeInvitation(int64_t tenant_id, int64_t invitation_id, int64_t now_ms) = 0;
  // The invitation a token belongs to, whatever its status. kNotFound when no invitation has it.
  virtual Result<Invitation> FindInvitation(const std::string& token_hash) = 0;
  // Uses the token up: in one transaction creates the user (`user`'s tenant, e-mail and role are the invitation's;
  // its language too) and marks the invitation accepted by them. kNotFound for an unknown token; kConflict with
  // the reason when the invitation is accepted, revoked or expired, or the address has become a user's.
  virtual Result<User> AcceptInvitation(const std::string& token_hash, const std::string& name,
                                        const std::string& password_hash, int64_t now_ms) = 0;

  // --- The mail outbox ---
  // Queues `mail`; false when its dedupe key held it back.
  virtual Result<bool> QueueMail(const OutgoingMail& mail, int64_t now_ms) = 0;
  // Up to `limit` queued e-mails due by `now_ms`, oldest first, leased until `now_ms + lease_ms` (another sender
  // takes them after that, should this one die).
  virtual Result<std::vector<QueuedMail>> ClaimDueMail(int64_t now_ms, int64_t lease_ms, int limit) = 0;
  // Sent: the sealed text is blanked (its links are secrets).
  virtual Result<void> MarkMailSent(int64_t mail_id, int64_t now_ms) = 0;
  // A failed attempt: tried again at `next_attempt_at_ms`, or, without it, failed for good.
  virtual Result<void> MarkMailFailed(int64_t mail_id, const std::string& error,
                                      std::optional<int64_t> next_attempt_at_ms) = 0;
  // Gives back a leased e-mail untried (its sender is stopping): due again at once, for the next start.
  virtual Result<void> ReleaseMail(int64_t mail_id) = 0;
  // The earliest next attempt of a queued e-mail, nullopt when none is queued.
  virtual Result<std::optional<int64_t>> NextMailDue() = 0;

  // --- Notifications ---
  // Empty optionals leave a preference as it is. kNotFound when the user is not the tenant's.
  virtual Result<User> SetUserPreferences(int64_t tenant_id, int64_t user_id, const UserPreferences& preferences) = 0;
  // The tenant's users who want escalations by e-mail.
  virtual Result<std::vector<User>> ListEmailSubscribers(int64_t tenant_id) = 0;
  // How far the tenant's event log was read for notifications; nullopt when never.
  virtual Result<std::optional<int64_t>> NotificationCursor(int64_t tenant_id) = 0;
  // Every tenant's cursor, for the catch-up at start.
  virtual Result<std::vector<std::pair<int64_t, int64_t>>> NotificationCursors() = 0;
  // Queues `mails` (each subject to its dedupe key) and moves the tenant's cursor to `last_event_id`, in one
  // transaction: an event is notified at least once, and a crash in between sends nothing twice.
  virtual Result<void> QueueNotifications(int64_t tenant_id, int64_t last_event_id,
                                          const std::vector<OutgoingMail>& mails, int64_t now_ms) = 0;
};

}  // namespace parley::store
