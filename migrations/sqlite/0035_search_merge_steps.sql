-- The message search index no longer merges its segments on its own (FTS5's automerge): that work ran inside the
-- indexer's batch that tipped a level of segments over, grew with the index, and held the store's single writer,
-- and every webhook queued behind it, for up to seconds (docs/benchmarks.md, "The ingest tail"). The indexer merges
-- in small steps of its own instead, after each batch (store/sqlite/search_indexer.h, kMergePages).
INSERT INTO messages_search (messages_search, rank) VALUES ('automerge', 0);
