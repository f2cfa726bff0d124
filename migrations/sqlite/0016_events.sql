-- The event log behind GET /api/events (docs/dashboard.md, "Live events"): what changed for each tenant, in order, so
-- that a dashboard reconnecting catches up from the last id it saw. Each event is appended in the transaction of the
-- change it describes. Ids count per tenant (1, 2, 3, …: the next is MAX(id) + 1 under the write lock) and are never
-- reused, because pruning (store/events.h, EventLog::Prune) always keeps a tenant's newest event. `data` is a JSON
-- object: the ids of what changed (and, for message.updated and document.progress, the new state); the API renders the
-- rest from the rows it names.
CREATE TABLE events (
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  type TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
