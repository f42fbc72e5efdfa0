-- Up Migration
-- Registry, per-kind reading tables (hypertables when TimescaleDB is present), quarantine, per-device state.
-- Metric columns mirror protocol/src/catalogue.ts: a new metric is a new migration adding a column.

CREATE TABLE devices (
  device_id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('weather', 'vehicle', 'energy')),
  owner_wallet text,
  model text NOT NULL DEFAULT '',
  maker text,
  declared_lat double precision,
  declared_lon double precision,
  declared_alt double precision,
  interval_s integer NOT NULL DEFAULT 60 CHECK (interval_s > 0),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
  status_reason text,
  registered_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_owner_idx ON devices (owner_wallet);

CREATE TABLE readings_weather (
  device_id text NOT NULL,
  seq bigint NOT NULL,
  ts timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  lat double precision,
  lon double precision,
  alt double precision,
  hdop real,
  sats smallint,
  temperature double precision,
  humidity double precision,
  dew_point double precision,
  pressure double precision,
  wind_speed double precision,
  wind_gust double precision,
  wind_direction double precision,
  rain_rate double precision,
  rain_daily double precision,
  solar_irradiance double precision,
  uv_index double precision,
  -- provenance: the RFC 8785 body exactly as signed (or as Merkle leaf), and what proves it
  body text NOT NULL,
  sig bytea NOT NULL,
  batch_root bytea,
  batch_index integer,
  batch_size integer,
  proof bytea,
  qflags integer NOT NULL DEFAULT 0,
  PRIMARY KEY (device_id, seq, ts)
);
CREATE INDEX readings_weather_ts_idx ON readings_weather (ts DESC);

CREATE TABLE readings_vehicle (
  device_id text NOT NULL,
  seq bigint NOT NULL,
  ts timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  lat double precision,
  lon double precision,
  alt double precision,
  hdop real,
  sats smallint,
  speed double precision,
  rpm double precision,
  coolant_temperature double precision,
  fuel_level double precision,
  engine_load double precision,
  odometer double precision,
  gnss_fix double precision,
  -- provenance: the RFC 8785 body exactly as signed (or as Merkle leaf), and what proves it
  body text NOT NULL,
  sig bytea NOT NULL,
  batch_root bytea,
  batch_index integer,
  batch_size integer,
  proof bytea,
  qflags integer NOT NULL DEFAULT 0,
  PRIMARY KEY (device_id, seq, ts)
);
CREATE INDEX readings_vehicle_ts_idx ON readings_vehicle (ts DESC);

CREATE TABLE readings_energy (
  device_id text NOT NULL,
  seq bigint NOT NULL,
  ts timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  lat double precision,
  lon double precision,
  alt double precision,
  hdop real,
  sats smallint,
  energy_import_t1 double precision,
  energy_import_t2 double precision,
  energy_export_t1 double precision,
  energy_export_t2 double precision,
  power_import double precision,
  power_export double precision,
  voltage_l1 double precision,
  voltage_l2 double precision,
  voltage_l3 double precision,
  current_l1 double precision,
  current_l2 double precision,
  current_l3 double precision,
  -- provenance: the RFC 8785 body exactly as signed (or as Merkle leaf), and what proves it
  body text NOT NULL,
  sig bytea NOT NULL,
  batch_root bytea,
  batch_index integer,
  batch_size integer,
  proof bytea,
  qflags integer NOT NULL DEFAULT 0,
  PRIMARY KEY (device_id, seq, ts)
);
CREATE INDEX readings_energy_ts_idx ON readings_energy (ts DESC);

CREATE TABLE quarantine (
  received_at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL,
  topic text NOT NULL,
  device_id text,
  seq bigint,
  detail text NOT NULL DEFAULT '',
  payload bytea NOT NULL,
  payload_bytes integer NOT NULL
);
CREATE INDEX quarantine_received_idx ON quarantine (received_at DESC);
CREATE INDEX quarantine_device_idx ON quarantine (device_id, received_at DESC);

CREATE TABLE device_state (
  device_id text PRIMARY KEY,
  high_seq bigint NOT NULL,
  readings bigint NOT NULL DEFAULT 0,
  last_ts timestamptz,
  last_received_at timestamptz
);

CREATE TABLE seq_gaps (
  device_id text NOT NULL,
  from_seq bigint NOT NULL,
  to_seq bigint NOT NULL,
  detected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, from_seq)
);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM create_hypertable('readings_weather', 'ts', chunk_time_interval => interval '1 day');
    PERFORM create_hypertable('readings_vehicle', 'ts', chunk_time_interval => interval '1 day');
    PERFORM create_hypertable('readings_energy', 'ts', chunk_time_interval => interval '1 day');
    PERFORM create_hypertable('quarantine', 'received_at', chunk_time_interval => interval '7 days');
  END IF;
END
$$;

-- Down Migration
DROP TABLE seq_gaps;
DROP TABLE device_state;
DROP TABLE quarantine;
DROP TABLE readings_energy;
DROP TABLE readings_vehicle;
DROP TABLE readings_weather;
DROP TABLE devices;
