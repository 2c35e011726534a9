-- Recent records (issue 13): the cards a user opened, newest first, for
-- the home page.  One row per (user, entity, record): opening a card
-- again moves it up; only the last 50 of a user are kept (core/views.c
-- trims on each write).
CREATE TABLE core.recent (
    user_id bigint NOT NULL REFERENCES core."user" (id) ON DELETE CASCADE,
    entity text NOT NULL,
    record_id bigint NOT NULL,
    title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    url text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 500),
    opened_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, entity, record_id)
);
CREATE INDEX recent_user ON core.recent (user_id, opened_at DESC);
