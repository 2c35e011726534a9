-- Extra attributes: fields an administrator adds to a module's records
-- (counterparties, contacts, outlets, ...) without a schema change.  The
-- definitions live here; each module keeps the values of its records in a
-- jsonb column (`attrs`) and asks the core to validate and filter them.
CREATE TABLE core.attribute_def (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- "<module>.<entity>", as in the audit trail: clients.counterparty
    entity text NOT NULL CHECK (entity ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$'),
    name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,47}$'),
    type text NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean', 'list')),
    label_ru text NOT NULL,
    label_en text NOT NULL DEFAULT '',
    required boolean NOT NULL DEFAULT false,
    -- for type list: the allowed values, [{"value": "...", "label_ru": "...", "label_en": "..."}]
    options jsonb NOT NULL DEFAULT '[]',
    sort int NOT NULL DEFAULT 0,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1,
    UNIQUE (entity, name)
);
