-- t_desk (test-only module): cards in lanes, for the shell's tests.
CREATE TABLE t_desk.card (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lane text NOT NULL CHECK (lane ~ '^[a-z]{2,10}$'),
    title text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version int NOT NULL DEFAULT 1
);

INSERT INTO t_desk.card (lane, title) VALUES
    ('todo', 'Написать письмо'),
    ('done', 'Ship it');
