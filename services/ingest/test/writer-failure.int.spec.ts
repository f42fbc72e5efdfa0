import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IngestRunner } from '../src/ingest.runner.js';
import {
  count,
  discardSession,
  freshDatabase,
  publishAll,
  register,
  startIngest,
  storedSeqs,
  testDevice,
  until,
} from './support.js';

/**
 * A real failure inside the write transaction: a trigger makes every INSERT into readings_weather raise
 * while `ingest_fault` holds a row (the fault is in the database, not a stand-in for it).
 */
const INSTALL_FAULT = `
  CREATE TABLE ingest_fault (on_purpose boolean);
  CREATE FUNCTION ingest_fault_raise() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM ingest_fault) THEN
      RAISE EXCEPTION 'injected writer fault';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER ingest_fault BEFORE INSERT ON readings_weather FOR EACH ROW EXECUTE FUNCTION ingest_fault_raise();`;

describe('a failing writer loses nothing', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ingest: IngestRunner | undefined;
  beforeAll(async () => {
    db = await freshDatabase();
    await db.pool.query(INSTALL_FAULT);
  });
  afterEach(async () => {
    await db.pool.query('DELETE FROM ingest_fault');
    if (ingest) {
      await ingest.stop(1000);
      await discardSession(ingest.core.config.clientId);
      ingest = undefined;
    }
  });
  afterAll(() => db.drop());

  it('retries a batch whose transaction threw, acknowledging nothing until it commits', async () => {
    // Given a writer that throws on every insert
    const devices = Array.from({ length: 5 }, () => testDevice('weather'));
    await register(db.pool, devices);
    await db.pool.query('INSERT INTO ingest_fault VALUES (true)');
    ingest = await startIngest(db.url, {}, {});
    const runner = ingest;

    // When 500 readings arrive
    await publishAll(
      devices.flatMap((d) => Array.from({ length: 100 }, (_, seq) => ({ topic: d.topic, payload: d.single(seq) }))),
    );

    // Then they are all received, the write is retried, nothing is stored, quarantined or acknowledged
    await until('the write was retried', () => runner.health().transport.retries >= 3, 15_000);
    expect(runner.health().transport).toMatchObject({ received: 500, acked: 0, inFlightMessages: 500 });
    expect(await storedSeqs(db.pool, 'weather', devices)).toEqual({ total: 0, distinct: 0 });
    expect(await count(db.pool, 'SELECT count(*) AS n FROM quarantine')).toBe(0);

    // When the fault clears
    await db.pool.query('DELETE FROM ingest_fault');

    // Then every reading is stored exactly once and every message acknowledged
    await until(
      'all 500 are stored',
      async () => (await storedSeqs(db.pool, 'weather', devices)).total === 500,
      20_000,
    );
    await until('all 500 are acknowledged', () => runner.health().transport.acked === 500, 10_000);
    expect(await storedSeqs(db.pool, 'weather', devices)).toEqual({ total: 500, distinct: 500 });
  });

  it('gets a batch delivered again by the broker when the ingest stops while its writer fails', async () => {
    // Given an ingest whose writer fails, holding 200 unacknowledged messages
    const devices = Array.from({ length: 2 }, () => testDevice('weather'));
    await register(db.pool, devices);
    await db.pool.query('INSERT INTO ingest_fault VALUES (true)');
    const first = await startIngest(db.url);
    const clientId = first.core.config.clientId;
    await publishAll(
      devices.flatMap((d) => Array.from({ length: 100 }, (_, seq) => ({ topic: d.topic, payload: d.single(seq) }))),
    );
    await until('200 are received', () => first.health().transport.received === 200, 10_000);

    // When it is stopped (the failing batch is abandoned unacknowledged), the fault clears and it starts again
    await first.stop(500);
    expect(first.health().transport.acked).toBe(0);
    await db.pool.query('DELETE FROM ingest_fault');
    await sleep(100);
    ingest = await startIngest(db.url, { clientId });

    // Then the broker delivers the 200 again and they are stored exactly once
    const second = ingest;
    await until(
      'all 200 are stored',
      async () => (await storedSeqs(db.pool, 'weather', devices)).total === 200,
      20_000,
    );
    await until('all 200 are acknowledged', () => second.health().transport.acked === 200, 10_000);
    expect(await storedSeqs(db.pool, 'weather', devices)).toEqual({ total: 200, distinct: 200 });
  });
});
