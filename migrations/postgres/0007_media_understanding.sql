-- What Parley read from a customer's media, as SQLite's migration 0028.
ALTER TABLE media ADD COLUMN transcript TEXT;
ALTER TABLE media ADD COLUMN ocr_text TEXT;
