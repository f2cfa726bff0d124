-- BM25 moves out of SQLite: the knowledge module keeps an inverted index per knowledge base in memory, with top-k
-- pruning that FTS5 lacks (src/knowledge/lexical_index.h), and catches it up from the chunks' folded text. The
-- FTS5 table held the same text a second time and is no longer read. The new index serves that catch-up: the
-- knowledge base's chunks in id order, whatever their embedder.
DROP TABLE knowledge_chunks_fts;
CREATE INDEX knowledge_chunks_base ON knowledge_chunks (knowledge_base_id, id);
