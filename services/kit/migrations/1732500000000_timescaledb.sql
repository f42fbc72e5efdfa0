-- Up Migration
-- TimescaleDB when this server has it (installed and preloaded); plain PostgreSQL and PGlite run the same
-- migrations without it. Later migrations test pg_extension before creating hypertables.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    RAISE NOTICE 'timescaledb is not available: plain PostgreSQL tables';
  ELSIF current_setting('shared_preload_libraries', true) !~ '(^|[\s,])"?timescaledb"?([\s,]|$)' THEN
    -- CREATE EXTENSION would fail without the preload; say so instead of silently losing hypertables.
    RAISE WARNING 'timescaledb is installed but not in shared_preload_libraries: plain PostgreSQL tables';
  ELSE
    CREATE EXTENSION IF NOT EXISTS timescaledb;
  END IF;
END
$$;

-- Down Migration
DROP EXTENSION IF EXISTS timescaledb;
