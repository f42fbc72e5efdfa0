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

/**
 * Real database-side delays that make each kill land where it is meant to (the ingest code is untouched):
 * - `before_commit`: a statement trigger on the seq-state update sleeps, so every write transaction stays
 *   open for a moment after its readings were copied in;
 * - `at_commit`: a deferred constraint trigger sleeps at COMMIT, so a commit is under way (it completes
 *   without its client) while the PUBACKs have not been sent.
 */
const DELAYS = `
  CREATE FUNCTION crash_test_sleep() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN PERFORM pg_sleep(TG_ARGV[0]::float8); RETURN NULL; END $$;
  CREATE TRIGGER before_commit AFTER UPDATE ON device_state FOR EACH STATEMENT
    EXECUTE FUNCTION crash_test_sleep('0.3');`;
const AT_COMMIT = `CREATE CONSTRAINT TRIGGER at_commit AFTER UPDATE ON device_state
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION crash_test_sleep('0.01')`;

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

  it('loses nothing and duplicates nothing after restarts (counted by seq)', async () => {
    // Given 40 registered devices and the ingest running as its own process (the Nest microservice of main.ts,
    // envelopes opened on its worker threads), its write transactions lingering before COMMIT
    const devices = Array.from({ length: DEVICES }, () => testDevice('weather'));
    await register(db.pool, devices);
    await db.pool.query(DELAYS);
    const metricsPort = await freePort();
    const env = {
      DATABASE_URL: db.url,
      MQTT_URL: inject('mqttUrl'),
      INGEST_CLIENT_ID: clientId,
      INGEST_SHARE_GROUP: `crash-${clientId}`,
      INGEST_BATCH_MAX_MESSAGES: '500',
      INGEST_DECODE_WORKERS: '2',
      INGEST_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
    };
    const start = async () => {
      const child = await spawnIngest(env);
      processes.push(child);
      return child;
    };
    const stored = () => count(db.pool, 'SELECT count(*) AS n FROM readings_weather');
    const writersIn = (query: string) =>
      count(
        db.pool,
        `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'gt-ingest-writer'
           AND xact_start IS NOT NULL AND wait_event = 'PgSleep' AND query LIKE $1`,
        [query],
      );
    /** SIGKILL while a writer sleeps in `query`; resolves once its backend has finished (rolled back or committed). */
    const killWhileWriting = async (child: IngestProcess, query: string) => {
      await until(`a writer is in ${query}`, async () => (await writersIn(query)) > 0, 30_000);
      child.child.kill('SIGKILL');
      const caught = await writersIn(query);
      expect((await child.exited).signal).toBe('SIGKILL');
      await until('the killed writer is gone', async () => (await writersIn('%')) === 0, 10_000);
      return caught;
    };
    const first = await start();

    // When 20,000 signed readings are published, interleaved over the devices
    const messages = devices.flatMap((d) =>
      Array.from({ length: PER_DEVICE }, (_, seq) => ({ topic: d.topic, payload: d.single(seq) })),
    );
    const interleaved = Array.from(
      { length: TOTAL },
      (_, i) => messages[(i % DEVICES) * PER_DEVICE + Math.floor(i / DEVICES)]!,
    );
    const publisher = await mqtt.connectAsync(inject('mqttUrl'), { protocolVersion: 5, reconnectPeriod: 0 });
    const published = publishWith(publisher, interleaved, 500);

    // And the process is killed inside a write transaction, before its COMMIT
    await until('a fifth is stored', async () => (await stored()) >= TOTAL / 5, 90_000);
    const beforeCommit = await killWhileWriting(first, 'UPDATE device_state%');
    const afterFirstKill = await stored();
    expect(await storedSeqs(db.pool, 'weather', devices)).toEqual({ total: afterFirstKill, distinct: afterFirstKill });

    // And started again, and killed while a COMMIT is under way (committed, never acknowledged)
    const second = await start();
    await until('more is stored', async () => (await stored()) >= afterFirstKill + TOTAL / 10, 90_000);
    await db.pool.query(AT_COMMIT);
    const atCommit = await killWhileWriting(second, 'COMMIT');
    const afterSecondKill = await stored();
    await db.pool.query('DROP TRIGGER at_commit ON device_state; DROP TRIGGER before_commit ON device_state');
    await published;
    await publisher.endAsync();
    console.log(
      `killed before COMMIT (${beforeCommit} transaction open) with ${afterFirstKill} stored, during COMMIT ` +
        `(${atCommit}) with ${afterSecondKill} stored, of ${TOTAL}`,
    );
    expect([beforeCommit > 0, atCommit > 0]).toEqual([true, true]);
    expect(afterSecondKill).toBeLessThan(TOTAL);

    // And started a third time on the same persistent session
    const third = await start();

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

    // And the batch committed during the kill came again and was acknowledged as duplicates, not stored twice
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const duplicates = Number(/gt_ingest_duplicates_total\S* (\d+)/.exec(metrics)?.[1]);
    console.log(`after the last restart: ${duplicates} redelivered duplicates acknowledged`);
    expect(duplicates).toBeGreaterThan(0);

    // And SIGTERM stops it cleanly
    third.child.kill('SIGTERM');
    expect(await third.exited).toEqual({ code: 0, signal: null });
    expect(third.events.some((e) => e.event === 'ingest_stopping')).toBe(true);
  });
});
