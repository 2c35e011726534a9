-- The core's schema.  core.migration itself is created by the migration
-- runner before any file is applied (it records this one).
COMMENT ON SCHEMA core IS 'Kedr core: migrations, and later users, roles, sessions, audit, outbox';

-- Trigram search on names, INN and phones (DESIGN.md section 5); trusted
-- in PostgreSQL 13+, so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
