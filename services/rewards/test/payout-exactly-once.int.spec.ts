import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRewardToken,
  LiteSvmGateway,
  RpcGateway,
  startJsonRpcServer,
  writeDeployment,
  writeNewKeypairFile,
  type SolanaGateway,
} from '@groundtruth/programs';
import { generateKeyPairSigner, type Address, type KeyPairSigner, type Signature } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PayoutChain } from '../src/chain/payout.service.js';
import { verifyStoredEpoch } from '../src/epochs/epoch-commands.js';
import { REWARDS_RUNNER_LOCK_KEY } from '../src/db/runner-lock.js';
import {
  baseEnv,
  freshDatabase,
  insertDevices,
  insertWeatherReadings,
  manifestPayouts,
  manualClock,
  payoutTxs,
  rewardsApp,
  scoreFromReadings,
  windowOf,
} from './fixture.js';

/**
 * Exactly-once payouts over real stored readings: a rewards process killed with SIGKILL between committing
 * signatures and sending, or between sending and updating the ledger, never mints twice after a restart; sends
 * that fail (node unreachable, or refused in preflight) are retried with backoff and counted in metrics; one
 * runner at a time. The chain is LiteSVM in this process, served over Solana's JSON-RPC so the killed child and
 * the restarted runner reach it through the RPC gateway.
 */
const E = 20;
const DEVICES = 20;
const REGISTER = fileURLToPath(new URL('../../../test/support/ts-register.mjs', import.meta.url));
const CHILD = fileURLToPath(new URL('./child/pay-and-die.ts', import.meta.url));

let db: Awaited<ReturnType<typeof freshDatabase>>;
let litesvm: LiteSvmGateway;
let rpcUrl: string;
let payer: KeyPairSigner;
let chain: PayoutChain;
let mint: Address;
let childEnv: Record<string, string>;
const chainClock = manualClock(1_800_000_000_000);
const closers: (() => Promise<void>)[] = [];
const tags = Array.from({ length: DEVICES }, (_, i) => `x${i}`);

/** Every wallet's balance equals the sum of what the manifests of `epochs` pay it. */
async function balancesEqualManifests(epochs: readonly number[]): Promise<void> {
  const expected = new Map<string, bigint>();
  for (const epoch of epochs) {
    for (const [w, amount] of await manifestPayouts(db.pool, epoch)) {
      expected.set(w, (expected.get(w) ?? 0n) + amount);
    }
  }
  expect(expected.size).toBe(DEVICES);
  for (const [w, amount] of expected) {
    expect(await litesvm.tokenBalance(w as Address, mint), `balance of ${w}`).toBe(amount);
  }
}

/** Runs test/child/pay-and-die.ts; resolves with how it ended. */
async function payAndDie(epoch: number, at: 'after_sign' | 'after_send') {
  const child = spawn(process.execPath, ['--conditions=@groundtruth/source', '--import', REGISTER, CHILD], {
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...childEnv, GT_TEST_EPOCH: String(epoch), GT_TEST_DIE: at },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  );
  return { code, signal, output };
}

/** A restarted runner (in this process) that reaches the chain through the RPC gateway. */
async function restartedApp(gateway: SolanaGateway = new RpcGateway({ url: rpcUrl, timeoutMs: 5_000 })) {
  // a clock that moves (retry backoff is measured on it), hours after the epochs closed
  const started = Date.now();
  const app = await rewardsApp(db.pool, chain, {
    gateway,
    now: () => windowOf(E + 10).startsAt + (Date.now() - started),
  });
  closers.push(() => app.close());
  return app;
}

async function statusesOf(signatures: (string | null)[]) {
  return litesvm.signatureStatuses(signatures.filter((s): s is string => s !== null) as Signature[]);
}

