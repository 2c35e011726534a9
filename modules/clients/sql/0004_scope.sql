-- clients: "own only" scoping (issue 6).  A caller whose every role is
-- own-only (core.own_only(), set per request by the core) sees:
--   a counterparty iff they manage it or it is in one of their regions;
--   an outlet iff they manage it or they see its owner;
--   a contact iff it is linked to a counterparty they see.
-- Every read and write of the module (and of later modules that show
-- clients) asks these functions, so the rule has one definition.  Any
-- other caller (no own-only role, an API token, a job) sees everything:
-- the functions answer true at once.

-- Inlined by the planner into the caller's WHERE (a single SELECT of an
-- expression without sub-queries).  The module's statements write
-- `((SELECT NOT core.own_only()) OR clients.visible_...(...))`: the
-- scope is then read once per statement (an InitPlan), not per row, and
-- an unlimited caller skips the test.
CREATE FUNCTION clients.visible_counterparty(manager_id bigint, region text)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NOT core.own_only()
              OR ($1 = core.current_user_id()) IS TRUE
              OR ($2 = ANY (core.user_regions())) IS TRUE $$;

-- These two look up other rows, so they are called, not inlined.
CREATE FUNCTION clients.visible_outlet(manager_id bigint, owner_id bigint)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NOT core.own_only()
              OR ($1 = core.current_user_id()) IS TRUE
              OR EXISTS (SELECT 1 FROM clients.counterparty k
                          WHERE k.id = $2
                            AND clients.visible_counterparty(k.manager_id,
                                                             k.region)) $$;

CREATE FUNCTION clients.visible_contact(contact_id bigint)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NOT core.own_only()
              OR EXISTS (SELECT 1 FROM clients.contact_link l
                           JOIN clients.counterparty k
                             ON k.id = l.counterparty_id
                          WHERE l.contact_id = $1
                            AND clients.visible_counterparty(k.manager_id,
                                                             k.region)) $$;
