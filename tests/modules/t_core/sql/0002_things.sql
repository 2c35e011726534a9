-- Records with extra attributes (tests/api/attributes.test.js).
CREATE TABLE t_core.thing (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    attrs jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX thing_attrs ON t_core.thing USING gin (attrs jsonb_path_ops);