beforeAll(async () => {
  db = await freshDatabase();
  // Given twenty stations, each with its own owner, reporting every minute for five hours
  await insertDevices(
    db.pool,
    tags.map((tag, i) => ({ tag, lat: 50 + i * 0.1, lon: 4 + i * 0.1 })),
  );
  for (const [i, tag] of tags.entries()) {
    await insertWeatherReadings(db.pool, tag, windowOf(E).startsAt, windowOf(E + 5).startsAt, {
      lat: 50 + i * 0.1,
      lon: 4 + i * 0.1,
    });
  }
  for (let epoch = E; epoch < E + 5; epoch++) {
    await scoreFromReadings(db.pool, epoch);
  }
  // and the reward token on LiteSVM, with the mint authority in a keypair file, served over JSON-RPC
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gt-rewards-keys-'));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  payer = await writeNewKeypairFile(path.join(dir, 'authority.json'));
  litesvm = new LiteSvmGateway({ now: chainClock.now });
  litesvm.airdrop(payer.address, 10_000_000_000_000n);
  const deployment = await createRewardToken({
    gateway: litesvm,
    cluster: 'litesvm',
    payer,
    authority: { kind: 'keypair', address: payer.address },
    treasuryOwner: payer.address,
  });
  mint = deployment.mint;
  await writeDeployment(path.join(dir, 'deployment.json'), deployment);
  const server = await startJsonRpcServer(litesvm);
  closers.push(server.close);
  rpcUrl = server.url;
  chain = { gateway: litesvm, mint, authority: { kind: 'keypair', signer: payer }, payer };
  childEnv = {
    ...baseEnv,
    DATABASE_URL: db.url,
    SOLANA_RPC_URL: rpcUrl,
    REWARDS_DEPLOYMENT_FILE: path.join(dir, 'deployment.json'),
    REWARDS_MINT_AUTHORITY_KEYPAIR: path.join(dir, 'authority.json'),
  };
  // and four epochs closed (manifests and payout ledgers written), nothing paid yet
  const closer = await restartedApp(litesvm);
  for (let epoch = E; epoch < E + 4; epoch++) {
    expect(await closer.closer.close(epoch)).toMatchObject({ status: 'closed' });
  }
}, 300_000);

afterAll(async () => {
  for (const close of closers.reverse()) {
    await close();
  }
  await db?.cleanup();
});

describe('a rewards process killed mid-payout', () => {
  it('killed between send and ledger update: the restart confirms what landed and mints nothing twice', async () => {
    // When the process is killed right after sending the epoch's transactions
    const child = await payAndDie(E, 'after_send');
    expect(child.signal, child.output).toBe('SIGKILL');

    // Then the chain has them while the ledger still says "signed"
    const before = await payoutTxs(db.pool, E);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.every((t) => t.state === 'signed' && t.signings === 1)).toBe(true);
    expect((await statusesOf(before.map((t) => t.signature))).every((s) => s !== null && s.err === null)).toBe(true);
    await balancesEqualManifests([E]);

    // When a runner starts again and pays the epoch
    const app = await restartedApp();
    expect(await app.payouts.payEpoch(E)).toMatchObject({ status: 'paid', remainingParts: 0 });

    // Then it recorded the landed transactions without signing or minting anything new
    const after = await payoutTxs(db.pool, E);
    expect(after.map((t) => [t.state, t.signature, t.signings])).toEqual(
      before.map((t) => ['confirmed', t.signature, 1]),
    );
    await balancesEqualManifests([E]);
    expect((await app.verify(E)).ok).toBe(true);
  });

  it('killed after committing signatures, before sending: the restart sends the same bytes once', async () => {
    const child = await payAndDie(E + 1, 'after_sign');
    expect(child.signal, child.output).toBe('SIGKILL');
    const before = await payoutTxs(db.pool, E + 1);
    expect(before.every((t) => t.state === 'signed' && t.sends === 0)).toBe(true);
    expect(await statusesOf(before.map((t) => t.signature))).toEqual(before.map(() => null));

    const app = await restartedApp();
    expect(await app.payouts.payEpoch(E + 1)).toMatchObject({ status: 'paid' });

    const after = await payoutTxs(db.pool, E + 1);
    expect(after.map((t) => [t.state, t.signature, t.signings])).toEqual(
      before.map((t) => ['confirmed', t.signature, 1]),
    );
    await balancesEqualManifests([E, E + 1]);
  });

  it('killed before sending and restarted after the blockhash expired: re-signs, and the old signature never lands', async () => {
    const child = await payAndDie(E + 2, 'after_sign');
    expect(child.signal, child.output).toBe('SIGKILL');
    const before = await payoutTxs(db.pool, E + 2);

    // When the chain moves past the blockhash's last valid height before the restart
    chainClock.advance(151 * 400);
    const app = await restartedApp();
    expect(await app.payouts.payEpoch(E + 2)).toMatchObject({ status: 'paid' });

    // Then each part was signed anew, the expired signature is recorded and unknown to the chain
    const after = await payoutTxs(db.pool, E + 2);
    for (const [i, t] of after.entries()) {
      expect(t).toMatchObject({ state: 'confirmed', signings: 2, prior_signatures: [before[i]!.signature] });
      expect(t.signature).not.toBe(before[i]!.signature);
    }
    expect(await statusesOf(before.map((t) => t.signature))).toEqual(before.map(() => null));
    await balancesEqualManifests([E, E + 1, E + 2]);
    const report = await verifyStoredEpoch(db.pool, E + 2, { gateway: litesvm, mint });
    expect(report.checks.find((c) => c.name === 'no_double_mint')).toMatchObject({ status: 'pass' });
    expect(report.ok).toBe(true);
  });
});

