import 'reflect-metadata';
import { silentLogger } from '@groundtruth/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestMicroservice, type IngestMicroservice } from '../src/ingest.microservice.js';
import {
  count,
  discardSession,
  freshDatabase,
  publishAll,
  register,
  storedSeqs,
  testConfig,
  testDevice,
  until,
} from './support.js';

describe('the ingest as a Nest microservice on its custom transport', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let service: IngestMicroservice;
  beforeAll(async () => {
    db = await freshDatabase();
    await db.pool.query(`
      CREATE TABLE ingest_fault (on_purpose boolean);
      CREATE FUNCTION ingest_fault_raise() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM ingest_fault) THEN RAISE EXCEPTION 'injected writer fault'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER ingest_fault BEFORE INSERT ON readings_vehicle FOR EACH ROW EXECUTE FUNCTION ingest_fault_raise();`);
    service = await createIngestMicroservice(testConfig(db.url, { decodeWorkers: 0 }), { logger: silentLogger });
    await service.app.listen();
  });
  afterAll(async () => {
    await service.app.close();
    await discardSession(service.core.config.clientId);
    await db.drop();
  });

  it('routes batches to the @EventPattern handler and acknowledges them after the commit', async () => {
    const devices = [testDevice('vehicle'), testDevice('vehicle')];
    await register(db.pool, devices);
    await publishAll(
      devices.flatMap((d) => Array.from({ length: 150 }, (_, seq) => ({ topic: d.topic, payload: d.single(seq) }))),
    );
    await until('300 readings are stored', async () => (await storedSeqs(db.pool, 'vehicle', devices)).total === 300);
    await until('300 messages are acknowledged', () => service.transport.health()?.acked === 300);
    expect(await storedSeqs(db.pool, 'vehicle', devices)).toEqual({ total: 300, distinct: 300 });
  });

  it('runs a batch again when the handler fails through Nest (its exception becomes an error stream)', async () => {
    // Given a writer that throws
    const device = testDevice('vehicle');
    await register(db.pool, [device]);
    await db.pool.query('INSERT INTO ingest_fault VALUES (true)');
    const before = service.transport.health()!;

    // When readings arrive, nothing is acknowledged while the handler keeps failing
    await publishAll(Array.from({ length: 20 }, (_, seq) => ({ topic: device.topic, payload: device.single(seq) })));
    await until('the batch was retried', () => service.transport.health()!.retries >= before.retries + 2, 10_000);
    expect(service.transport.health()!.acked).toBe(before.acked);

    // Then, once the fault clears, they are stored once and acknowledged
    await db.pool.query('DELETE FROM ingest_fault');
    await until(
      '20 readings are stored',
      async () => (await storedSeqs(db.pool, 'vehicle', [device])).total === 20,
      15_000,
    );
    await until('20 more are acknowledged', () => service.transport.health()!.acked === before.acked + 20);
    expect(await count(db.pool, 'SELECT count(*) AS n FROM quarantine')).toBe(0);
  });
});
