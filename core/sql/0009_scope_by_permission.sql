-- Scope by permission (issue 12).  "Own records only" used to be lifted
-- by any second role the user held, even one that grants nothing (a
-- manager who was also given the portal role `distributor` saw every
-- client).  The scope now follows the permission a request uses: the
-- caller is limited when every role of theirs that grants that
-- permission is own-only.  A role that does not grant it neither limits
-- nor widens.  A route without a permission of its own ("any employee")
-- looks at the roles that grant anything.  A user without such a role
-- is limited (fail closed; the permission check refuses them anyway).
CREATE FUNCTION core.scope_own_only(p_user bigint, p_perm text)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(bool_and(ro.own_only), true)
            FROM core.user_role ur JOIN core.role ro ON ro.id = ur.role_id
           WHERE ur.user_id = p_user
             AND CASE WHEN p_perm IS NULL
                      THEN cardinality(ro.permissions) > 0
                      ELSE p_perm = ANY (ro.permissions)
                           OR '*' = ANY (ro.permissions) END $$;

-- Whether a portal user's counterparty exists: the core does not
-- require the clients module, so the table is looked up by name.  NULL
-- when there is no clients module to ask.
CREATE FUNCTION core.counterparty_exists(p_id bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    found boolean;
BEGIN
    IF to_regclass('clients.counterparty') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM clients.counterparty WHERE id = $1)'
        INTO found USING p_id;
    RETURN found;
END $$;

-- The built-in roles as a CRM ships them: a manager works with their own
-- clients (those they manage, and those of their regions).  Not applied
-- to a role an administrator has already edited (every edit is audited).
UPDATE core.role ro SET own_only = true, updated_at = now(),
       version = ro.version + 1
 WHERE ro.name = 'manager' AND ro.builtin AND NOT ro.own_only
   AND NOT EXISTS (SELECT 1 FROM core.audit a
                    WHERE a.entity = 'core.role' AND a.entity_id = ro.id::text);

-- The permissions a user holds without the own-only limit: through a
-- role that is not own-only.  Whoever manages a user must hold each of
-- these as widely (admin.c), or a manager limited to their own clients
-- could reset the password of a colleague who sees every client and
-- become them.
CREATE FUNCTION core.user_wide_permissions(p_user bigint) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(DISTINCT p ORDER BY p), '{}')
            FROM core.user_role ur JOIN core.role ro ON ro.id = ur.role_id,
                 unnest(ro.permissions) p
           WHERE ur.user_id = p_user AND NOT ro.own_only $$;
