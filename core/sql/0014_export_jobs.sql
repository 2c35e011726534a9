-- Exports as jobs (issue 13, the working day): an export of more rows
-- than server.export_job_rows is replayed by the jobs worker like a big
-- import (core/jobs.c), and the file it writes is kept here, in a large
-- object, for its owner to download (GET /api/v1/jobs/:id/file) from any
-- host.  The jobs worker drops files a day after their job ended.
ALTER TABLE core.job
    ADD COLUMN file_oid oid,        -- the file (a large object), or NULL
    ADD COLUMN file_name text,      -- as downloaded
    ADD COLUMN file_type text,      -- its Content-Type
    ADD COLUMN file_size bigint;

CREATE INDEX job_file ON core.job (finished_at) WHERE file_oid IS NOT NULL;

-- A file goes with its job row, or when the row lets it go: never a
-- large object nobody points at.
CREATE FUNCTION core.job_file_drop() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF OLD.file_oid IS NOT NULL
       AND (TG_OP = 'DELETE' OR NEW.file_oid IS DISTINCT FROM OLD.file_oid) THEN
        PERFORM lo_unlink(OLD.file_oid);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER job_file_drop
    AFTER UPDATE OF file_oid OR DELETE ON core.job
    FOR EACH ROW EXECUTE FUNCTION core.job_file_drop();
