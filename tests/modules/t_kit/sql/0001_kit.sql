-- t_kit (test-only module): entities served by the resource kit.
CREATE TABLE t_kit.shelf (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    owner_id bigint DEFAULT core.current_user_id(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version int NOT NULL DEFAULT 1
);

CREATE TABLE t_kit.widget (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    code text UNIQUE,
    qty int,
    weight numeric,
    price numeric(18,2),
    due date,
    done boolean,
    serial text,
    shelf_id bigint REFERENCES t_kit.shelf (id),
    owner_id bigint, -- set by the kit from its declared default
    status text NOT NULL DEFAULT 'new',
    attrs jsonb NOT NULL DEFAULT '{}',
    active boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now(),
    version int NOT NULL DEFAULT 1
);

-- written by t_kit's hooks: the events and after_write calls seen
CREATE TABLE t_kit.seen (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    what text NOT NULL,
    widget_id bigint
);

-- t_kit.bin (ABI 1.4): a jsonb column beside computed members
CREATE TABLE t_kit.bin (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    shelf_id bigint REFERENCES t_kit.shelf (id),
    spec jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    version int NOT NULL DEFAULT 1
);
