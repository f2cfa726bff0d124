-- Human hand-off: a conversation in mode 'human' is answered by people; the bot stays silent there until it is
-- handed back or until human_until passes without a person's reply (NULL: until handed back).
ALTER TABLE conversations ADD COLUMN human_until INTEGER;
ALTER TABLE conversations ADD COLUMN handoff_reason TEXT;

-- What the agent decided for each burst, stage by stage, kept with the reply it produced (if any).
CREATE TABLE reply_traces (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  message_id INTEGER,  -- the first outbound message of the reply; NULL when the agent stayed silent
  decision TEXT NOT NULL,
  reason TEXT NOT NULL,
  trace TEXT NOT NULL,  -- JSON array, one object per stage
  created_at INTEGER NOT NULL
);
CREATE INDEX reply_traces_conversation ON reply_traces (conversation_id, id);
