// Invitations, the mail outbox and notification preferences on PostgreSQL. The rules are the SQLite backend's
// (sqlite/team_store.cpp); due mail is leased with FOR UPDATE SKIP LOCKED, so several senders in several processes
// share the outbox without taking the same mail.

#include "store/team_store.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/postgres/sub_stores.h"

#include <algorithm>
#include <optional>

namespace parley::store::postgres {
namespace {

// The newest e-mail of the invitation rides along with it (NULL columns when there is none).
#define INVITATION_SELECT                                                                                         \
  "SELECT i.id, i.tenant_id, i.email, i.role, i.language, i.invited_by, i.status, i.created_at, i.sent_at,"       \
  " i.expires_at, i.accepted_at, i.accepted_user_id, i.revoked_at, m.status, m.attempts, m.last_error, m.sent_at" \
  " FROM invitations i LEFT JOIN mail_outbox m ON m.id = (SELECT MAX(id) FROM mail_outbox WHERE"                  \
  " invitation_id = i.id)"
constexpr char kInvitationOfTenant[] = INVITATION_SELECT " WHERE i.id = $1 AND i.tenant_id = $2";
constexpr char kInvitationsOfTenant[] = INVITATION_SELECT " WHERE i.tenant_id = $1 ORDER BY i.id DESC LIMIT $2";
constexpr char kInvitationByToken[] = INVITATION_SELECT " WHERE i.token_hash = $1";
#undef INVITATION_SELECT
constexpr char kUserWithEmail[] = "SELECT 1 FROM users WHERE email = $1";
constexpr char kInsertInvitation[] =
    "INSERT INTO invitations (tenant_id, email, role, language, invited_by, token_hash, created_at, sent_at,"
    " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id";
constexpr char kRenewInvitation[] =
    "UPDATE invitations SET token_hash = $3, sent_at = $4, expires_at = $5"
    " WHERE id = $1 AND tenant_id = $2 AND status = 'pending'";
constexpr char kRevokeInvitation[] =
    "UPDATE invitations SET status = 'revoked', revoked_at = $3 WHERE id = $1 AND tenant_id = $2 AND status = "
    "'pending'";
constexpr char kInvitationStatus[] = "SELECT status FROM invitations WHERE id = $1 AND tenant_id = $2";
constexpr char kDropQueuedMailOf[] = "DELETE FROM mail_outbox WHERE invitation_id = $1 AND status = 'queued'";
// Locked: of two acceptances of one invitation, the second finds it accepted.
constexpr char kPendingInvitationOfToken[] =
    "SELECT id, tenant_id, email, role, language, status, expires_at FROM invitations WHERE token_hash = $1"
    " FOR UPDATE";
constexpr char kInsertInvitedUser[] =
    "INSERT INTO users (tenant_id, email, name, role, password_hash, created_at, language)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " PG_USER_COLUMNS;
constexpr char kMarkAccepted[] =
    "UPDATE invitations SET status = 'accepted', accepted_at = $2, accepted_user_id = $3 WHERE id = $1";

constexpr char kRecentDuplicate[] =
    "SELECT 1 FROM mail_outbox WHERE dedupe_key = $1 AND created_at > $2 AND status <> 'failed' LIMIT 1";
constexpr char kInsertMail[] =
    "INSERT INTO mail_outbox (tenant_id, kind, recipient, sealed_message, invitation_id, dedupe_key,"
    " next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)";
// Rows another sender is leasing at this moment are skipped rather than waited for.
constexpr char kLeaseDueMail[] =
    "UPDATE mail_outbox SET lease_until = $2 WHERE id IN (SELECT id FROM mail_outbox"
    " WHERE status = 'queued' AND next_attempt_at <= $1 AND lease_until <= $1 ORDER BY id LIMIT $3"
    " FOR UPDATE SKIP LOCKED) RETURNING id, tenant_id, kind, recipient, sealed_message, attempts, created_at";
constexpr char kMailSent[] =
    "UPDATE mail_outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, sealed_message = '',"
    " last_error = NULL, lease_until = 0 WHERE id = $1";
constexpr char kMailRetry[] =
    "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, lease_until = 0"
    " WHERE id = $1";
constexpr char kMailFailed[] =
    "UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, last_error = $2, sealed_message = '',"
    " lease_until = 0 WHERE id = $1";
constexpr char kReleaseMail[] = "UPDATE mail_outbox SET lease_until = 0 WHERE id = $1 AND status = 'queued'";
constexpr char kNextDue[] =
    "SELECT MIN(GREATEST(next_attempt_at, lease_until)) FROM mail_outbox WHERE status = 'queued'";

constexpr char kSetPreferences[] =
    "UPDATE users SET notify_by_email = COALESCE($3, notify_by_email), language = COALESCE($4, language)"
    " WHERE id = $1 AND tenant_id = $2 RETURNING " PG_USER_COLUMNS;
constexpr char kSubscribers[] =
    "SELECT " PG_USER_COLUMNS " FROM users WHERE tenant_id = $1 AND notify_by_email ORDER BY id";
constexpr char kCursorOf[] = "SELECT last_event_id FROM mail_notification_cursors WHERE tenant_id = $1";
constexpr char kCursors[] = "SELECT tenant_id, last_event_id FROM mail_notification_cursors ORDER BY tenant_id";
constexpr char kSetCursor[] =
    "INSERT INTO mail_notification_cursors AS c (tenant_id, last_event_id) VALUES ($1, $2)"
    " ON CONFLICT (tenant_id) DO UPDATE SET last_event_id = GREATEST(c.last_event_id, excluded.last_event_id)";

Invitation ReadInvitation(const Rows& rows, int i) {
  Invitation invitation{rows.Int(i, 0),          rows.Int(i, 1),    rows.String(i, 2),       rows.String(i, 3),
                        rows.String(i, 4),       rows.String(i, 5), rows.String(i, 6),       rows.Int(i, 7),
                        rows.Int(i, 8),          rows.Int(i, 9),    rows.OptionalInt(i, 10), rows.OptionalInt(i, 11),
                        rows.OptionalInt(i, 12), std::nullopt};
  if (auto status = rows.OptionalString(i, 13)) {
    invitation.mail =
        MailState{*status, static_cast<int>(rows.Int(i, 14)), rows.OptionalString(i, 15), rows.OptionalInt(i, 16)};
  }
  return invitation;
}

// Inserts `mail` unless its dedupe key holds it back; true when inserted.
Result<bool> InsertMail(Connection& db, const OutgoingMail& mail, std::optional<int64_t> invitation_id,
                        int64_t now_ms) {
  if (mail.dedupe_key) {
    STORE_ASSIGN_OR_RETURN(auto duplicate,
                           db.Query(kRecentDuplicate, Params(mail.dedupe_key, now_ms - mail.dedupe_window_ms)));
    if (!duplicate.empty()) return false;
  }
  STORE_TRY(db.Query(kInsertMail, Params(mail.tenant_id, mail.kind, mail.recipient, mail.sealed_message, invitation_id,
                                         mail.dedupe_key, now_ms)));
  return true;
}

// Why an invitation could not be renewed or revoked.
Result<void> NotPending(Connection& db, int64_t tenant_id, int64_t invitation_id) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kInvitationStatus, Params(invitation_id, tenant_id)));
  if (rows.empty()) return Error::NotFound("no such invitation");
  return Error::Conflict("this invitation was already " + rows.String(0, 0));
}

