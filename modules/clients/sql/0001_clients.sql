-- clients: counterparties (companies of every kind: distributors, end
-- customers, installers, ...), contacts (people) and the links between
-- them, each link with the person's position and department there.  The
-- migration runner creates schema "clients" and puts it first on the
-- search_path; names are qualified anyway.

-- Counterparties.  INN/KPP/OGRN are checked (checksums) by the module
-- before they get here; the CHECKs below keep the shape honest.  A
-- counterparty is never deleted by the API: DELETE sets status
-- 'inactive' (later modules refer to it); merge (later) sets merged_into.
CREATE TABLE clients.counterparty (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('distributor', 'end_customer',
        'installer', 'design_institute', 'developer', 'retail_chain',
        'partner', 'competitor')),
    name text NOT NULL CHECK (btrim(name) <> '' AND name = btrim(name)),
    legal_name text,
    inn text CHECK (inn ~ '^([0-9]{10}|[0-9]{12})$'),
    kpp text CHECK (kpp ~ '^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$'),
    ogrn text CHECK (ogrn ~ '^([0-9]{13}|[0-9]{15})$'),
    parent_id bigint REFERENCES clients.counterparty (id),
    region text,
    address text,
    segment text,
    abc text CHECK (abc IN ('A', 'B', 'C')),
    status text NOT NULL DEFAULT 'prospect'
        CHECK (status IN ('prospect', 'active', 'inactive')),
    manager_id bigint REFERENCES core."user" (id),
    phones text[] NOT NULL DEFAULT '{}',
    emails text[] NOT NULL DEFAULT '{}',
    site text,
    tags text[] NOT NULL DEFAULT '{}',
    ext jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(ext) = 'object'),
    merged_into bigint REFERENCES clients.counterparty (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    CHECK (parent_id <> id)
);
-- one live record per INN+KPP (an individual entrepreneur has no KPP):
-- the API answers 409 with the existing id first; this is the last wall
CREATE UNIQUE INDEX counterparty_inn_kpp ON clients.counterparty
    (inn, coalesce(kpp, '')) WHERE inn IS NOT NULL AND merged_into IS NULL;
CREATE INDEX counterparty_inn ON clients.counterparty (inn text_pattern_ops);
CREATE INDEX counterparty_name ON clients.counterparty
    (name COLLATE "ru-RU-x-icu", id);
CREATE INDEX counterparty_name_trgm ON clients.counterparty
    USING gin (name gin_trgm_ops);
CREATE INDEX counterparty_parent ON clients.counterparty (parent_id);
CREATE INDEX counterparty_manager ON clients.counterparty (manager_id);
CREATE INDEX counterparty_region ON clients.counterparty (region);
CREATE INDEX counterparty_tags ON clients.counterparty USING gin (tags);
CREATE INDEX counterparty_updated ON clients.counterparty (updated_at, id);

-- The distributors that serve a counterparty (many-to-many), at most one
-- of them the main one.  Replaced as a whole by PUT
-- /counterparties/:id/distributors.
CREATE TABLE clients.counterparty_distributor (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    counterparty_id bigint NOT NULL REFERENCES clients.counterparty (id),
    distributor_id bigint NOT NULL REFERENCES clients.counterparty (id),
    main boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    CHECK (counterparty_id <> distributor_id),
    CONSTRAINT counterparty_distributor_pair
        UNIQUE (counterparty_id, distributor_id)
);
CREATE UNIQUE INDEX counterparty_distributor_main
    ON clients.counterparty_distributor (counterparty_id) WHERE main;
CREATE INDEX counterparty_distributor_distributor
    ON clients.counterparty_distributor (distributor_id);

