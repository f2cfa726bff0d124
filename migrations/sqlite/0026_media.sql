-- Customers' media (store/media_records.h): one record per inbound message carrying a platform media id, created
-- pending with the message and fetched by the workers; the files live in the media store (PARLEY_DATA_DIR/media).
CREATE TABLE media (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  message_id INTEGER NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL,
  public_id TEXT NOT NULL UNIQUE,
  platform_media_id TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed', 'refused')),
  error TEXT,
  mime_type TEXT,
  bytes INTEGER NOT NULL DEFAULT 0,
  file_key TEXT,
  thumbnail_key TEXT,
  agent_key TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX media_due ON media (next_attempt_at) WHERE status = 'pending';
CREATE INDEX media_tenant ON media (tenant_id, created_at);
-- The record is made by the insert of its message, in the same transaction, whatever path stores it: the 200 that
-- follows the commit promises the media too. The public id is random (what links name; never the file's hash).
CREATE TRIGGER media_of_inbound_message AFTER INSERT ON messages
WHEN NEW.direction = 'in' AND json_extract(NEW.details, '$.media.id') IS NOT NULL
  AND json_extract(NEW.details, '$.media.id') <> ''
BEGIN
  INSERT INTO media (tenant_id, message_id, channel_id, public_id, platform_media_id, type, next_attempt_at,
                     created_at, updated_at)
  VALUES (NEW.tenant_id, NEW.id, NEW.channel_id, lower(hex(randomblob(18))), json_extract(NEW.details, '$.media.id'),
          NEW.type, NEW.created_at, NEW.created_at, NEW.created_at);
END;
