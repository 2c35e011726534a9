-- Data migrations (issue 7): which local record each record of an
-- outside system (source 'salesforce', object 'Account', its id) became,
-- and the source's modification stamp the record was last taken at.  A
-- rerun of the same export finds every id here with the same stamp and
-- changes nothing; a later export updates only newer rows.  Records
-- merged into another (duplicates) point at the survivor.
CREATE TABLE core.import_map (
    source text NOT NULL,
    object text NOT NULL,
    ext_id text NOT NULL,
    entity text NOT NULL,
    local_id bigint NOT NULL,
    modstamp timestamptz,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, object, ext_id)
);
CREATE INDEX import_map_local ON core.import_map (entity, local_id);
