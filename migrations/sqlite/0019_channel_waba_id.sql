-- The WhatsApp Business Account a WhatsApp channel's number belongs to: its message templates are listed there
-- (GET /{waba_id}/message_templates). Empty when unknown (channels added before, or without --waba-id).
ALTER TABLE channels ADD COLUMN waba_id TEXT NOT NULL DEFAULT '';
