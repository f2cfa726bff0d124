-- Sending a queued reply is leased like answering a conversation: one process sends a message at a time, and a
-- crashed sender's lease runs out (send_token, send_lease_until). A transient failure keeps the message queued for
-- another attempt at next_attempt_at; send_attempts counts the attempts made so far.
ALTER TABLE messages ADD COLUMN send_token TEXT;
ALTER TABLE messages ADD COLUMN send_lease_until INTEGER;
ALTER TABLE messages ADD COLUMN send_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN next_attempt_at INTEGER;
-- The queued messages, oldest first per conversation, without reading the rest.
CREATE INDEX messages_queued_by_conversation ON messages (conversation_id, id) WHERE status = 'queued' AND direction = 'out';
