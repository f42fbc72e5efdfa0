-- Up Migration
-- Quality scoring (services/scoring): sparse per-reading flags, per device-hour rollups, per device-epoch
-- scores with their breakdown and reasons, the re-scoring ledger (appeals) and the hourly job's watermark.
-- Every row carries the algorithm version that produced it. Plain SQL: PostgreSQL, TimescaleDB and PGlite.

-- Only flagged readings get a row (updating every reading would cost more than scoring it).
CREATE TABLE reading_flags (
  device_id text NOT NULL,
  ts timestamptz NOT NULL,
  seq bigint NOT NULL,
  version text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('weather', 'vehicle', 'energy')),
  -- bit i = check i of the version's check list (services/scoring/src/core/checks.ts)
  flags integer NOT NULL,
  checks text[] NOT NULL,
  -- the variables implicated
  variables text[] NOT NULL,
  PRIMARY KEY (device_id, ts, seq, version)
);

-- One row per device-hour with data (or quarantine evidence). Arrays are indexed like the version's variable
-- list of the kind (var_*) and check list (check_*); see SCORING.md.
CREATE TABLE device_hour (
  device_id text NOT NULL,
  hour timestamptz NOT NULL,
  version text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('weather', 'vehicle', 'energy')),
  n integer NOT NULL,
  expected double precision NOT NULL,
  availability double precision NOT NULL,
  quality double precision NOT NULL,
  flagged integer NOT NULL,
  seq_gaps bigint NOT NULL,
  var_present integer[] NOT NULL,
  var_valid integer[] NOT NULL,
  var_mean double precision[] NOT NULL,
  check_fail integer[] NOT NULL,
  check_loss double precision[] NOT NULL,
  obs_n integer NOT NULL,
  obs_lat double precision,
  obs_lon double precision,
  loc_mismatch integer NOT NULL,
  clock_lag_min_s double precision,
  solar_index double precision,
  hour_flags integer NOT NULL,
  detail jsonb,
  PRIMARY KEY (device_id, hour, version)
);
CREATE INDEX device_hour_version_hour_idx ON device_hour (version, hour);

-- What rewards consume: one row per device and epoch and algorithm version.
CREATE TABLE device_epoch_scores (
  epoch_start timestamptz NOT NULL,
  epoch_end timestamptz NOT NULL,
  device_id text NOT NULL,
  version text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('weather', 'vehicle', 'energy')),
  quality double precision NOT NULL CHECK (quality >= 0 AND quality <= 1),
  location_score double precision NOT NULL CHECK (location_score >= 0 AND location_score <= 1),
  availability double precision NOT NULL,
  reasons text[] NOT NULL,
  breakdown jsonb NOT NULL,
  -- a few flagged readings and hour-level findings per costly check (for "why did my device score 0.62?")
  examples jsonb NOT NULL,
  scored_at timestamptz NOT NULL DEFAULT now(),
  run_id bigint,
  PRIMARY KEY (epoch_start, epoch_end, device_id, version),
  CHECK (epoch_end > epoch_start)
);
CREATE INDEX device_epoch_scores_device_idx ON device_epoch_scores (device_id, epoch_start DESC);

-- Every scoring of an epoch (scheduled, re-score, appeal): who asked, why, with which version, and a digest of
-- the scores it wrote, so running it again can be shown to give the same result.
CREATE TABLE rescoring_runs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('scheduled', 'rescore', 'appeal')),
  requested_by text NOT NULL,
  reason text NOT NULL DEFAULT '',
  device_id text,
  epoch_start timestamptz NOT NULL,
  epoch_end timestamptz NOT NULL,
  version text NOT NULL,
  previous_version text,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  requested_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  devices_scored integer,
  digest text,
  error text
);
CREATE INDEX rescoring_runs_device_idx ON rescoring_runs (device_id, epoch_start);

-- How far the hourly job has scored, per algorithm version.
CREATE TABLE scoring_progress (
  version text PRIMARY KEY,
  scored_until timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM create_hypertable('reading_flags', 'ts', chunk_time_interval => interval '7 days');
    PERFORM create_hypertable('device_hour', 'hour', chunk_time_interval => interval '7 days');
  END IF;
END
$$;

-- Down Migration
DROP TABLE scoring_progress;
DROP TABLE rescoring_runs;
DROP TABLE device_epoch_scores;
DROP TABLE device_hour;
DROP TABLE reading_flags;
