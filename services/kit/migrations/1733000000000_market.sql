-- Up Migration
-- Dataset market: signed quotes (orders), verified on-chain payments (a transaction pays at most one order),
-- the devices' revenue share of each sale, export jobs with their signed manifests, and single-use nonces of
-- owners' signed download requests. Amounts are token base units (u64) in numeric(20,0). Plain SQL.

CREATE TABLE market_orders (
  order_id text PRIMARY KEY,
  -- the frozen query (kind, metrics, region, time range, minimum quality, asOf) the quote prices
  query jsonb NOT NULL,
  rows bigint NOT NULL CHECK (rows > 0),
  devices integer NOT NULL,
  unit_price numeric(20, 0) NOT NULL,
  multiplier_bps integer NOT NULL CHECK (multiplier_bps > 0),
  amount numeric(20, 0) NOT NULL CHECK (amount > 0),
  mint text NOT NULL,
  treasury text NOT NULL,
  memo text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  -- the quote exactly as signed and handed to the buyer
  quote jsonb NOT NULL,
  status text NOT NULL DEFAULT 'quoted' CHECK (status IN ('quoted', 'paid')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX market_orders_created_idx ON market_orders (created_at DESC);

CREATE TABLE market_payments (
  -- the primary key is what refuses a transaction reused for a second order (TX_REUSED)
  tx_signature text PRIMARY KEY,
  order_id text NOT NULL UNIQUE REFERENCES market_orders (order_id),
  amount numeric(20, 0) NOT NULL,
  paid_at timestamptz NOT NULL,
  verified_at timestamptz NOT NULL DEFAULT now()
);

-- The devices' share of a sale, pro rata to the rows each contributed; paid to the device's owner through
-- the next epoch's payouts (services/rewards reads these rows).
CREATE TABLE market_revenue_shares (
  order_id text NOT NULL REFERENCES market_orders (order_id),
  device_id text NOT NULL,
  -- the owner when the sale was paid (the payout goes to the owner at payout time, see rewards)
  owner_wallet text,
  rows bigint NOT NULL CHECK (rows > 0),
  amount numeric(20, 0) NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, device_id)
);
CREATE INDEX market_revenue_shares_device_idx ON market_revenue_shares (device_id, created_at DESC);
CREATE INDEX market_revenue_shares_created_idx ON market_revenue_shares (created_at);

CREATE TABLE market_exports (
  export_id text PRIMARY KEY,
  order_id text NOT NULL REFERENCES market_orders (order_id),
  format text NOT NULL CHECK (format IN ('csv', 'jsonl', 'parquet')),
  state text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  rows_expected bigint NOT NULL,
  rows_written bigint NOT NULL DEFAULT 0,
  bytes_written bigint NOT NULL DEFAULT 0,
  manifest jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX market_exports_order_idx ON market_exports (order_id, created_at DESC);

-- Nonces of owners' signed download requests, kept until the request expires (then expiry refuses a replay).
CREATE TABLE market_owner_nonces (
  device_id text NOT NULL,
  nonce text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, nonce)
);
CREATE INDEX market_owner_nonces_expires_idx ON market_owner_nonces (expires_at);

-- Down Migration
DROP TABLE market_owner_nonces;
DROP TABLE market_exports;
DROP TABLE market_revenue_shares;
DROP TABLE market_payments;
DROP TABLE market_orders;
