-- hello's tables.  The migration runner creates schema "hello" and puts it
-- first on the search_path; names are qualified anyway for clarity.
CREATE TABLE hello.greeting (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lang text NOT NULL CHECK (lang ~ '^[a-z]{2}$'),
    text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    version int NOT NULL DEFAULT 1
);

CREATE TABLE hello.stat (
    lang text PRIMARY KEY,
    created bigint NOT NULL
);

-- demo data
INSERT INTO hello.greeting (lang, text) VALUES
    ('ru', 'Привет, мир'),
    ('en', 'Hello, world');
