-- A channel's own settings beyond its account and token, as its platform declares them (channels/platform.h,
-- ChannelField::Target::kSetting): a web chat's allowed origins, texts and colour. A JSON object, read and checked by
-- the platform, so that a new platform's settings need no migration.
ALTER TABLE channels ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
-- What a customer told about themselves where the platform asks (a web chat visitor's e-mail); empty when unknown.
ALTER TABLE contacts ADD COLUMN email TEXT NOT NULL DEFAULT '';
