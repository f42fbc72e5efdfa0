import { silentLogger } from '@groundtruth/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestCore, type IngestCore } from '../src/ingest.core.js';
import type { MessageBatch } from '../src/mqtt-batch.consumer.js';
import { QFLAG } from '../src/quality.flags.js';
import { count, freshDatabase, register, testConfig, testDevice } from './support.js';

/**
 * Batches are prepared concurrently and their transactions overlap (two writer connections), yet each
 * batch locks its devices' seq state in the order the batches were handed over. Here the first batch is the
 * slowest to prepare (300 signatures against 1), so without that order the later ones would commit first
 * and the first batch's readings would be stored as late, behind a gap.
 */
describe('write order with overlapping transactions', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let core: IngestCore;
  beforeAll(async () => {
    db = await freshDatabase();
    core = await createIngestCore(testConfig(db.url, { decodeWorkers: 0, writerConnections: 2 }), {
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await core.close();
    await db.drop();
  });

  it('keeps hand-over order per device when a later batch is ready first, and never deadlocks', async () => {
    // Given a device and three batches handed over in order: 300 readings, then one, then one more
    const device = testDevice('weather');
    await register(db.pool, [device]);
    const receivedAt = Date.now();
    const batchOf = (id: number, seqs: number[]): MessageBatch => ({
      id,
      messages: seqs.map((seq) => ({ topic: device.topic, payload: device.single(seq), receivedAt })),
    });
    const first = batchOf(
      1,
      Array.from({ length: 300 }, (_, seq) => seq),
    );

    // When all three are processed at once (the two small ones, ready first, wait for their turn)
    const summaries = await Promise.all([
      core.service.process(first),
      core.service.process(batchOf(2, [300])),
      core.service.process(batchOf(3, [301])),
    ]);

    // Then every reading is stored once, in order: none late, no gap ever recorded
    expect(summaries.map((s) => s.accepted)).toEqual([300, 1, 1]);
    expect(await count(db.pool, 'SELECT count(DISTINCT seq) AS n FROM readings_weather')).toBe(302);
    expect(
      await count(db.pool, 'SELECT count(*) AS n FROM readings_weather WHERE qflags & $1 <> 0', [QFLAG.LATE_SEQ]),
    ).toBe(0);
    expect(await count(db.pool, 'SELECT count(*) AS n FROM seq_gaps')).toBe(0);
    const state = await db.pool.query<{ high_seq: string; readings: string }>(
      'SELECT high_seq, readings FROM device_state WHERE device_id = $1',
      [device.id],
    );
    expect(state.rows).toEqual([{ high_seq: '301', readings: '302' }]);
  });
});
