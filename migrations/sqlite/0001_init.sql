-- Parley's core schema: tenants, their API keys and channels, and the inbound/outbound message store.
-- Times are milliseconds since the Unix epoch (INTEGER). Every table a tenant owns carries tenant_id so that each
-- read can be scoped by it without a join.

CREATE TABLE tenants (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Only the SHA-256 of a key is kept; `prefix` is the start of that hash, to tell keys apart in listings.
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

-- One connected platform account. The access token is sealed (crypto::SecretBox) with the master key.
CREATE TABLE channels (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  platform TEXT NOT NULL CHECK (platform IN ('whatsapp', 'instagram')),
  account_id TEXT NOT NULL CHECK (account_id <> ''),
  access_token_sealed TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (platform, account_id)
);
CREATE INDEX channels_tenant ON channels (tenant_id);

-- A customer as seen through one channel (a WhatsApp number or an Instagram user is per business account).
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  platform_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (channel_id, platform_id)
);

-- Batching state, kept here so that a restart or another worker can resume it:
--   pending_since/last_inbound_at: arrival of the oldest/newest unanswered answerable message (NULL when none);
--   inbound_seq: answerable inbound messages received so far; a claim remembers it, and a commit whose claim saw
--     an older value is superseded ("latest wins");
--   answered_seq/answered_through_id: the inbound_seq and the largest message id covered by the last answer;
--     messages with id > answered_through_id are unanswered (message ids only grow: AUTOINCREMENT below);
--   claim_token/claim_expires_at/claim_through_id: the live claim, if any, and the largest message id it covers.
CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  mode TEXT NOT NULL DEFAULT 'bot' CHECK (mode IN ('bot', 'human')),
  created_at INTEGER NOT NULL,
  last_message_at INTEGER NOT NULL,
  pending_since INTEGER,
  last_inbound_at INTEGER,
  inbound_seq INTEGER NOT NULL DEFAULT 0,
  answered_seq INTEGER NOT NULL DEFAULT 0,
  answered_through_id INTEGER NOT NULL DEFAULT 0,
  claim_token TEXT,
  claim_expires_at INTEGER,
  claim_through_id INTEGER
);
-- At most one open conversation per contact; closed ones are history.
CREATE UNIQUE INDEX conversations_open ON conversations (channel_id, contact_id) WHERE status = 'open';
-- The inbox: a tenant's conversations by latest activity, keyset-paginated on (last_message_at, id).
CREATE INDEX conversations_tenant_activity ON conversations (tenant_id, last_message_at DESC, id DESC);
-- Recovery of pending conversations at start-up.
CREATE INDEX conversations_pending ON conversations (pending_since) WHERE pending_since IS NOT NULL;

-- AUTOINCREMENT: ids must never be reused, because answered_through_id/claim_through_id compare them.
CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  type TEXT NOT NULL,
  text TEXT,
  platform_message_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL
    CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed', 'deleted')),
  error_code INTEGER,
  error_title TEXT,
  error_detail TEXT,
  platform_timestamp INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  answerable INTEGER NOT NULL DEFAULT 0 CHECK (answerable IN (0, 1)),
  details TEXT  -- JSON object: the type-specific fields of the unified message (media, location, reply_to, ...)
);
-- De-duplication of platform retries, and status/deletion look-ups. Outbound messages not yet accepted by the
-- platform have an empty id and are exempt.
CREATE UNIQUE INDEX messages_platform_id ON messages (channel_id, platform_message_id)
  WHERE platform_message_id <> '';
-- A conversation's thread (cursor = id) and its unanswered tail.
CREATE INDEX messages_conversation ON messages (conversation_id, id);
-- Outbound messages committed but not yet sent, re-sent at start-up.
CREATE INDEX messages_queued ON messages (id) WHERE status = 'queued';
