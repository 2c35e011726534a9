-- A token answers to a user, its owner (core.api_token.created_by): at
-- each request it holds only what both it and its owner hold now, and it
-- stops working the moment the owner is disabled or deleted (auth.c).  A
-- token made by a token belongs to the creating token's owner.

-- The permissions a user holds through their roles, sorted and distinct
-- ('*' among them for an administrator).
CREATE FUNCTION core.user_permissions(uid bigint) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
SELECT coalesce(array_agg(DISTINCT p ORDER BY p), '{}')
FROM core.user_role ur JOIN core.role ro ON ro.id = ur.role_id,
     unnest(ro.permissions) p
WHERE ur.user_id = uid
$$;

-- What two permission sets both grant: '*' on one side yields the other
-- side's set, as '*' holds every permission.
CREATE FUNCTION core.permissions_meet(a text[], b text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT CASE WHEN '*' = ANY (b) THEN ARRAY(SELECT DISTINCT x FROM unnest(a) x ORDER BY x)
            WHEN '*' = ANY (a) THEN ARRAY(SELECT DISTINCT x FROM unnest(b) x ORDER BY x)
            ELSE ARRAY(SELECT DISTINCT x FROM unnest(a) x WHERE x = ANY (b) ORDER BY x)
       END
$$;

-- Tokens a token made before this migration were stored without an owner:
-- they take the creating token's owner, found through the audit trail
-- (repeated, for a token made by a token made by a token).
DO $$
BEGIN
    LOOP
        UPDATE core.api_token t SET created_by = p.created_by
        FROM core.audit a JOIN core.api_token p ON p.id = a.token_id
        WHERE t.created_by IS NULL AND p.created_by IS NOT NULL
          AND a.entity = 'core.api_token' AND a.action = 'created'
          AND a.entity_id = t.id::text;
        EXIT WHEN NOT FOUND;
    END LOOP;
END $$;

-- Every new token has an owner.  NOT VALID: a token whose owner could not
-- be found above stays, for the record, and is refused at every request.
ALTER TABLE core.api_token ADD CONSTRAINT api_token_owner
    CHECK (created_by IS NOT NULL) NOT VALID;
