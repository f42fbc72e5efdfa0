import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { generateKeyPair } from '@groundtruth/protocol';
import { createPool, migrate } from '@groundtruth/service-kit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buyDataset,
  MarketApiError,
  MarketClient,
  parseDatasetQuery,
  payQuote,
  streamDatasetRows,
  type ExportRow,
  type FrozenQuery,
} from '../src/index.js';
import { latLngToCell } from 'h3-js';
import { DAY, seedWeatherFleet, UTRECHT } from './market-fixture.js';
import { manualClock, MarketUnderTest, type MarketStore } from './market-app.js';

/*
 * The embedded mode's database: PGlite served over @electric-sql/pglite-socket as the network runner serves
 * it (no COPY FROM STDIN, one backend for every connection). The market runs with MARKET_EXPORT_COPY=false.
 */
const clock = manualClock(DAY + 2 * 86_400_000);
const owners = [generateKeyPair().deviceId];
let pglite: PGlite;
let server: PGLiteSocketServer;
let store: MarketStore;
let market: MarketUnderTest;

beforeAll(async () => {
  pglite = await PGlite.create();
  server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  await migrate(url, { log: () => {} });
  const pool: pg.Pool = createPool(url, { applicationName: 'market-pglite-test', max: 4, onError: () => {} });
  store = { url, pool, dir: mkdtempSync(join(tmpdir(), 'gt-market-pglite-')) };
  await seedWeatherFleet(store, owners, { copy: false });
  market = await MarketUnderTest.start(store, clock, { MARKET_EXPORT_COPY: 'false' });
});

afterAll(async () => {
  await market?.close();
  await store?.pool.end();
  await server?.stop();
  await pglite?.close();
  if (store) {
    rmSync(store.dir, { recursive: true, force: true });
  }
});

async function collect(rows: AsyncIterable<readonly ExportRow[]>): Promise<ExportRow[]> {
  const out: ExportRow[] = [];
  for await (const batch of rows) {
    out.push(...batch);
  }
  return out;
}

describe('the market on PGlite (embedded mode)', () => {
  it('reads the same rows in keyset pages as with COPY, across page boundaries and an H3 filter', async () => {
    const frozen = (extra: Record<string, unknown> = {}): FrozenQuery => ({
      ...parseDatasetQuery({ kind: 'weather', from: DAY, to: DAY + 86_400_000, ...extra }),
      asOf: clock.now(),
    });
    for (const query of [frozen(), frozen({ cells: latLngToCell(UTRECHT.lat, UTRECHT.lon, 7) })]) {
      const copied = await collect(streamDatasetRows(store.pool, query));
      // three devices report at the same minute: pages of 7 split ties on ts, which the keyset must resume
      const paged = await collect(streamDatasetRows(store.pool, query, { copy: false, pageSize: 7 }));
      expect(paged.length).toBeGreaterThan(100);
      expect(paged).toEqual(copied);
    }
    const limited = await collect(streamDatasetRows(store.pool, frozen(), { copy: false, pageSize: 4, limit: 10 }));
    expect(limited).toHaveLength(10);
  });

  it('sells a dataset through the client library: quote, payment on LiteSVM, export, download, verify', async () => {
    const client = new MarketClient({ baseUrl: market.baseUrl });
    const search = await client.search({ kind: 'weather', from: DAY, to: DAY + 86_400_000, metrics: ['humidity'] });
    expect(search).toMatchObject({ rows: 180, devices: 3 });
    expect(search.samples).toHaveLength(5);
    for (const format of ['csv', 'jsonl', 'parquet'] as const) {
      const steps: string[] = [];
      const purchase = await buyDataset({
        client,
        query: { kind: 'weather', from: DAY, to: DAY + 86_400_000 },
        format,
        dir: join(store.dir, `bought-${format}`),
        pay: async (quote) =>
          (await payQuote({ gateway: market.chain.gateway, quote, buyer: market.chain.buyer })).signature,
        pollMs: 20,
        onProgress: (p) => steps.push(p.step),
      });
      expect(purchase.report).toMatchObject({ ok: true, rows: 180, problems: [] });
      expect(purchase.order.status).toBe('paid');
      expect(steps[0]).toBe('quoted');
      expect(steps.slice(-2)).toEqual(['downloaded', 'verified']);
    }
    // refusals arrive as typed API errors
    const quote = await client.quote({ kind: 'weather', from: DAY, to: DAY + 86_400_000, metrics: 'pressure' });
    await expect(client.startExport(quote.orderId, 'csv')).rejects.toMatchObject({ status: 402, code: 'NOT_PAID' });
    await expect(client.submitPayment(quote.orderId, '1'.repeat(64))).rejects.toBeInstanceOf(MarketApiError);
  });
});
