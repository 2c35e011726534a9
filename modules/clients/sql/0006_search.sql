-- clients: the one search box of the counterparty list (issue 6) and the
-- cursors of keyset paging.
--
-- A name fragment is matched case-insensitively with `ё` = `е` both
-- ways: the text and the fragment both go through clients.search_norm
-- (lower case, ё -> е) and the trigram GIN indexes below are on that
-- normalised text, so `LIKE '%' || search_norm(q) || '%'` is served by
-- them.  A counterparty's name and legal name are one indexed text
-- (search_text), joined by a newline (a search box never sends one, so no fragment
-- matches across the two).  Phones are stored as E.164 already (GIN on
-- the arrays: counterparty here, contact in 0001); e-mails are matched
-- exactly but case-insensitively, through GIN on the lower-cased arrays.

CREATE FUNCTION clients.search_norm(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate(lower($1), 'ё', 'е') $$;

-- the text a counterparty's name fragment is looked for in
CREATE FUNCTION clients.cp_search_text(name text, legal_name text)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT translate(lower($1 || E'\n' || coalesce($2, '')), 'ё', 'е') $$;

-- e-mails lower-cased, for an exact case-insensitive match
CREATE FUNCTION clients.lower_array(a text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT ARRAY(SELECT lower(e) FROM unnest($1) e) $$;

-- The counterparty's text is stored (a generated column) rather than
-- only indexed as an expression: a trigram match is always rechecked on
-- the row, and lower-casing every candidate's name again made the
-- recheck about a fifth of a common fragment's search (EXPLAIN ANALYZE
-- on bench/clients-data.sql: 2,955 candidates of "энерго", 12.6 ms with
-- the expression, 10.2 ms with the stored text).  The module's JSON of a
-- counterparty leaves the column out.
ALTER TABLE clients.counterparty ADD COLUMN search_text text
    GENERATED ALWAYS AS (clients.cp_search_text(name, legal_name)) STORED;
CREATE INDEX counterparty_search_trgm ON clients.counterparty
    USING gin (search_text gin_trgm_ops);
CREATE INDEX counterparty_phones ON clients.counterparty USING gin (phones);
CREATE INDEX counterparty_emails ON clients.counterparty
    USING gin (clients.lower_array(emails));
CREATE INDEX contact_search_trgm ON clients.contact
    USING gin (clients.search_norm(full_name) gin_trgm_ops);
CREATE INDEX contact_emails ON clients.contact
    USING gin (clients.lower_array(emails));
-- No parallel scans of the tables the search box reads.  The planner
-- guesses a few thousand contacts for a search it cannot estimate (a
-- phone's digits as a name fragment, any generic plan) and starts
-- parallel workers, whose start-up alone took 4 ms of a 4.7 ms phone
-- search (0.4 ms without them) on the benchmark's data; a server of many
-- short requests gains nothing from them.
ALTER TABLE clients.counterparty SET (parallel_workers = 0);
ALTER TABLE clients.contact SET (parallel_workers = 0);
ALTER TABLE clients.contact_link SET (parallel_workers = 0);

-- the contact list searches the normalised name now (counterparty_name_trgm
-- stays: similar names use it)
DROP INDEX clients.contact_name_trgm;

-- The cursor of keyset paging (`after`, `next`): base64url without
-- padding of the JSON array [sort key, value, id] of a list's last row.
-- The module decodes and checks it (clients_util.c); a timestamp travels
-- as whole microseconds since 1970, a date as days since 2000-01-01, so
-- that no text form of either has to be parsed back.
CREATE FUNCTION clients.page_cursor(key text, v jsonb, id bigint)
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT rtrim(translate(encode(convert_to(
              jsonb_build_array($1, $2, $3)::text, 'UTF8'), 'base64'),
              E'+/\n', '-_'), '=') $$;
CREATE FUNCTION clients.page_cursor(key text, v text, id bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT clients.page_cursor($1, to_jsonb($2), $3) $$;
CREATE FUNCTION clients.page_cursor(key text, v bigint, id bigint)
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT clients.page_cursor($1, to_jsonb($2), $3) $$;
CREATE FUNCTION clients.page_cursor(key text, v timestamptz, id bigint)
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT clients.page_cursor($1,
              to_jsonb((extract(epoch FROM $2) * 1000000)::bigint), $3) $$;
CREATE FUNCTION clients.page_cursor(key text, v date, id bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT clients.page_cursor($1,
              to_jsonb(($2 - DATE '2000-01-01')::bigint), $3) $$;
