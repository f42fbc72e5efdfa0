import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { verifyInclusionProof } from '@groundtruth/protocol';
import { LiteSvmGateway, saveLiteSvmSnapshot, writeDeployment } from '@groundtruth/programs';
import type { Address } from '@solana/kit';
import { latLngToCell } from 'h3-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RewardLeaf } from '../src/core/manifest.js';
import {
  formatEpochDetail,
  formatEpochList,
  listEpochs,
  showEpoch,
  verifyStoredEpoch,
} from '../src/epochs/epoch-commands.js';
import type { RewardsApp } from '../src/rewards.app.js';
import { DirectoryEpochData, exportEpoch, PgEpochData } from '../src/verify/epoch-data.js';
import { runRewardsCli } from '../src/verify/verify.cli.js';
import { verifyEpoch } from '../src/verify/verify-epoch.js';
import { Database } from '../src/db/database.js';
import { EpochsRepository } from '../src/db/epochs.repository.js';
import { InputsRepository } from '../src/db/inputs.repository.js';
import { PayoutsRepository } from '../src/db/payouts.repository.js';
import {
  chainFixture,
  freshDatabase,
  HOUR,
  insertDevices,
  insertWeatherReadings,
  manifestPayouts,
  manualClock,
  payoutTxs,
  recomputeWithScoring,
  rewardsApp,
  scoreFromReadings,
  setDeviceOwner,
  setDeviceStatus,
  wallet,
  windowOf,
} from './fixture.js';

/**
 * The whole rewards path over real stored readings: signed readings in readings_weather → the scoring service's
 * job → device_epoch_scores → epoch close (manifest, Merkle root) → SPL mints on LiteSVM → `epoch verify`.
 * Hourly epochs; K = 2 weather stations rewarded per H3 cell; minimum quality 0.5; 1,000 tokens per epoch, 60% to
 * weather.
 */
const E = 10;
const HERE = { lat: 52.0907, lon: 5.1214 };
const near = (i: number) => ({ lat: HERE.lat + i * 0.0004, lon: HERE.lon });
const spots = {
  a: near(0),
  b: near(1),
  c: near(2),
  d: { lat: 52.5, lon: 5.1 },
  e: { lat: 53.0, lon: 5.1 },
  f: { lat: 53.5, lon: 5.1 },
  g: { lat: 51.5, lon: 5.1 },
};

let db: Awaited<ReturnType<typeof freshDatabase>>;
let fixture: Awaited<ReturnType<typeof chainFixture>>;
let app: RewardsApp;
let baseUrl: string;
const clock = manualClock(windowOf(E).closableAt + 60_000);
const ids: Record<keyof typeof spots, string> = {} as never;
const tmp: string[] = [];

const balance = (owner: string) => fixture.gateway.tokenBalance(owner as Address, fixture.deployment.mint);
const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
  const response = await fetch(`${baseUrl}${url}`);
  return { status: response.status, body: (await response.json()) as T };
};
const leavesOf = async (epoch: number) =>
  (await get<{ leaves: RewardLeaf[] }>(`/epochs/${epoch}/manifest`)).body.leaves;

async function readings(tag: keyof typeof spots, epoch: number, minutes: number): Promise<void> {
  const start = windowOf(epoch).startsAt;
  await insertWeatherReadings(db.pool, tag, start, start + minutes * 60_000, spots[tag]);
}

async function allBalancesMatch(pool: pg.Pool, epochs: readonly number[]): Promise<void> {
  const expected = new Map<string, bigint>();
  for (const epoch of epochs) {
    for (const [w, amount] of await manifestPayouts(pool, epoch)) {
      expected.set(w, (expected.get(w) ?? 0n) + amount);
    }
  }
  for (const [w, amount] of expected) {
    expect(await balance(w), `balance of ${w}`).toBe(amount);
  }
}

