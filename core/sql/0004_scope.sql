-- Data scope: a role may limit its holders to their own records ("own
-- only"), and a user has the regions they work in.  The core sets the
-- caller's scope transaction-locally at the start of each request (see
-- auth.c); modules enforce it in their SQL through the functions below,
-- so every query of every module reads one definition.
ALTER TABLE core.role ADD COLUMN own_only boolean NOT NULL DEFAULT false;
ALTER TABLE core."user" ADD COLUMN regions text[] NOT NULL DEFAULT '{}';

-- The signed-in user of this transaction, NULL for an API token, a job or
-- an anonymous request.
CREATE FUNCTION core.current_user_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('kedr.user_id', true), '')::bigint $$;

-- Whether the caller sees only their own records: every role they hold is
-- own-only.  A role without the limit widens the view, as roles add
-- permissions; API tokens, jobs and administrators are never limited.
CREATE FUNCTION core.own_only() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('kedr.own_only', true) = 'on', false) $$;

-- The caller's regions (records in them count as their own).
CREATE FUNCTION core.user_regions() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('kedr.regions', true), '')::text[], '{}') $$;

-- Default grants a module's descriptor asks for (permission -> built-in
-- role), applied once when the module is first migrated: a grant an
-- administrator later takes away stays taken away.
CREATE TABLE core.module_grant (
    module text NOT NULL,
    role text NOT NULL,
    permission text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (module, role, permission)
);