class PostgresTeamStore final : public TeamStore {
 public:
  explicit PostgresTeamStore(PostgresStore& store) : store_(store) {}

  Result<Invitation> CreateInvitation(const NewInvitation& invitation, const std::optional<OutgoingMail>& mail,
                                      int64_t now_ms) override {
    auto id = store_.Write<int64_t>([&](Connection& db, EventNotes&) -> Result<int64_t> {
      STORE_ASSIGN_OR_RETURN(auto user, db.Query(kUserWithEmail, Params(invitation.email)));
      if (!user.empty()) return Error::Conflict("a user with this e-mail already exists");
      auto inserted = db.Query(kInsertInvitation,
                               Params(invitation.tenant_id, invitation.email, invitation.role, invitation.language,
                                      invitation.invited_by, invitation.token_hash, now_ms, invitation.expires_at_ms));
      if (!inserted && inserted.error().code == ErrorCode::kConflict) {
        return Error::Conflict("this address already has a pending invitation; resend or revoke it");
      }
      if (!inserted) return inserted.error();
      const int64_t id = inserted->Int(0, 0);
      if (mail) STORE_TRY(InsertMail(db, *mail, id, now_ms));
      return id;
    });
    if (!id) return id.error();
    return GetInvitation(invitation.tenant_id, *id);
  }

