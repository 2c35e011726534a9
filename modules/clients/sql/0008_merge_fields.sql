-- clients: a merge chooses field by field (issue 13).  Before, the
-- survivor kept its own fields and the duplicates' phones, e-mails, tags
-- and requisites were lost to it.  Now the caller picks, per field, the
-- record whose value the survivor keeps (or, for a list, "both": the
-- union), and what it does not pick follows one rule, so that nothing is
-- lost silently: a field is the survivor's when it has one, else the
-- first duplicate's that has one; lists and extra attributes are united.
-- The survivor's "merged" audit row holds it before and after, which is
-- what undoing the merge puts back (clients.merge_undo).

-- The fields a merge chooses between: the scalar ones (each its own
-- choice, except that KPP and OGRN follow the INN: requisites of one
-- record, never mixed) and the lists.
CREATE FUNCTION clients.merge_scalars() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['kind', 'name', 'legal_name', 'inn', 'region',
          'address', 'segment', 'abc', 'manager_id', 'site'] $$;
CREATE FUNCTION clients.merge_lists() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['phones', 'emails', 'tags', 'attrs'] $$;

-- The survivor's merged fields as JSON (the keys of clients.merge_scalars
-- with kpp and ogrn, and of clients.merge_lists), from the survivor `s`
-- and the duplicates `d` (a JSON array, in the order given) as the API
-- shows them, and the choices `pick` ({field: record id or "both"}).
CREATE FUNCTION clients.merge_values(s jsonb, d jsonb, pick jsonb)
    RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
DECLARE
    recs jsonb := jsonb_build_array(s) || d;
    f text;
    src jsonb;
    out jsonb := '{}';
BEGIN
    FOREACH f IN ARRAY clients.merge_scalars() LOOP
        IF pick ? f THEN
            SELECT e INTO src FROM jsonb_array_elements(recs) e
             WHERE e->>'id' = pick->>f;
        ELSE
            -- the first record, the survivor first, that has a value
            SELECT e INTO src FROM jsonb_array_elements(recs)
                   WITH ORDINALITY x (e, i)
             WHERE jsonb_typeof(e->f) IS DISTINCT FROM 'null'
             ORDER BY i LIMIT 1;
        END IF;
        src := coalesce(src, s);
        out := out || jsonb_build_object(f, coalesce(src->f, 'null'));
        IF f = 'inn' THEN
            out := out || jsonb_build_object(
                'kpp', coalesce(src->'kpp', 'null'),
                'ogrn', coalesce(src->'ogrn', 'null'));
        END IF;
    END LOOP;
    FOREACH f IN ARRAY clients.merge_lists() LOOP
        IF pick ? f AND pick->>f <> 'both' THEN
            SELECT e->f INTO src FROM jsonb_array_elements(recs) e
             WHERE e->>'id' = pick->>f;
        ELSIF f = 'attrs' THEN
            -- every attribute; where two records have one, the first's
            SELECT coalesce(jsonb_object_agg(k, v ORDER BY i DESC), '{}')
              INTO src
              FROM jsonb_array_elements(recs) WITH ORDINALITY x (e, i),
                   jsonb_each(e->'attrs') a (k, v);
        ELSE
            -- the survivor's first, in their order, each value once
            -- (e-mails whatever their case)
            SELECT coalesce(jsonb_agg(v ORDER BY n), '[]') INTO src
              FROM (SELECT DISTINCT ON (CASE WHEN f = 'emails' THEN lower(v)
                           ELSE v END) v, i * 1000 + j AS n
                      FROM jsonb_array_elements(recs) WITH ORDINALITY x (e, i),
                           jsonb_array_elements_text(e->f)
                           WITH ORDINALITY y (v, j)
                     ORDER BY CASE WHEN f = 'emails' THEN lower(v) ELSE v END,
                           i, j) u;
        END IF;
        out := out || jsonb_build_object(f, src);
    END LOOP;
    RETURN out;
END
$$;

-- Undoing a merge on the survivor: `cur` its fields now, `before` and
-- `after` around the merge (its "merged" audit row).  Each merged field
-- goes back to its value before the merge unless it was changed since
-- (then the later change stands).
CREATE FUNCTION clients.merge_undo(cur jsonb, before jsonb, after jsonb)
    RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(jsonb_object_agg(f, CASE WHEN $1->f = $3->f
              THEN $2->f ELSE $1->f END), '{}')
          FROM unnest(clients.merge_scalars() || clients.merge_lists()
               || ARRAY['kpp', 'ogrn']) f $$;
