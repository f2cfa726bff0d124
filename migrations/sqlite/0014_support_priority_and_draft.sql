-- A person picking up an escalation sees how urgent it is and, when the agent had something worth proposing, a
-- draft reply to send or edit (agent assist): JSON {"text", "sources": [{document_id, name, chunk_id, text, score}]}.
ALTER TABLE support_items ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal'
  CHECK (priority IN ('normal', 'high', 'urgent'));
ALTER TABLE support_items ADD COLUMN draft TEXT;
-- The queue of a tenant by priority (GET /api/support?priority=urgent).
CREATE INDEX support_items_priority ON support_items (tenant_id, priority, id);
-- Reasons are the fixed codes of core/decision.h, which the API and the dashboard's analytics share; two older
-- codes are renamed wherever they were stored.
UPDATE support_items SET reason = 'human_requested' WHERE reason = 'asks_for_human';
UPDATE support_items SET reason = 'low_relevance' WHERE reason = 'model_abstained';
UPDATE reply_traces SET reason = 'human_requested' WHERE reason = 'asks_for_human';
UPDATE reply_traces SET reason = 'low_relevance' WHERE reason = 'model_abstained';
UPDATE conversations SET handoff_reason = 'human_requested' WHERE handoff_reason = 'asks_for_human';
UPDATE conversations SET handoff_reason = 'low_relevance' WHERE handoff_reason = 'model_abstained';
