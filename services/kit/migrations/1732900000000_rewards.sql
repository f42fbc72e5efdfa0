-- Up Migration
-- Rewards: closed epochs with their parameters and Merkle root, the inputs each epoch was computed from (so
-- `epoch verify` can recompute it), the manifest leaves, credits from outside (dataset-sale revenue share),
-- rewards held for devices without a usable wallet, and the exactly-once payout ledger. Amounts are token base
-- units (u64) in numeric(20,0). Plain SQL: PostgreSQL, TimescaleDB and PGlite alike.

CREATE TABLE reward_epochs (
  epoch bigint PRIMARY KEY,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  closed_at timestamptz NOT NULL DEFAULT now(),
  algorithm_version text NOT NULL,
  -- the reward parameters used (emission, split, threshold, cell capacity, multipliers), as canonical JSON
  params jsonb NOT NULL,
  emission numeric(20, 0) NOT NULL,
  root text NOT NULL CHECK (root ~ '^[0-9a-f]{64}$'),
  leaf_count integer NOT NULL,
  -- what the leaves add up to: emission given to devices, held back, released from earlier holds, credited
  rewarded numeric(20, 0) NOT NULL,
  held numeric(20, 0) NOT NULL,
  released numeric(20, 0) NOT NULL,
  credited numeric(20, 0) NOT NULL,
  payout_total numeric(20, 0) NOT NULL,
  wallets integer NOT NULL,
  parts integer NOT NULL CHECK (parts >= 1),
  payout_state text NOT NULL DEFAULT 'pending' CHECK (payout_state IN ('pending', 'paid')),
  paid_at timestamptz
);

-- Inputs as they were at close: each device's registry row and the score the scoring service gave it.
CREATE TABLE reward_epoch_devices (
  epoch bigint NOT NULL REFERENCES reward_epochs (epoch),
  device_id text NOT NULL,
  kind text NOT NULL,
  model text NOT NULL,
  owner_wallet text,
  status text NOT NULL,
  lat double precision,
  lon double precision,
  -- NULL when the scoring service gave the device no score for the epoch
  quality double precision,
  location_score double precision,
  score_reasons jsonb,
  scoring_version text,
  cell text,
  PRIMARY KEY (epoch, device_id)
);

-- Manifest leaves in tree order; `leaf` is the RFC 8785 JSON exactly as hashed.
CREATE TABLE reward_leaves (
  epoch bigint NOT NULL REFERENCES reward_epochs (epoch),
  idx integer NOT NULL,
  device_id text,
  owner_wallet text,
  source text NOT NULL,
  reason text NOT NULL,
  amount numeric(20, 0) NOT NULL,
  leaf text NOT NULL,
  PRIMARY KEY (epoch, idx)
);
CREATE INDEX reward_leaves_device_idx ON reward_leaves (device_id, epoch);

-- Amounts owed from outside the emission, e.g. a device's share of a dataset sale (source 'sale:<order>').
-- Insert with epoch NULL (= the next epoch to close) or a target epoch; the epoch engine claims every open
-- credit at close (sets epoch and claimed_at) and pays it in that epoch's payouts. Exactly one of device/wallet.
CREATE TABLE reward_credits (
  id bigserial PRIMARY KEY,
  device_id text,
  wallet text,
  amount numeric(20, 0) NOT NULL CHECK (amount > 0),
  source text NOT NULL CHECK (source <> ''),
  created_at timestamptz NOT NULL DEFAULT now(),
  epoch bigint,
  claimed_at timestamptz,
  CHECK ((device_id IS NULL) <> (wallet IS NULL))
);
-- One credit per (source, beneficiary): inserting it again is a no-op (ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX reward_credits_once_idx ON reward_credits (source, coalesce(device_id, ''), coalesce(wallet, ''));
CREATE INDEX reward_credits_epoch_idx ON reward_credits (epoch);

-- Rewards earned by a device that could not be paid (no usable wallet, suspended): kept until an epoch close
-- finds the device active with a wallet, which pays them (released_epoch).
CREATE TABLE reward_holds (
  epoch bigint NOT NULL,
  device_id text NOT NULL,
  source text NOT NULL,
  amount numeric(20, 0) NOT NULL CHECK (amount > 0),
  reason text NOT NULL,
  released_epoch bigint,
  PRIMARY KEY (epoch, device_id, source)
);
CREATE INDEX reward_holds_device_idx ON reward_holds (device_id, released_epoch);

-- The payout ledger: one row per (epoch, owner wallet), with the transaction (part) that pays it.
CREATE TABLE reward_payouts (
  epoch bigint NOT NULL REFERENCES reward_epochs (epoch),
  wallet text NOT NULL,
  amount numeric(20, 0) NOT NULL CHECK (amount > 0),
  part integer NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'signed', 'confirmed')),
  signature text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (epoch, wallet)
);
CREATE INDEX reward_payouts_wallet_idx ON reward_payouts (wallet, epoch);

-- One row per payout transaction. The signature, its blockhash's last valid height and the signed bytes are
-- committed BEFORE the transaction is sent: after a crash the runner asks the chain about that signature and
-- re-signs only once the blockhash has expired and the chain has never seen it.
CREATE TABLE reward_payout_txs (
  epoch bigint NOT NULL REFERENCES reward_epochs (epoch),
  part integer NOT NULL,
  parts integer NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'signed', 'confirmed')),
  signature text UNIQUE,
  blockhash text,
  last_valid_block_height bigint,
  wire text,
  signings integer NOT NULL DEFAULT 0,
  sends integer NOT NULL DEFAULT 0,
  errors integer NOT NULL DEFAULT 0,
  prior_signatures text[] NOT NULL DEFAULT '{}',
  last_error text,
  slot bigint,
  confirmed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (epoch, part),
  CHECK (part >= 1 AND part <= parts)
);

-- Down Migration
DROP TABLE reward_payout_txs;
DROP TABLE reward_payouts;
DROP TABLE reward_holds;
DROP TABLE reward_credits;
DROP TABLE reward_leaves;
DROP TABLE reward_epoch_devices;
DROP TABLE reward_epochs;
