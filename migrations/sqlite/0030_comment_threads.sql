-- Instagram comments: a commenter's comments on one post form a conversation of their own, beside their direct one
-- (store.h, Conversation::comment_on: the media's id; '' for direct messages). A contact has one open conversation per
-- media and one direct one.
ALTER TABLE conversations ADD COLUMN comment_on TEXT NOT NULL DEFAULT '';
DROP INDEX conversations_open;
CREATE UNIQUE INDEX conversations_open ON conversations (channel_id, contact_id, comment_on) WHERE status = 'open';
