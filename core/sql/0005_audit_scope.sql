-- Own-only scope on the audit trail: an own-only user who reads a
-- record's history through its module's read permission (not
-- core.audit.read) sees it only when the module says the record is
-- theirs.  A module answers through <module>.audit_visible(entity text,
-- entity_id text) boolean; a module without one shows own-only users no
-- history (closed by default).
CREATE FUNCTION core.audit_visible(entity text, entity_id text)
    RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    mod text := split_part(entity, '.', 1);
    ok boolean;
BEGIN
    IF NOT core.own_only() THEN
        RETURN true;
    END IF;
    IF entity_id IS NULL OR mod !~ '^[a-z][a-z0-9_]*$'
       OR to_regprocedure(format('%I.audit_visible(text,text)', mod)) IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('SELECT %I.audit_visible($1, $2)', mod)
        INTO ok USING entity, entity_id;
    RETURN coalesce(ok, false);
END $$;
