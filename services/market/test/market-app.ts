import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseConfig, silentLogger } from '@groundtruth/service-kit';
import type { INestApplication } from '@nestjs/common';
import { Registry } from 'prom-client';
import { createMarketApp, marketConfigSchema, NetworkKey } from '../src/index.js';
import { ChainFixture } from './chain-fixture.js';
import type pg from 'pg';

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, asserted field by field
  headers: Headers;
}

/** A manual clock shared by the market and the chain. */
export function manualClock(start: number): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Where the market's data lives: a database (TimescaleDB or PGlite over its socket) and a temp directory. */
export interface MarketStore {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly dir: string;
}

/** The market over HTTP on a free port, on the test database and a LiteSVM chain with the reward token. */
export class MarketUnderTest {
  private constructor(
    readonly app: INestApplication,
    readonly baseUrl: string,
    readonly chain: ChainFixture,
    readonly key: NetworkKey,
    readonly metrics: Registry,
  ) {}

  static async start(
    db: MarketStore,
    clock: { now: () => number },
    env: Record<string, string> = {},
    existingChain?: ChainFixture,
  ): Promise<MarketUnderTest> {
    const chain = existingChain ?? (await ChainFixture.create(clock.now));
    const config = parseConfig(marketConfigSchema, {
      DATABASE_URL: db.url,
      MARKET_EXPORT_DIR: join(db.dir, 'exports'),
      MARKET_UNIT_PRICE: '1000',
      MARKET_MINIMUM_AMOUNT: '1',
      MARKET_QUALITY_TIERS: '0:1,0.5:1.5',
      MARKET_QUOTE_TTL_S: '600',
      MARKET_REVENUE_SHARE_BPS: '4000',
      ...env,
    });
    const key = NetworkKey.fromSecret(Buffer.alloc(32, 21));
    const metrics = new Registry();
    const app = await createMarketApp(config, {
      pool: db.pool,
      logger: silentLogger,
      metricsRegistry: metrics,
      now: clock.now,
      gateway: chain.gateway,
      networkKey: key,
      token: { mint: chain.mint, treasury: chain.treasury },
    });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new MarketUnderTest(app, `http://127.0.0.1:${port}`, chain, key, metrics);
  }

  async request(method: string, path: string, body?: unknown): Promise<Reply> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      body: type.includes('json') ? JSON.parse(text) : text,
      headers: response.headers,
    };
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
