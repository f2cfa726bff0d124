-- Platforms are an open set, named by the channels registry (src/channels/platforms.inc): the platform is stored as
-- its name, checked for form only, so that a new platform needs no migration. Each channel also gets a public id, a
-- random handle that may be shown outside (a webhook URL, a web-chat script tag) without revealing the row id or
-- the account. The table is rebuilt (SQLite cannot drop a CHECK; as 0007 did, the runner checks the foreign keys
-- before committing).
CREATE TABLE channels_rebuilt (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  platform TEXT NOT NULL CHECK (length(platform) BETWEEN 1 AND 32 AND platform NOT GLOB '*[^a-z0-9_]*'),
  account_id TEXT NOT NULL CHECK (account_id <> ''),
  access_token_sealed TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',          -- the tenant's label for the channel
  display_phone_number TEXT NOT NULL DEFAULT '',  -- WhatsApp, as the credentials check returned it
  verified_name TEXT NOT NULL DEFAULT '',         -- WhatsApp
  username TEXT NOT NULL DEFAULT '',              -- Instagram's username; Messenger's Page name
  -- A disabled channel still stores what customers write, but nobody is answered automatically there.
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  updated_at INTEGER NOT NULL,
  removed_at INTEGER,
  waba_id TEXT NOT NULL DEFAULT '',
  public_id TEXT NOT NULL UNIQUE
);
INSERT INTO channels_rebuilt (id, tenant_id, platform, account_id, access_token_sealed, created_at, display_name,
                              display_phone_number, verified_name, username, enabled, updated_at, removed_at, waba_id,
                              public_id)
  SELECT id, tenant_id, platform, account_id, access_token_sealed, created_at, display_name, display_phone_number,
         verified_name, username, enabled, updated_at, removed_at, waba_id, lower(hex(randomblob(12)))
  FROM channels;
DROP TABLE channels;
ALTER TABLE channels_rebuilt RENAME TO channels;
CREATE INDEX channels_tenant ON channels (tenant_id, id);
CREATE UNIQUE INDEX channels_live_account ON channels (platform, account_id) WHERE removed_at IS NULL;
