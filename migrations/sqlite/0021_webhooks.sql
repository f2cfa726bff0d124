-- Outbound webhooks (docs/webhooks.md): the endpoints a tenant registers, the deliveries of its events to them, and
-- how far into the tenant's event log (0016) deliveries have been made. A delivery is a row from the moment it is
-- decided until its outcome, so a restart resumes every delivery that was pending and none is lost or sent twice by
-- two processes (a delivery is leased while it is being sent).

-- `event_types`: a JSON array of the event types the endpoint receives. `secret_sealed`: the signing secret, sealed
-- with the server's master key (it is needed in clear to sign, so it cannot be hashed like an API key).
CREATE TABLE webhook_endpoints (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  event_types TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  secret_sealed TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, id);

-- The newest event of the tenant's log that deliveries were made for. A tenant has a row while it has endpoints; the
-- row starts at the log's end when its first endpoint is created (endpoints receive what happens from then on).
CREATE TABLE webhook_cursors (
  tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  last_event_id INTEGER NOT NULL
);

-- `payload` is the exact body POSTed (the event's envelope as the event stream sends it), frozen when the delivery is
-- made: retries send the same bytes. `event_id` is 0 for a `ping`. `conversation_id` names the conversation the event
-- is about, if any, so that erasing a contact's data reaches its deliveries too. `next_attempt_at` is NULL once the
-- delivery has succeeded or failed for good; `lease_until` is when another sender may take it over.
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  conversation_id INTEGER,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  expires_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  response_status INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_conversation ON webhook_deliveries (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (updated_at) WHERE status <> 'pending';
