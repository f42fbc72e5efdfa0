import { createHash } from 'node:crypto';
import { register as registerHooks } from 'node:module';
import { createRewardToken, LiteSvmGateway } from '@groundtruth/programs';
import { createRewardsApp, rewardsConfigSchema, verifyStoredEpoch, type PayoutChain } from '@groundtruth/rewards';
import { migrate, parseConfig, silentLogger } from '@groundtruth/service-kit';
import { generateKeyPairSigner, getAddressDecoder, type Address } from '@solana/kit';
import pg from 'pg';
import { median, type BenchSuite, type Figure } from '../suite.js';

/**
 * Paying an epoch to N owner wallets on LiteSVM (the real SPL Token, ATA and Memo programs), through the rewards
 * service's own PayoutService: ledger in a private PostgreSQL, signatures committed before sending, a status poll
 * per window of transactions, confirmation recorded per transaction. Each run: a fresh database and chain, N
 * devices each with its own owner wallet, the epoch closed (timed apart), then paid (timed), then every wallet's
 * minted amount checked against the manifest by `verifyStoredEpoch`.
 */
const RUNS = Number(process.env.GT_BENCH_REWARDS_RUNS ?? 3);
const WALLETS = Number(process.env.GT_BENCH_REWARDS_WALLETS ?? 10_000);
const root = new URL('../../../', import.meta.url);
const GENESIS = Date.UTC(2026, 0, 1);

interface ServicesApi {
  startPrivateServices(want: { mosquitto: boolean; postgres: boolean }): Promise<{ postgres?: { url: string } }>;
  stopPrivateServices(services: unknown): Promise<void>;
  createDatabase(url: string): Promise<string>;
  dropDatabase(url: string): Promise<void>;
}

/** test/setup/services.ts is TypeScript outside any package: load it through the tests' SWC hooks. */
async function servicesApi(): Promise<ServicesApi> {
  registerHooks(new URL('test/support/ts-hooks.mjs', root));
  return (await import(new URL('test/setup/services.ts', root).href)) as ServicesApi;
}

const address = (tag: string): string => getAddressDecoder().decode(createHash('sha256').update(tag).digest());

interface RunOutcome {
  readonly wallets: number;
  readonly transactions: number;
  readonly closeS: number;
  readonly payS: number;
  readonly verifyS: number;
}

async function seed(pool: pg.Pool, n: number): Promise<void> {
  const devices = Array.from({ length: n }, (_, i) => address(`bench-device-${i}`));
  await pool.query(
    `INSERT INTO devices (device_id, kind, owner_wallet, model, declared_lat, declared_lon, interval_s, status, registered_at)
     SELECT d, 'weather', o, 'WS-BASIC', 40 + (i % 100) * 0.1, (i / 100) * 0.1, 60, 'active', $3
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(d, o, i)`,
    [devices, devices.map((_, i) => address(`bench-wallet-${i}`)), new Date(GENESIS - 86_400_000)],
  );
  const start = new Date(GENESIS);
  const end = new Date(GENESIS + 3_600_000);
  await pool.query(
    `INSERT INTO device_epoch_scores (epoch_start, epoch_end, device_id, version, kind, quality, location_score, availability, reasons, breakdown, examples)
     SELECT $1, $2, d, 'qod-1.0.0', 'weather', 0.5 + (i % 50) / 100.0, 1, 1, '{}', '{}', '[]'
       FROM unnest($3::text[]) WITH ORDINALITY AS t(d, i)`,
    [start, end, devices],
  );
  await pool.query(
    `INSERT INTO rescoring_runs (kind, requested_by, epoch_start, epoch_end, version, status, finished_at, devices_scored)
     VALUES ('scheduled', 'bench', $1, $2, 'qod-1.0.0', 'done', now(), $3)`,
    [start, end, n],
  );
}

