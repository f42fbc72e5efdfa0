import { randomBytes } from 'node:crypto';
import {
  checkProvenance,
  encodeBatch,
  encodeSingle,
  keyPairFromSeed,
  NodeCryptoSigner,
  NodeCryptoVerifier,
  type DeviceId,
} from '@groundtruth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestRunner } from '../src/ingest.runner.js';
import {
  count,
  discardSession,
  freshDatabase,
  publishAll,
  register,
  SOURCE_WORKER_EXEC_ARGV,
  startIngest,
  storedSeqs,
  testDevice,
  until,
  type Publication,
} from './support.js';

/** The envelope worker pool (decode and verify on worker threads), with the one pool this process may start. */
describe('ingest with envelope worker threads', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ingest: IngestRunner;
  beforeAll(async () => {
    db = await freshDatabase();
    ingest = await startIngest(
      db.url,
      { decodeWorkers: 2, batchMaxMessages: 300 },
      { workerExecArgv: SOURCE_WORKER_EXEC_ARGV },
    );
  });
  afterAll(async () => {
    await ingest.stop();
    await discardSession(ingest.core.config.clientId);
    await db.drop();
  });

  it('stores valid traffic of every kind exactly once and quarantines what the workers refuse', async () => {
    // Given two devices of each kind, and one device nobody registered
    const devices = (['weather', 'vehicle', 'energy'] as const).flatMap((kind) => [testDevice(kind), testDevice(kind)]);
    await register(db.pool, devices);
    const stranger = testDevice('weather');
    const impostor = new NodeCryptoSigner(keyPairFromSeed(randomBytes(32)));
    const victim = devices[0]!;
    const early = devices[1]!;

    // When each publishes 150 singles and 3 batches of 50, plus a forged reading, a reading from the future
    // inside a batch, and a reading of the unregistered device (enough messages to split between workers)
    const messages: Publication[] = devices.flatMap((d) => [
      ...Array.from({ length: 150 }, (_, seq) => ({ topic: d.topic, payload: d.single(seq) })),
      ...[0, 1, 2].map((b) => ({
        topic: d.topic,
        payload: d.batch(Array.from({ length: 50 }, (_, i) => 150 + b * 50 + i)),
      })),
    ]);
    const ahead = { ts: Date.now() + 3_600_000 };
    messages.push(
      { topic: victim.topic, payload: Buffer.from(encodeSingle(victim.body(1000), impostor)) },
      { topic: stranger.topic, payload: stranger.single(0) },
      {
        topic: early.topic,
        payload: Buffer.from(encodeBatch([early.body(300), early.body(301, ahead), early.body(302)], early.signer)),
      },
    );
    await publishAll(messages);

    // Then all 300 readings of each device (302 of the early one) are stored once, with provenance that verifies
    const expected = { weather: 602, vehicle: 600, energy: 600 };
    await until('every valid reading is stored', async () => {
      const stored = await Promise.all(
        (['weather', 'vehicle', 'energy'] as const).map((kind) => storedSeqs(db.pool, kind, devices)),
      );
      return stored.every((s, i) => s.total === Object.values(expected)[i]);
    });
    for (const kind of ['weather', 'vehicle', 'energy'] as const) {
      expect(await storedSeqs(db.pool, kind, devices)).toEqual({ total: expected[kind], distinct: expected[kind] });
    }
    const verifier = new NodeCryptoVerifier();
    const rows = await db.pool.query<{ device_id: string; seq: string; body: string; sig: Buffer; root: Buffer }>(
      `SELECT device_id, seq, body, sig, batch_root AS root FROM readings_vehicle WHERE device_id = $1 AND seq IN (3, 149)`,
      [devices[2]!.id],
    );
    expect(rows.rows).toHaveLength(2);
    for (const row of rows.rows) {
      const proof = { type: 'single' as const, signature: row.sig };
      expect(checkProvenance(row.device_id as DeviceId, Buffer.from(row.body), proof, verifier)).toBeUndefined();
    }

    // And the forged, unregistered and early readings are quarantined with their reasons; all is acknowledged
    await until(
      'the refusals are quarantined',
      async () => (await count(db.pool, 'SELECT count(*) AS n FROM quarantine')) === 3,
    );
    const reasons = await db.pool.query<{ reason: string; device_id: string; seq: string }>(
      'SELECT reason, device_id, seq FROM quarantine ORDER BY reason',
    );
    expect(reasons.rows).toEqual([
      { reason: 'BAD_SIGNATURE', device_id: victim.id, seq: '1000' },
      { reason: 'TIMESTAMP_IN_FUTURE', device_id: early.id, seq: '301' },
      { reason: 'UNKNOWN_DEVICE', device_id: stranger.id, seq: '0' },
    ]);
    await until('every message is acknowledged', () => ingest.health().transport.acked === messages.length);
    expect(ingest.health().transport).toMatchObject({ received: messages.length, acksDropped: 0 });
  });
});
