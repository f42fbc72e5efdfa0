import { setTimeout as sleep } from 'node:timers/promises';
import { checkProvenance, NodeCryptoVerifier, type DeviceId, type ReadingProof } from '@groundtruth/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IngestRunner } from '../src/ingest.runner.js';
import { QFLAG } from '../src/quality.flags.js';
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
  type Publication,
  type TestDevice,
} from './support.js';

describe('ingest of valid traffic', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ingest: IngestRunner | undefined;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    if (ingest) {
      await ingest.stop();
      await discardSession(ingest.core.config.clientId);
      ingest = undefined;
    }
  });
  afterAll(() => db.drop());

  it('stores every reading of single and batch envelopes exactly once, with what proves it', async () => {
    // Given 12 registered devices of each kind and a running ingest
    const devices = (['weather', 'vehicle', 'energy'] as const).flatMap((kind) =>
      Array.from({ length: 4 }, () => testDevice(kind)),
    );
    await register(db.pool, devices);
    ingest = await startIngest(db.url, { batchMaxMessages: 200 });

    // When each device publishes 100 single readings (seq 0..99) and 4 batches of 50 (seq 100..299)
    const messages: Publication[] = devices.flatMap((d) => [
      ...Array.from({ length: 100 }, (_, seq) => ({ topic: d.topic, payload: d.single(seq) })),
      ...[0, 1, 2, 3].map((b) => ({
        topic: d.topic,
        payload: d.batch(Array.from({ length: 50 }, (_, i) => 100 + b * 50 + i)),
      })),
    ]);
    await publishAll(messages);

    // Then all 3,600 readings are stored, each (device, seq) once, nothing quarantined, every message acknowledged
    const expected = devices.length * 300;
    await until('all readings are stored', () =>
      ingest!.core.metrics.readingsAccepted.get().then((m) => sum(m) >= expected),
    );
    for (const kind of ['weather', 'vehicle', 'energy'] as const) {
      expect(await storedSeqs(db.pool, kind, devices)).toEqual({ total: 1200, distinct: 1200 });
    }
    expect(await count(db.pool, 'SELECT count(*) AS n FROM quarantine')).toBe(0);
    await until('every message is acknowledged', () => ingest!.health().transport.acked === messages.length);
    expect(ingest.health().transport).toMatchObject({ received: messages.length, acksDropped: 0, inFlightMessages: 0 });

    // And the seq state holds the high-water mark and count of every device, with no gaps
    const state = await db.pool.query<{ high_seq: string; readings: string }>(
      'SELECT high_seq, readings FROM device_state WHERE device_id = ANY($1::text[])',
      [devices.map((d) => d.id)],
    );
    expect(state.rows.map((r) => [Number(r.high_seq), Number(r.readings)])).toEqual(devices.map(() => [299, 300]));
    expect(await count(db.pool, 'SELECT count(*) AS n FROM seq_gaps')).toBe(0);

    // And every stored row proves itself: single readings by their signature, batch readings by root and proof
    const verifier = new NodeCryptoVerifier();
    for (const device of [devices[0]!, devices[5]!, devices[11]!]) {
      const rows = await db.pool.query<StoredRow>(
        `SELECT device_id, seq, body, sig, batch_root, batch_index, batch_size, proof FROM readings_${device.kind}
         WHERE device_id = $1 AND seq IN (7, 99, 100, 149, 299)`,
        [device.id],
      );
      expect(rows.rows).toHaveLength(5);
      for (const row of rows.rows) {
        expect(
          checkProvenance(row.device_id as DeviceId, Buffer.from(row.body), proofOf(row), verifier),
        ).toBeUndefined();
        expect(row.batch_root === null).toBe(Number(row.seq) < 100);
      }
    }
  });

  it('acknowledges redelivered readings as duplicates without storing or quarantining them', async () => {
    // Given a device whose readings 0..49 are stored
    const device = testDevice('weather');
    await register(db.pool, [device]);
    ingest = await startIngest(db.url);
    const messages = Array.from({ length: 50 }, (_, seq) => ({ topic: device.topic, payload: device.single(seq) }));
    await publishAll(messages);
    await until('50 readings are stored', async () => (await storedSeqs(db.pool, 'weather', [device])).total === 50);

    // When the same 50 messages arrive again (QoS 1 redelivery), plus a batch repeating 40..59
    await publishAll([
      ...messages,
      { topic: device.topic, payload: device.batch(Array.from({ length: 20 }, (_, i) => 40 + i)) },
    ]);

    // Then only 50..59 are new, the repeats count as duplicates, nothing goes to quarantine
    await until(
      'the repeats are counted',
      async () => (await ingest!.core.metrics.duplicates.get()).values[0]!.value === 60,
    );
    expect(await storedSeqs(db.pool, 'weather', [device])).toEqual({ total: 60, distinct: 60 });
    expect(await count(db.pool, 'SELECT count(*) AS n FROM quarantine WHERE device_id = $1', [device.id])).toBe(0);
    await until('every message is acknowledged', () => ingest!.health().transport.acked === 101);
  });

  it('writes a batch again, checking every seq, when the table holds a reading its seq state does not know', async () => {
    // Given a device whose reading 5 is in the table while its seq state was lost (as after a partial restore)
    const device = testDevice('weather');
    await register(db.pool, [device]);
    ingest = await startIngest(db.url);
    const messages = Array.from({ length: 10 }, (_, seq) => ({ topic: device.topic, payload: device.single(seq) }));
    await publishAll(messages.slice(5, 6));
    await until('reading 5 is stored', async () => (await storedSeqs(db.pool, 'weather', [device])).total === 1);
    await db.pool.query('DELETE FROM device_state WHERE device_id = $1', [device.id]);
    await db.pool.query('DELETE FROM seq_gaps WHERE device_id = $1', [device.id]);

    // When readings 0..9 arrive (the COPY of what the empty seq state calls new meets reading 5)
    await publishAll(messages);

    // Then 0..9 are stored once each, reading 5 counts as a redelivered duplicate, nothing is quarantined
    await until('10 readings are stored', async () => (await storedSeqs(db.pool, 'weather', [device])).total === 10);
    expect(await storedSeqs(db.pool, 'weather', [device])).toEqual({ total: 10, distinct: 10 });
    expect((await ingest.core.metrics.duplicates.get()).values[0]!.value).toBe(1);
    expect(await count(db.pool, 'SELECT count(*) AS n FROM quarantine WHERE device_id = $1', [device.id])).toBe(0);
    await until('every message is acknowledged', () => ingest!.health().transport.acked === 11);
    expect(ingest.health().transport.retries).toBe(0);
  });

  it('records seq gaps, fills them with late readings and flags those', async () => {
    // Given a device that published 0, 1, 2, then 6 (3..5 missing)
    const device = testDevice('energy');
    await register(db.pool, [device]);
    ingest = await startIngest(db.url);
    await publishAll([0, 1, 2, 6].map((seq) => ({ topic: device.topic, payload: device.single(seq) })));
    await until('4 readings are stored', async () => (await storedSeqs(db.pool, 'energy', [device])).total === 4);
    const gaps = () =>
      db.pool
        .query<{ from_seq: string; to_seq: string }>(
          'SELECT from_seq, to_seq FROM seq_gaps WHERE device_id = $1 ORDER BY from_seq',
          [device.id],
        )
        .then((r) => r.rows.map((row) => [Number(row.from_seq), Number(row.to_seq)]));
    expect(await gaps()).toEqual([[3, 5]]);

    // When 4 arrives late (e.g. through another ingest instance), then 3 and 5
    await publishAll([{ topic: device.topic, payload: device.single(4) }]);
    await until('5 readings are stored', async () => (await storedSeqs(db.pool, 'energy', [device])).total === 5);
    expect(await gaps()).toEqual([
      [3, 3],
      [5, 5],
    ]);
    await publishAll([3, 5].map((seq) => ({ topic: device.topic, payload: device.single(seq) })));
    await until('7 readings are stored', async () => (await storedSeqs(db.pool, 'energy', [device])).total === 7);

    // Then no gap is left, the late readings carry LATE_SEQ, and the high-water mark stayed at 6
    expect(await gaps()).toEqual([]);
    const flagged = await db.pool.query<{ seq: string }>(
      'SELECT seq FROM readings_energy WHERE device_id = $1 AND qflags & $2 <> 0 ORDER BY seq',
      [device.id, QFLAG.LATE_SEQ],
    );
    expect(flagged.rows.map((r) => Number(r.seq))).toEqual([3, 4, 5]);
    const state = await db.pool.query<{ high_seq: string; readings: string }>(
      'SELECT high_seq, readings FROM device_state WHERE device_id = $1',
      [device.id],
    );
    expect(state.rows[0]).toEqual({ high_seq: '6', readings: '7' });
  });

  it('stores the same rows without COPY or LISTEN (what PGlite over its socket offers), and polls the registry', async () => {
    // Given an ingest that inserts from JSON and re-reads the registry every 300 ms instead of listening
    const devices = [testDevice('weather'), testDevice('vehicle'), testDevice('energy')];
    await register(db.pool, devices);
    ingest = await startIngest(db.url, { copy: false, registryNotify: false, registryPollMs: 300 });

    // When each device publishes singles 0..9 and a batch 10..29
    await publishAll(
      devices.flatMap((d) => [
        ...Array.from({ length: 10 }, (_, seq) => ({ topic: d.topic, payload: d.single(seq) })),
        { topic: d.topic, payload: d.batch(Array.from({ length: 20 }, (_, i) => 10 + i)) },
      ]),
    );

    // Then every reading is stored once with its typed columns and provenance
    for (const device of devices) {
      await until(
        `${device.kind} readings are stored`,
        async () => (await storedSeqs(db.pool, device.kind, [device])).total === 30,
      );
      expect(await storedSeqs(db.pool, device.kind, [device])).toEqual({ total: 30, distinct: 30 });
      const rows = await db.pool.query<StoredRow>(
        `SELECT device_id, seq, body, sig, batch_root, batch_index, batch_size, proof FROM readings_${device.kind} WHERE device_id = $1`,
        [device.id],
      );
      const verifier = new NodeCryptoVerifier();
      for (const row of rows.rows) {
        expect(
          checkProvenance(row.device_id as DeviceId, Buffer.from(row.body), proofOf(row), verifier),
        ).toBeUndefined();
      }
    }
    const typed = await db.pool.query<{ speed: number; rpm: number }>(
      'SELECT speed, rpm FROM readings_vehicle WHERE device_id = $1 AND seq = 3',
      [devices[1]!.id],
    );
    expect(typed.rows[0]).toEqual({ speed: 3.5, rpm: 2000 });

    // And a suspension is seen within the poll interval, with no NOTIFY at all
    await db.pool.query(`UPDATE devices SET status = 'suspended' WHERE device_id = $1`, [devices[0]!.id]);
    await sleep(400);
    await publishAll([{ topic: devices[0]!.topic, payload: devices[0]!.single(30) }]);
    await until(
      'the reading is quarantined',
      async () =>
        (await count(
          db.pool,
          `SELECT count(*) AS n FROM quarantine WHERE reason = 'DEVICE_SUSPENDED' AND device_id = $1`,
          [devices[0]!.id],
        )) === 1,
      5_000,
    );
  });

  it('exposes the metrics the issue lists on /metrics', async () => {
    const device: TestDevice = testDevice('weather');
    await register(db.pool, [device]);
    ingest = await startIngest(db.url, { metricsPort: 0 });
    await publishAll([{ topic: device.topic, payload: device.single(0) }]);
    await until('the reading is stored', async () => (await storedSeqs(db.pool, 'weather', [device])).total === 1);
    const text = await ingest.core.metricsRegistry.metrics();
    for (const name of [
      'gt_ingest_messages_received_total',
      'gt_ingest_readings_accepted_total',
      'gt_ingest_rejected_total',
      'gt_ingest_batch_readings',
      'gt_ingest_commit_seconds',
      'gt_ingest_lag_seconds',
      'gt_ingest_verify_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toMatch(/gt_ingest_readings_accepted_total\{kind="weather",service="ingest"\} 1/);
  });
});

interface StoredRow {
  device_id: string;
  seq: string;
  body: string;
  sig: Buffer;
  batch_root: Buffer | null;
  batch_index: number | null;
  batch_size: number | null;
  proof: Buffer | null;
}

function proofOf(row: StoredRow): ReadingProof {
  if (row.batch_root === null) {
    return { type: 'single', signature: row.sig };
  }
  const hashes = Array.from({ length: row.proof!.length / 32 }, (_, i) => row.proof!.subarray(i * 32, (i + 1) * 32));
  return {
    type: 'batch',
    signature: row.sig,
    root: row.batch_root,
    index: row.batch_index!,
    size: row.batch_size!,
    proof: hashes,
  };
}

function sum(metric: { values: { value: number }[] }): number {
  return metric.values.reduce((total, v) => total + v.value, 0);
}