-- Contacts: people.  One person may work with several counterparties
-- (contact_link).  Phones are E.164 ("+74951234567"), normalised by the
-- module.
CREATE TABLE clients.contact (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    last_name text NOT NULL CHECK (btrim(last_name) <> ''),
    first_name text,
    middle_name text,
    full_name text GENERATED ALWAYS AS (last_name
        || coalesce(' ' || first_name, '')
        || coalesce(' ' || middle_name, '')) STORED,
    reports_to bigint REFERENCES clients.contact (id),
    decision_role text CHECK (decision_role IN ('decision_maker',
        'influencer', 'approver', 'user', 'gatekeeper', 'other')),
    phones text[] NOT NULL DEFAULT '{}',
    emails text[] NOT NULL DEFAULT '{}',
    birthday date,
    consent boolean NOT NULL DEFAULT false,
    consent_at date,
    active boolean NOT NULL DEFAULT true,
    ext jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(ext) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    CHECK (reports_to <> id)
);
CREATE INDEX contact_name ON clients.contact
    (full_name COLLATE "ru-RU-x-icu", id);
CREATE INDEX contact_name_trgm ON clients.contact
    USING gin (full_name gin_trgm_ops);
CREATE INDEX contact_reports_to ON clients.contact (reports_to);
CREATE INDEX contact_phones ON clients.contact USING gin (phones);

-- A contact at a counterparty, with the position and department there.
CREATE TABLE clients.contact_link (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_id bigint NOT NULL
        REFERENCES clients.contact (id) ON DELETE CASCADE,
    counterparty_id bigint NOT NULL REFERENCES clients.counterparty (id),
    position text,
    department text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    CONSTRAINT contact_link_pair UNIQUE (contact_id, counterparty_id)
);
CREATE INDEX contact_link_counterparty ON clients.contact_link
    (counterparty_id);

-- The contacts of a counterparty as a nested JSON array: roots are the
-- linked contacts whose manager (reports_to) is not linked to it; each
-- node carries its link's position/department and its children.  The
-- recursive CTE walks down from the roots (a path array stops cycles);
-- the tree is then built bottom-up one level per step.
CREATE FUNCTION clients.contact_tree(cp bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    nodes jsonb;
    kids jsonb := '{}';
    top int;
BEGIN
    WITH RECURSIVE m AS (
        SELECT c.*, l.position, l.department
          FROM clients.contact_link l
          JOIN clients.contact c ON c.id = l.contact_id
         WHERE l.counterparty_id = cp
    ), d (id, parent, depth, path) AS (
        SELECT m.id, 0::bigint, 0, ARRAY[m.id] FROM m
         WHERE m.reports_to IS NULL
            OR NOT EXISTS (SELECT 1 FROM m p WHERE p.id = m.reports_to)
        UNION ALL
        SELECT m.id, d.id, d.depth + 1, d.path || m.id
          FROM m JOIN d ON m.reports_to = d.id
         WHERE m.id <> ALL (d.path)
    )
    SELECT jsonb_agg(jsonb_build_object(
               'id', m.id, 'parent', d.parent, 'depth', d.depth,
               'name', m.full_name,
               'node', jsonb_build_object(
                   'id', m.id, 'full_name', m.full_name,
                   'last_name', m.last_name, 'first_name', m.first_name,
                   'middle_name', m.middle_name,
                   'reports_to', m.reports_to,
                   'decision_role', m.decision_role,
                   'position', m.position, 'department', m.department,
                   'phones', m.phones, 'emails', m.emails,
                   'active', m.active, 'version', m.version))),
           max(d.depth)
      INTO nodes, top
      FROM d JOIN m ON m.id = d.id;
    IF nodes IS NULL THEN
        RETURN '[]';
    END IF;
    FOR lvl IN REVERSE top .. 0 LOOP
        SELECT coalesce(jsonb_object_agg(x.parent, x.arr), '{}') INTO kids
          FROM (SELECT n.parent,
                       jsonb_agg(n.node || jsonb_build_object('children',
                                     coalesce(kids -> n.id::text, '[]'))
                                 ORDER BY n.name COLLATE "ru-RU-x-icu", n.id)
                           AS arr
                  FROM jsonb_to_recordset(nodes) AS n (id bigint,
                       parent bigint, depth int, name text, node jsonb)
                 WHERE n.depth = lvl
                 GROUP BY n.parent) x;
    END LOOP;
    RETURN coalesce(kids -> '0', '[]');
END
$$;
