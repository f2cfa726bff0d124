-- What Parley read from a customer's media before the agent's turn (store/media_records.h): a voice note's transcript,
-- the text in a photo. NULL while not known, and when there is nothing to read.
ALTER TABLE media ADD COLUMN transcript TEXT;
ALTER TABLE media ADD COLUMN ocr_text TEXT;
