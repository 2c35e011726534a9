-- Saved views (issue 13): a user's named list query ("my clients in
-- Kazan, by name") for one entity, shown in that list's views menu and
-- on the home page.  Each user sees and changes only their own; the
-- query is a list-protocol query string, checked against the entity's
-- list by the core before it is stored (core/views.c).
CREATE TABLE core.saved_view (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES core."user" (id) ON DELETE CASCADE,
    entity text NOT NULL,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    query text NOT NULL DEFAULT '' CHECK (char_length(query) <= 4000),
    position int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, entity, name)
);
CREATE INDEX saved_view_user ON core.saved_view (user_id, entity, position);
