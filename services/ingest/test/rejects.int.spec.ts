import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeBatch, encodeSingle, NodeCryptoSigner, keyPairFromSeed } from '@groundtruth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestRunner } from '../src/ingest.runner.js';
import {
  discardSession,
  freshDatabase,
  publishAll,
  register,
  startIngest,
  storedSeqs,
  testDevice,
  until,
  type Publication,
} from './support.js';

interface QuarantineRow {
  reason: string;
  topic: string;
  device_id: string | null;
  seq: string | null;
  detail: string;
  payload: Buffer;
  payload_bytes: number;
}

describe('every rejected message lands in quarantine with its reason, and is acknowledged', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ingest: IngestRunner;
  beforeAll(async () => {
    db = await freshDatabase();
    // A short late window (to show NON_INCREASING_SEQ), a small rate budget (to show RATE_LIMITED) and a short
    // replay threshold (to tell an old message sent again from a redelivery).
    ingest = await startIngest(db.url, { lateWindowMs: 300, ratePerS: 1, rateBurst: 100, replayAfterMs: 1000 });
  });
  afterAll(async () => {
    await ingest.stop();
    await discardSession(ingest.core.config.clientId);
    await db.drop();
  });

  it('produces each reason code from a crafted message', async () => {
    // Given registered devices in every state, and one device nobody registered
    const good = testDevice('weather');
    const mixed = testDevice('weather');
    const chatty = testDevice('weather');
    const energyAsWeather = testDevice('energy');
    const suspended = testDevice('weather');
    const revoked = testDevice('weather');
    const unknown = testDevice('weather');
    await register(db.pool, [good, mixed, chatty]);
    await db.pool.query(`INSERT INTO devices (device_id, kind, status) VALUES ($1, 'weather', 'active')`, [
      energyAsWeather.id,
    ]);
    await register(db.pool, [suspended], 'suspended');
    await register(db.pool, [revoked], 'revoked');
    const impostor = new NodeCryptoSigner(keyPairFromSeed(randomBytes(32)));
    const now = Date.now();

    // When the devices publish valid readings and crafted bad ones
    const on = (topic: string, payload: Buffer | string): Publication => ({ topic, payload: Buffer.from(payload) });
    const mixedBatch = encodeBatch(
      [0, 1, 2, 3, 4].map((seq) => mixed.body(seq, seq === 2 ? { ts: now + 3_600_000 } : {})),
      mixed.signer,
    );
    const first = [
      ...[0, 1, 5].map((seq) => on(good.topic, good.single(seq))),
      on(good.topic, 'not json {'),
      on(good.topic, '{"v":1,"type":"reading"}'),
      on(good.topic, Buffer.alloc(600 * 1024, 0x20)),
      on(good.topic, encodeSingle(good.body(50), impostor)),
      on(unknown.topic, unknown.single(0)),
      on(suspended.topic, suspended.single(0)),
      on(revoked.topic, revoked.single(0)),
      on(mixed.topic, good.single(60)),
      on(good.topic, good.single(100, { ts: now + 3_600_000 })),
      on(good.topic, good.single(101, { ts: now - 30 * 24 * 3_600_000 })),
      on(good.topic, good.single(102, { loc: { lat: 52, lon: 5, hdop: 1e39 } })),
      on(energyAsWeather.topic, energyAsWeather.single(0)),
      on(mixed.topic, mixedBatch),
      ...[0, 1, 2].map((b) => on(chatty.topic, chatty.batch(Array.from({ length: 50 }, (_, i) => b * 50 + i)))),
    ];
    await publishAll(first);
    await until('the valid readings are stored', async () => {
      const stored = await storedSeqs(db.pool, 'weather', [good, mixed, chatty]);
      return stored.total === 3 + 4 + 100;
    });
    // ...and, once gap 2..4 of `good` is older than the late window, a replayed seq and a rewound seq
    await sleep(400);
    const second = [on(good.topic, good.single(0, { metrics: { temperature: -5 } })), on(good.topic, good.single(3))];
    await publishAll(second);

    // Then each reason has its quarantine row, naming topic, device and seq where known
    const expected: Record<string, { topic: string; device: string | null; seq: number | null }> = {
      MALFORMED_JSON: { topic: good.topic, device: good.id, seq: null },
      SCHEMA: { topic: good.topic, device: good.id, seq: null },
      TOO_LARGE: { topic: good.topic, device: good.id, seq: null },
      BAD_SIGNATURE: { topic: good.topic, device: good.id, seq: 50 },
      UNKNOWN_DEVICE: { topic: unknown.topic, device: unknown.id, seq: 0 },
      DEVICE_SUSPENDED: { topic: suspended.topic, device: suspended.id, seq: 0 },
      DEVICE_REVOKED: { topic: revoked.topic, device: revoked.id, seq: 0 },
      TOPIC_DEVICE_MISMATCH: { topic: mixed.topic, device: good.id, seq: null },
      TIMESTAMP_IN_FUTURE: { topic: good.topic, device: good.id, seq: 100 },
      TIMESTAMP_TOO_OLD: { topic: good.topic, device: good.id, seq: 101 },
      BAD_LOCATION: { topic: good.topic, device: good.id, seq: 102 },
      KIND_MISMATCH: { topic: energyAsWeather.topic, device: energyAsWeather.id, seq: 0 },
      RATE_LIMITED: { topic: chatty.topic, device: chatty.id, seq: null },
      REPLAYED_SEQ: { topic: good.topic, device: good.id, seq: 0 },
      NON_INCREASING_SEQ: { topic: good.topic, device: good.id, seq: 3 },
    };
    const rows = async () => (await db.pool.query<QuarantineRow>('SELECT * FROM quarantine ORDER BY received_at')).rows;
    await until('every crafted message is quarantined', async () => (await rows()).length === 16);
    const byReason = new Map<string, QuarantineRow[]>();
    for (const row of await rows()) {
      byReason.set(row.reason, [...(byReason.get(row.reason) ?? []), row]);
    }
    expect([...byReason.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [reason, where] of Object.entries(expected)) {
      const row =
        reason === 'TIMESTAMP_IN_FUTURE'
          ? byReason.get(reason)!.find((r) => r.device_id === good.id)!
          : byReason.get(reason)![0]!;
      expect({
        reason,
        topic: row.topic,
        device: row.device_id,
        seq: row.seq === null ? null : Number(row.seq),
      }).toEqual({ reason, ...where });
      expect(row.detail.length).toBeGreaterThan(0);
    }

    // And payloads are kept, bounded to 4 KiB with the full size beside them
    const tooLarge = byReason.get('TOO_LARGE')![0]!;
    expect({ kept: tooLarge.payload.length, size: tooLarge.payload_bytes }).toEqual({ kept: 4096, size: 600 * 1024 });
    expect(byReason.get('MALFORMED_JSON')![0]!.payload.toString()).toBe('not json {');

    // And a refused reading of a batch is quarantined alone, as its own signed body; its siblings are stored
    const inBatch = byReason.get('TIMESTAMP_IN_FUTURE')!.find((r) => r.device_id === mixed.id)!;
    expect(inBatch).toMatchObject({ seq: '2' });
    expect(inBatch.detail).toMatch(/^batch reading 3 of 5: /);
    expect(JSON.parse(inBatch.payload.toString())).toMatchObject({ device: mixed.id, seq: 2 });
    expect(await storedSeqs(db.pool, 'weather', [mixed])).toEqual({ total: 4, distinct: 4 });

    // And the replayed and rewound readings changed nothing stored; every message was acknowledged
    const seq0 = await db.pool.query<{ body: string }>(
      'SELECT body FROM readings_weather WHERE device_id = $1 AND seq = 0',
      [good.id],
    );
    expect(JSON.parse(seq0.rows[0]!.body).metrics.temperature).not.toBe(-5);
    await until('every message is acknowledged', () => {
      const t = ingest.health().transport;
      const total = first.length + second.length;
      return t.received === total && t.acked === total && t.inFlightMessages === 0;
    });
    const rejected = await ingest.core.metrics.rejected.get();
    expect(rejected.values.reduce((n, v) => n + v.value, 0)).toBe(16);
  });

  it('acknowledges a redelivered copy as a duplicate, and quarantines a copy sent again long after as a replay', async () => {
    // Given a device whose readings 0..2 are stored
    const device = testDevice('weather');
    await register(db.pool, [device]);
    const reading = (seq: number) => ({ topic: device.topic, payload: device.single(seq) });
    await publishAll([0, 1, 2].map(reading));
    await until('0..2 are stored', async () => (await storedSeqs(db.pool, 'weather', [device])).total === 3);
    const duplicates = async () => (await ingest.core.metrics.duplicates.get()).values[0]?.value ?? 0;
    const before = await duplicates();

    // When reading 2 comes again at once (a redelivery), then reading 0 again after the 1 s replay threshold
    await publishAll([reading(2)]);
    await until('the redelivery is counted', async () => (await duplicates()) === before + 1);
    await sleep(1100);
    await publishAll([reading(0)]);

    // Then only the late copy is quarantined, as a rewound seq whose detail says what it was, and nothing is
    // stored twice
    const rows = async () =>
      (await db.pool.query<QuarantineRow>('SELECT * FROM quarantine WHERE device_id = $1', [device.id])).rows;
    await until('the replay is quarantined', async () => (await rows()).length === 1);
    const [row] = await rows();
    expect({ reason: row!.reason, seq: row!.seq }).toEqual({ reason: 'NON_INCREASING_SEQ', seq: '0' });
    expect(row!.detail).toMatch(/^seq 0 is a verbatim copy of the reading received \d+ s earlier/);
    expect(row!.payload.equals(reading(0).payload)).toBe(true);
    expect(await storedSeqs(db.pool, 'weather', [device])).toEqual({ total: 3, distinct: 3 });
    expect(await duplicates()).toBe(before + 1);
  });
});
