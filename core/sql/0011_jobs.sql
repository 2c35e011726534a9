-- Durable jobs (issue 12): work too long for a request, run by the jobs
-- worker of any host.  Today the one kind is 'route': a request replayed
-- by the worker (a CSV import over server.import_job_rows), as the user
-- or API token that sent it, with its method, URI and body.  A worker
-- claims a queued job with FOR UPDATE SKIP LOCKED and holds an advisory
-- lock on it while it runs, so a job whose worker died can be told from
-- one still running (core/jobs.c).
CREATE TABLE core.job (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('route')),
    state text NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'done', 'failed')),
    module text,                    -- the route's module (NULL: the core)
    method text NOT NULL,
    uri text NOT NULL,              -- path and query, as sent
    content_type text,
    input bytea,                    -- the body; dropped when the job ends
    user_id bigint REFERENCES core."user" (id) ON DELETE CASCADE,
    token_id bigint REFERENCES core.api_token (id) ON DELETE CASCADE,
    done bigint NOT NULL DEFAULT 0, -- progress: units done of total
    total bigint,
    status int,                     -- the replayed request's HTTP status
    result jsonb,                   -- and its answer
    error text,                     -- why it failed without an answer
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    CHECK (user_id IS NOT NULL OR token_id IS NOT NULL)
);
CREATE INDEX job_queued ON core.job (id) WHERE state = 'queued';
CREATE INDEX job_running ON core.job (id) WHERE state = 'running';
CREATE INDEX job_user ON core.job (user_id, id);
CREATE INDEX job_token ON core.job (token_id, id);
