import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@groundtruth/protocol';
import { getBase58Decoder } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSigner } from '@solana/kit';
import { MarketClient, NetworkKey, payQuote, verifyExport } from '../src/index.js';
import { DAY, MarketDb, seedWeatherFleet } from './market-fixture.js';
import { manualClock, MarketUnderTest, type Reply } from './market-app.js';

const clock = manualClock(DAY + 2 * 86_400_000);
const owners = [generateKeyPair().deviceId, generateKeyPair().deviceId];
const dayQuery = {
  kind: 'weather' as const,
  from: new Date(DAY).toISOString(),
  to: new Date(DAY + 86_400_000).toISOString(),
};
let db: MarketDb;
let market: MarketUnderTest;
let devices: string[];

beforeAll(async () => {
  db = await MarketDb.create();
  ({ devices } = await seedWeatherFleet(db, owners));
  market = await MarketUnderTest.start(db, clock);
});

afterAll(async () => {
  await market?.close();
  await db?.close();
});

async function quote(extra: Record<string, unknown> = {}): Promise<Reply['body']> {
  const reply = await market.request('POST', '/quotes', { ...dayQuery, ...extra });
  expect(reply.status).toBe(201);
  return reply.body;
}

async function waitForExport(exportId: string): Promise<Reply['body']> {
  for (let i = 0; i < 200; i++) {
    const reply = await market.request('GET', `/exports/${exportId}`);
    if (reply.body.state !== 'running') {
      return reply.body;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('export did not finish');
}

describe('catalogue', () => {
  it('describes a dataset: counts, time range, price and a few free sample rows with provenance', async () => {
    const reply = await market.request(
      'GET',
      `/datasets/weather?from=${dayQuery.from}&to=${dayQuery.to}&metrics=temperature,humidity&bbox=5.0,52.0,5.3,52.2`,
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      rows: 120,
      devices: 2,
      timeRange: { first: DAY, last: DAY + 59 * 60_000 },
      price: { unitPrice: '1000', multiplierBps: 10_000, amount: '120000' },
    });
    expect(reply.body.samples).toHaveLength(5);
    expect(reply.body.samples[0]).toMatchObject({
      ts: DAY,
      body: expect.stringContaining('"kind":"weather"'),
      sig: expect.any(String),
    });
    expect((await market.request('GET', '/datasets')).body).toContainEqual({
      kind: 'weather',
      rows: 180,
      devices: 3,
      first: DAY,
      last: DAY + 59 * 60_000,
    });
  });

  it("filters by the devices' quality score of each reading's epoch and prices the quality tier", async () => {
    // Given scores for the hour holding every reading: station 0 at 0.9, station 1 at 0.4 (a re-score that
    // supersedes an earlier 0.95), station 2 not scored
    const score = (device: string, quality: number, scoredAt: number) =>
      db.pool.query(
        `INSERT INTO device_epoch_scores (epoch_start, epoch_end, device_id, version, kind, quality, location_score,
           availability, reasons, breakdown, examples, scored_at)
         VALUES (to_timestamp($1 / 1000.0), to_timestamp($2 / 1000.0), $3, $4, 'weather', $5, 1, 1, '{}', '{}', '[]',
           to_timestamp($6 / 1000.0))`,
        [DAY, DAY + 3_600_000, device, `qod-1.0.${scoredAt}`, quality, DAY + 3_600_000 + scoredAt],
      );
    await score(devices[0]!, 0.9, 1);
    await score(devices[1]!, 0.95, 1);
    await score(devices[1]!, 0.4, 2);
    // Then a minimum of 0.3 keeps stations 0 and 1 (unscored readings never qualify), at ×1
    const low = await market.request('GET', `/datasets/weather?from=${dayQuery.from}&to=${dayQuery.to}&minQuality=0.3`);
    expect(low.body).toMatchObject({ rows: 120, devices: 2, price: { multiplierBps: 10_000, amount: '120000' } });
    expect(low.body.samples.map((r: { device: string }) => r.device)).not.toContain(devices[2]);
    // And a quote at 0.5 holds station 0 alone (the latest score of station 1 counts), at the 0.5 tier's ×1.5
    expect(await quote({ minQuality: 0.5 })).toMatchObject({
      rows: 60,
      devices: 1,
      multiplierBps: 15_000,
      amount: '90000',
    });
  });

  it('answers bad queries and empty datasets with their codes', async () => {
    expect(
      (await market.request('GET', `/datasets/weather?from=${dayQuery.from}&to=${dayQuery.to}&metrics=rpm`)).body.error
        .code,
    ).toBe('UNKNOWN_METRIC');
    const bad = await market.request('POST', '/quotes', { ...dayQuery, bbox: [1, 2, 3] });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'BAD_QUERY']);
    const empty = await market.request('POST', '/quotes', { kind: 'energy', from: dayQuery.from, to: dayQuery.to });
    expect([empty.status, empty.body.error.code]).toEqual([404, 'EMPTY_DATASET']);
  });
});

