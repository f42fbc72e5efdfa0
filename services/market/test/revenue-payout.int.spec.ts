import { generateKeyPair } from '@groundtruth/protocol';
import { createRewardsApp, rewardsConfigSchema, type RewardsApp } from '@groundtruth/rewards';
import { parseConfig, silentLogger } from '@groundtruth/service-kit';
import { address } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketClient, payQuote } from '../src/index.js';
import { ChainFixture } from './chain-fixture.js';
import { DAY, HOUR, MarketDb, seedWeatherFleet } from './market-fixture.js';
import { manualClock, MarketUnderTest } from './market-app.js';

/*
 * The revenue share end to end, with the real rewards service: a sale paid on LiteSVM credits the devices
 * whose rows were sold (reward_credits, via the market's default RevenueShareSink); the next epoch the
 * rewards runner closes claims those credits into its manifest and mints them to the owners' wallets.
 */
const clock = manualClock(DAY + 2 * 86_400_000 + 10 * 60_000);
const owners = [generateKeyPair().deviceId, generateKeyPair().deviceId];
let db: MarketDb;
let chain: ChainFixture;
let market: MarketUnderTest;
let rewards: RewardsApp;
let devices: string[];

beforeAll(async () => {
  db = await MarketDb.create();
  ({ devices } = await seedWeatherFleet(db, owners));
  chain = await ChainFixture.create(clock.now);
  market = await MarketUnderTest.start(db, clock, { MARKET_REVENUE_SHARE_BPS: '5000' }, chain);
  const config = parseConfig(rewardsConfigSchema, {
    DATABASE_URL: db.url,
    REWARDS_GENESIS: new Date(DAY).toISOString(),
    REWARDS_EPOCH_SECONDS: '3600',
    REWARDS_GRACE_SECONDS: '300',
    REWARDS_EMISSION_PER_EPOCH: '1000000',
    REWARDS_RETRY_BASE_MS: '1',
    REWARDS_RETRY_MAX_MS: '5',
    REWARDS_POLL_MS: '1',
    LOG_LEVEL: 'error',
  });
  rewards = await createRewardsApp(config, {
    pool: db.pool,
    logger: silentLogger,
    now: clock.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
    // the mint authority of the reward token the market sells in
    chain: {
      gateway: chain.gateway,
      mint: chain.mint,
      authority: { kind: 'keypair', signer: chain.payer },
      payer: chain.payer,
    },
    // no device was scored in these epochs: the payouts hold the sale credits alone
    scores: { scoresFor: async () => [] },
  });
});

afterAll(async () => {
  await rewards?.close();
  await market?.close();
  await db?.close();
});

describe('revenue share through the rewards payouts', () => {
  it("pays each device's share of a sale to its owner with the next epoch", async () => {
    // Given a sale of the whole day (180 rows, 60 per device) at a 50 % revenue share
    const client = new MarketClient({ baseUrl: market.baseUrl, networkKey: market.key.publicKey });
    const quote = await client.quote({ kind: 'weather', from: DAY, to: DAY + 86_400_000 });
    const { signature } = await payQuote({ gateway: chain.gateway, quote, buyer: chain.buyer });
    expect((await client.submitPayment(quote.orderId, signature)).status).toBe('paid');
    const share = BigInt(quote.amount) / 2n;
    const perDevice = share / 3n;
    expect(perDevice * 3n).toBe(share); // 180,000 × 50 % splits evenly over 3 × 60 rows
    const before = await Promise.all(owners.map((o) => chain.balance(address(o))));

    // When the rewards runner closes the next epoch and pays it
    clock.advance(HOUR);
    const report = await rewards.runner.runOnce();
    expect(report).not.toBe('busy');
    if (report === 'busy') {
      return;
    }
    expect(report.closed).toHaveLength(1);
    expect(report.paid.map((p) => p.status)).toEqual(['paid']);
    const epoch = report.closed[0]!;

    // Then the epoch's manifest holds one sale leaf per device, for its owner
    const { rows: leaves } = await db.pool.query<{ device_id: string; owner_wallet: string; amount: string }>(
      `SELECT device_id, owner_wallet, amount::text FROM reward_leaves WHERE epoch = $1 AND source = $2 ORDER BY device_id`,
      [epoch, `sale:${quote.orderId}`],
    );
    const ownerOf = new Map([
      [devices[0]!, owners[0]!],
      [devices[1]!, owners[1]!],
      [devices[2]!, owners[0]!],
    ]);
    expect(leaves).toEqual(
      [...devices].sort().map((device) => ({
        device_id: device,
        owner_wallet: ownerOf.get(device),
        amount: perDevice.toString(),
      })),
    );
    // And the payout ledger and the chain agree: owner 0 (two devices) and owner 1 (one) received their shares
    const { rows: ledger } = await db.pool.query<{ wallet: string; amount: string; state: string }>(
      'SELECT wallet, amount::text, state FROM reward_payouts WHERE epoch = $1 ORDER BY wallet',
      [epoch],
    );
    const expected = new Map([
      [owners[0]!, 2n * perDevice],
      [owners[1]!, perDevice],
    ]);
    expect(ledger).toEqual(
      [...expected]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([wallet, amount]) => ({ wallet, amount: amount.toString(), state: 'confirmed' })),
    );
    const after = await Promise.all(owners.map((o) => chain.balance(address(o))));
    expect(after.map((balance, i) => balance - before[i]!)).toEqual([2n * perDevice, perDevice]);
    // And the credits are claimed: a later epoch does not pay them again
    clock.advance(HOUR);
    const next = await rewards.runner.runOnce();
    const { rows: again } = await db.pool.query('SELECT 1 FROM reward_leaves WHERE epoch > $1 AND source = $2', [
      epoch,
      `sale:${quote.orderId}`,
    ]);
    expect(next === 'busy' ? -1 : next.closed.length).toBe(1);
    expect(again).toHaveLength(0);
    // And owners see the share in the market's revenue view
    expect((await client.ownerRevenue(owners[1]!)).total).toBe(perDevice.toString());
  });
});
