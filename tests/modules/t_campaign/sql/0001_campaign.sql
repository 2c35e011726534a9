-- t_campaign (tests only): what a later module (marketing) will have,
-- enough to import Salesforce campaigns through its own importer.
CREATE TABLE t_campaign.campaign (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id bigint REFERENCES t_campaign.campaign (id),
    name text NOT NULL,
    kind text,
    status text,
    starts date,
    ends date,
    budget numeric(18, 2),
    active boolean NOT NULL DEFAULT true, -- false: archived (deleted there)
    ext jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    version int NOT NULL DEFAULT 1
);
