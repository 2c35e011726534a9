-- catalog on the resource kit (issue 13): the kit sorts and searches the
-- columns themselves.
--
-- Names sort in Russian alphabetical order (Ё next to Е) as the column's
-- own collation, so that the kit's ORDER BY name and its keyset compare
-- the way the name index is built.
ALTER TABLE catalog.product ALTER COLUMN name TYPE text COLLATE "ru-RU-x-icu";
ALTER TABLE catalog.product_group ALTER COLUMN name TYPE text COLLATE "ru-RU-x-icu";
DROP INDEX catalog.product_name;
CREATE INDEX product_name ON catalog.product (name, id);

-- q= finds each word in the article or in the name, one trigram index
-- per column (the kit's search is a column ILIKE a pattern); without the
-- pending list, so that rows just imported are searched through the
-- index at once.
DROP INDEX catalog.product_search_trgm;
CREATE INDEX product_sku_trgm ON catalog.product
    USING gin (sku gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX product_name_trgm ON catalog.product
    USING gin (name gin_trgm_ops) WITH (fastupdate = off);
