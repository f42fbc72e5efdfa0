/**
 * A real pipeline run for the dashboards' integration test, in a fresh database of the private cluster:
 *
 * 1. the registry (HTTP) registers a simulated fleet of every hardware kind, each device signing its registration
 *    with its owner's wallet; the bridges (real bridge code on emulated hardware) replay the hour that will be the
 *    epoch at high speed over MQTT to the private Mosquitto; the real ingest verifies and stores them (PUBACK after
 *    COMMIT), quarantining what it refuses; an operator suspends one device half-way;
 * 2. the scoring job rolls up the closed hours and scores the epoch;
 * 3. the market sells the hour's weather data (quote, payment on LiteSVM, CSV export);
 * 4. the rewards service closes the epoch from the stored scores (and the sale's revenue share) and mints the
 *    payouts on LiteSVM with the real SPL programs;
 * 5. every service's `/metrics` is scraped over HTTP.
 *
 * The devices register now but deliver an hour that ended an hour ago; scoring only scores devices registered
 * before an epoch ends, so the run moves the registrations back to just before that hour, as if the fleet had
 * been registered then and had been flushing its backlog since.
 *
 * Workspace packages are imported by relative path to their src: under vitest the `@groundtruth/source` export
 * condition is not applied to SSR resolution, so `@groundtruth/x` would load (possibly stale) dist/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { ingestConfig, IngestRunner } from '../../services/ingest/src/index.js';
import { createMetricsRegistry, migrate, parseConfig, silentLogger } from '../../services/kit/src/index.js';
import { createMarketApp, marketConfigSchema, NetworkKey } from '../../services/market/src/index.js';
import { createRegistryApp, registryConfigSchema } from '../../services/registry/src/index.js';
import { createRewardsApp, rewardsConfigSchema, type RewardsApp } from '../../services/rewards/src/index.js';
import { HoursRepository } from '../../services/scoring/src/db/hours.repository.js';
import { ScoresRepository } from '../../services/scoring/src/db/scores.repository.js';
import { ScoringJob } from '../../services/scoring/src/job/scoring.job.js';
import { ScoringMetrics } from '../../services/scoring/src/metrics.js';
import { createDatabase, dropDatabase } from '../../test/setup/postgres.js';
import { freePort } from '../../test/setup/ports.js';
import { TestChain } from './chain.js';
import { runTraffic, type TrafficRoles } from './fleet.js';
import { buyDataset, type Purchase } from './market-purchase.js';

const HOUR = 3_600_000;
const OPERATOR_TOKEN = 'dashboards-operator-token-0123456789';
/** simulated ms per wall ms: the hour replays in ten seconds */
const SPEED = 360;

export type ScrapedService = 'ingest' | 'registry' | 'scoring' | 'rewards' | 'market' | 'bridge';

export interface PipelineRun {
  readonly databaseUrl: string;
  readonly timescaledb: boolean;
  readonly roles: TrafficRoles;
  /** the epoch the run closed: number and window */
  readonly epoch: { readonly number: number; readonly startsAt: number; readonly endsAt: number };
  readonly purchase: Purchase;
  /** `/metrics` text of each service, scraped after the run */
  readonly exposition: Readonly<Record<ScrapedService, string>>;
  /** wall ms per stage */
  readonly timings: Readonly<Record<string, number>>;
  query(sql: string): Promise<pg.QueryResult>;
  close(): Promise<void>;
}

async function post(baseUrl: string, route: string, body: unknown, token?: string): Promise<void> {
  const response = await fetch(baseUrl + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`POST ${route}: ${response.status} ${await response.text()}`);
  }
}

/** A request the service must refuse (so its refusal counters have samples to scrape). */
async function refused(baseUrl: string, route: string, body: unknown): Promise<void> {
  const response = await fetch(baseUrl + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.ok) {
    throw new Error(`POST ${route} was accepted: ${await response.text()}`);
  }
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`GET ${url}: ${response.status}`);
  }
  return response.text();
}

