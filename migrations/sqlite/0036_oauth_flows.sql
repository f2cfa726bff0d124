-- The OAuth flows started and not yet called back (store/oauth_flow_store.h): in the database rather than in one
-- process's memory, so that the callback may reach any process sharing it and a flow survives a restart.
CREATE TABLE oauth_flows (
  id TEXT PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  user_id INTEGER,
  api_key_id INTEGER,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
-- The prune of expired flows, and the per-tenant bound (the flows that expire first are dropped).
CREATE INDEX oauth_flows_by_expiry ON oauth_flows (expires_at);
CREATE INDEX oauth_flows_of_tenant ON oauth_flows (tenant_id, expires_at);
