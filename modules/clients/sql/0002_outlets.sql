-- clients: outlets (shops) -- the counterparty that owns each, the
-- distributors that supply it, and its assortment: the catalog groups
-- (brands, series, groups) present on its shelves with their shelf share
-- or facings, the products offered to it, and the date of the last
-- check.  clients requires catalog, so catalog's tables exist already.

-- An outlet.  Never deleted by the API: DELETE sets active = false.
-- Coordinates are both given or both absent.
CREATE TABLE clients.outlet (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES clients.counterparty (id),
    name text NOT NULL CHECK (btrim(name) <> '' AND name = btrim(name)),
    format text NOT NULL CHECK (format IN ('diy', 'electrical_shop',
        'chain_store', 'showroom', 'online')),
    address text,
    lat numeric(9, 6) CHECK (lat BETWEEN -90 AND 90),
    lon numeric(9, 6) CHECK (lon BETWEEN -180 AND 180),
    area numeric(12, 2) CHECK (area >= 0),
    characteristics jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(characteristics) = 'object'),
    manager_id bigint REFERENCES core."user" (id),
    active boolean NOT NULL DEFAULT true,
    ext jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(ext) = 'object'),
    -- the date of the last assortment check (PUT /outlets/:id/assortment)
    checked_at date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE INDEX outlet_owner ON clients.outlet (owner_id);
CREATE INDEX outlet_manager ON clients.outlet (manager_id);
CREATE INDEX outlet_name ON clients.outlet (name COLLATE "ru-RU-x-icu", id);
CREATE INDEX outlet_name_trgm ON clients.outlet USING gin (name gin_trgm_ops);
CREATE INDEX outlet_address_trgm ON clients.outlet
    USING gin (address gin_trgm_ops);
CREATE INDEX outlet_updated ON clients.outlet (updated_at, id);

-- The distributors that supply an outlet (many-to-many; counterparties of
-- kind distributor).  Replaced as a whole by PUT /outlets/:id/distributors.
-- (distributor_id, outlet_id) serves "the outlets a distributor supplies",
-- the benchmark's outlet list filtered by distributor.
CREATE TABLE clients.outlet_distributor (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outlet_id bigint NOT NULL REFERENCES clients.outlet (id),
    distributor_id bigint NOT NULL REFERENCES clients.counterparty (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    CONSTRAINT outlet_distributor_pair UNIQUE (outlet_id, distributor_id)
);
CREATE INDEX outlet_distributor_distributor
    ON clients.outlet_distributor (distributor_id, outlet_id);

-- Assortment: a catalog group present in the outlet, with its shelf share
-- (percent) and/or facings.  Replaced as a whole by PUT
-- /outlets/:id/assortment.
CREATE TABLE clients.outlet_group (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outlet_id bigint NOT NULL REFERENCES clients.outlet (id),
    group_id bigint NOT NULL REFERENCES catalog.product_group (id),
    shelf_share numeric(5, 2) CHECK (shelf_share BETWEEN 0 AND 100),
    facings int CHECK (facings >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    CONSTRAINT outlet_group_pair UNIQUE (outlet_id, group_id)
);
CREATE INDEX outlet_group_group ON clients.outlet_group (group_id);

-- Assortment: the products offered to the outlet.
CREATE TABLE clients.outlet_product (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outlet_id bigint NOT NULL REFERENCES clients.outlet (id),
    product_id bigint NOT NULL REFERENCES catalog.product (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    CONSTRAINT outlet_product_pair UNIQUE (outlet_id, product_id)
);
CREATE INDEX outlet_product_product ON clients.outlet_product (product_id);
