-- The aggregates of GET /api/analytics (store/analytics_store.h, docs/analytics.md), kept by a background rollup
-- that reads the conversations, support items and messages added since its cursors. Slots are quarter-hours of UTC
-- time (created_at / 900,000), so that days in any time zone are sums of whole slots. channel_id 0 holds what no
-- channel can be named for (the credits of the days before this migration).

CREATE TABLE analytics_counts (
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  slot INTEGER NOT NULL,
  channel_id INTEGER NOT NULL,
  conversations_started INTEGER NOT NULL DEFAULT 0,
  conversations_bot_answered INTEGER NOT NULL DEFAULT 0,
  conversations_handed_off INTEGER NOT NULL DEFAULT 0,
  conversations_automated INTEGER NOT NULL DEFAULT 0,
  messages_in INTEGER NOT NULL DEFAULT 0,
  messages_out_bot INTEGER NOT NULL DEFAULT 0,
  messages_out_person INTEGER NOT NULL DEFAULT 0,
  escalations INTEGER NOT NULL DEFAULT 0,
  credits INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, slot, channel_id)
) WITHOUT ROWID;

CREATE TABLE analytics_escalations (
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  slot INTEGER NOT NULL,
  channel_id INTEGER NOT NULL,
  reason TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, slot, channel_id, reason)
) WITHOUT ROWID;

-- Histograms of durations (store/analytics_store.h DurationBin): kind 0 the bot's first response, 1 a person's
-- first response, 2 an escalation's resolution.
CREATE TABLE analytics_durations (
  tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  slot INTEGER NOT NULL,
  channel_id INTEGER NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
  bin INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, slot, channel_id, kind, bin)
) WITHOUT ROWID;

-- The rollup's memory of each conversation: what has been counted for it already.
CREATE TABLE analytics_conversations (
  conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
  tenant_id INTEGER NOT NULL,
  channel_id INTEGER NOT NULL,
  start_slot INTEGER NOT NULL,
  first_in_at INTEGER,
  handoff_at INTEGER,
  bot_answered_at INTEGER,
  person_answered_at INTEGER
);

-- Escalations counted as opened whose resolution is still to be counted.
CREATE TABLE analytics_open_support (
  support_item_id INTEGER PRIMARY KEY REFERENCES support_items (id) ON DELETE CASCADE,
  tenant_id INTEGER NOT NULL,
  channel_id INTEGER NOT NULL
);

-- The last id of each source the rollup has read.
CREATE TABLE analytics_cursors (
  source TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO analytics_cursors (source, last_id) VALUES ('conversations', 0), ('support_items', 0), ('messages', 0);

-- Credits before this migration are known per UTC day only: they go to the day's first slot, channel 0.
INSERT INTO analytics_counts (tenant_id, slot, channel_id, credits)
  SELECT tenant_id, CAST(strftime('%s', day) AS INTEGER) / 900, 0, credits FROM usage_daily WHERE credits > 0;