beforeAll(async () => {
  db = await freshDatabase();
  fixture = await chainFixture(new LiteSvmGateway({ now: manualClock(1_800_000_000_000).now }));
  // Given seven weather stations: a, b, c share one H3 cell; e is suspended; f has no owner wallet
  const specs = (Object.keys(spots) as (keyof typeof spots)[]).map((tag) => ({
    tag,
    ...spots[tag],
    owner: tag === 'f' ? null : tag === 'b' ? wallet('a') : wallet(tag),
    status: tag === 'e' ? ('suspended' as const) : ('active' as const),
  }));
  const registered = await insertDevices(db.pool, specs);
  specs.forEach((s, i) => (ids[s.tag] = registered[i]!));
  // and an hour of signed readings, except c (45 minutes) and d (none)
  for (const tag of ['a', 'b', 'e', 'f', 'g'] as const) {
    await readings(tag, E, 60);
  }
  await readings('c', E, 45);
  await scoreFromReadings(db.pool, E);
  // and two dataset sales credited the way the market's RevenueShareSink records them
  await db.pool.query(
    `INSERT INTO reward_credits (device_id, amount, source) VALUES ($1, 12345, 'sale:ord-1'), ($2, 777, 'sale:ord-1')`,
    [ids.g, ids.e],
  );
  app = await rewardsApp(db.pool, fixture.chain, { now: clock.now, env: { REWARDS_FIRST_EPOCH: String(E) } });
  await app.http.listen(0, '127.0.0.1');
  baseUrl = await app.http.getUrl();
  baseUrl = baseUrl.replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await db?.cleanup();
  await Promise.all(tmp.map((d) => rm(d, { recursive: true, force: true })));
});

