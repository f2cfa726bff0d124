-- Instagram and Messenger give a link to a customer's file, never a media id: a record is made for the link too, so
-- the file is read (a photo's text, a voice note's words) before the agent's turn like any other. Parley keeps no copy
-- of it (PlatformTraits::keeps_media; Meta's app review refuses apps that store Instagram media): the record's
-- platform_media_id is the link, and the link is what the dashboard shows.
CREATE OR REPLACE FUNCTION media_of_inbound_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO media (tenant_id, message_id, channel_id, public_id, platform_media_id, type, next_attempt_at,
                     created_at, updated_at)
  VALUES (NEW.tenant_id, NEW.id, NEW.channel_id, replace(gen_random_uuid()::text, '-', ''),
          COALESCE(NULLIF(NEW.details -> 'media' ->> 'id', ''), NEW.details -> 'media' ->> 'url'), NEW.type,
          NEW.created_at, NEW.created_at, NEW.created_at);
  RETURN NULL;
END;
$$;
DROP TRIGGER media_of_inbound_message ON messages;
CREATE TRIGGER media_of_inbound_message AFTER INSERT ON messages FOR EACH ROW
WHEN (NEW.direction = 'in'
      AND COALESCE(NULLIF(NEW.details -> 'media' ->> 'id', ''), NEW.details -> 'media' ->> 'url', '') <> '')
EXECUTE FUNCTION media_of_inbound_message();
