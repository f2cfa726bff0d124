-- Platforms are an open set, named by the channels registry (src/channels/platforms.inc): the platform is stored as
-- its name, checked for form only, so that a new platform needs no migration (SQLite's 0027 does the same). Each
-- channel also gets a public id, a random handle that may be shown outside (a webhook URL, a web-chat script tag)
-- without revealing the row id or the account.
ALTER TABLE channels DROP CONSTRAINT channels_platform_check;
ALTER TABLE channels ADD CONSTRAINT channels_platform_check CHECK (platform ~ '^[a-z0-9_]{1,32}$');
ALTER TABLE channels ADD COLUMN public_id TEXT;
UPDATE channels SET public_id = substr(md5(random()::text || id::text), 1, 24);
ALTER TABLE channels ALTER COLUMN public_id SET NOT NULL;
CREATE UNIQUE INDEX channels_public_id ON channels (public_id);
