-- Message search is indexed in the background (store/sqlite/search_indexer.h), no longer in the transaction that
-- writes the message: migration 0017's insert trigger did FTS5's work for every message on the store's single
-- writer, inside the webhook's transaction, and halved the ingest rate (docs/benchmarks.md). The indexer gives new
-- messages their search_key and index rows in batches after their commit, one transaction per batch.
--
-- search_index_state.messages_through: every message with an id up to it has been seen by the indexer (indexed, or
-- left out: no text, unsent). Message ids only grow (AUTOINCREMENT), so what lies above it is exactly what is left
-- to index. Every message so far was indexed by the trigger, so the indexer starts after the newest one.
--
-- The delete and update triggers of 0017 stay: they act only on messages that have a search_key, i.e. that the
-- indexer has indexed; a message deleted or unsent before then is never indexed, since the indexer reads it as it
-- is when it gets there. Contacts keep their triggers: a contact is written once per new customer, not per message.
DROP TRIGGER messages_search_insert;
CREATE TABLE search_index_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  messages_through INTEGER NOT NULL
);
INSERT INTO search_index_state (id, messages_through) VALUES (1, COALESCE((SELECT MAX(id) FROM messages), 0));
