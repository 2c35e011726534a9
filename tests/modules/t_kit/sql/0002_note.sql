-- t_kit.note: an entity with a search of its own (ABI 1.4).
CREATE TABLE t_kit.note (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    version int NOT NULL DEFAULT 1
);
