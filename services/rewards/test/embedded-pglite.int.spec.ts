import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { LiteSvmGateway, loadLiteSvmSnapshot, saveLiteSvmSnapshot } from '@groundtruth/programs';
import { migrate } from '@groundtruth/service-kit';
import type { Address } from '@solana/kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEpochs, verifyStoredEpoch } from '../src/epochs/epoch-commands.js';
import type { RewardsApp } from '../src/rewards.app.js';
import {
  chainFixture,
  insertDevices,
  insertScores,
  manifestPayouts,
  manualClock,
  rewardsApp,
  wallet,
  windowOf,
} from './fixture.js';

/**
 * The embedded mode's database: PGlite (no TimescaleDB) served over the PostgreSQL wire protocol by
 * pglite-socket, as the network runner starts it. The runner closes and pays an epoch on it, saving the LiteSVM
 * snapshot (its checkpoint) before the ledger records a payout as confirmed.
 */
const E = 5;
let db: PGlite;
let server: PGLiteSocketServer;
let pool: pg.Pool;
let app: RewardsApp;
let dir: string;
let fixture: Awaited<ReturnType<typeof chainFixture>>;
let checkpoints = 0;
const clock = manualClock(windowOf(E).closableAt + 1_000);

beforeAll(async () => {
  db = await PGlite.create();
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  await migrate(url, { log: () => {} });
  pool = new pg.Pool({ connectionString: url, max: 3 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'gt-embedded-'));
  fixture = await chainFixture(new LiteSvmGateway({ now: manualClock(1_800_000_000_000).now }));
}, 180_000);

afterAll(async () => {
  await app?.close();
  await pool?.end();
  await server?.stop();
  await db?.close();
  if (dir) {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('rewards on PGlite over pglite-socket', () => {
  it('closes, pays exactly the manifest, checkpoints the chain first, and verifies', async () => {
    // Given stations and their scores for epoch E, one without a wallet and one suspended
    const ids = await insertDevices(pool, [
      { tag: 'p1', lat: 52.1, lon: 5.1 },
      { tag: 'p2', lat: 52.3, lon: 5.1 },
      { tag: 'p3', lat: 52.5, lon: 5.1, owner: null },
      { tag: 'p4', lat: 52.7, lon: 5.1, status: 'suspended' },
    ]);
    await insertScores(
      pool,
      windowOf(E),
      ids.map((device, i) => ({ device, quality: 0.6 + i * 0.1 })),
    );
    app = await rewardsApp(pool, fixture.chain, {
      now: clock.now,
      env: { REWARDS_FIRST_EPOCH: String(E), REWARDS_SCORES_MAX_WAIT_SECONDS: '60' },
      checkpoint: async () => {
        checkpoints++;
        await saveLiteSvmSnapshot(fixture.gateway, dir);
      },
    });

    // When the runner's loop runs (as in the embedded network) until the epoch is paid
    app.start();
    const deadline = Date.now() + 30_000;
    while ((await listEpochs(pool))[0]?.payoutState !== 'paid' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await app.runner.stop();

    // Then the balances equal the manifest, and the chain saved before the ledger said "confirmed" has them
    const payouts = await manifestPayouts(pool, E);
    expect([...payouts.keys()].sort()).toEqual([wallet('p1'), wallet('p2')].sort());
    const saved = (await loadLiteSvmSnapshot(dir))!;
    for (const [w, amount] of payouts) {
      expect(await fixture.gateway.tokenBalance(w as Address, fixture.deployment.mint)).toBe(amount);
      expect(await saved.tokenBalance(w as Address, fixture.deployment.mint)).toBe(amount);
    }
    expect(checkpoints).toBeGreaterThanOrEqual(1);
    const report = await verifyStoredEpoch(pool, E, { gateway: fixture.gateway, mint: fixture.deployment.mint });
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
  });

  it('waits for scoring to finish an epoch, and closes it without scores after the configured maximum', async () => {
    // Given no scoring run for E+1: 30 s after it became closable, the runner waits
    clock.set(windowOf(E + 1).closableAt + 30_000);
    expect(await app.runner.runOnce()).toMatchObject({ closed: [] });

    // When 60 s have passed, it closes the epoch: every device without a score is reported, none is paid
    clock.set(windowOf(E + 1).closableAt + 60_000);
    expect(await app.runner.runOnce()).toMatchObject({ closed: [E + 1], paid: [{ status: 'paid' }] });
    const detail = (await listEpochs(pool))[0]!;
    expect(detail).toMatchObject({ epoch: E + 1, wallets: 0, amounts: { payout: '0' } });
    expect(await app.metrics.registry.metrics()).toMatch(/gt_rewards_epochs_closed_without_scores_total\{[^}]*\} 1\n/);
    const { rows } = await pool.query(`SELECT DISTINCT reason FROM reward_leaves WHERE epoch = $1 ORDER BY 1`, [E + 1]);
    expect(rows.map((r: { reason: string }) => r.reason)).toEqual(['no_score', 'suspended']);
  });
});