describe('purchase', () => {
  it('sells a dataset end to end: signed quote, on-chain payment, export, download, verify-export', async () => {
    // Given a signed quote for the whole day
    const signed = await quote();
    expect(signed).toMatchObject({
      rows: 180,
      devices: 3,
      amount: '180000',
      mint: market.chain.mint,
      treasury: market.chain.treasury,
    });
    expect(signed.memo).toBe(`groundtruth:order:${signed.orderId}`);
    expect((await market.request('GET', '/network-key')).body.publicKey).toBe(market.key.publicKey);
    // When the buyer pays it in the reward token with the memo, and submits the transaction
    const before = await market.chain.balance(market.chain.deployment.treasury.owner);
    const signature = await market.chain.pay({ amount: 180_000n, memos: [signed.memo] });
    const paid = await market.request('POST', `/orders/${signed.orderId}/payment`, { signature });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', payment: { signature, amount: '180000' } });
    expect(await market.chain.balance(market.chain.deployment.treasury.owner)).toBe(before + 180_000n);
    // Then an export runs with progress, and its files verify offline against the network key
    for (const format of ['csv', 'parquet'] as const) {
      const started = await market.request('POST', `/orders/${signed.orderId}/exports`, { format });
      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({ state: 'running', rowsExpected: 180 });
      const done = await waitForExport(started.body.exportId);
      expect(done).toMatchObject({ state: 'done', rowsWritten: 180, progress: 1, manifest: { rows: 180, devices: 3 } });
      const dir = join(db.dir, `download-${format}`);
      await mkdir(dir, { recursive: true });
      const data = await fetch(market.baseUrl + done.files.data);
      expect(data.headers.get('content-disposition')).toContain(`data.${format}`);
      await writeFile(join(dir, `data.${format}`), Buffer.from(await data.arrayBuffer()));
      await writeFile(
        join(dir, 'manifest.json'),
        JSON.stringify((await market.request('GET', done.files.manifest)).body),
      );
      const report = await verifyExport(dir, { networkKey: market.key.publicKey });
      expect(report.failures).toEqual([]);
      expect(report).toMatchObject({ ok: true, rows: 180, badRowCount: 0 });
    }
    // And submitting the same transaction again is harmless
    expect((await market.request('POST', `/orders/${signed.orderId}/payment`, { signature })).body.status).toBe('paid');
  });

  it('gives no download without payment', async () => {
    const signed = await quote({ metrics: 'temperature' });
    const refused = await market.request('POST', `/orders/${signed.orderId}/exports`, { format: 'csv' });
    expect([refused.status, refused.body.error.code]).toEqual([402, 'NOT_PAID']);
    expect((await market.request('GET', `/orders/${signed.orderId}`)).body).toMatchObject({
      status: 'quoted',
      payment: null,
      exports: [],
    });
    expect((await market.request('GET', `/orders/${'0'.repeat(32)}`)).body.error.code).toBe('ORDER_NOT_FOUND');
    expect((await market.request('GET', `/exports/${'0'.repeat(32)}/data`)).body.error.code).toBe('EXPORT_NOT_FOUND');
  });

  it('refuses each bad payment with its own code, and the order stays payable', async () => {
    const signed = await quote({ excludeFlagged: true });
    const due = BigInt(signed.amount);
    const submit = async (signature: string) => {
      const reply = await market.request('POST', `/orders/${signed.orderId}/payment`, { signature });
      return [reply.status, reply.body.error?.code ?? reply.body.status];
    };
    const stranger = (await market.chain.ata(owners[0] as never)).address;
    await market.chain.run([(await market.chain.ata(owners[0] as never)).instruction]);
    expect(await submit(await market.chain.pay({ amount: due - 1n, memos: [signed.memo] }))).toEqual([
      422,
      'UNDERPAID',
    ]);
    expect(await submit(await market.chain.pay({ amount: due, memos: ['groundtruth:order:someone-else'] }))).toEqual([
      422,
      'WRONG_MEMO',
    ]);
    expect(await submit(await market.chain.pay({ amount: due, memos: [] }))).toEqual([422, 'WRONG_MEMO']);
    expect(
      await submit(
        await market.chain.pay({
          amount: due,
          memos: [signed.memo],
          mint: market.chain.otherToken.mint,
          destination: market.chain.otherToken.treasury.tokenAccount,
        }),
      ),
    ).toEqual([422, 'WRONG_MINT']);
    expect(await submit(await market.chain.pay({ amount: due, memos: [signed.memo], destination: stranger }))).toEqual([
      422,
      'WRONG_DESTINATION',
    ]);
    // more than the buyer holds: the transaction lands and fails
    expect(await submit(await market.chain.pay({ amount: 10n ** 13n, memos: [signed.memo] }))).toEqual([
      422,
      'TX_FAILED',
    ]);
    expect(await submit(getBase58Decoder().decode(randomBytes(64)))).toEqual([404, 'TX_NOT_FOUND']);
    expect(await submit('not-a-signature'.padEnd(64, 'x'))).toEqual([400, 'BAD_QUERY']);
    // a plain (unchecked) Transfer of the right amount with the memo pays it
    expect(
      await submit(await market.chain.pay({ amount: due, memos: ['hello', signed.memo], checked: false })),
    ).toEqual([200, 'paid']);
    const metrics = await market.metrics.metrics();
    expect(metrics).toMatch(/gt_market_payments_total\{outcome="UNDERPAID"[^}]*\} 1/);
  });

  it("the buyer's library refuses a quote not signed by the trusted key, and a payment the chain rejects", async () => {
    const impostor = NetworkKey.fromSecret(Buffer.alloc(32, 99)).publicKey;
    const wary = new MarketClient({ baseUrl: market.baseUrl, networkKey: impostor });
    await expect(wary.quote({ ...dayQuery, metrics: ['temperature'] })).rejects.toMatchObject({
      code: 'BAD_QUOTE_SIGNATURE',
    });
    const client = new MarketClient({ baseUrl: market.baseUrl, networkKey: market.key.publicKey });
    const quote = await client.quote({ ...dayQuery, metrics: ['temperature'] });
    // a buyer holding no reward token: the transfer lands and fails, nothing is paid
    const broke = await generateKeyPairSigner();
    market.chain.gateway.airdrop(broke.address, 1_000_000_000n);
    await expect(payQuote({ gateway: market.chain.gateway, quote, buyer: broke })).rejects.toMatchObject({
      code: 'TX_FAILED',
    });
    expect((await client.order(quote.orderId)).status).toBe('quoted');
  });

  it('refuses a transaction that already paid another order', async () => {
    const first = await quote({ metrics: 'pressure' });
    const second = await quote({ metrics: 'pressure' });
    const signature = await market.chain.pay({ amount: BigInt(first.amount), memos: [first.memo, second.memo] });
    expect((await market.request('POST', `/orders/${first.orderId}/payment`, { signature })).status).toBe(200);
    const reused = await market.request('POST', `/orders/${second.orderId}/payment`, { signature });
    expect([reused.status, reused.body.error.code]).toEqual([409, 'TX_REUSED']);
  });

  it('refuses payment of an expired quote', async () => {
    const signed = await quote({ metrics: 'humidity' });
    clock.advance(601_000);
    const signature = await market.chain.pay({ amount: BigInt(signed.amount), memos: [signed.memo] });
    const reply = await market.request('POST', `/orders/${signed.orderId}/payment`, { signature });
    expect([reply.status, reply.body.error.code]).toEqual([410, 'QUOTE_EXPIRED']);
  });
});

