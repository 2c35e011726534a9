-- t_base (test-only module): the tables its hooks write.
CREATE TABLE t_base.thing (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    note text NOT NULL
);

INSERT INTO t_base.thing (note) VALUES ('made by t_base/0001');

-- one row per t_core item seen by t_base's hook (hook order: hook_at)
CREATE TABLE t_base.seen (
    item_id bigint PRIMARY KEY,
    hook_at timestamptz NOT NULL
);
