-- The inbox's text search (ConversationFilter::text, ContactFilter::text): PostgreSQL's full-text machinery in
-- place of SQLite's FTS5 tables (sqlite migrations 0017 and 0020).
--
-- A text's search words (search_tokens) are its runs of letters and digits, accents removed (the unaccent extension) and lower-cased,
-- as SQLite's unicode61 tokenizer with remove_diacritics folds them; search_words() makes them a tsvector without
-- stop words or stemming, so a word matches itself, and a query's last word matches as a prefix (word:*). Words, not
-- substrings: "ateau" does not find "gâteau" (which is why pg_trgm is not used).
--
-- Indexing is synchronous: the GIN expression indexes below are written in the transaction that writes the message
-- or the contact, and a search sees every committed row. SQLite deferred message indexing to a background indexer
-- (0020) because FTS5's work sat on its single writer; PostgreSQL has many writers, and a GIN index's fastupdate
-- pending list already batches the index's work, merging it at vacuum or when the list fills (docs/scaling.md).
-- Nothing else is kept: no search key, no indexer mark.
--
-- The extension is database-wide; it goes into the public schema unless it is already installed somewhere, and the
-- functions name the schema it is in, so that they do not depend on the search_path (an index's expression must
-- not). Migrations run under a database-wide advisory lock, so processes do not race to create it.

CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;

-- The functions' bodies are SQL-standard (RETURN ...): bound to what they call when created, not looked up in the
-- search_path of whoever evaluates them (an index's expression is also evaluated by autovacuum, under another one).
DO $migration$
DECLARE
  extension_schema TEXT := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                            WHERE e.extname = 'unaccent');
BEGIN
  -- unaccent() is STABLE (its dictionary is found by name); with the dictionary named by its schema, the result
  -- depends on its rules file alone, which is what an index expression needs (IMMUTABLE). lower() and the regular
  -- expression follow ICU's root collation, not the database's locale: under LC_CTYPE=C they know ASCII letters
  -- only, and "Привет" or "東京" would be no word at all.
  EXECUTE format($f$
    CREATE FUNCTION search_tokens(text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN array_remove(
      regexp_split_to_array(lower(%1$I.unaccent(%2$L::regdictionary, $1) COLLATE "und-x-icu"), '[^[:alnum:]]+'), '')
    $f$, extension_schema, extension_schema || '.unaccent');
END
$migration$;

-- A text's search words as a set, for the indexes (search_tokens keeps them in order, for queries).
CREATE FUNCTION search_words(text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN array_to_tsvector(search_tokens($1));

-- The tsquery for what a person typed: every search word of `typed`, the last one as a prefix when `last_is_prefix`
-- (the caller decides it from the last typed word, as SQLite's SearchQuery does). NULL when `typed` has no search
-- word ("%"): it matches nothing. The words are letters and digits only, so quoting them is enough.
CREATE FUNCTION search_query(typed text, last_is_prefix boolean) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT string_agg(quote_literal(word) || CASE WHEN last_is_prefix AND n = count THEN ':*' ELSE '' END, ' & '
                          ORDER BY n)::tsquery
        FROM (SELECT word, n, count(*) OVER () AS count
              FROM unnest(search_tokens(typed)) WITH ORDINALITY AS words (word, n)) AS numbered);

CREATE INDEX messages_search ON messages USING gin (search_words(text));
CREATE INDEX contacts_search ON contacts USING gin (search_words(name || ' ' || platform_id));
