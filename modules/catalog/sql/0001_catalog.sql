-- catalog: product groups (a tree: brand -> series -> group), products,
-- price types and prices with a validity start date.  The migration runner
-- creates schema "catalog" and puts it first on the search_path; names are
-- qualified anyway.

-- Product groups.  A root is usually a brand, its children series, theirs
-- groups; `kind` says which (a label, not enforced by depth).  Siblings
-- have distinct names, so a path of names ("Legrand / Etika / Розетки")
-- names at most one group; `code` is an optional stable key for
-- integrations.
CREATE TABLE catalog.product_group (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id bigint REFERENCES catalog.product_group (id),
    code text UNIQUE CHECK (code <> '' AND code = btrim(code)),
    name text NOT NULL CHECK (btrim(name) <> '' AND name = btrim(name)),
    kind text NOT NULL DEFAULT 'group'
        CHECK (kind IN ('brand', 'series', 'group')),
    sort int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    CHECK (parent_id <> id),
    CONSTRAINT product_group_sibling_name UNIQUE NULLS NOT DISTINCT (parent_id, name)
);
CREATE INDEX product_group_children ON catalog.product_group (parent_id, sort, id);

-- Products.  `ext` holds external ids by system ("mdm": master data,
-- "c1": 1C), each unique; `attributes` free key/value pairs.
CREATE TABLE catalog.product (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku text NOT NULL CHECK (sku <> '' AND sku = btrim(sku)),
    name text NOT NULL CHECK (btrim(name) <> '' AND name = btrim(name)),
    group_id bigint REFERENCES catalog.product_group (id),
    unit text NOT NULL DEFAULT 'шт' CHECK (btrim(unit) <> ''),
    attributes jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(attributes) = 'object'),
    active boolean NOT NULL DEFAULT true,
    ext jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(ext) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX product_sku ON catalog.product (sku);
CREATE UNIQUE INDEX product_ext_mdm ON catalog.product ((ext ->> 'mdm'));
CREATE UNIQUE INDEX product_ext_c1 ON catalog.product ((ext ->> 'c1'));
CREATE INDEX product_group_id ON catalog.product (group_id);
-- sort keys of the list (names in Russian alphabetical order)
CREATE INDEX product_name ON catalog.product (name COLLATE "ru-RU-x-icu", id);
CREATE INDEX product_created ON catalog.product (created_at, id);
CREATE INDEX product_updated ON catalog.product (updated_at, id);
-- search by fragments of the article and the name, one index for both
-- (the list filters on this very expression); without the pending list,
-- so that rows just imported are searched through the index at once
-- (writes are rare, searches are not)
CREATE INDEX product_search_trgm ON catalog.product
    USING gin ((sku || ' ' || name) gin_trgm_ops) WITH (fastupdate = off);

-- Price types: base (list), distributor, project, recommended retail, ...
CREATE TABLE catalog.price_type (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{0,31}$'),
    name text NOT NULL CHECK (btrim(name) <> ''),
    name_en text NOT NULL DEFAULT '',
    sort int NOT NULL DEFAULT 0,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1
);

INSERT INTO catalog.price_type (code, name, name_en, sort) VALUES
    ('base', 'Базовая (прайс-лист)', 'Base (list)', 10),
    ('distributor', 'Дистрибьюторская', 'Distributor', 20),
    ('project', 'Проектная', 'Project', 30),
    ('rrp', 'Рекомендованная розничная', 'Recommended retail', 40);

-- Prices: one per product, price type and validity start.  The price on a
-- date is the one with the latest valid_from on or before it (the unique
-- index answers that query).  A price goes with its product.
CREATE TABLE catalog.price (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint NOT NULL REFERENCES catalog.product (id) ON DELETE CASCADE,
    price_type_id bigint NOT NULL REFERENCES catalog.price_type (id),
    amount numeric(18, 2) NOT NULL CHECK (amount >= 0),
    currency text NOT NULL DEFAULT 'RUB' CHECK (currency ~ '^[A-Z]{3}$'),
    valid_from date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    CONSTRAINT price_validity UNIQUE (product_id, price_type_id, valid_from)
);
CREATE INDEX price_price_type ON catalog.price (price_type_id);

-- The group a path of names from a root leads to, or NULL.  One index
-- probe per level (product_group_sibling_name).
CREATE FUNCTION catalog.group_by_path(names text[]) RETURNS bigint
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE w (id, lvl) AS (
        SELECT g.id, 1 FROM catalog.product_group g
        WHERE g.parent_id IS NULL AND g.name = names[1]
        UNION ALL
        SELECT g.id, w.lvl + 1 FROM w
        JOIN catalog.product_group g
          ON g.parent_id = w.id AND g.name = names[w.lvl + 1]
        WHERE w.lvl < cardinality(names)
    )
    SELECT id FROM w WHERE lvl = cardinality(names)
$$;

-- A group and every group below it.
CREATE FUNCTION catalog.group_subtree(root bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE d (id) AS (
        SELECT id FROM catalog.product_group WHERE id = root
        UNION ALL
        SELECT c.id FROM catalog.product_group c JOIN d ON c.parent_id = d.id
    )
    SELECT id FROM d
$$;

-- Every group as a nested JSON array of roots, each with its number of
-- products and its children, siblings in display order (sort, then name
-- in Russian order).  Built bottom-up one level per step (a tree is a few
-- levels deep), so its cost grows with the number of groups, not with a
-- query per group.
CREATE FUNCTION catalog.group_tree() RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    nodes jsonb;
    kids jsonb := '{}';
    top int;
BEGIN
    WITH RECURSIVE d (id, depth) AS (
        SELECT g.id, 0 FROM catalog.product_group g WHERE g.parent_id IS NULL
        UNION ALL
        SELECT g.id, d.depth + 1 FROM catalog.product_group g
        JOIN d ON g.parent_id = d.id
    )
    SELECT jsonb_agg(jsonb_build_object(
               'id', g.id, 'parent', coalesce(g.parent_id, 0),
               'depth', d.depth, 'sort', g.sort, 'name', g.name,
               'node', jsonb_build_object(
                   'id', g.id, 'parent_id', g.parent_id, 'code', g.code,
                   'name', g.name, 'kind', g.kind, 'sort', g.sort,
                   'version', g.version, 'products', coalesce(c.n, 0)))),
           max(d.depth)
      INTO nodes, top
      FROM d JOIN catalog.product_group g ON g.id = d.id
      LEFT JOIN (SELECT group_id, count(*) AS n FROM catalog.product
                 WHERE group_id IS NOT NULL GROUP BY group_id) c
        ON c.group_id = g.id;
    IF nodes IS NULL THEN
        RETURN '[]';
    END IF;
    FOR lvl IN REVERSE top .. 0 LOOP
        SELECT coalesce(jsonb_object_agg(x.parent, x.arr), '{}') INTO kids
          FROM (SELECT n.parent,
                       jsonb_agg(n.node || jsonb_build_object('children',
                                     coalesce(kids -> n.id::text, '[]'))
                                 ORDER BY n.sort, n.name COLLATE "ru-RU-x-icu",
                                          n.id) AS arr
                  FROM jsonb_to_recordset(nodes) AS n (id bigint,
                       parent bigint, depth int, sort int, name text,
                       node jsonb)
                 WHERE n.depth = lvl
                 GROUP BY n.parent) x;
    END LOOP;
    RETURN coalesce(kids -> '0', '[]');
END
$$;