async function payOnce(api: ServicesApi, baseUrl: string): Promise<RunOutcome> {
  const url = await api.createDatabase(baseUrl);
  await migrate(url, { log: () => {} });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    await seed(pool, WALLETS);
    // The embedded network's layout: a fee payer apart from the mint authority (one wallet fewer per transaction).
    const gateway = new LiteSvmGateway();
    const payer = await generateKeyPairSigner();
    const authority = await generateKeyPairSigner();
    gateway.airdrop(payer.address, 10_000n * 1_000_000_000n);
    const deployment = await createRewardToken({
      gateway,
      cluster: 'litesvm',
      payer,
      authority: { kind: 'keypair', address: authority.address },
      treasuryOwner: payer.address,
    });
    const chain: PayoutChain = {
      gateway,
      mint: deployment.mint,
      authority: { kind: 'keypair', signer: authority },
      payer,
    };
    const config = parseConfig(rewardsConfigSchema, {
      DATABASE_URL: url,
      REWARDS_GENESIS: new Date(GENESIS).toISOString(),
      REWARDS_EPOCH_SECONDS: '3600',
      REWARDS_EMISSION_PER_EPOCH: '100000000000',
      REWARDS_CELL_CAPACITY: 'weather:0,vehicle:0,energy:0',
      REWARDS_SPLIT: 'weather:1,vehicle:0,energy:0',
      LOG_LEVEL: 'error',
    });
    const app = await createRewardsApp(config, { pool, chain, logger: silentLogger, now: () => GENESIS + 86_400_000 });
    try {
      let t = performance.now();
      const closed = await app.closer.close(0);
      const closeS = (performance.now() - t) / 1000;
      if (closed.status !== 'closed' || closed.result.payouts.length !== WALLETS) {
        throw new Error(`epoch did not close with ${WALLETS} wallets: ${closed.status}`);
      }
      t = performance.now();
      const paid = await app.payouts.payEpoch(0);
      const payS = (performance.now() - t) / 1000;
      if (paid.status !== 'paid') {
        throw new Error(`payout incomplete: ${JSON.stringify(paid)}`);
      }
      t = performance.now();
      const report = await verifyStoredEpoch(pool, 0, { gateway, mint: deployment.mint as Address });
      const verifyS = (performance.now() - t) / 1000;
      if (!report.ok) {
        throw new Error(`verify failed: ${JSON.stringify(report.checks.filter((c) => c.status === 'fail'))}`);
      }
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM reward_payout_txs WHERE epoch = 0`,
      );
      return { wallets: closed.result.payouts.length, transactions: rows[0]!.n, closeS, payS, verifyS };
    } finally {
      await app.close();
    }
  } finally {
    await pool.end();
    await api.dropDatabase(url);
  }
}

export const rewardsSuite: BenchSuite = {
  name: 'rewards',
  description: `pay one epoch to ${WALLETS} owner wallets on LiteSVM (ledger in PostgreSQL), verify every mint`,
  async run() {
    const api = await servicesApi();
    const started = await api.startPrivateServices({ mosquitto: false, postgres: true });
    try {
      const outcomes: RunOutcome[] = [];
      for (let i = 0; i < RUNS; i++) {
        outcomes.push(await payOnce(api, started.postgres!.url));
      }
      const perTx = outcomes[0]!.wallets / outcomes[0]!.transactions;
      const figures: Record<string, Figure> = {
        'rewards.wallets_per_tx': { value: Math.floor(perTx), unit: 'wallets' },
        'rewards.pay_10k_wallets_s': {
          value: Number(median(outcomes.map((o) => (o.payS * 10_000) / o.wallets)).toFixed(1)),
          unit: 's',
        },
      };
      const notes = [
        `${RUNS} runs, ${WALLETS} wallets each (one device per owner wallet), on LiteSVM in the bench process with the`,
        'real SPL Token, Associated Token Account and Memo programs, preflight simulation on every send; the payout ledger',
        'in a private PostgreSQL. A transaction carries, per wallet, an idempotent ATA creation and a MintTo, plus the Memo',
        '`gt:epoch:<n>:<root>:<part>/<parts>`; fee payer and mint authority are separate keys, as in the embedded network',
        '(with the payer as the mint authority one more wallet fits). Pay time = `payEpoch` (sign, commit signatures, send,',
        'poll statuses, record confirmations); close (manifest + Merkle tree + ledger rows) and verify (every landed',
        'transaction decoded, every mint compared with the manifest) timed apart, not included.',
        '',
        '| run | wallets | transactions | close s | pay s | verify s |',
        '|---:|---:|---:|---:|---:|---:|',
        ...outcomes.map(
          (o, i) =>
            `| ${i + 1} | ${o.wallets} | ${o.transactions} | ${o.closeS.toFixed(1)} | ${o.payS.toFixed(1)} | ${o.verifyS.toFixed(1)} |`,
        ),
      ].join('\n');
      return { figures, notes };
    } finally {
      await api.stopPrivateServices(started);
    }
  },
};
