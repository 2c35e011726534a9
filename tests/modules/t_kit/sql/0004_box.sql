-- t_kit.box (ABI 1.5): a member the module writes itself (KEDR_COL_MODULE):
-- a box's items live in t_kit.box_item, which the module's after_write
-- replaces; the kit reads the box again after it.
CREATE TABLE t_kit.box (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    version int NOT NULL DEFAULT 1
);

CREATE TABLE t_kit.box_item (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    box_id bigint NOT NULL REFERENCES t_kit.box (id) ON DELETE CASCADE,
    name text NOT NULL,
    qty int NOT NULL
);
CREATE INDEX box_item_box ON t_kit.box_item (box_id);
