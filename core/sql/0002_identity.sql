-- Identity: users, roles, sessions, API tokens, login attempts, audit.
-- Permissions are the strings modules declare in their descriptors (and
-- the core's own core.*); a role is a named set of them; '*' means all.

CREATE TABLE core.role (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9_]{0,47}$'),
    label_ru text NOT NULL DEFAULT '',
    label_en text NOT NULL DEFAULT '',
    permissions text[] NOT NULL DEFAULT '{}',
    builtin boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1
);

CREATE TABLE core."user" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login text NOT NULL CHECK (login ~ '^[A-Za-z0-9._@-]{1,64}$'),
    full_name text NOT NULL DEFAULT '',
    email text NOT NULL DEFAULT '',
    phone text NOT NULL DEFAULT '',
    locale text NOT NULL DEFAULT 'ru' CHECK (locale IN ('ru', 'en')),
    active boolean NOT NULL DEFAULT true,
    password_hash text,
    password_changed_at timestamptz,
    -- set: a portal user of this distributor (the clients module's
    -- counterparty; no foreign key, the core does not require clients)
    counterparty_id bigint,
    ext jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX user_login_key ON core."user" (lower(login));
CREATE INDEX user_name_trgm ON core."user"
    USING gin ((login || ' ' || full_name || ' ' || email) public.gin_trgm_ops);

CREATE TABLE core.user_role (
    user_id bigint NOT NULL REFERENCES core."user" ON DELETE CASCADE,
    role_id bigint NOT NULL REFERENCES core.role ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_role_by_role ON core.user_role (role_id);

-- A session: the cookie carries a random token; only its SHA-256 is kept.
CREATE TABLE core.session (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    user_id bigint NOT NULL REFERENCES core."user" ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    ip text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT ''
);
CREATE INDEX session_by_user ON core.session (user_id);

-- An API token for an integration: shown once, kept as SHA-256.
CREATE TABLE core.api_token (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    permissions text[] NOT NULL DEFAULT '{}',
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1
);

-- Failed (and successful) logins, for throttling and for the record.
CREATE TABLE core.login_attempt (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login text NOT NULL,
    ip text NOT NULL,
    ok boolean NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempt_login ON core.login_attempt (lower(login), at);
CREATE INDEX login_attempt_ip ON core.login_attempt (ip, at);
CREATE INDEX login_attempt_at ON core.login_attempt (at);

-- The audit trail: every business write, in the writing transaction.
CREATE TABLE core.audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    user_id bigint,
    token_id bigint,
    request_id text NOT NULL DEFAULT '',
    entity text NOT NULL,
    entity_id text NOT NULL,
    action text NOT NULL,
    old jsonb,
    new jsonb
);
CREATE INDEX audit_entity ON core.audit (entity, entity_id, id);
CREATE INDEX audit_user ON core.audit (user_id, id);

INSERT INTO core.role (name, label_ru, label_en, permissions, builtin) VALUES
    ('admin', 'Администратор', 'Administrator', '{*}', true),
    ('manager', 'Менеджер', 'Manager', '{}', true),
    ('analyst', 'Аналитик', 'Analyst', '{core.audit.read}', true),
    ('support', 'Поддержка', 'Support', '{}', true),
    ('marketing', 'Маркетинг', 'Marketing', '{}', true),
    ('distributor', 'Дистрибьютор (портал)', 'Distributor (portal)', '{}', true);
