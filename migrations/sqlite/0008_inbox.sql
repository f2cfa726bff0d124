-- The shared inbox: who is in charge of a conversation, and the queue of conversations the agent escalated.
ALTER TABLE conversations ADD COLUMN assignee_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN closed_at INTEGER;
CREATE INDEX conversations_assignee ON conversations (tenant_id, assignee_user_id);

CREATE TABLE support_items (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  resolved_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  resolved_at INTEGER
);
CREATE INDEX support_items_tenant ON support_items (tenant_id, status, id);
-- At most one open item per conversation: a second escalation while a person is on it adds nothing.
CREATE UNIQUE INDEX support_items_open ON support_items (conversation_id) WHERE status = 'open';
