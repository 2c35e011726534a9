-- Known devices: a browser that logged in as a user gets a long-lived
-- random cookie (kedr_device) of which only the SHA-256 is kept.  A login
-- that a distributed attack has locked (security.login_lock_*) still lets
-- in a request carrying one of that user's devices.
CREATE TABLE core.known_device (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    user_id bigint NOT NULL REFERENCES core."user" ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX known_device_by_user ON core.known_device (user_id);
CREATE INDEX known_device_expires ON core.known_device (expires_at);

-- Throttling counts failures per (login, address) pair.
CREATE INDEX login_attempt_login_ip
    ON core.login_attempt (lower(login), ip, at);
