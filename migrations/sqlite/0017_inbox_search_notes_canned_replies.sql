-- The dashboard's inbox (issue 17): full-text search over messages and contacts, the team's read marker per
-- conversation, private notes, and canned replies.
--
-- Search. Two FTS5 indexes, both folding case and accents (unicode61 remove_diacritics 2) and with prefix indexes
-- for the word a person is still typing:
--   contacts_search: a contact's name and platform id (external content: the contacts table);
--   messages_search: the text of every message, notes included, contentless. Its rowid is not the message's id but
--     (conversation id << 22) | the message's rank in its conversation (conversations.search_seq counts them), kept
--     in messages.search_key: a match names its conversation without reading the messages table, and a
--     conversation's messages are one rowid range. A conversation's messages after its 4,194,303rd are not indexed
--     (search_key NULL). Unsent ('deleted') messages leave the index.
-- Both are kept up to date by the triggers below, in the transaction that writes the row.
CREATE VIRTUAL TABLE contacts_search USING fts5(
  name, platform_id, content = 'contacts', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
INSERT INTO contacts_search (contacts_search) VALUES ('rebuild');
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
  INSERT INTO contacts_search (rowid, name, platform_id) VALUES (NEW.id, NEW.name, NEW.platform_id);
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
  INSERT INTO contacts_search (contacts_search, rowid, name, platform_id)
    VALUES ('delete', OLD.id, OLD.name, OLD.platform_id);
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, platform_id ON contacts BEGIN
  INSERT INTO contacts_search (contacts_search, rowid, name, platform_id)
    VALUES ('delete', OLD.id, OLD.name, OLD.platform_id);
  INSERT INTO contacts_search (rowid, name, platform_id) VALUES (NEW.id, NEW.name, NEW.platform_id);
END;
-- A contact's conversations, for the conversations of the contacts a search finds.
CREATE INDEX conversations_contact ON conversations (contact_id);

ALTER TABLE conversations ADD COLUMN search_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN search_key INTEGER;
CREATE VIRTUAL TABLE messages_search USING fts5(
  text, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
UPDATE messages SET search_key = (ranked.conversation_id << 22) | ranked.seq
  FROM (SELECT id, conversation_id, row_number() OVER (PARTITION BY conversation_id ORDER BY id) AS seq
        FROM messages WHERE text IS NOT NULL AND text <> '' AND status <> 'deleted') AS ranked
  WHERE messages.id = ranked.id AND ranked.seq < 4194304;
UPDATE conversations SET search_seq =
  COALESCE((SELECT MAX(search_key & 4194303) FROM messages WHERE conversation_id = conversations.id), 0);
INSERT INTO messages_search (rowid, text) SELECT search_key, text FROM messages WHERE search_key IS NOT NULL;
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
  WHEN NEW.text IS NOT NULL AND NEW.text <> '' AND NEW.status <> 'deleted' BEGIN
  UPDATE conversations SET search_seq = search_seq + 1 WHERE id = NEW.conversation_id;
  UPDATE messages SET search_key = (SELECT (c.id << 22) | c.search_seq FROM conversations c
                                    WHERE c.id = NEW.conversation_id AND c.search_seq < 4194304)
    WHERE id = NEW.id;
  INSERT INTO messages_search (rowid, text) SELECT search_key, NEW.text FROM messages
    WHERE id = NEW.id AND search_key IS NOT NULL;
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages WHEN OLD.search_key IS NOT NULL BEGIN
  INSERT INTO messages_search (messages_search, rowid, text) VALUES ('delete', OLD.search_key, OLD.text);
END;
-- A customer unsending a message, or a text rewritten (nothing does that today, but the index must not drift).
CREATE TRIGGER messages_search_update AFTER UPDATE OF status, text ON messages
  WHEN OLD.search_key IS NOT NULL AND (NEW.status = 'deleted' OR NEW.text IS NOT OLD.text) BEGIN
  INSERT INTO messages_search (messages_search, rowid, text) VALUES ('delete', OLD.search_key, OLD.text);
  INSERT INTO messages_search (rowid, text) SELECT OLD.search_key, NEW.text
    WHERE NEW.status <> 'deleted' AND NEW.text IS NOT NULL AND NEW.text <> '';
  UPDATE messages SET search_key = NULL
    WHERE id = NEW.id AND (NEW.status = 'deleted' OR NEW.text IS NULL OR NEW.text = '');
END;

-- Unread: one read marker per conversation, shared by the tenant's people (like Chatwoot's agent_last_seen_at):
-- inbound messages with an id above read_through_id are unread. Existing conversations start read, so that an
-- upgrade does not flood the inbox with old messages.
ALTER TABLE conversations ADD COLUMN read_through_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN read_at INTEGER;
UPDATE conversations SET read_through_id =
  COALESCE((SELECT MAX(id) FROM messages WHERE conversation_id = conversations.id), 0);

-- Private notes are messages of type 'note' (direction 'out', status 'sent', no platform id, never queued): the
-- thread shows them, the outbox never sends them, and the agent's history query leaves them out.

-- Canned replies, inserted by shortcut ("/hours") in the composer.
CREATE TABLE canned_replies (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  shortcut TEXT NOT NULL CHECK (shortcut <> ''),
  text TEXT NOT NULL CHECK (text <> ''),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, shortcut)
);
