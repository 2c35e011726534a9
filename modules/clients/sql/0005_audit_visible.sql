-- What core.audit_visible asks (core/sql/0005_audit_scope.sql): whether an
-- own-only caller may read the history of one of this module's records,
-- by the same rules as reading the record itself (0004_scope.sql).
CREATE FUNCTION clients.audit_visible(entity text, entity_id text)
    RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
SELECT CASE WHEN $2 !~ '^[0-9]{1,18}$' THEN false
    WHEN $1 = 'clients.counterparty' THEN EXISTS (
        SELECT 1 FROM clients.counterparty c WHERE c.id = $2::bigint
           AND clients.visible_counterparty(c.manager_id, c.region))
    WHEN $1 = 'clients.contact' THEN clients.visible_contact($2::bigint)
    WHEN $1 = 'clients.outlet' THEN EXISTS (
        SELECT 1 FROM clients.outlet o WHERE o.id = $2::bigint
           AND clients.visible_outlet(o.manager_id, o.owner_id))
    ELSE false END $$;
