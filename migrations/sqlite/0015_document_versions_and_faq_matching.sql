-- A document is its name within its knowledge base: adding a file of the same name again replaces the document's
-- content and keeps its id (store/knowledge_store.h, CreateDocument); `version` counts its uploads.
ALTER TABLE knowledge_documents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Until now every upload was a document of its own, so an edited file left its old version answering beside the
-- new one. Of each set of same-named documents, the newest ready one stays (else the newest); the others leave,
-- their chunks through the deletion log so that every process's indexes drop them too. (Foreign keys are not
-- enforced during migrations: the rows that hang on a document are removed by hand.)
CREATE TEMP TABLE superseded_documents AS
  SELECT d.id FROM knowledge_documents d WHERE EXISTS (
    SELECT 1 FROM knowledge_documents k WHERE k.knowledge_base_id = d.knowledge_base_id AND k.name = d.name
      AND (k.status = 'ready', k.id) > (d.status = 'ready', d.id));
INSERT INTO knowledge_chunk_deletions (knowledge_base_id, chunk_id)
  SELECT knowledge_base_id, id FROM knowledge_chunks
  WHERE document_id IN (SELECT id FROM superseded_documents) ORDER BY id;
DELETE FROM knowledge_chunks WHERE document_id IN (SELECT id FROM superseded_documents);
DELETE FROM faq_questions WHERE faq_id IN (
  SELECT id FROM faq_entries WHERE document_id IN (SELECT id FROM superseded_documents));
DELETE FROM faq_entries WHERE document_id IN (SELECT id FROM superseded_documents);
DELETE FROM knowledge_documents WHERE id IN (SELECT id FROM superseded_documents);
DROP TABLE superseded_documents;
CREATE UNIQUE INDEX knowledge_documents_name ON knowledge_documents (knowledge_base_id, name);

-- Q&A pairs from a CSV document were also indexed as chunks, so that a paraphrase could find them through the
-- passages (and, worse, a question about something else could find their answers). They are matched as pairs
-- only now, like those added through the API: their chunks leave.
CREATE TEMP TABLE qa_documents AS SELECT DISTINCT document_id AS id FROM faq_entries WHERE document_id IS NOT NULL;
INSERT INTO knowledge_chunk_deletions (knowledge_base_id, chunk_id)
  SELECT knowledge_base_id, id FROM knowledge_chunks WHERE document_id IN (SELECT id FROM qa_documents) ORDER BY id;
DELETE FROM knowledge_chunks WHERE document_id IN (SELECT id FROM qa_documents);
UPDATE knowledge_documents SET chunks = 0 WHERE id IN (SELECT id FROM qa_documents);
DROP TABLE qa_documents;

-- The chunks a new version replaced leave the indexes at once (the deletion log) but stay readable by id for a
-- minute, so that a search that found them just before the switch can still read them: a customer asking
-- during a replacement gets the old version or the new one, never neither. Later completions purge them.
ALTER TABLE knowledge_chunks ADD COLUMN retired_at INTEGER;
CREATE INDEX knowledge_chunks_retired ON knowledge_chunks (retired_at) WHERE retired_at IS NOT NULL;

-- Q&A pairs are matched question to question by an index in memory (knowledge/faq.h). Every change to a tenant's
-- pairs (the API, a CSV document added, replaced or removed) bumps its revision in the same transaction, so the
-- index knows, with one read, when to load them again.
CREATE TABLE faq_revisions (
  tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  revision INTEGER NOT NULL
);
-- The pairs a CSV document brought, counted in its listing and removed with it.
CREATE INDEX faq_entries_document ON faq_entries (document_id) WHERE document_id IS NOT NULL;
