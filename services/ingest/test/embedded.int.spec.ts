import { createServer, type AddressInfo, type Server } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { checkProvenance, NodeCryptoVerifier, type DeviceId } from '@groundtruth/protocol';
import { silentLogger } from '@groundtruth/service-kit';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../kit/src/db/migrate.js';
import { embeddedIngestConfig } from '../src/ingest.config.js';
import { IngestRunner } from '../src/ingest.runner.js';
import { count, publishWith, register, storedSeqs, testDevice, until, type Publication } from './support.js';

/**
 * The embedded network's infrastructure, for real: an Aedes broker (MQTT 3.1.1, no shared subscriptions) and
 * PGlite served over pglite-socket (no COPY FROM STDIN, no NOTIFY delivery, connections multiplexed onto one
 * backend), both in this process as services/network runs them. The ingest gets `embeddedIngestConfig`.
 */
describe('the ingest on Aedes and PGlite (the embedded mode)', () => {
  let broker: Awaited<ReturnType<typeof Aedes.createBroker>>;
  let mqttServer: Server;
  let mqttUrl: string;
  let db: PGlite;
  let dbServer: PGLiteSocketServer;
  let pool: pg.Pool;
  let databaseUrl: string;
  beforeAll(async () => {
    broker = await Aedes.createBroker({ concurrency: 1000 });
    mqttServer = createServer(broker.handle);
    await new Promise<void>((resolve) => mqttServer.listen(0, '127.0.0.1', resolve));
    mqttUrl = `mqtt://127.0.0.1:${(mqttServer.address() as AddressInfo).port}`;
    db = await PGlite.create();
    dbServer = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
    await dbServer.start();
    databaseUrl = `postgres://postgres@${dbServer.getServerConn()}/postgres`;
    await migrate(databaseUrl, { log: () => {} });
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await dbServer.stop();
    await db.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => mqttServer.close(() => resolve()));
  });

  it('stores every reading exactly once across a restart, while other connections query the database', async () => {
    // Given registered devices of every kind and the ingest in its embedded configuration
    const devices = (['weather', 'vehicle', 'energy'] as const).flatMap((kind) => [testDevice(kind), testDevice(kind)]);
    await register(pool, devices);
    const config = embeddedIngestConfig({
      databaseUrl,
      mqttUrl,
      clientId: 'gt-ingest-embedded-test',
      registryPollMs: 200,
      batchMaxAgeMs: 10,
      metricsPort: 0,
      sessionExpiryS: 60,
    });
    let ingest = await IngestRunner.start(config, { logger: silentLogger });

    // And another connection querying the same database all the while. Its queries are simple-protocol ones:
    // pglite-socket serves its connections message by message, so an extended-protocol query (Parse, Bind,
    // Execute) outside a transaction can be cut in two by any other connection's statement, ours included.
    // The ingest's own statements are immune: lookups are single simple-protocol messages, and everything
    // else runs inside transactions, which pglite-socket gives one connection at a time.
    let otherQueries = 0;
    let stopOthers = false;
    const others = (async () => {
      while (!stopOthers) {
        const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM devices');
        expect(rows[0]!.n).toBe(devices.length);
        otherQueries++;
      }
    })();

    // When each device publishes 60 singles and 2 batches of 20 over MQTT 3.1.1, the ingest restarting halfway
    const publications = (from: number): Publication[] =>
      devices.flatMap((d) => [
        ...Array.from({ length: 30 }, (_, i) => ({ topic: d.topic, payload: d.single(from + i) })),
        { topic: d.topic, payload: d.batch(Array.from({ length: 20 }, (_, i) => from + 30 + i)) },
      ]);
    const publisher = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
    await publishWith(publisher, publications(0), 50);
    await until('the first half is stored', async () => (await total()) === devices.length * 50, 30_000);
    await ingest.stop();
    await publishWith(publisher, publications(50), 50); // queued by Aedes in the persistent session meanwhile
    ingest = await IngestRunner.start(config, { logger: silentLogger });

    // Then every reading is stored once, with provenance that verifies, and nothing is quarantined
    await until('everything is stored', async () => (await total()) === devices.length * 100, 30_000);
    stopOthers = true;
    await others;
    for (const kind of ['weather', 'vehicle', 'energy'] as const) {
      expect(await storedSeqs(pool, kind, devices)).toEqual({ total: 200, distinct: 200 });
    }
    expect(await count(pool, 'SELECT count(*)::int AS n FROM quarantine')).toBe(0);
    const rows = await pool.query<{ device_id: string; body: string; sig: Buffer }>(
      'SELECT device_id, body, sig FROM readings_energy WHERE batch_root IS NULL LIMIT 5',
    );
    const verifier = new NodeCryptoVerifier();
    for (const row of rows.rows) {
      const proof = { type: 'single' as const, signature: row.sig };
      expect(checkProvenance(row.device_id as DeviceId, Buffer.from(row.body), proof, verifier)).toBeUndefined();
    }
    await until('every message is acknowledged', () => ingest.health().transport.inFlightMessages === 0);
    expect(otherQueries).toBeGreaterThan(0);

    // And a suspension reaches the ingest by polling (PGlite delivers no NOTIFY)
    await pool.query(`UPDATE devices SET status = 'suspended' WHERE device_id = $1`, [devices[0]!.id]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await publisher.publishAsync(devices[0]!.topic, devices[0]!.single(100), { qos: 1 });
    await until(
      'the reading is quarantined',
      async () => (await count(pool, 'SELECT count(*) AS n FROM quarantine')) === 1,
    );
    const [row] = (await pool.query<{ reason: string }>('SELECT reason FROM quarantine')).rows;
    expect(row!.reason).toBe('DEVICE_SUSPENDED');
    await publisher.endAsync();
    await ingest.stop();
  });

  const total = () =>
    count(
      pool,
      `SELECT (SELECT count(*) FROM readings_weather) + (SELECT count(*) FROM readings_vehicle)
         + (SELECT count(*) FROM readings_energy) AS n`,
    );
});
