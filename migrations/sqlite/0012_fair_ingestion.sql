-- Documents are taken round-robin across tenants, so that one tenant's queue of slow documents does not hold back
-- another's: a claim takes a due document of the tenant with the fewest documents in processing, then of the one
-- whose turn came longest ago (its `turn`, the highest number being the latest), oldest document first.
CREATE TABLE knowledge_turns (
  tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  turn INTEGER NOT NULL
);
-- A tenant's due documents, and its documents in processing, without reading its others.
CREATE INDEX knowledge_documents_tenant_due ON knowledge_documents (tenant_id, next_attempt_at)
  WHERE status = 'pending';
CREATE INDEX knowledge_documents_tenant_leased ON knowledge_documents (tenant_id, lease_until)
  WHERE status = 'processing';
