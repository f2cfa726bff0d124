-- Plans, usage and Stripe billing (docs/billing.md).

-- The plan catalog. NULL limits are unlimited. Quotas are per UTC calendar month.
CREATE TABLE plans (
  name TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  position INTEGER NOT NULL,             -- order in the catalog
  monthly_price_cents INTEGER NOT NULL,  -- list price, shown only; Stripe prices are what customers pay
  images INTEGER NOT NULL,               -- 1: the AI answers image messages
  audio INTEGER NOT NULL,                -- 1: the AI answers audio and voice messages
  max_channels INTEGER,
  max_knowledge_bytes INTEGER,
  max_knowledge_documents INTEGER,
  monthly_ai_replies INTEGER,
  monthly_credits INTEGER
);
INSERT INTO plans VALUES ('free', 'Free', 0, 0, 0, 0, 1, 5242880, 20, 100, 200);
INSERT INTO plans VALUES ('starter', 'Starter', 1, 2900, 1, 0, 2, 52428800, 200, 1000, 2000);
INSERT INTO plans VALUES ('pro', 'Pro', 2, 9900, 1, 1, 5, 524288000, 2000, 10000, 20000);
INSERT INTO plans VALUES ('business', 'Business', 3, 29900, 1, 1, 20, 5368709120, 20000, 100000, 200000);

-- Each tenant's plan and Stripe subscription. A tenant without a row is on the configured default plan.
-- Fields set by Stripe events keep the `created` time of the newest event that set them, so that an older event
-- delivered late never overwrites them: status (and period end) and plan are ordered separately, because invoice
-- events carry a status but no price.
CREATE TABLE tenant_billing (
  tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  plan TEXT REFERENCES plans (name),  -- NULL: the default plan
  stripe_customer_id TEXT UNIQUE,
  stripe_subscription_id TEXT,
  subscription_status TEXT NOT NULL DEFAULT '',
  price_id TEXT NOT NULL DEFAULT '',
  current_period_end INTEGER,  -- Unix seconds, as Stripe gives it
  status_event_created INTEGER NOT NULL DEFAULT 0,
  plan_event_created INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE INDEX tenant_billing_subscription ON tenant_billing (stripe_subscription_id);

-- Every Stripe event handled, by id, so that a redelivery changes nothing. An event for a customer no tenant is
-- linked to yet keeps its mapped change (`change`, JSON) with tenant_id NULL: it is applied, in `created` order,
-- once a checkout session or a subscription's metadata links that customer to a tenant.
CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  created INTEGER NOT NULL,
  tenant_id INTEGER REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id TEXT NOT NULL,
  change TEXT,
  outcome TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX stripe_events_parked ON stripe_events (customer_id, created) WHERE tenant_id IS NULL;

-- Usage per tenant and UTC day.
CREATE TABLE usage_daily (
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  day TEXT NOT NULL,  -- YYYY-MM-DD
  ai_replies INTEGER NOT NULL DEFAULT 0,
  credits INTEGER NOT NULL DEFAULT 0,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  messages_in INTEGER NOT NULL DEFAULT 0,
  messages_out INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day)
) WITHOUT ROWID;

-- One AI reply being produced: it counts against the quota from the check until the reply is committed (and its
-- real usage recorded) or given up. A reservation left by a crashed process stops counting at expires_at.
CREATE TABLE usage_reservations (
  id TEXT PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  credits INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX usage_reservations_tenant ON usage_reservations (tenant_id, expires_at);
