-- The agent's knowledge: knowledge bases, documents (each its own durable ingestion job), chunks with their
-- embeddings, the BM25 index over chunks, Q&A pairs and AI settings.

CREATE TABLE knowledge_bases (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

-- status: pending (waiting for a worker, from next_attempt_at), processing (leased until lease_until), ready,
-- failed (for good). `content` keeps the bytes so a document can be processed again (new embedder).
CREATE TABLE knowledge_documents (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  knowledge_base_id INTEGER NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL DEFAULT '',
  source_url TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL DEFAULT 0,
  content BLOB,
  status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
  progress REAL NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  chunks INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  lease_token TEXT,
  lease_until INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX knowledge_documents_tenant ON knowledge_documents (tenant_id, id DESC);
CREATE INDEX knowledge_documents_due ON knowledge_documents (next_attempt_at) WHERE status = 'pending';
CREATE INDEX knowledge_documents_leased ON knowledge_documents (lease_until) WHERE status = 'processing';

-- AUTOINCREMENT: vector indexes catch up by "id greater than the last one seen", so ids must never be reused.
CREATE TABLE knowledge_chunks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id INTEGER NOT NULL,
  knowledge_base_id INTEGER NOT NULL,
  document_id INTEGER NOT NULL REFERENCES knowledge_documents (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  heading_path TEXT NOT NULL DEFAULT '',
  page INTEGER NOT NULL DEFAULT 0,
  text TEXT NOT NULL,
  lexical_text TEXT NOT NULL,
  embedder TEXT NOT NULL,
  embedding BLOB NOT NULL  -- float32, little-endian, L2-normalized
);
CREATE INDEX knowledge_chunks_vectors ON knowledge_chunks (knowledge_base_id, embedder, id);
CREATE INDEX knowledge_chunks_document ON knowledge_chunks (document_id);

-- Chunks removed from a knowledge base, in order, so every process's vector index drops them too.
CREATE TABLE knowledge_chunk_deletions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  knowledge_base_id INTEGER NOT NULL,
  chunk_id INTEGER NOT NULL
);
CREATE INDEX knowledge_chunk_deletions_kb ON knowledge_chunk_deletions (knowledge_base_id, seq);

-- BM25 over chunks (rowid = chunk id). `scope` holds one token naming the knowledge base ("kb12"), so a query
-- restricts itself to the assistant's knowledge bases inside the full-text match, before ranking.
CREATE VIRTUAL TABLE knowledge_chunks_fts USING fts5 (
  scope,
  body,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE faq_entries (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  document_id INTEGER REFERENCES knowledge_documents (id) ON DELETE CASCADE,
  answer TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX faq_entries_tenant ON faq_entries (tenant_id, id);

CREATE TABLE faq_questions (
  id INTEGER PRIMARY KEY,
  faq_id INTEGER NOT NULL REFERENCES faq_entries (id) ON DELETE CASCADE,
  tenant_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  question TEXT NOT NULL,
  question_key TEXT NOT NULL
);
CREATE INDEX faq_questions_key ON faq_questions (tenant_id, question_key);
CREATE INDEX faq_questions_entry ON faq_questions (faq_id, position);

CREATE TABLE ai_settings (
  tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  settings TEXT NOT NULL,  -- JSON object, see agent/settings.h
  updated_at INTEGER NOT NULL
);
