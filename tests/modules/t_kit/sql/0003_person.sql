-- t_kit.person (ABI 1.5): lists of phones, e-mails and tags, a name
-- sorted by the Russian collation, merged records every list leaves out,
-- INN+KPP unique among the live ones (the module's duplicate check and
-- this index behind it), DELETE making a record inactive.
CREATE TABLE t_kit.person (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    code text,
    inn text,
    kpp text,
    phones text[] NOT NULL DEFAULT '{}',
    emails text[] NOT NULL DEFAULT '{}',
    tags text[] NOT NULL DEFAULT '{}',
    main_phone text,
    merged_into bigint REFERENCES t_kit.person (id),
    active boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now(),
    version int NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX person_inn_kpp ON t_kit.person (inn, coalesce(kpp, ''))
    WHERE merged_into IS NULL AND inn IS NOT NULL;
CREATE UNIQUE INDEX person_code ON t_kit.person (code)
    WHERE merged_into IS NULL;
CREATE INDEX person_name ON t_kit.person (name COLLATE "ru-RU-x-icu", id)
    WHERE merged_into IS NULL;

-- a call with a person: a reference names only the live ones
CREATE TABLE t_kit.call (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES t_kit.person (id),
    topic text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    version int NOT NULL DEFAULT 1
);