  Result<std::vector<Invitation>> ListInvitations(int64_t tenant_id, int limit) override {
    return store_.ReadAll<Invitation>(kInvitationsOfTenant, Params(tenant_id, limit), ReadInvitation);
  }

  Result<Invitation> GetInvitation(int64_t tenant_id, int64_t invitation_id) override {
    return store_.ReadOne<Invitation>(kInvitationOfTenant, Params(invitation_id, tenant_id), "no such invitation",
                                      ReadInvitation);
  }

  Result<Invitation> RenewInvitation(int64_t tenant_id, int64_t invitation_id, const std::string& token_hash,
                                     int64_t expires_at_ms, const std::optional<OutgoingMail>& mail,
                                     int64_t now_ms) override {
    STORE_TRY(store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto renewed, db.Query(kRenewInvitation, Params(invitation_id, tenant_id, token_hash,
                                                                             now_ms, expires_at_ms)));
      if (renewed.affected() == 0) return NotPending(db, tenant_id, invitation_id);
      STORE_TRY(db.Query(kDropQueuedMailOf, Params(invitation_id)));
      if (mail) STORE_TRY(InsertMail(db, *mail, invitation_id, now_ms));
      return Ok();
    }));
    return GetInvitation(tenant_id, invitation_id);
  }

  Result<Invitation> RevokeInvitation(int64_t tenant_id, int64_t invitation_id, int64_t now_ms) override {
    STORE_TRY(store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto revoked, db.Query(kRevokeInvitation, Params(invitation_id, tenant_id, now_ms)));
      if (revoked.affected() == 0) return NotPending(db, tenant_id, invitation_id);
      STORE_TRY(db.Query(kDropQueuedMailOf, Params(invitation_id)));
      return Ok();
    }));
    return GetInvitation(tenant_id, invitation_id);
  }

  Result<Invitation> FindInvitation(const std::string& token_hash) override {
    return store_.ReadOne<Invitation>(kInvitationByToken, Params(token_hash), "no such invitation", ReadInvitation);
  }

  Result<User> AcceptInvitation(const std::string& token_hash, const std::string& name,
                                const std::string& password_hash, int64_t now_ms) override {
    return store_.Write<User>([&](Connection& db, EventNotes&) -> Result<User> {
      STORE_ASSIGN_OR_RETURN(auto found, db.Query(kPendingInvitationOfToken, Params(token_hash)));
      if (found.empty()) return Error::NotFound("no such invitation");
      const std::string status = found.String(0, 5);
      if (status == "accepted") return Error::Conflict("this invitation was already used");
      if (status == "revoked") return Error::Conflict("this invitation was revoked");
      if (found.Int(0, 6) <= now_ms) return Error::Conflict("this invitation has expired; ask for a new one");
      const int64_t invitation_id = found.Int(0, 0);
      auto inserted = db.Query(kInsertInvitedUser, Params(found.Int(0, 1), found.String(0, 2), name, found.String(0, 3),
                                                          password_hash, now_ms, found.String(0, 4)));
      if (!inserted && inserted.error().code == ErrorCode::kConflict) {
        return Error::Conflict("a user with this e-mail already exists");
      }
      if (!inserted) return inserted.error();
      User user = ReadUser(*inserted, 0);
      STORE_TRY(db.Query(kMarkAccepted, Params(invitation_id, now_ms, user.id)));
      return user;
    });
  }

  Result<bool> QueueMail(const OutgoingMail& mail, int64_t now_ms) override {
    return store_.Write<bool>(
        [&](Connection& db, EventNotes&) -> Result<bool> { return InsertMail(db, mail, std::nullopt, now_ms); });
  }

  Result<std::vector<QueuedMail>> ClaimDueMail(int64_t now_ms, int64_t lease_ms, int limit) override {
    return store_.Write<std::vector<QueuedMail>>([&](Connection& db, EventNotes&) -> Result<std::vector<QueuedMail>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kLeaseDueMail, Params(now_ms, now_ms + lease_ms, limit)));
      std::vector<QueuedMail> claimed;
      for (int i = 0; i < rows.size(); ++i) {
        claimed.push_back({rows.Int(i, 0), rows.OptionalInt(i, 1), rows.String(i, 2), rows.String(i, 3),
                           rows.String(i, 4), static_cast<int>(rows.Int(i, 5)), rows.Int(i, 6)});
      }
      std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
      return claimed;
    });
  }

  Result<void> MarkMailSent(int64_t mail_id, int64_t now_ms) override {
    return Run(kMailSent, Params(mail_id, now_ms));
  }

  Result<void> MarkMailFailed(int64_t mail_id, const std::string& error,
                              std::optional<int64_t> next_attempt_at_ms) override {
    if (next_attempt_at_ms) return Run(kMailRetry, Params(mail_id, error, *next_attempt_at_ms));
    return Run(kMailFailed, Params(mail_id, error));
  }

  Result<void> ReleaseMail(int64_t mail_id) override { return Run(kReleaseMail, Params(mail_id)); }

  Result<std::optional<int64_t>> NextMailDue() override {
    return store_.Read<std::optional<int64_t>>([&](Connection& db) -> Result<std::optional<int64_t>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kNextDue));
      return rows.OptionalInt(0, 0);
    });
  }

  Result<User> SetUserPreferences(int64_t tenant_id, int64_t user_id, const UserPreferences& preferences) override {
    return store_.Write<User>([&](Connection& db, EventNotes&) -> Result<User> {
      STORE_ASSIGN_OR_RETURN(
          auto rows,
          db.Query(kSetPreferences, Params(user_id, tenant_id, preferences.notify_by_email, preferences.language)));
      if (rows.empty()) return Error::NotFound("no such user");
      return ReadUser(rows, 0);
    });
  }

  Result<std::vector<User>> ListEmailSubscribers(int64_t tenant_id) override {
    return store_.ReadAll<User>(kSubscribers, Params(tenant_id), ReadUser);
  }

  Result<std::optional<int64_t>> NotificationCursor(int64_t tenant_id) override {
    return store_.Read<std::optional<int64_t>>([&](Connection& db) -> Result<std::optional<int64_t>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kCursorOf, Params(tenant_id)));
      if (rows.empty()) return std::optional<int64_t>();
      return std::optional<int64_t>(rows.Int(0, 0));
    });
  }

  Result<std::vector<std::pair<int64_t, int64_t>>> NotificationCursors() override {
    return store_.ReadAll<std::pair<int64_t, int64_t>>(
        kCursors, Params(), [](const Rows& rows, int i) { return std::pair(rows.Int(i, 0), rows.Int(i, 1)); });
  }

  Result<void> QueueNotifications(int64_t tenant_id, int64_t last_event_id, const std::vector<OutgoingMail>& mails,
                                  int64_t now_ms) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      for (const auto& mail : mails) STORE_TRY(InsertMail(db, mail, std::nullopt, now_ms));
      STORE_TRY(db.Query(kSetCursor, Params(tenant_id, last_event_id)));
      return Ok();
    });
  }

 private:
  Result<void> Run(const char* sql, const Params& params) {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_TRY(db.Query(sql, params));
      return Ok();
    });
  }

  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<TeamStore> MakePostgresTeamStore(PostgresStore& store) {
  return std::make_unique<PostgresTeamStore>(store);
}

}  // namespace parley::store::postgres