/** Sum of every sample of `name` in a text exposition. */
function sampleSum(exposition: string, name: string): number {
  let sum = 0;
  for (const match of exposition.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
    sum += Number(match[1]);
  }
  return sum;
}

/** Waits until the ingest has received every reading sent and acknowledged every message (acks follow COMMIT). */
async function waitForIngest(metricsUrl: string, readingsSent: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let state = '';
  while (Date.now() < deadline) {
    const text = await scrape(metricsUrl);
    const received = sampleSum(text, 'gt_ingest_readings_received_total');
    const inflight = sampleSum(text, 'gt_ingest_inflight_messages');
    if (received >= readingsSent && inflight === 0) {
      return;
    }
    state = `received ${received} of ${readingsSent} readings, ${inflight} messages unacknowledged`;
    await sleep(100);
  }
  throw new Error(`ingest did not take the traffic in time (${state})`);
}

export async function runPipeline(clusterUrl: string, mqttUrl: string): Promise<PipelineRun> {
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const lap = (stage: string) => {
    const now = Date.now();
    timings[stage] = now - mark;
    mark = now;
  };
  const epochStart = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
  const epochEnd = epochStart + HOUR;
  const databaseUrl = await createDatabase(clusterUrl);
  await migrate(databaseUrl, { log: () => {} });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
  pool.on('error', () => undefined); // idle clients of a database being dropped
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gt-dashboards-'));
  // closed in reverse order: services first, then the pool, then the database
  const closers: (() => Promise<unknown>)[] = [
    () => dropDatabase(databaseUrl),
    async () => rmSync(dataDir, { recursive: true, force: true }),
    () => pool.end(),
  ];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) {
      await closer().catch(() => undefined);
    }
  };
  const listen = async (app: INestApplication): Promise<string> => {
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  };
  try {
    lap('database');
    // Given: the registry and the ingest
    const registry = await createRegistryApp(
      parseConfig(registryConfigSchema, {
        DATABASE_URL: databaseUrl,
        REGISTRY_OPERATOR_TOKENS: `dashboards-ops=${OPERATOR_TOKEN}`,
      }),
      { pool, logger: silentLogger, metricsRegistry: createMetricsRegistry({ service: 'registry' }) },
    );
    closers.push(() => registry.close());
    const registryUrl = await listen(registry);
    const run = Math.random().toString(36).slice(2, 10);
    const ingest = await IngestRunner.start(
      ingestConfig({
        databaseUrl,
        mqttUrl,
        clientId: `gt-dashboards-${run}`,
        shareGroup: `dashboards-${run}`,
        sessionExpiryS: 60,
        metricsPort: await freePort(),
        logLevel: 'error',
        // verification on the event loop: worker threads cannot load the TypeScript sources this test runs
        decodeWorkers: 0,
      }),
      { logger: silentLogger },
    );
    closers.push(() => ingest.stop(1000));
    const ingestMetrics = `http://127.0.0.1:${ingest.metricsPort}/metrics`;
    lap('services');

    // When: the fleet delivers the epoch's hour through the bridges, and an operator suspends a meter half-way
    const traffic = await runTraffic({
      mqttUrl,
      registryUrl,
      dataDir,
      epochStart,
      speed: SPEED,
      atHalfTime: (roles) =>
        post(registryUrl, `/devices/${roles.toSuspend}/suspend`, { reason: 'meter seal broken' }, OPERATOR_TOKEN),
    });
    await waitForIngest(ingestMetrics, traffic.readingsSent);
    // a device registered twice (refused: DEVICE_EXISTS)
    await refused(registryUrl, '/devices', traffic.firstRegistration);
    lap('traffic');
    await pool.query(`UPDATE devices SET registered_at = $1`, [new Date(epochStart - 10 * 60_000)]);
    await pool.query(`UPDATE device_events SET at = $1 WHERE action = 'registered'`, [
      new Date(epochStart - 10 * 60_000),
    ]);

    // And: scoring rolls up the closed hours and scores the epoch
    const scoringRegistry = createMetricsRegistry({ service: 'scoring' });
    const scoring = new ScoringJob(pool, new HoursRepository(pool), new ScoresRepository(pool), {
      logger: silentLogger,
      metrics: new ScoringMetrics(scoringRegistry),
      backfillHours: 3,
    });
    await scoring.scoreClosedHours(Date.now());
    await scoring.scoreEpoch(epochStart, epochEnd);
    lap('scoring');

    // And: a model trainer buys the hour's weather data
    const chain = await TestChain.create(1_000_000_000_000n);
    const marketRegistry = createMetricsRegistry({ service: 'market' });
    const market = await createMarketApp(
      parseConfig(marketConfigSchema, {
        DATABASE_URL: databaseUrl,
        MARKET_EXPORT_DIR: path.join(dataDir, 'exports'),
        MARKET_UNIT_PRICE: '1000',
        MARKET_MINIMUM_AMOUNT: '1',
        MARKET_REVENUE_SHARE_BPS: '4000',
        LOG_LEVEL: 'error',
      }),
      {
        pool,
        logger: silentLogger,
        metricsRegistry: marketRegistry,
        gateway: chain.gateway,
        networkKey: NetworkKey.fromSecret(Buffer.alloc(32, 8)),
        token: chain.token,
      },
    );
    closers.push(() => market.close());
    const marketUrl = await listen(market);
    const purchase = await buyDataset(marketUrl, chain, { kind: 'weather', from: epochStart, to: epochEnd });
    // and asks for a dataset nobody has recorded (refused: EMPTY_DATASET)
    await refused(marketUrl, '/quotes', {
      kind: 'energy',
      from: new Date(epochStart - 48 * HOUR).toISOString(),
      to: new Date(epochStart - 47 * HOUR).toISOString(),
    });
    lap('market');

    // And: the rewards service closes the epoch and pays it on LiteSVM
    const rewards: RewardsApp = await createRewardsApp(
      parseConfig(rewardsConfigSchema, {
        DATABASE_URL: databaseUrl,
        REWARDS_GENESIS: new Date(epochStart).toISOString(),
        REWARDS_EPOCH_SECONDS: '3600',
        REWARDS_GRACE_SECONDS: '300',
        REWARDS_FIRST_EPOCH: '0',
        REWARDS_EMISSION_PER_EPOCH: '1000000000',
        REWARDS_MIN_QUALITY: '0.3',
        REWARDS_WALLETS_PER_TX: '2',
        REWARDS_RETRY_BASE_MS: '20',
        REWARDS_RETRY_MAX_MS: '100',
        REWARDS_POLL_MS: '20',
        LOG_LEVEL: 'error',
      }),
      {
        pool,
        logger: silentLogger,
        metricsRegistry: createMetricsRegistry({ service: 'rewards' }),
        chain: chain.payout,
      },
    );
    closers.push(() => rewards.close());
    const report = await rewards.runner.runOnce();
    if (report === 'busy' || !report.closed.includes(0) || report.paid[0]?.status !== 'paid') {
      throw new Error(`rewards did not close and pay epoch 0: ${JSON.stringify(report)}`);
    }
    const rewardsUrl = await listen(rewards.http);
    lap('rewards');

    // Then: what each service exports
    const exposition: Record<ScrapedService, string> = {
      ingest: await scrape(ingestMetrics),
      registry: await scrape(`${registryUrl}/metrics`),
      // the scoring job has no HTTP server of its own yet: its registry is read directly
      scoring: await scoringRegistry.metrics(),
      rewards: await scrape(`${rewardsUrl}/metrics`),
      market: await scrape(`${marketUrl}/metrics`),
      // the simulated fleet's bridges, scraped while they ran
      bridge: traffic.bridgeExposition,
    };
    const extension = await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
    lap('scrape');
    return {
      databaseUrl,
      timescaledb: (extension.rowCount ?? 0) > 0,
      roles: traffic.roles,
      epoch: { number: 0, startsAt: epochStart, endsAt: epochEnd },
      purchase,
      exposition,
      timings,
      query: (sql) => pool.query(sql),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
