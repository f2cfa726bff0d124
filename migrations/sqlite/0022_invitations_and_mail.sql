-- Invitations to join a tenant, the durable outbox of e-mails Parley sends, and people's notification preferences.
-- An invitation's token is kept as its SHA-256 only; a resend replaces it. A tenant has at most one pending
-- invitation per address.
CREATE TABLE invitations (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
  language TEXT NOT NULL DEFAULT 'en',
  token_hash TEXT NOT NULL UNIQUE,
  invited_by TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked')),
  created_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  accepted_at INTEGER,
  accepted_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
  revoked_at INTEGER
);
CREATE INDEX invitations_tenant ON invitations (tenant_id, id);
CREATE UNIQUE INDEX invitations_pending_email ON invitations (tenant_id, email) WHERE status = 'pending';

-- Each e-mail is written here in the transaction of what caused it (an invitation, a reset link, an escalation)
-- and sent by a worker off the request path, retried until the server takes it or refuses it for good. The
-- message (RFC 5322 text, with its one-time link) is sealed with the master key and blanked once sent.
CREATE TABLE mail_outbox (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER REFERENCES tenants (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('invitation', 'password_reset', 'escalation')),
  recipient TEXT NOT NULL,
  sealed_message TEXT NOT NULL,
  invitation_id INTEGER REFERENCES invitations (id) ON DELETE CASCADE,
  dedupe_key TEXT,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_invitation ON mail_outbox (invitation_id);
CREATE INDEX mail_outbox_dedupe ON mail_outbox (dedupe_key, created_at) WHERE dedupe_key IS NOT NULL;

-- How far each tenant's event log has been read for e-mail notifications (support.opened).
CREATE TABLE mail_notification_cursors (
  tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  last_event_id INTEGER NOT NULL
);

ALTER TABLE users ADD COLUMN notify_by_email INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
