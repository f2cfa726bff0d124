-- Channel administration. A removed channel keeps its row, so that its contacts, conversations and messages stay
-- readable; only live channels (removed_at IS NULL) receive and send. An account is therefore unique among live
-- channels only, which a table-level UNIQUE cannot say: the table is rebuilt (SQLite's documented procedure; the
-- migration runner turns foreign key enforcement off around it and checks the keys before committing).
CREATE TABLE channels_rebuilt (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  platform TEXT NOT NULL CHECK (platform IN ('whatsapp', 'instagram')),
  account_id TEXT NOT NULL CHECK (account_id <> ''),
  access_token_sealed TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',          -- the tenant's label for the channel
  display_phone_number TEXT NOT NULL DEFAULT '',  -- WhatsApp, as the credentials check returned it
  verified_name TEXT NOT NULL DEFAULT '',         -- WhatsApp
  username TEXT NOT NULL DEFAULT '',              -- Instagram
  -- A disabled channel still stores what customers write, but nobody is answered automatically there.
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  updated_at INTEGER NOT NULL,
  removed_at INTEGER
);
INSERT INTO channels_rebuilt (id, tenant_id, platform, account_id, access_token_sealed, created_at, updated_at)
  SELECT id, tenant_id, platform, account_id, access_token_sealed, created_at, created_at FROM channels;
DROP TABLE channels;
ALTER TABLE channels_rebuilt RENAME TO channels;
CREATE INDEX channels_tenant ON channels (tenant_id, id);
CREATE UNIQUE INDEX channels_live_account ON channels (platform, account_id) WHERE removed_at IS NULL;
