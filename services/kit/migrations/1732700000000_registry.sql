-- Up Migration
-- Device registry: the signed evidence behind each device row, maker keys, single-use request nonces and an
-- append-only history of every change (registration, transfer, suspension, revocation, reinstatement).
-- Plain SQL: runs on PostgreSQL, TimescaleDB and PGlite alike.

-- The registration as signed: RFC 8785 request text (the message minus its `gt:v1:register:` prefix) and the
-- signatures, so anyone can re-check who bound the device to its first owner.
ALTER TABLE devices
  ADD COLUMN registration text,
  ADD COLUMN device_sig bytea,
  ADD COLUMN owner_sig bytea,
  ADD COLUMN maker_sig bytea;

-- Maker keys that may attest devices at manufacture (registered by operators).
CREATE TABLE makers (
  maker_key text PRIMARY KEY,
  name text NOT NULL,
  registered_by text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);

-- Nonces of accepted signed requests, kept until the request has expired (after that the expiry check refuses
-- a replay by itself). Scoped per device: a replay always names the same device.
CREATE TABLE registry_nonces (
  device_id text NOT NULL,
  nonce text NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('register', 'transfer')),
  expires_at timestamptz NOT NULL,
  used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, nonce)
);
CREATE INDEX registry_nonces_expires_idx ON registry_nonces (expires_at);

CREATE TABLE device_events (
  id bigserial PRIMARY KEY,
  device_id text NOT NULL REFERENCES devices (device_id),
  at timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL CHECK (action IN ('registered', 'transferred', 'suspended', 'revoked', 'reinstated')),
  -- the owner wallet for signed actions, the operator's name for operator actions
  actor text NOT NULL,
  reason text,
  from_owner text,
  to_owner text,
  -- the signed request and its signatures, for signed actions
  evidence jsonb
);
CREATE INDEX device_events_device_idx ON device_events (device_id, id);

-- Down Migration
DROP TABLE device_events;
DROP TABLE registry_nonces;
DROP TABLE makers;
ALTER TABLE devices
  DROP COLUMN maker_sig,
  DROP COLUMN owner_sig,
  DROP COLUMN device_sig,
  DROP COLUMN registration;