describe('an epoch over stored readings', () => {
  it('closes with the reason codes and cell capacity as specified, and mints the manifest to the base unit', async () => {
    // When the runner passes once after the epoch's grace period
    const report = await app.runner.runOnce();

    // Then the epoch is closed and paid
    expect(report).toMatchObject({ closed: [E], paid: [{ epoch: E, status: 'paid' }] });
    const leaves = await leavesOf(E);
    const emission = new Map(leaves.filter((l) => l.source === 'emission').map((l) => [l.device, l]));
    expect(emission.get(ids.a)?.reason).toBe('rewarded');
    expect(emission.get(ids.b)?.reason).toBe('rewarded');
    expect(emission.get(ids.c)?.reason).toBe('over_capacity'); // third in a cell of K = 2, lowest quality
    expect(emission.get(ids.d)?.reason).toBe('below_threshold'); // no readings
    expect(emission.get(ids.e)?.reason).toBe('suspended');
    expect(emission.get(ids.f)?.reason).toBe('held_no_wallet');
    expect(emission.get(ids.g)?.reason).toBe('rewarded');
    expect(emission.get(ids.c)?.score?.cell).toBe(latLngToCell(HERE.lat, HERE.lon, 8));
    expect(emission.get(ids.c)!.score!.quality).toBeLessThan(emission.get(ids.a)!.score!.quality);
    // the weather pool (60% of 1,000 tokens) goes out exactly, and nothing to a device that did not earn
    const total = leaves.filter((l) => l.source === 'emission').reduce((sum, l) => sum + BigInt(l.amount), 0n);
    expect(total).toBe(600_000_000n);
    for (const tag of ['c', 'd', 'e'] as const) {
      expect(BigInt(emission.get(ids[tag])!.amount)).toBe(0n);
    }
    // the sales: g's share is paid with the epoch, suspended e's share is held
    const sales = leaves.filter((l) => l.source === 'sale:ord-1');
    expect(sales.map((l) => [l.device, l.reason, l.amount])).toEqual(
      expect.arrayContaining([
        [ids.g, 'rewarded', '12345'],
        [ids.e, 'held_suspended', '777'],
      ]),
    );

    // and every owner's balance on chain equals what the manifest pays it, to the base unit
    const payouts = await manifestPayouts(db.pool, E);
    expect(payouts.get(wallet('a'))).toBe(BigInt(emission.get(ids.a)!.amount) + BigInt(emission.get(ids.b)!.amount));
    await allBalancesMatch(db.pool, [E]);
    expect(await balance(wallet('e'))).toBe(0n); // suspended: earns nothing
    expect(await balance(wallet('c'))).toBe(0n);
    expect(await balance(wallet('d'))).toBe(0n);
    // one transaction per ≤ 9 wallets, each confirmed with a single signature
    const txs = await payoutTxs(db.pool, E);
    expect(txs.every((t) => t.state === 'confirmed' && t.signings === 1)).toBe(true);
  });

  it('serves the epoch, its manifest and inclusion proofs that check against the root', async () => {
    const header = await get<{ root: string; reasons: Record<string, number>; payoutState: string }>(`/epochs/${E}`);
    expect(header.status).toBe(200);
    expect(header.body.payoutState).toBe('paid');
    expect(header.body.reasons).toMatchObject({ rewarded: 3, over_capacity: 1, below_threshold: 1, suspended: 1 });

    const proof = await get<{
      root: string;
      leafCount: number;
      proofs: { index: number; leafHash: string; proof: string[] }[];
    }>(`/epochs/${E}/proof/${ids.g}`);
    expect(proof.body.proofs).toHaveLength(2); // emission and the sale credit
    for (const p of proof.body.proofs) {
      const ok = verifyInclusionProof(
        Buffer.from(p.leafHash, 'hex'),
        p.index,
        proof.body.leafCount,
        p.proof.map((x) => Buffer.from(x, 'hex')),
        Buffer.from(header.body.root, 'hex'),
      );
      expect(ok).toBe(true);
    }
    expect((await get(`/epochs/${E}/proof/${wallet('nobody')}`)).status).toBe(404);
    expect((await get(`/epochs/999`)).status).toBe(404);
    expect((await get(`/epochs/x`)).status).toBe(400);
  });

  it('pays held rewards once the device has a wallet, and held sale credits once it is reinstated', async () => {
    // Given f gets an owner wallet, e stays suspended; in epoch E+1 only a reports
    await setDeviceOwner(db.pool, ids.f, wallet('f'), windowOf(E + 1).startsAt - 1);
    await readings('a', E + 1, 60);
    await scoreFromReadings(db.pool, E + 1);
    const heldForF = BigInt((await leavesOf(E)).find((l) => l.device === ids.f && l.source === 'emission')!.amount);

    // When E+1 closes and pays
    clock.set(windowOf(E + 1).closableAt);
    expect(await app.runner.runOnce()).toMatchObject({ closed: [E + 1], paid: [{ status: 'paid' }] });

    // Then f's owner receives exactly what f earned in E, as a release
    const leaves = await leavesOf(E + 1);
    expect(leaves.find((l) => l.device === ids.f && l.source === `held:${E}:emission`)).toMatchObject({
      reason: 'released',
      amount: heldForF.toString(),
      owner: wallet('f'),
    });
    expect(await balance(wallet('f'))).toBe(heldForF);
    expect(leaves.some((l) => l.source.startsWith(`held:${E}:sale`))).toBe(false); // e still suspended

    // Given e is reinstated, when E+2 (no readings at all) closes
    await setDeviceStatus(db.pool, ids.e, 'active', windowOf(E + 2).startsAt - 1);
    await scoreFromReadings(db.pool, E + 2);
    clock.set(windowOf(E + 2).closableAt);
    expect(await app.runner.runOnce()).toMatchObject({ closed: [E + 2], paid: [{ status: 'paid' }] });

    // Then its held sale share is paid, and every balance is the sum of the three manifests
    expect(await balance(wallet('e'))).toBe(777n);
    await allBalancesMatch(db.pool, [E, E + 1, E + 2]);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM reward_holds WHERE released_epoch IS NULL`);
    expect(rows[0].n).toBe(0);
  });

  it('lists and shows epochs through the library functions the CLI uses', async () => {
    const epochs = await listEpochs(db.pool);
    expect(epochs.map((e) => e.epoch)).toEqual([E + 2, E + 1, E]);
    expect(formatEpochList(epochs)).toContain('paid');
    const detail = await showEpoch(db.pool, E);
    expect(detail.reasons.held_no_wallet).toBe(1);
    expect(formatEpochDetail(detail)).toContain(`root ${detail.root}`);
    await expect(showEpoch(db.pool, 4242)).rejects.toMatchObject({ code: 'EPOCH_NOT_FOUND' });
  });
});

describe('epoch verify', () => {
  const verify = (epoch: number) =>
    verifyStoredEpoch(db.pool, epoch, {
      gateway: fixture.gateway,
      mint: fixture.deployment.mint,
      recomputeScores: recomputeWithScoring(db.pool),
    });
  const failed = (report: Awaited<ReturnType<typeof verify>>) =>
    report.checks.filter((c) => c.status === 'fail').map((c) => c.name);

  it('passes for every paid epoch, with the scores recomputed from the stored readings', async () => {
    for (const epoch of [E, E + 1, E + 2]) {
      const report = await verify(epoch);
      expect(failed(report), JSON.stringify(report.checks)).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.checks.map((c) => c.status)).not.toContain('skipped');
    }
  });

  it('fails on a tampered manifest leaf, and passes again once it is restored', async () => {
    const { rows } = await db.pool.query<{ idx: number; leaf: string }>(
      `SELECT idx, leaf FROM reward_leaves WHERE epoch = $1 AND device_id = $2 AND source = 'emission'`,
      [E, ids.g],
    );
    const original = rows[0]!;
    const tampered = original.leaf.replace(/"amount":"(\d+)"/, (_m, n: string) => `"amount":"${BigInt(n) + 1n}"`);
    await db.pool.query(`UPDATE reward_leaves SET leaf = $3 WHERE epoch = $1 AND idx = $2`, [
      E,
      original.idx,
      tampered,
    ]);

    const report = await verify(E);
    expect(report.ok).toBe(false);
    expect(failed(report)).toEqual(expect.arrayContaining(['manifest_root', 'recompute']));

    await db.pool.query(`UPDATE reward_leaves SET leaf = $3 WHERE epoch = $1 AND idx = $2`, [
      E,
      original.idx,
      original.leaf,
    ]);
    expect((await verify(E)).ok).toBe(true);
  });

  it('fails on a tampered ledger amount, and through the command line exits 1 (0 once restored)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gt-verify-'));
    tmp.push(dir);
    await saveLiteSvmSnapshot(fixture.gateway, path.join(dir, 'chain'));
    await writeDeployment(path.join(dir, 'deployment.json'), fixture.deployment);
    const cli = async (epoch: number) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runRewardsCli(
        [
          'verify',
          String(epoch),
          '--deployment',
          path.join(dir, 'deployment.json'),
          '--litesvm-dir',
          path.join(dir, 'chain'),
          '--database-url',
          db.url,
        ],
        { out: (l) => out.push(l), err: (l) => err.push(l) },
      );
      return { code, out: out.join('\n'), err: err.join('\n') };
    };

    await db.pool.query(`UPDATE reward_payouts SET amount = amount + 1 WHERE epoch = $1 AND wallet = $2`, [
      E,
      wallet('a'),
    ]);
    const report = await verify(E);
    expect(failed(report)).toEqual(['ledger', 'chain_mints']);
    const tampered = await cli(E);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toContain('MISMATCH');

    await db.pool.query(`UPDATE reward_payouts SET amount = amount - 1 WHERE epoch = $1 AND wallet = $2`, [
      E,
      wallet('a'),
    ]);
    const ok = await cli(E);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('VERIFIED');
  });

  it('verifies from an export directory, and fails when the export is altered', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gt-export-'));
    tmp.push(dir);
    const data = new PgEpochData(new Database(db.pool), {
      epochs: new EpochsRepository(),
      inputs: new InputsRepository(),
      payouts: new PayoutsRepository(),
    });
    const file = await exportEpoch(await data.load(E), dir);
    const fromExport = () =>
      verifyEpoch(E, { data: new DirectoryEpochData(dir), gateway: fixture.gateway, mint: fixture.deployment.mint });
    const clean = await fromExport();
    expect(clean.ok, JSON.stringify(clean.checks)).toBe(true);

    // a score in the export raised: the recomputed manifest no longer matches the root
    const text = await readFile(file, 'utf8');
    const exported = JSON.parse(text) as { scores: { device: string; quality: number }[] };
    exported.scores.find((s) => s.device === ids.c)!.quality = 1;
    await writeFile(file, JSON.stringify(exported));
    const report = await fromExport();
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'recompute')?.status).toBe('fail');
  });

  it('fails when a device lost readings after the epoch was paid (scores recomputed from storage differ)', async () => {
    const w = windowOf(E);
    await db.pool.query(
      `DELETE FROM readings_weather WHERE device_id = $1 AND ts >= to_timestamp($2 / 1000.0) AND ts < to_timestamp($3 / 1000.0)`,
      [ids.g, w.startsAt + HOUR / 2, w.endsAt],
    );
    const report = await verify(E);
    expect(report.ok).toBe(false);
    expect(failed(report)).toEqual(['scores']);
  });
});
