#include "store/sqlite/team_store.h"

#include "store/sqlite/db.h"
#include "store/sqlite/read_all.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/user_row.h"

#include <optional>

namespace parley::store::sqlite {
namespace {

// The newest e-mail of the invitation rides along with it (NULL columns when there is none).
#define INVITATION_COLUMNS                                                                                          \
  "i.id, i.tenant_id, i.email, i.role, i.language, i.invited_by, i.status, i.created_at, i.sent_at, i.expires_at, " \
  "i.accepted_at, i.accepted_user_id, i.revoked_at, m.status, m.attempts, m.last_error, m.sent_at"
#define INVITATION_FROM                                                                          \
  " FROM invitations i LEFT JOIN mail_outbox m ON m.id = (SELECT MAX(id) FROM mail_outbox WHERE" \
  " invitation_id = i.id)"

constexpr const char* kInvitationOfTenant =
    "SELECT " INVITATION_COLUMNS INVITATION_FROM " WHERE i.id = ?1 AND i.tenant_id = ?2";
constexpr const char* kInvitationsOfTenant =
    "SELECT " INVITATION_COLUMNS INVITATION_FROM " WHERE i.tenant_id = ?1 ORDER BY i.id DESC LIMIT ?2";
constexpr const char* kInvitationByToken = "SELECT " INVITATION_COLUMNS INVITATION_FROM " WHERE i.token_hash = ?1";
constexpr const char* kUserWithEmail = "SELECT 1 FROM users WHERE email = ?1";
constexpr const char* kInsertInvitation =
    "INSERT INTO invitations (tenant_id, email, role, language, invited_by, token_hash, created_at, sent_at,"
    " expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8) RETURNING id";
constexpr const char* kRenewInvitation =
    "UPDATE invitations SET token_hash = ?3, sent_at = ?4, expires_at = ?5"
    " WHERE id = ?1 AND tenant_id = ?2 AND status = 'pending'";
constexpr const char* kRevokeInvitation =
    "UPDATE invitations SET status = 'revoked', revoked_at = ?3"
    " WHERE id = ?1 AND tenant_id = ?2 AND status = 'pending'";
constexpr const char* kInvitationStatus = "SELECT status FROM invitations WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kDropQueuedMailOf = "DELETE FROM mail_outbox WHERE invitation_id = ?1 AND status = 'queued'";
constexpr const char* kPendingInvitationOfToken =
    "SELECT id, tenant_id, email, role, language, status, expires_at FROM invitations WHERE token_hash = ?1";
constexpr const char* kInsertInvitedUser =
    "INSERT INTO users (tenant_id, email, name, role, password_hash, created_at, language)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " RETURNING " PARLEY_USER_COLUMNS;
constexpr const char* kMarkAccepted =
    "UPDATE invitations SET status = 'accepted', accepted_at = ?2, accepted_user_id = ?3 WHERE id = ?1";

constexpr const char* kRecentDuplicate =
    "SELECT 1 FROM mail_outbox WHERE dedupe_key = ?1 AND created_at > ?2 AND status <> 'failed' LIMIT 1";
constexpr const char* kInsertMail =
    "INSERT INTO mail_outbox (tenant_id, kind, recipient, sealed_message, invitation_id, dedupe_key,"
    " next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
constexpr const char* kDueMail =
    "SELECT id, tenant_id, kind, recipient, sealed_message, attempts, created_at FROM mail_outbox"
    " WHERE status = 'queued' AND next_attempt_at <= ?1 AND lease_until <= ?1 ORDER BY id LIMIT ?2";
constexpr const char* kLeaseMail = "UPDATE mail_outbox SET lease_until = ?2 WHERE id = ?1";
constexpr const char* kMailSent =
    "UPDATE mail_outbox SET status = 'sent', sent_at = ?2, attempts = attempts + 1, sealed_message = '',"
    " last_error = NULL, lease_until = 0 WHERE id = ?1";
constexpr const char* kMailRetry =
    "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3, lease_until = 0"
    " WHERE id = ?1";
constexpr const char* kMailFailed =
    "UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, last_error = ?2, sealed_message = '',"
    " lease_until = 0 WHERE id = ?1";
constexpr const char* kReleaseMail = "UPDATE mail_outbox SET lease_until = 0 WHERE id = ?1 AND status = 'queued'";
constexpr const char* kNextDue =
    "SELECT MIN(MAX(next_attempt_at, lease_until)) FROM mail_outbox WHERE status = 'queued'";

constexpr const char* kSetPreferences =
    "UPDATE users SET notify_by_email = COALESCE(?3, notify_by_email), language = COALESCE(?4, language)"
    " WHERE id = ?1 AND tenant_id = ?2"
    " RETURNING " PARLEY_USER_COLUMNS;
constexpr const char* kSubscribers =
    "SELECT " PARLEY_USER_COLUMNS " FROM users WHERE tenant_id = ?1 AND notify_by_email = 1 ORDER BY id";
constexpr const char* kCursorOf = "SELECT last_event_id FROM mail_notification_cursors WHERE tenant_id = ?1";
constexpr const char* kCursors = "SELECT tenant_id, last_event_id FROM mail_notification_cursors ORDER BY tenant_id";
constexpr const char* kSetCursor =
    "INSERT INTO mail_notification_cursors (tenant_id, last_event_id) VALUES (?1, ?2)"
    " ON CONFLICT (tenant_id) DO UPDATE SET last_event_id = MAX(last_event_id, excluded.last_event_id)";

Invitation ReadInvitation(const Statement& row) {
  Invitation invitation{row.Int(0),          row.Int(1),          row.String(2),       row.String(3), row.String(4),
                        row.String(5),       row.String(6),       row.Int(7),          row.Int(8),    row.Int(9),
                        row.OptionalInt(10), row.OptionalInt(11), row.OptionalInt(12), std::nullopt};
  if (auto status = row.OptionalString(13)) {
    invitation.mail = MailState{*status, static_cast<int>(row.Int(14)), row.OptionalString(15), row.OptionalInt(16)};
  }
  return invitation;
}

// Inserts `mail` unless its dedupe key holds it back; true when inserted.
Result<bool> InsertMail(Database& db, const OutgoingMail& mail, std::optional<int64_t> invitation_id, int64_t now_ms) {
  if (mail.dedupe_key) {
    STORE_ASSIGN_OR_RETURN(auto duplicate, db.Prepare(kRecentDuplicate));
    STORE_ASSIGN_OR_RETURN(bool found,
                           duplicate.Bind(1, mail.dedupe_key).Bind(2, now_ms - mail.dedupe_window_ms).Step());
    if (found) return false;
  }
  STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertMail));
  insert.Bind(1, mail.tenant_id).Bind(2, mail.kind).Bind(3, mail.recipient).Bind(4, mail.sealed_message);
  STORE_TRY(insert.Bind(5, invitation_id).Bind(6, mail.dedupe_key).Bind(7, now_ms).Run());
  return true;
}

