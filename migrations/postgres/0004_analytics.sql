-- The analytics rollup's change feed (store/postgres/analytics_store.cpp, docs/analytics.md; the aggregates
-- themselves are in 0001).
--
-- SQLite's rollup reads each source (conversations, support items, messages) past an id cursor, which is sound there
-- because its one writer commits rows in id order. Here several processes write at once: a row's id is taken at its
-- INSERT, and a transaction holding a smaller id can commit after a rollup has read a larger one, past which an id
-- cursor would never look again.
--
-- So each source row records the transaction that inserted it (feed_xid: pg_current_xact_id(), the top-level
-- transaction's 64-bit id, which never wraps), and a rollup reads only rows whose transaction is older than every
-- transaction still running (the xmin of its snapshot): such a transaction has ended, so no row of it can appear
-- later, and any transaction that writes afterwards has a larger id. The cursor is (last_xid, last_id), in that
-- order; a transaction's rows are read in id order. The price: a write transaction left open anywhere in the cluster
-- holds the figures back (never loses them) until it ends.
--
-- A row's later changes do not matter to the feed: the fields the rollup reads are fixed at insert, and an
-- escalation's resolution is found by polling the escalations counted as open (analytics_open_support), as on SQLite.
--
-- Rows already there get 0, the oldest, so the first rollups read them (the backfill): the column is added with that
-- constant default (no table rewrite), then given the transaction's id as default for new rows.

ALTER TABLE conversations ADD COLUMN feed_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE conversations ALTER COLUMN feed_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX conversations_feed ON conversations (feed_xid, id);

ALTER TABLE support_items ADD COLUMN feed_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE support_items ALTER COLUMN feed_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX support_items_feed ON support_items (feed_xid, id);

ALTER TABLE messages ADD COLUMN feed_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE messages ALTER COLUMN feed_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX messages_feed ON messages (feed_xid, id);

ALTER TABLE analytics_cursors ADD COLUMN last_xid xid8 NOT NULL DEFAULT '0';
