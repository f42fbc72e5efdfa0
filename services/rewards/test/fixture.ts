import { createHash } from 'node:crypto';
import {
  canonicalizeReadingBody,
  keyPairFromSeed,
  TweetnaclSigner,
  type DeviceKeyPair,
  type HardwareKind,
  type ReadingBody,
} from '@groundtruth/protocol';
import { createRewardToken, LiteSvmGateway, type SolanaGateway } from '@groundtruth/programs';
import { migrate, parseConfig, silentLogger } from '@groundtruth/service-kit';
import { generateKeyPairSigner } from '@solana/kit';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, dropDatabase } from '../../../test/setup/services.js';
import { HoursRepository } from '../../scoring/src/db/hours.repository.js';
import { ScoresRepository } from '../../scoring/src/db/scores.repository.js';
import { ScoringJob } from '../../scoring/src/job/scoring.job.js';
import type { PayoutChain, PayoutHooks } from '../src/chain/payout.service.js';
import { epochWindow, type EpochWindow } from '../src/core/epoch-calendar.js';
import type { EpochScore } from '../src/core/types.js';
import type { EpochScoreSource } from '../src/db/score-source.js';
import { createRewardsApp, type RewardsApp } from '../src/rewards.app.js';
import { rewardsConfigSchema } from '../src/rewards.config.js';

export const HOUR = 3_600_000;
/** Hourly epochs from 2026-01-01 (scoring scores whole UTC hours); 5 minutes' grace. */
export const GENESIS = Date.UTC(2026, 0, 1);

/** A manual clock (ms); `set` and `advance` move it. */
export function manualClock(start: number) {
  let t = start;
  return { now: () => t, set: (ms: number) => void (t = ms), advance: (ms: number) => void (t += ms) };
}

/** A fresh, migrated database in the private cluster; `cleanup` drops it. */
export async function freshDatabase(): Promise<{ pool: pg.Pool; url: string; cleanup: () => Promise<void> }> {
  const url = await createDatabase(inject('databaseUrl'));
  await migrate(url, { log: () => {} });
  const pool = new pg.Pool({ connectionString: url, max: 6 });
  return {
    pool,
    url,
    cleanup: async () => {
      await pool.end();
      await dropDatabase(url);
    },
  };
}

/** Deterministic device / wallet keys: base58 ed25519 public keys (wallets have the same form). */
export function keys(tag: string): DeviceKeyPair {
  return keyPairFromSeed(createHash('sha256').update(tag).digest());
}

export function wallet(tag: string): string {
  return keys(`wallet:${tag}`).deviceId;
}

export interface DeviceSpec {
  readonly tag: string;
  readonly kind?: HardwareKind;
  readonly owner?: string | null;
  readonly status?: 'active' | 'suspended' | 'revoked';
  readonly lat?: number | null;
  readonly lon?: number | null;
  readonly model?: string;
}

/** Registers devices directly in the registry's table (registered a day before genesis). */
export async function insertDevices(pool: pg.Pool, specs: readonly DeviceSpec[]): Promise<string[]> {
  const ids = specs.map((s) => keys(`device:${s.tag}`).deviceId);
  await pool.query(
    `INSERT INTO devices (device_id, kind, owner_wallet, model, declared_lat, declared_lon, interval_s, status, registered_at)
     SELECT d, k, o, m, la, lo, 60, s, $8 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::text[])
       AS t(d, k, o, m, la, lo, s)`,
    [
      ids,
      specs.map((s) => s.kind ?? 'weather'),
      specs.map((s) => (s.owner === undefined ? wallet(s.tag) : s.owner)),
      specs.map((s) => s.model ?? 'WS-BASIC'),
      specs.map((s) => (s.lat === undefined ? 52.0 + ids.indexOf(keys(`device:${s.tag}`).deviceId) * 0.05 : s.lat)),
      specs.map((s) => (s.lon === undefined ? 5.1 : s.lon)),
      specs.map((s) => s.status ?? 'active'),
      new Date(GENESIS - 24 * HOUR),
    ],
  );
  const suspended = ids.filter((_, i) => specs[i]!.status !== undefined && specs[i]!.status !== 'active');
  for (const id of suspended) {
    const status = specs[ids.indexOf(id)]!.status!;
    await pool.query(
      `INSERT INTO device_events (device_id, at, action, actor, reason) VALUES ($1, $2, $3, 'operator', 'test')`,
      [id, new Date(GENESIS - 23 * HOUR), status],
    );
  }
  return ids;
}

