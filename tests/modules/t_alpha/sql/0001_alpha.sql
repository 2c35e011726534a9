-- t_alpha (test-only module): fails unless t_core/0001 ran before it.
CREATE VIEW t_alpha.item_names AS SELECT id, name FROM t_core.item;

CREATE TABLE t_alpha.seen (
    item_id bigint PRIMARY KEY,
    hook_at timestamptz NOT NULL
);