describe('failed sends', () => {
  it('retries a send the node did not take (HTTP 503) with backoff, and counts the errors in metrics', async () => {
    // Given a node that answers the first three sendTransaction requests with 503
    let failures = 3;
    const read = async (req: IncomingMessage) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) {
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString();
    };
    const flaky = createServer((req, res) => {
      void (async () => {
        const body = await read(req);
        if (body.includes('"sendTransaction"') && failures-- > 0) {
          res.writeHead(503).end('overloaded');
          return;
        }
        const upstream = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      })();
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => flaky.close(() => resolve())));
    const app = await restartedApp(
      new RpcGateway({ url: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`, timeoutMs: 5_000 }),
    );

    // When the epoch is paid through it
    expect(await app.payouts.payEpoch(E + 3)).toMatchObject({ status: 'paid' });

    // Then the failed sends were retried (same signatures), the errors are in the ledger and the metrics
    const txs = await payoutTxs(db.pool, E + 3);
    expect(txs.every((t) => t.state === 'confirmed' && t.signings === 1)).toBe(true);
    expect(txs.reduce((n, t) => n + t.errors, 0)).toBe(3);
    expect(txs.reduce((n, t) => n + t.sends, 0)).toBe(txs.length + 3);
    const metrics = await app.metrics.registry.metrics();
    expect(metrics).toMatch(/gt_rewards_rpc_errors_total\{code="RPC_UNAVAILABLE",method="sendTransaction"[^}]*\} 3\n/);
    await balancesEqualManifests([E, E + 1, E + 2, E + 3]);
  });

  it('retries a send refused in preflight (fee payer without SOL) until it is funded', async () => {
    // Given a fee payer with no SOL (the mint authority is unchanged)
    const poor = await generateKeyPairSigner();
    const started = Date.now();
    const app = await rewardsApp(
      db.pool,
      { ...chain, payer: poor },
      { now: () => windowOf(E + 10).startsAt + (Date.now() - started) },
    );
    closers.push(() => app.close());
    // (closed by this app: a separate fee payer leaves room for one wallet fewer per transaction)
    expect(await app.closer.close(E + 4)).toMatchObject({ status: 'closed' });

    // When a pass runs out of its budget, nothing is minted and the refusals are recorded
    expect(await app.payouts.payEpoch(E + 4, 300)).toMatchObject({ status: 'incomplete' });
    const failed = await payoutTxs(db.pool, E + 4);
    expect(failed.every((t) => t.state === 'signed' && t.errors >= 1)).toBe(true);
    expect(failed[0]!.last_error).toMatch(/SEND_REJECTED/);
    await balancesEqualManifests([E, E + 1, E + 2, E + 3]);

    // When the payer is funded, the next pass sends the same transactions and they land
    litesvm.airdrop(poor.address, 1_000_000_000_000n);
    expect(await app.payouts.payEpoch(E + 4)).toMatchObject({ status: 'paid' });
    const paid = await payoutTxs(db.pool, E + 4);
    expect(paid.map((t) => [t.state, t.signature])).toEqual(failed.map((t) => ['confirmed', t.signature]));
    expect(await app.metrics.registry.metrics()).toMatch(
      /gt_rewards_rpc_errors_total\{code="SEND_REJECTED",method="sendTransaction"[^}]*\} [1-9]/,
    );
    await balancesEqualManifests([E, E + 1, E + 2, E + 3, E + 4]);
  });
});

describe('one runner at a time', () => {
  it('a pass finds the advisory lock taken by another runner and does nothing', async () => {
    const other = await db.pool.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::bigint)', [REWARDS_RUNNER_LOCK_KEY.toString()]);
      const app = await restartedApp(litesvm);
      expect(await app.runner.runOnce()).toBe('busy');
      await other.query('SELECT pg_advisory_unlock($1::bigint)', [REWARDS_RUNNER_LOCK_KEY.toString()]);
      expect(await app.runner.runOnce()).not.toBe('busy');
    } finally {
      other.release();
    }
  });
});