/** Suspends or reinstates a device as the registry does: the row's status and an event at `at`. */
export async function setDeviceStatus(
  pool: pg.Pool,
  device: string,
  status: 'active' | 'suspended' | 'revoked',
  at: number,
): Promise<void> {
  await pool.query(`UPDATE devices SET status = $2 WHERE device_id = $1`, [device, status]);
  await pool.query(
    `INSERT INTO device_events (device_id, at, action, actor, reason) VALUES ($1, $2, $3, 'operator', 'test')`,
    [device, new Date(at), status === 'active' ? 'reinstated' : status],
  );
}

/** Gives a device a new owner wallet as a registry transfer does. */
export async function setDeviceOwner(pool: pg.Pool, device: string, owner: string, at: number): Promise<void> {
  const { rows } = await pool.query<{ owner_wallet: string | null }>(
    `UPDATE devices d SET owner_wallet = $2 FROM devices old WHERE d.device_id = $1 AND old.device_id = d.device_id
     RETURNING old.owner_wallet`,
    [device, owner],
  );
  await pool.query(
    `INSERT INTO device_events (device_id, at, action, actor, from_owner, to_owner) VALUES ($1, $2, 'transferred', $3, $4, $3)`,
    [device, new Date(at), owner, rows[0]?.owner_wallet ?? null],
  );
}

/** Writes scores as the scoring service does, and marks the epoch's scheduled run done. */
export async function insertScores(
  pool: pg.Pool,
  window: EpochWindow,
  scores: readonly { device: string; kind?: HardwareKind; quality: number; location?: number; version?: string }[],
): Promise<void> {
  const start = new Date(window.startsAt);
  const end = new Date(window.endsAt);
  await pool.query(
    `INSERT INTO device_epoch_scores (epoch_start, epoch_end, device_id, version, kind, quality, location_score, availability, reasons, breakdown, examples)
     SELECT $1, $2, d, v, k, q, l, 1, '{}', '{}', '[]' FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[]) AS t(d, v, k, q, l)`,
    [
      start,
      end,
      scores.map((s) => s.device),
      scores.map((s) => s.version ?? 'qod-1.0.0'),
      scores.map((s) => s.kind ?? 'weather'),
      scores.map((s) => s.quality),
      scores.map((s) => s.location ?? 1),
    ],
  );
  await pool.query(
    `INSERT INTO rescoring_runs (kind, requested_by, epoch_start, epoch_end, version, status, finished_at, devices_scored)
     VALUES ('scheduled', 'test', $1, $2, 'qod-1.0.0', 'done', now(), $3)`,
    [start, end, scores.length],
  );
}

/** Signed weather readings, one a minute over [from, to), stored as the ingest stores them (with provenance). */
export async function insertWeatherReadings(
  pool: pg.Pool,
  tag: string,
  from: number,
  to: number,
  loc: { lat: number; lon: number },
) {
  const pair = keys(`device:${tag}`);
  const signer = new TweetnaclSigner(pair);
  const rows: { seq: number; ts: number; body: string; sig: Buffer; t: number; h: number; p: number }[] = [];
  for (let ts = from, seq = 1; ts < to; ts += 60_000, seq++) {
    const t = 11 + Math.sin(seq / 20) * 2;
    const h = 80 + Math.cos(seq / 30) * 5;
    const p = 101_300 + Math.sin(seq / 50) * 40;
    const body: ReadingBody = {
      v: 1,
      device: pair.deviceId,
      kind: 'weather',
      seq,
      ts,
      loc: { lat: loc.lat, lon: loc.lon },
      metrics: {
        temperature: t,
        humidity: h,
        pressure: p,
        wind_speed: 3 + (seq % 5) / 2,
        wind_direction: (seq * 7) % 360,
      },
    };
    const text = canonicalizeReadingBody(body);
    rows.push({ seq, ts, body: text, sig: Buffer.from(signer.sign(Buffer.from(text))), t, h, p });
  }
  await pool.query(
    `INSERT INTO readings_weather (device_id, seq, ts, received_at, lat, lon, temperature, humidity, pressure, wind_speed, wind_direction, body, sig)
     SELECT $1, s, to_timestamp(ts / 1000.0), to_timestamp(ts / 1000.0 + 1), $2, $3, t, h, p, 3 + (s % 5) / 2.0, (s * 7) % 360, b, g
     FROM unnest($4::bigint[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::text[], $10::bytea[]) AS u(s, ts, t, h, p, b, g)`,
    [
      pair.deviceId,
      loc.lat,
      loc.lon,
      rows.map((r) => r.seq),
      rows.map((r) => r.ts),
      rows.map((r) => r.t),
      rows.map((r) => r.h),
      rows.map((r) => r.p),
      rows.map((r) => r.body),
      rows.map((r) => r.sig),
    ],
  );
  return pair.deviceId;
}

