-- clients: extra attributes (issue 6).  An administrator defines fields
-- for counterparties, contacts and outlets at /api/v1/attributes
-- (entities clients.counterparty, clients.contact, clients.outlet); the
-- values live here, one JSON object per record, checked by the module
-- with kedr_attrs_check before every write.  Lists filter them with
-- `attr.<name>=value`, a containment (attrs @> '{"name": value}') that
-- the jsonb_path_ops GIN indexes serve.

ALTER TABLE clients.counterparty
    ADD COLUMN attrs jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(attrs) = 'object');
ALTER TABLE clients.contact
    ADD COLUMN attrs jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(attrs) = 'object');
ALTER TABLE clients.outlet
    ADD COLUMN attrs jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(attrs) = 'object');

CREATE INDEX counterparty_attrs ON clients.counterparty
    USING gin (attrs jsonb_path_ops);
CREATE INDEX contact_attrs ON clients.contact
    USING gin (attrs jsonb_path_ops);
CREATE INDEX outlet_attrs ON clients.outlet
    USING gin (attrs jsonb_path_ops);
