import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../test/setup/ports.js';
import { spawnIngest, type IngestProcess } from './child/spawn.js';
import {
  count,
  discardSession,
  freshDatabase,
  publishWith,
  register,
  storedSeqs,
  testDevice,
  until,
} from './support.js';

const DEVICES = 40;
const PER_DEVICE = 500;
const TOTAL = DEVICES * PER_DEVICE;

describe('an ingest process killed with SIGKILL mid-batch', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const processes: IngestProcess[] = [];
  const clientId = `gt-ingest-crash-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    for (const { child } of processes) {
      child.kill('SIGKILL');
    }
    await discardSession(clientId);
    await db.drop();
  });

  it('loses nothing and duplicates nothing after a restart (counted by seq)', async () => {
    // Given 40 registered devices and the ingest running as its own process (the Nest microservice of main.ts)
    const devices = Array.from({ length: DEVICES }, () => testDevice('weather'));
    await register(db.pool, devices);
    const metricsPort = await freePort();
    const env = {
      DATABASE_URL: db.url,
      MQTT_URL: inject('mqttUrl'),
      INGEST_CLIENT_ID: clientId,
      INGEST_SHARE_GROUP: `crash-${clientId}`,
      INGEST_BATCH_MAX_MESSAGES: '500',
      INGEST_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
    };
    const first = await spawnIngest(env);
    processes.push(first);

    // When 20,000 signed readings are published and the process is killed with SIGKILL while writing
    const messages = devices.flatMap((d) =>
      Array.from({ length: PER_DEVICE }, (_, seq) => ({ topic: d.topic, payload: d.single(seq) })),
    );
    const interleaved = Array.from(
      { length: TOTAL },
      (_, i) => messages[(i % DEVICES) * PER_DEVICE + Math.floor(i / DEVICES)]!,
    );
    const publisher = await mqtt.connectAsync(inject('mqttUrl'), { protocolVersion: 5, reconnectPeriod: 0 });
    const published = publishWith(publisher, interleaved, 500);
    const stored = () => count(db.pool, 'SELECT count(*) AS n FROM readings_weather');
    await until('a fifth is stored', async () => (await stored()) >= TOTAL / 5, 60_000);
    const writing = await count(
      db.pool,
      `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'gt-ingest-writer' AND state <> 'idle'`,
    );
    first.child.kill('SIGKILL');
    const storedAtKill = await stored();
    expect((await first.exited).signal).toBe('SIGKILL');
    await published;
    await publisher.endAsync();
    console.log(`killed with ${storedAtKill} of ${TOTAL} stored, ${writing} write transaction(s) open`);
    expect(storedAtKill).toBeLessThan(TOTAL);

    // And the process is started again on the same persistent session
    const second = await spawnIngest(env);
    processes.push(second);

    // Then every (device, seq) is stored exactly once and the seq state agrees
    await until('all 20,000 are stored', async () => (await stored()) >= TOTAL, 90_000);
    await until('the backlog is acknowledged', async () => {
      const health = (await (await fetch(`http://127.0.0.1:${metricsPort}/health`)).json()) as {
        transport: { inFlightMessages: number };
      };
      return health.transport.inFlightMessages === 0;
    });
    expect(await storedSeqs(db.pool, 'weather', devices)).toEqual({ total: TOTAL, distinct: TOTAL });
    expect(await count(db.pool, 'SELECT count(*) AS n FROM quarantine')).toBe(0);
    expect(await count(db.pool, 'SELECT sum(readings) AS n FROM device_state')).toBe(TOTAL);
    expect(await count(db.pool, 'SELECT count(*) AS n FROM seq_gaps')).toBe(0);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    console.log(
      `after restart: ${/gt_ingest_duplicates_total\S* (\d+)/.exec(metrics)?.[1]} redelivered duplicates acknowledged`,
    );

    // And SIGTERM stops it cleanly
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.events.some((e) => e.event === 'ingest_stopping')).toBe(true);
  });
});
