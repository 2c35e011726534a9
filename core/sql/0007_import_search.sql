-- Imported records are found by their Salesforce id (issue 7): a search
-- box given an id, in its 15- or 18-character form, finds the record the
-- id became -- for a duplicate merged away, the survivor.  Salesforce
-- ids are unique across objects, so the map is searched by id alone.

-- The 18-character form of a Salesforce id: the 15-character, case-
-- sensitive id and a suffix of three characters, one per five, each
-- naming which of them are capitals (core/sf.c, kedr_sf_id18).  An
-- 18-character id as it is; anything else NULL.
CREATE FUNCTION core.sf_id18(id text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN id ~ '^[A-Za-z0-9]{18}$' THEN id
        WHEN id ~ '^[A-Za-z0-9]{15}$' THEN id || (
            SELECT string_agg(substr('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
                       1 + (SELECT sum(CASE WHEN substr(id, c * 5 + b + 1, 1)
                                            BETWEEN 'A' AND 'Z' COLLATE "C"
                                            THEN 1 << b ELSE 0 END)
                              FROM generate_series(0, 4) b)::int, 1),
                   '' ORDER BY c)
              FROM generate_series(0, 2) c)
    END
$$;

-- The map's key, ordered (source, ext_id, object) so that it also serves
-- a look-up by id alone: a second index would cost every import its
-- upkeep.  The importers' joins and ON CONFLICT name all three columns,
-- which any order of the key serves.
ALTER TABLE core.import_map DROP CONSTRAINT import_map_pkey,
    ADD PRIMARY KEY (source, ext_id, object);

-- The records of `entity` that Salesforce id `id` (15 or 18 characters;
-- anything else finds nothing) became.  For a module's search box, as an
-- array computed once per statement (an arm of an indexed OR):
-- `c.id = ANY (ARRAY(SELECT core.import_find('clients.counterparty', $1)))`.
CREATE FUNCTION core.import_find(entity text, id text) RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT m.local_id
      FROM core.import_map m
     WHERE m.source = 'salesforce' AND m.ext_id = core.sf_id18(id)
       AND m.entity = import_find.entity
$$;
