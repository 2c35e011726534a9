-- t_fault (test-only module, tests/api/fault.test.js): what its write
-- routes insert, so the test can count rows after each injected failure.
CREATE TABLE t_fault.item (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    note text NOT NULL
);

-- written by t_fault's hook on t_fault.item.written (same transaction)
CREATE TABLE t_fault.audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id bigint NOT NULL,
    event text NOT NULL
);

-- loaded by COPY
CREATE TABLE t_fault.bulk (
    batch text NOT NULL,
    n int NOT NULL
);
