-- t_core (test-only module).  It requires t_base, so this file must run
-- after t_base/0001: the view below fails if t_base.thing does not exist.
CREATE VIEW t_core.base_notes AS SELECT id, note FROM t_base.thing;

CREATE TABLE t_core.item (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    qty int,
    price numeric(18,2),
    due date,
    txid bigint NOT NULL DEFAULT txid_current(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1
);

-- written by t_core's hook on t_core.item.created
CREATE TABLE t_core.audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id bigint NOT NULL,
    name text NOT NULL,
    event text NOT NULL,
    txid bigint NOT NULL DEFAULT txid_current(),
    hook_at timestamptz NOT NULL
);

-- loaded by COPY
CREATE TABLE t_core.bulk (
    batch text NOT NULL,
    n int NOT NULL
);

-- bumped by the periodic jobs: id 1 by "tick", id 2 by "tick_fail"
-- (which then fails, so its increment never commits)
CREATE TABLE t_core.counter (
    id int PRIMARY KEY,
    n bigint NOT NULL DEFAULT 0,
    ticked_at timestamptz
);
INSERT INTO t_core.counter (id) VALUES (1), (2);
