-- Delivery statuses that arrive before Parley has recorded the platform id of the message they are about: the send
-- call's answer and Meta's status webhook race. RecordSendResult applies and removes them; rows older than a day
-- (statuses of messages sent by other tools on the same number) are dropped then too.
CREATE TABLE early_statuses (
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  platform_message_id TEXT NOT NULL,
  status TEXT NOT NULL,
  error_code INTEGER,
  error_title TEXT,
  error_detail TEXT,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (channel_id, platform_message_id, status)
);
CREATE INDEX early_statuses_age ON early_statuses (received_at);
