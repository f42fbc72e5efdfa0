import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  encodeBatch,
  encodeSingle,
  keyPairFromSeed,
  NodeCryptoSigner,
  readingsTopic,
  type DeviceId,
  type HardwareKind,
  type ReadingBody,
  type Signer,
} from '@groundtruth/protocol';
import { silentLogger } from '@groundtruth/service-kit';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../kit/src/db/migrate.js';
import { createDatabase, dropDatabase } from '../../../test/setup/services.js';
import { ingestConfig, type IngestConfig } from '../src/ingest.config.js';
import { IngestRunner, type IngestRunnerOptions } from '../src/ingest.runner.js';

/** A fresh, migrated database in the private cluster; `drop()` removes it. */
export async function freshDatabase(): Promise<{ url: string; pool: pg.Pool; drop: () => Promise<void> }> {
  const url = await createDatabase(inject('databaseUrl'));
  await migrate(url, { log: () => {} });
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      await dropDatabase(url);
    },
  };
}

export interface TestDevice {
  readonly id: DeviceId;
  readonly kind: HardwareKind;
  readonly signer: Signer;
  body(seq: number, extra?: Partial<ReadingBody>): ReadingBody;
  single(seq: number, extra?: Partial<ReadingBody>): Buffer;
  batch(seqs: readonly number[]): Buffer;
  readonly topic: string;
}

const METRICS: Record<HardwareKind, (seq: number) => Record<string, number>> = {
  weather: (seq) => ({ temperature: 10 + (seq % 50) / 10, humidity: 70, pressure: 101_000 }),
  vehicle: (seq) => ({ speed: (seq % 30) + 0.5, rpm: 2000 }),
  energy: (seq) => ({ energy_import_t1: 1000 + seq, power_import: 350 }),
};

/** A device key pair with helpers that sign readings taken "now". */
export function testDevice(kind: HardwareKind = 'weather', seed: Uint8Array = randomBytes(32)): TestDevice {
  const keys = keyPairFromSeed(seed);
  const signer = new NodeCryptoSigner(keys);
  const base = Date.now();
  const body = (seq: number, extra: Partial<ReadingBody> = {}): ReadingBody => ({
    v: 1,
    device: keys.deviceId,
    kind,
    seq,
    ts: base + seq,
    metrics: METRICS[kind](seq),
    ...extra,
  });
  return {
    id: keys.deviceId,
    kind,
    signer,
    body,
    single: (seq, extra) => Buffer.from(encodeSingle(body(seq, extra), signer)),
    batch: (seqs) =>
      Buffer.from(
        encodeBatch(
          seqs.map((seq) => body(seq)),
          signer,
        ),
      ),
    topic: readingsTopic(keys.deviceId),
  };
}

/** Registers devices the way the registry would (its API is not ours to use here). */
export async function register(pool: pg.Pool, devices: readonly TestDevice[], status = 'active'): Promise<void> {
  await pool.query(
    `INSERT INTO devices (device_id, kind, owner_wallet, status)
     SELECT d, k, 'owner', $3 FROM unnest($1::text[], $2::text[]) AS t(d, k)`,
    [devices.map((d) => d.id), devices.map((d) => d.kind), status],
  );
}

export interface Publication {
  readonly topic: string;
  readonly payload: Buffer;
}

/** Publishes at QoS 1 with a window of unacknowledged messages; resolves when the broker has them all. */
export async function publishAll(messages: readonly Publication[], window = 200): Promise<void> {
  const client = await mqtt.connectAsync(inject('mqttUrl'), { protocolVersion: 5, reconnectPeriod: 0 });
  try {
    await publishWith(client, messages, window);
  } finally {
    await client.endAsync();
  }
}

export async function publishWith(client: MqttClient, messages: readonly Publication[], window = 200): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < messages.length) {
      const { topic, payload } = messages[next++]!;
      await client.publishAsync(topic, payload, { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, messages.length) }, lane));
}

/** An ingest config for tests: private broker, given database, unique client id and share group. */
export function testConfig(databaseUrl: string, overrides: Partial<IngestConfig> = {}): IngestConfig {
  const id = randomUUID().slice(0, 8);
  return ingestConfig({
    databaseUrl,
    mqttUrl: inject('mqttUrl'),
    clientId: `gt-ingest-test-${id}`,
    shareGroup: `test-${id}`,
    sessionExpiryS: 120,
    batchMaxAgeMs: 10,
    metricsPort: 0,
    logLevel: 'warn',
    ...overrides,
  });
}

/**
 * `execArgv` that lets the envelope worker threads run the TypeScript sources the tests run (SWC hooks, the
 * `@groundtruth/source` export condition), as the built package runs dist/ without them.
 *
 * Node 20 segfaults when a worker thread that registered module hooks has exited and another one starts
 * (reproduced with plain worker_threads, no ingest code involved), so a test process may start such a pool
 * once only: in-process tests open envelopes inline (`decodeWorkers: 0`) unless they ask for workers, and
 * workers.int.spec.ts starts the one pool of its process. The built package needs no hooks and is unaffected.
 */
export const SOURCE_WORKER_EXEC_ARGV = [
  '--conditions=@groundtruth/source',
  '--import',
  fileURLToPath(new URL('../../../test/support/ts-register.mjs', import.meta.url)),
];

export async function startIngest(
  databaseUrl: string,
  overrides: Partial<IngestConfig> = {},
  options: IngestRunnerOptions = {},
): Promise<IngestRunner> {
  return IngestRunner.start(testConfig(databaseUrl, { decodeWorkers: 0, ...overrides }), {
    logger: silentLogger,
    workerExecArgv: SOURCE_WORKER_EXEC_ARGV,
    ...options,
  });
}

/** Ends a persistent session on the broker so it queues nothing more for a finished test. */
export async function discardSession(clientId: string): Promise<void> {
  const client = await mqtt.connectAsync(inject('mqttUrl'), {
    clientId,
    clean: true,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 0 },
    reconnectPeriod: 0,
  });
  await client.endAsync();
}

/** Polls `probe` until it returns true; fails with `what` after `timeoutMs`. */
export async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    }
    await sleep(25);
  }
}

export async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

/** Every reading row of the given devices, as (device, seq) pairs counted twice if stored twice. */
export async function storedSeqs(pool: pg.Pool, kind: HardwareKind, devices: readonly TestDevice[]) {
  const { rows } = await pool.query<{ total: string; distinct_pairs: string }>(
    `SELECT count(*) AS total, count(DISTINCT (device_id, seq)) AS distinct_pairs FROM readings_${kind}
     WHERE device_id = ANY($1::text[])`,
    [devices.map((d) => d.id)],
  );
  return { total: Number(rows[0]!.total), distinct: Number(rows[0]!.distinct_pairs) };
}
