-- clients: the search box finds what people type (issue 13).
--
-- «ооо кристалл», «кристалл ооо» and «Кристал» all find ООО «Кристалл»:
-- a counterparty's name and legal name are also stored as their words
-- (clients.name_words: lower case, ё = е, quotes and punctuation gone,
-- legal forms such as ООО or «Общество с ограниченной ответственностью»
-- gone), each with a trigram GIN index.  A search matches when every word
-- of the box is in the name, or every word in the legal name, in any
-- order; when nothing matches so, a word of five letters or more also
-- matches one letter off (pg_trgm word similarity).  The end of an INN (four digits or more) and
-- part of a phone (four digits or more, written any way) match too, each
-- through an index of its own.  The fragment search of 0006 stays as it
-- was: a fragment across words and punctuation («ооо «крист») still
-- matches the stored search_text.

-- The words of a name as the search compares them: lower case, ё -> е,
-- quotes and punctuation made spaces, legal forms (abbreviated or spelled
-- out) removed, one space between words.  `%` and `_` stay: they are
-- text to the search, never wildcards.  Spaces around the text bound the
-- legal forms (no \m: whether a Cyrillic letter is a word character
-- depends on the database's locale); the lookahead lets two forms in a
-- row go.
CREATE FUNCTION clients.name_words(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT btrim(regexp_replace(regexp_replace(regexp_replace(
        ' ' || regexp_replace(translate(lower($1), 'ё', 'е'),
            '[«»„“”‘’"''`.,;:!?()\[\]{}<>/\\|#№+&*=~^$@–—-]|\s', ' ', 'g')
            || ' ',
        ' (федеральное государственное унитарное предприятие'
        '|государственное унитарное предприятие'
        '|муниципальное унитарное предприятие'
        '|общество с ограниченной ответственностью'
        '|товарищество с ограниченной ответственностью'
        '|закрытое акционерное общество|открытое акционерное общество'
        '|публичное акционерное общество|непубличное акционерное общество'
        '|акционерное общество|индивидуальный предприниматель'
        '|автономная некоммерческая организация'
        '|некоммерческая организация)(?= )', ' ', 'g'),
        ' (ооо|ао|зао|оао|пао|нао|ип|тоо|гуп|муп|фгуп|нко|ано)(?= )', ' ',
        'g'), ' {2,}', ' ', 'g')) $$;

-- The words of the search box (NULL when none is left: a box of legal
-- forms or punctuation only is served by the fragment search alone).
CREATE FUNCTION clients.query_words(q text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT nullif(string_to_array(clients.name_words($1), ' '), '{}') $$;

-- The longest word of the box: the one the index looks up (the other
-- words are checked on the rows it finds, clients.words_match).
CREATE FUNCTION clients.query_key(q text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT w FROM unnest(clients.query_words($1)) WITH ORDINALITY
          AS x (w, i) ORDER BY length(w) DESC, i LIMIT 1 $$;

-- A LIKE pattern for text containing `w` (its wildcards escaped).
CREATE FUNCTION clients.like_any(w text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '%' || replace(replace(replace($1, '\', '\\'), '%', '\%'),
          '_', '\_') || '%' $$;

-- The words of the box as LIKE patterns, for `words LIKE ALL (...)`.
CREATE FUNCTION clients.query_patterns(q text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(clients.like_any(w))
          FROM unnest(clients.query_words($1)) w $$;

-- Whether a word may match one letter off: five letters or digits or
-- more (a shorter word one letter off is another word), nothing else
-- (pg_trgm splits at `_` and `%`, which the search takes as text), and a
-- letter among them (a number one digit off is another number: an INN
-- found its own record and two whose names held its last digits).
CREATE FUNCTION clients.fuzzy_word(w text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT length($1) >= 5 AND $1 ~ '^[0-9a-zа-я]+$'
          AND $1 ~ '[a-zа-я]' $$;

-- The key as the trigram index's similarity lookup (NULL: no fuzzy
-- match for it).
CREATE FUNCTION clients.query_fuzzy(q text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT k FROM clients.query_key($1) k
          WHERE clients.fuzzy_word(k) $$;

-- Whether every word `w` of the box is in `t` (a name's words): as a
-- fragment, or one letter off (word similarity at pg_trgm's threshold).
CREATE FUNCTION clients.words_match(t text, w text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT $1 IS NOT NULL AND $2 IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM unnest($2) x WHERE NOT ($1 LIKE clients.like_any(x)
          OR (clients.fuzzy_word(x) AND x <% $1))) $$;

-- The digits of the box when it is a number (digits and the signs a
-- phone is written with) of four digits or more, else NULL: the end of
-- an INN or part of a phone.
CREATE FUNCTION clients.query_digits(q text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT d FROM regexp_replace($1, '[^0-9]', '', 'g') d
          WHERE $1 ~ '^[0-9 ()+.-]+$' AND length(d) >= 4 $$;

-- A record's phones (E.164) as one text of digits, for part of a phone.
CREATE FUNCTION clients.phone_digits(p text[]) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate(array_to_string($1, ' '), '+', '') $$;

-- Stored, not only indexed: a trigram match is rechecked on the row, and
-- the words are compared again there (see search_text in 0006).
ALTER TABLE clients.counterparty
    ADD COLUMN name_words text
        GENERATED ALWAYS AS (clients.name_words(name)) STORED,
    ADD COLUMN legal_words text
        GENERATED ALWAYS AS (clients.name_words(legal_name)) STORED;
CREATE INDEX counterparty_name_words ON clients.counterparty
    USING gin (name_words gin_trgm_ops);
CREATE INDEX counterparty_legal_words ON clients.counterparty
    USING gin (legal_words gin_trgm_ops);
-- the end of an INN: a prefix of the reversed INN
CREATE INDEX counterparty_inn_end ON clients.counterparty
    (reverse(inn) text_pattern_ops);
CREATE INDEX counterparty_phone_digits ON clients.counterparty
    USING gin (clients.phone_digits(phones) gin_trgm_ops);
