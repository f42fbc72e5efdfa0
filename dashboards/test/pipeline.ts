/**
 * A real pipeline run for the dashboards' integration test, in a fresh database of the private cluster:
 * devices registered through the registry's HTTP API (signed by device and owner), one suspended by an
 * operator, signed readings published over MQTT to the private Mosquitto and stored by the real ingest
 * (IngestRunner, PUBACK after COMMIT), then two reward epochs seeded (see rewards-seed.ts). The running
 * services' /metrics are scraped over HTTP at the end.
 *
 * Workspace packages are imported by relative path to their src: under vitest the `@groundtruth/source`
 * export condition is not applied to SSR resolution, so `@groundtruth/x` would load (possibly stale) dist/.
 */
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ingestConfig, IngestRunner } from '../../services/ingest/src/index.js';
import { createRegistryApp, registryConfigSchema } from '../../services/registry/src/index.js';
import { createMetricsRegistry, migrate, parseConfig, silentLogger } from '../../services/kit/src/index.js';
import type { INestApplication } from '@nestjs/common';
import mqtt from 'mqtt';
import pg from 'pg';
import { MarketMetrics } from '../../services/market/src/market.metrics.js';
import { RewardsMetrics } from '../../services/rewards/src/rewards.metrics.js';
import { createDatabase, dropDatabase } from '../../test/setup/postgres.js';
import { freePort } from '../../test/setup/ports.js';
import { makeFleet, registrationOf, trafficOf, type FleetDevice } from './fleet.js';
import { seedRewards, type EpochDevice } from './rewards-seed.js';

const OPERATOR_TOKEN = 'dashboards-operator-token-0123456789';

export interface PipelineRun {
  readonly databaseUrl: string;
  readonly timescaledb: boolean;
  /** the device the drill-down test selects: it has readings, flags, a seq gap, quarantine and history */
  readonly focusDevice: string;
  readonly startedAt: number;
  /** `/metrics` text of each service, scraped after the run */
  readonly exposition: Readonly<Record<'ingest' | 'registry' | 'market' | 'rewards', string>>;
  query(sql: string): Promise<pg.QueryResult>;
  close(): Promise<void>;
}

async function post(baseUrl: string, path: string, body: unknown, token?: string): Promise<void> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  }
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`GET ${url}: ${response.status}`);
  }
  return response.text();
}

/** Polls until the stored readings and quarantine rows are what the traffic must produce. */
async function waitForIngest(pool: pg.Pool, stored: Map<string, number>, reasons: readonly string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  let state = '';
  while (Date.now() < deadline) {
    const readings = await pool.query<{ device_id: string; n: string }>(
      `SELECT device_id, count(*) AS n FROM (SELECT device_id FROM readings_weather UNION ALL SELECT device_id FROM readings_vehicle
         UNION ALL SELECT device_id FROM readings_energy) r GROUP BY device_id`,
    );
    const seen = await pool.query<{ reason: string }>('SELECT DISTINCT reason FROM quarantine');
    const counts = new Map(readings.rows.map((r) => [r.device_id, Number(r.n)]));
    const missingReasons = reasons.filter((r) => !seen.rows.some((row) => row.reason === r));
    const short = [...stored].filter(([device, n]) => (counts.get(device) ?? 0) !== n);
    if (short.length === 0 && missingReasons.length === 0) {
      return;
    }
    state = `devices short: ${short.length}, reasons missing: ${missingReasons.join(',')}`;
    await sleep(200);
  }
  throw new Error(`ingest did not store the traffic in time (${state})`);
}

export async function runPipeline(clusterUrl: string, mqttUrl: string): Promise<PipelineRun> {
  const startedAt = Date.now();
  const databaseUrl = await createDatabase(clusterUrl);
  await migrate(databaseUrl, { log: () => {} });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  pool.on('error', () => undefined); // idle clients of a database being dropped
  // closed in reverse order: services first, then the pool, then the database
  const closers: (() => Promise<unknown>)[] = [() => dropDatabase(databaseUrl), () => pool.end()];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) {
      await closer().catch(() => undefined);
    }
  };
  try {
    // Given: a registry, devices registered through it, and one suspended by an operator
    const registryConfig = parseConfig(registryConfigSchema, {
      DATABASE_URL: databaseUrl,
      REGISTRY_OPERATOR_TOKENS: `dashboards-ops=${OPERATOR_TOKEN}`,
    });
    const registry: INestApplication = await createRegistryApp(registryConfig, {
      logger: silentLogger,
      metricsRegistry: createMetricsRegistry({ service: 'registry' }),
    });
    closers.push(() => registry.close());
    await registry.listen(0, '127.0.0.1');
    const registryUrl = `http://127.0.0.1:${(registry.getHttpServer().address() as AddressInfo).port}`;
    const fleet = makeFleet();
    for (const device of fleet) {
      await post(registryUrl, '/devices', registrationOf(device, Date.now()));
    }
    const focus = fleet[0]!;
    const suspended: FleetDevice = fleet[2]!;
    await post(
      registryUrl,
      `/devices/${suspended.keys.deviceId}/suspend`,
      { reason: 'tampered enclosure' },
      OPERATOR_TOKEN,
    );

    // When: the fleet publishes over MQTT and the real ingest stores what it accepts
    const run = Math.random().toString(36).slice(2, 10);
    const metricsPort = await freePort();
    const ingest = await IngestRunner.start(
      ingestConfig({
        databaseUrl,
        mqttUrl,
        clientId: `gt-dashboards-${run}`,
        shareGroup: `dashboards-${run}`,
        sessionExpiryS: 60,
        // the fleet publishes its last half hour at once: only the three-hour backlog counts as delayed
        delayedFlagMs: 60 * 60_000,
        metricsPort,
        logLevel: 'error',
      }),
      { logger: silentLogger },
    );
    closers.push(() => ingest.stop(1000));
    const traffic = trafficOf(fleet, focus, suspended, Date.now());
    const client = await mqtt.connectAsync(mqttUrl, { clientId: `gt-dashboards-fleet-${run}`, reconnectPeriod: 0 });
    closers.push(() => client.endAsync());
    for (const message of traffic.messages) {
      await client.publishAsync(message.topic, message.payload, { qos: 1 });
    }
    await waitForIngest(pool, traffic.stored, traffic.reasons);

    // And: two closed reward epochs over the registered devices
    const devices = await pool.query<EpochDevice>(
      `SELECT device_id, kind, model, owner_wallet, status, declared_lat AS lat, declared_lon AS lon FROM devices ORDER BY registered_at, device_id`,
    );
    const seedClient = await pool.connect();
    try {
      await seedRewards(seedClient, devices.rows, Date.now());
    } finally {
      seedClient.release();
    }

    // market and rewards apps need a chain to start: their metric registries stand in for their /metrics
    const market = new MarketMetrics(createMetricsRegistry({ service: 'market' }));
    const rewards = new RewardsMetrics(createMetricsRegistry({ service: 'rewards' }));
    const exposition = {
      ingest: await scrape(`http://127.0.0.1:${metricsPort}/metrics`),
      registry: await scrape(`${registryUrl}/metrics`),
      market: await market.registry.metrics(),
      rewards: await rewards.registry.metrics(),
    };
    const extension = await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
    return {
      databaseUrl,
      timescaledb: (extension.rowCount ?? 0) > 0,
      focusDevice: focus.keys.deviceId,
      startedAt,
      exposition,
      query: (sql) => pool.query(sql),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