/** LiteSVM on a manual clock with the reward token created; the payer is the mint authority. */
export async function chainFixture(gateway = new LiteSvmGateway({ now: manualClock(1_800_000_000_000).now })) {
  const payer = await generateKeyPairSigner();
  gateway.airdrop(payer.address, 10_000_000_000_000n);
  const deployment = await createRewardToken({
    gateway,
    cluster: 'litesvm',
    payer,
    authority: { kind: 'keypair', address: payer.address },
    treasuryOwner: payer.address,
  });
  const chain: PayoutChain = { gateway, mint: deployment.mint, authority: { kind: 'keypair', signer: payer }, payer };
  return { gateway, chain, deployment, payer };
}

export const baseEnv: Record<string, string> = {
  DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
  REWARDS_GENESIS: new Date(GENESIS).toISOString(),
  REWARDS_EPOCH_SECONDS: '3600',
  REWARDS_GRACE_SECONDS: '300',
  REWARDS_EMISSION_PER_EPOCH: '1000000000',
  REWARDS_SPLIT: 'weather:60,vehicle:20,energy:20',
  REWARDS_MIN_QUALITY: '0.5',
  REWARDS_CELL_CAPACITY: 'weather:2,vehicle:0,energy:2',
  REWARDS_RETRY_BASE_MS: '1',
  REWARDS_RETRY_MAX_MS: '5',
  REWARDS_POLL_MS: '1',
  LOG_LEVEL: 'error',
};

/** The rewards app on a test database and chain, with a clock the test moves. */
export async function rewardsApp(
  pool: pg.Pool,
  chain: PayoutChain,
  options: {
    env?: Record<string, string>;
    now?: () => number;
    hooks?: PayoutHooks;
    scores?: EpochScoreSource;
    gateway?: SolanaGateway;
    checkpoint?: () => Promise<void>;
  } = {},
): Promise<RewardsApp> {
  const config = parseConfig(rewardsConfigSchema, { ...baseEnv, ...options.env });
  return createRewardsApp(config, {
    pool,
    chain: options.gateway ? { ...chain, gateway: options.gateway } : chain,
    logger: silentLogger,
    now: options.now ?? (() => GENESIS + 100 * HOUR),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.scores ? { scores: options.scores } : {}),
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
  });
}

/** The test calendar: hourly epochs from GENESIS, 5 minutes' grace (as in `baseEnv`). */
export const calendar = { genesisMs: GENESIS, durationMs: HOUR, graceMs: 5 * 60_000 };
export const windowOf = (epoch: number): EpochWindow => epochWindow(calendar, epoch);

/** The scoring service's own job, run over the stored readings of an epoch (writes device_epoch_scores). */
export function scoringJob(pool: pg.Pool): ScoringJob {
  return new ScoringJob(pool, new HoursRepository(pool), new ScoresRepository(pool), { logger: silentLogger });
}

/** Scores an epoch from its stored readings as the scoring service's scheduled run does. */
export async function scoreFromReadings(pool: pg.Pool, epoch: number): Promise<void> {
  const w = windowOf(epoch);
  await scoringJob(pool).scoreEpoch(w.startsAt, w.endsAt);
}

/** `verify`'s score recomputation: the scoring job re-run over the stored readings. */
export function recomputeWithScoring(pool: pg.Pool) {
  return async (epoch: number): Promise<EpochScore[]> => {
    const w = windowOf(epoch);
    const run = await scoringJob(pool).scoreEpoch(w.startsAt, w.endsAt, { kind: 'rescore', requestedBy: 'verify' });
    return run.scores.map((s) => ({
      device: s.device,
      kind: s.kind,
      quality: s.quality,
      locationScore: s.locationScore,
      reasons: s.reasons,
      algorithmVersion: s.version,
    }));
  };
}

/** What the manifest of an epoch pays each wallet (leaves paid now: rewarded and released). */
export async function manifestPayouts(pool: pg.Pool, epoch: number): Promise<Map<string, bigint>> {
  const { rows } = await pool.query<{ owner_wallet: string; amount: string }>(
    `SELECT owner_wallet, sum(amount)::text AS amount FROM reward_leaves
      WHERE epoch = $1 AND reason IN ('rewarded', 'released') AND amount > 0 GROUP BY owner_wallet`,
    [epoch],
  );
  return new Map(rows.map((r) => [r.owner_wallet, BigInt(r.amount)]));
}

/** The ledger's transactions of an epoch. */
export async function payoutTxs(pool: pg.Pool, epoch: number) {
  const { rows } = await pool.query<{
    part: number;
    state: string;
    signature: string | null;
    signings: number;
    sends: number;
    errors: number;
    prior_signatures: string[];
    last_error: string | null;
  }>(
    `SELECT part, state, signature, signings, sends, errors, prior_signatures, last_error FROM reward_payout_txs
      WHERE epoch = $1 ORDER BY part`,
    [epoch],
  );
  return rows;
}