class SqliteTeamStore final : public TeamStore {
 public:
  explicit SqliteTeamStore(SqliteStore& store) : store_(store) {}

  Result<Invitation> CreateInvitation(const NewInvitation& invitation, const std::optional<OutgoingMail>& mail,
                                      int64_t now_ms) override {
    int64_t id = 0;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto user, db.Prepare(kUserWithEmail));
      STORE_ASSIGN_OR_RETURN(bool taken, user.Bind(1, invitation.email).Step());
      if (taken) return Error::Conflict("a user with this e-mail already exists");
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertInvitation));
      insert.Bind(1, invitation.tenant_id).Bind(2, invitation.email).Bind(3, invitation.role);
      insert.Bind(4, invitation.language).Bind(5, invitation.invited_by).Bind(6, invitation.token_hash);
      auto row = insert.Bind(7, now_ms).Bind(8, invitation.expires_at_ms).Step();
      if (!row && row.error().code == ErrorCode::kConflict) {
        return Error::Conflict("this address already has a pending invitation; resend or revoke it");
      }
      if (!row) return row.error();
      id = insert.Int(0);
      if (mail) STORE_TRY(InsertMail(db, *mail, id, now_ms));
      return Ok();
    }));
    return GetInvitation(invitation.tenant_id, id);
  }

  Result<std::vector<Invitation>> ListInvitations(int64_t tenant_id, int limit) override {
    return ReadAll<Invitation>(store_, kInvitationsOfTenant, ReadInvitation,
                               [&](Statement& s) { s.Bind(1, tenant_id).Bind(2, static_cast<int64_t>(limit)); });
  }

  Result<Invitation> GetInvitation(int64_t tenant_id, int64_t invitation_id) override {
    return ReadInvitationWhere(kInvitationOfTenant, [&](Statement& s) { s.Bind(1, invitation_id).Bind(2, tenant_id); });
  }

  Result<Invitation> RenewInvitation(int64_t tenant_id, int64_t invitation_id, const std::string& token_hash,
                                     int64_t expires_at_ms, const std::optional<OutgoingMail>& mail,
                                     int64_t now_ms) override {
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto renew, db.Prepare(kRenewInvitation));
      STORE_TRY(renew.Bind(1, invitation_id)
                    .Bind(2, tenant_id)
                    .Bind(3, token_hash)
                    .Bind(4, now_ms)
                    .Bind(5, expires_at_ms)
                    .Run());
      if (db.Changes() == 0) return NotPending(db, tenant_id, invitation_id);
      STORE_ASSIGN_OR_RETURN(auto drop, db.Prepare(kDropQueuedMailOf));
      STORE_TRY(drop.Bind(1, invitation_id).Run());
      if (mail) STORE_TRY(InsertMail(db, *mail, invitation_id, now_ms));
      return Ok();
    }));
    return GetInvitation(tenant_id, invitation_id);
  }

  Result<Invitation> RevokeInvitation(int64_t tenant_id, int64_t invitation_id, int64_t now_ms) override {
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto revoke, db.Prepare(kRevokeInvitation));
      STORE_TRY(revoke.Bind(1, invitation_id).Bind(2, tenant_id).Bind(3, now_ms).Run());
      if (db.Changes() == 0) return NotPending(db, tenant_id, invitation_id);
      STORE_ASSIGN_OR_RETURN(auto drop, db.Prepare(kDropQueuedMailOf));
      return drop.Bind(1, invitation_id).Run();
    }));
    return GetInvitation(tenant_id, invitation_id);
  }

  Result<Invitation> FindInvitation(const std::string& token_hash) override {
    return ReadInvitationWhere(kInvitationByToken, [&](Statement& s) { s.Bind(1, token_hash); });
  }

  Result<User> AcceptInvitation(const std::string& token_hash, const std::string& name,
                                const std::string& password_hash, int64_t now_ms) override {
    User user;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto find, db.Prepare(kPendingInvitationOfToken));
      STORE_ASSIGN_OR_RETURN(bool found, find.Bind(1, token_hash).Step());
      if (!found) return Error::NotFound("no such invitation");
      const std::string status = find.String(5);
      if (status == "accepted") return Error::Conflict("this invitation was already used");
      if (status == "revoked") return Error::Conflict("this invitation was revoked");
      if (find.Int(6) <= now_ms) return Error::Conflict("this invitation has expired; ask for a new one");
      const int64_t invitation_id = find.Int(0);
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertInvitedUser));
      const std::string email = find.String(2), role = find.String(3), language = find.String(4);
      insert.Bind(1, find.Int(1)).Bind(2, email).Bind(3, name).Bind(4, role).Bind(5, password_hash);
      auto row = insert.Bind(6, now_ms).Bind(7, language).Step();
      if (!row && row.error().code == ErrorCode::kConflict) {
        return Error::Conflict("a user with this e-mail already exists");
      }
      if (!row) return row.error();
      user = ReadUser(insert);
      STORE_ASSIGN_OR_RETURN(auto mark, db.Prepare(kMarkAccepted));
      return mark.Bind(1, invitation_id).Bind(2, now_ms).Bind(3, user.id).Run();
    }));
    return user;
  }

  Result<bool> QueueMail(const OutgoingMail& mail, int64_t now_ms) override {
    bool queued = false;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(queued, InsertMail(db, mail, std::nullopt, now_ms));
      return Ok();
    }));
    return queued;
  }

  Result<std::vector<QueuedMail>> ClaimDueMail(int64_t now_ms, int64_t lease_ms, int limit) override {
    std::vector<QueuedMail> claimed;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      claimed.clear();  // A replayed group starts over.
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kDueMail));
      select.Bind(1, now_ms).Bind(2, static_cast<int64_t>(limit));
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) break;
        claimed.push_back({select.Int(0), select.OptionalInt(1), select.String(2), select.String(3), select.String(4),
                           static_cast<int>(select.Int(5)), select.Int(6)});
      }
      for (const auto& mail : claimed) {
        STORE_ASSIGN_OR_RETURN(auto lease, db.Prepare(kLeaseMail));
        STORE_TRY(lease.Bind(1, mail.id).Bind(2, now_ms + lease_ms).Run());
      }
      return Ok();
    }));
    return claimed;
  }

  Result<void> MarkMailSent(int64_t mail_id, int64_t now_ms) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto sent, db.Prepare(kMailSent));
      return sent.Bind(1, mail_id).Bind(2, now_ms).Run();
    });
  }

  Result<void> MarkMailFailed(int64_t mail_id, const std::string& error,
                              std::optional<int64_t> next_attempt_at_ms) override {
    return store_.Write([&](Database& db) -> Result<void> {
      if (next_attempt_at_ms) {
        STORE_ASSIGN_OR_RETURN(auto retry, db.Prepare(kMailRetry));
        return retry.Bind(1, mail_id).Bind(2, error).Bind(3, *next_attempt_at_ms).Run();
      }
      STORE_ASSIGN_OR_RETURN(auto failed, db.Prepare(kMailFailed));
      return failed.Bind(1, mail_id).Bind(2, error).Run();
    });
  }

  Result<void> ReleaseMail(int64_t mail_id) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto release, db.Prepare(kReleaseMail));
      return release.Bind(1, mail_id).Run();
    });
  }

  Result<std::optional<int64_t>> NextMailDue() override {
    std::optional<int64_t> due;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kNextDue));
      STORE_TRY(select.Step());
      due = select.OptionalInt(0);
      return Ok();
    }));
    return due;
  }

  Result<User> SetUserPreferences(int64_t tenant_id, int64_t user_id, const UserPreferences& preferences) override {
    User user;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kSetPreferences));
      std::optional<int64_t> notify;
      if (preferences.notify_by_email) notify = *preferences.notify_by_email ? 1 : 0;
      update.Bind(1, user_id).Bind(2, tenant_id).Bind(3, notify).Bind(4, preferences.language);
      STORE_ASSIGN_OR_RETURN(bool found, update.Step());
      if (!found) return Error::NotFound("no such user");
      user = ReadUser(update);
      return Ok();
    }));
    return user;
  }

  Result<std::vector<User>> ListEmailSubscribers(int64_t tenant_id) override {
    return ReadAll<User>(store_, kSubscribers, ReadUser, [&](Statement& s) { s.Bind(1, tenant_id); });
  }

  Result<std::optional<int64_t>> NotificationCursor(int64_t tenant_id) override {
    std::optional<int64_t> cursor;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kCursorOf));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, tenant_id).Step());
      if (found) cursor = select.Int(0);
      return Ok();
    }));
    return cursor;
  }

  Result<std::vector<std::pair<int64_t, int64_t>>> NotificationCursors() override {
    return ReadAll<std::pair<int64_t, int64_t>>(
        store_, kCursors, [](const Statement& row) { return std::pair(row.Int(0), row.Int(1)); }, [](Statement&) {});
  }

  Result<void> QueueNotifications(int64_t tenant_id, int64_t last_event_id, const std::vector<OutgoingMail>& mails,
                                  int64_t now_ms) override {
    return store_.Write([&](Database& db) -> Result<void> {
      for (const auto& mail : mails) STORE_TRY(InsertMail(db, mail, std::nullopt, now_ms));
      STORE_ASSIGN_OR_RETURN(auto cursor, db.Prepare(kSetCursor));
      return cursor.Bind(1, tenant_id).Bind(2, last_event_id).Run();
    });
  }

 private:
  // Why an invitation could not be renewed or revoked.
  static Result<void> NotPending(Database& db, int64_t tenant_id, int64_t invitation_id) {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kInvitationStatus));
    STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, invitation_id).Bind(2, tenant_id).Step());
    if (!found) return Error::NotFound("no such invitation");
    return Error::Conflict("this invitation was already " + select.String(0));
  }

  template <class BindArgs>
  Result<Invitation> ReadInvitationWhere(const char* sql, BindArgs bind) {
    std::optional<Invitation> found;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(sql));
      bind(select);
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (row) found = ReadInvitation(select);
      return Ok();
    }));
    if (!found) return Error::NotFound("no such invitation");
    return std::move(*found);
  }

  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<TeamStore> MakeSqliteTeamStore(SqliteStore& store) { return std::make_unique<SqliteTeamStore>(store); }

}  // namespace parley::store::sqlite