describe('revenue share', () => {
  it('credits the devices whose rows were sold, pro rata, for the next epoch', async () => {
    // Given a paid order over Berlin's and the batch station's rows (60 + 60 rows, 40 % share)
    const signed = await quote({ metrics: 'wind_speed' });
    const signature = await market.chain.pay({ amount: BigInt(signed.amount), memos: [signed.memo] });
    expect((await market.request('POST', `/orders/${signed.orderId}/payment`, { signature })).status).toBe(200);
    // Then each device has an unclaimed credit in the rewards ledger, adding up to the share
    const { rows } = await db.pool.query<{ device_id: string; amount: string; epoch: string | null }>(
      'SELECT device_id, amount::text, epoch FROM reward_credits WHERE source = $1 ORDER BY device_id',
      [`sale:${signed.orderId}`],
    );
    const share = (BigInt(signed.amount) * 4000n) / 10_000n;
    expect(rows.reduce((sum, r) => sum + BigInt(r.amount), 0n)).toBe(share);
    expect(rows.map((r) => r.device_id).sort()).toEqual([...devices].sort());
    expect(rows.every((r) => r.epoch === null)).toBe(true);
    // And owners see it per device and per wallet
    const revenue = await market.request('GET', `/devices/${devices[1]}/revenue`);
    expect(revenue.body.shares).toContainEqual(
      expect.objectContaining({ orderId: signed.orderId, ownerWallet: owners[1], rows: 60 }),
    );
    const ofOwner = await market.request('GET', `/owners/${owners[0]}/revenue`);
    expect(ofOwner.body.shares.filter((s: { orderId: string }) => s.orderId === signed.orderId)).toHaveLength(2);
  });
});
