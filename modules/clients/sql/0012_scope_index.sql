-- clients: own-only lists that the planner can drive (issue 13, the
-- working day).  Before, the lists asked clients.visible_outlet and
-- clients.visible_contact per row: SQL functions with a sub-query, which
-- PostgreSQL cannot inline, so a manager's first page of contacts ran
-- one function call (and its own little plan) per contact it walked past
-- -- 150,000 for the page's total -- and took seconds.
--
-- Now the set of counterparties an own-only caller sees is one inlinable
-- set-returning function, which the visibility test of a list
-- (CLIENTS_*_VISIBLE, clients_int.h) reads once per statement as a
-- hashed sub-plan: the caller's counterparties by the indexes on
-- manager_id and region, their contacts by contact_link's
-- (counterparty_id, contact_id) index, and then one hash probe per row.
-- A caller who is not own-only never runs it (the InitPlan on
-- core.own_only() answers first).

-- The counterparties an own-only caller sees (their own and those of
-- their regions), whatever the caller's scope: the visibility tests ask
-- it only for an own-only caller.  Inlined into the caller's query (a
-- single SELECT, LANGUAGE sql, STABLE).
CREATE FUNCTION clients.own_counterparty_ids()
    RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE ROWS 500
    AS $$ SELECT k.id FROM clients.counterparty k
           WHERE k.manager_id = core.current_user_id()
              OR k.region = ANY (core.user_regions()) $$;

-- The per-row tests keep their names and signatures (the audit's
-- clients.audit_visible and the kit's port call them for one row); their
-- bodies now read the same definition.
CREATE OR REPLACE FUNCTION clients.visible_outlet(manager_id bigint, owner_id bigint)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NOT core.own_only()
              OR ($1 = core.current_user_id()) IS TRUE
              OR EXISTS (SELECT 1 FROM clients.own_counterparty_ids() v
                          WHERE v = $2) $$;

CREATE OR REPLACE FUNCTION clients.visible_contact(contact_id bigint)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NOT core.own_only()
              OR EXISTS (SELECT 1 FROM clients.contact_link l
                          WHERE l.contact_id = $1
                            AND l.counterparty_id IN
                                (SELECT clients.own_counterparty_ids())) $$;

-- A manager's contacts: the links of their counterparties, read from the
-- index alone.
CREATE INDEX contact_link_counterparty_contact
    ON clients.contact_link (counterparty_id, contact_id);
DROP INDEX clients.contact_link_counterparty;

-- A list of one manager's records in name order (?manager_id=, and the
-- kit's own-only and "mine" lists once clients is on the kit): an index
-- walk that stops after the page, where the name index alone walks past
-- every other manager's records.
CREATE INDEX counterparty_manager_name
    ON clients.counterparty (manager_id, name COLLATE "ru-RU-x-icu", id);
DROP INDEX clients.counterparty_manager;
CREATE INDEX outlet_manager_name
    ON clients.outlet (manager_id, name COLLATE "ru-RU-x-icu", id);
DROP INDEX clients.outlet_manager;
