-- A tenant's settings (GET/PATCH /api/tenant): the IANA time zone its days, business hours and reports are in
-- (validated against the system's tzdata by the server, never here), and how long its messages are kept (NULL: for
-- ever; the retention sweeper deletes older ones).
ALTER TABLE tenants ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE tenants ADD COLUMN message_retention_days INTEGER
  CHECK (message_retention_days IS NULL OR message_retention_days BETWEEN 1 AND 3650);
