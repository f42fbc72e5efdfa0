import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableQueue, type DurableQueueOptions } from '../src/core/durable-queue.js';
import type { QueueRecord } from '../src/core/frame-codec.js';

// Real files in a temp directory: the queue's whole point is what survives on disk.
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-queue-'));
  dirs.push(dir);
  return dir;
}

const record = (firstSeq: number, count = 1, bytes = 100): QueueRecord => ({
  type: count === 1 ? 'single' : 'batch',
  count,
  firstSeq,
  lastSeq: firstSeq + count - 1,
  payload: Buffer.alloc(bytes, firstSeq % 251),
});

const open = (dir: string, options: Partial<DurableQueueOptions> = {}) =>
  DurableQueue.open({ dir, commitIntervalMs: 5, ...options });

function takeAll(queue: DurableQueue): number[] {
  const seqs: number[] = [];
  for (let batch = queue.take(1000); batch.length > 0; batch = queue.take(1000)) {
    seqs.push(...batch.map((r) => r.firstSeq));
  }
  return seqs;
}

const segmentFiles = (dir: string) =>
  readdirSync(path.join(dir))
    .filter((name) => name.startsWith('seg-'))
    .sort();

describe('DurableQueue', () => {
  it('hands out only durable records, and after a restart resends exactly what was not acknowledged', async () => {
    const dir = tempDir();
    const queue = await open(dir, { commitIntervalMs: 10_000 });
    expect(queue.durableHighSeq).toBe(-1); // nothing reserved yet: a device's first reading is seq 0
    for (let seq = 0; seq < 10; seq++) {
      queue.append(record(seq));
    }
    expect(queue.take(100)).toEqual([]); // not committed yet: cannot be published
    await queue.flush();
    const taken = queue.take(4);
    expect(taken.map((r) => r.firstSeq)).toEqual([0, 1, 2, 3]);
    queue.ack(3, 4);
    await queue.close();

    const reopened = await open(dir);
    expect(reopened.durableHighSeq).toBe(9);
    expect(reopened.recovery.pendingReadings).toBe(6);
    expect(takeAll(reopened)).toEqual([4, 5, 6, 7, 8, 9]);
    await reopened.close();
  });

  it('cuts a torn tail on start, keeps every complete record, and continues the seq right after them', async () => {
    const dir = tempDir();
    const queue = await open(dir);
    [0, 1, 2].forEach((seq) => queue.append(record(seq, 1, 500)));
    await queue.close();
    const [file] = segmentFiles(dir);
    const full = statSync(path.join(dir, file!)).size;
    truncateSync(path.join(dir, file!), full - 123); // the last frame was being written when the power went

    const reopened = await open(dir);
    expect(reopened.recovery.truncatedBytes).toBe(528 - 123);
    expect(reopened.recovery.tornReasons).toEqual(['short_data']);
    expect(reopened.durableHighSeq).toBe(1);
    expect(takeAll(reopened)).toEqual([0, 1]);
    reopened.append(record(2, 1, 500)); // seq 2 was never durable, so never published: it is free again
    await reopened.flush();
    expect(takeAll(reopened)).toEqual([2]);
    await reopened.close();
    expect(statSync(path.join(dir, file!)).size).toBe(full);
  });

  it('treats garbage after the last frame as torn, not as data', async () => {
    const dir = tempDir();
    const queue = await open(dir);
    queue.append(record(0));
    await queue.close();
    appendFileSync(path.join(dir, segmentFiles(dir)[0]!), Buffer.from('0123456789abcdef'));
    const reopened = await open(dir);
    expect(reopened.recovery.truncatedBytes).toBe(16);
    expect(reopened.durableHighSeq).toBe(0);
    expect(takeAll(reopened)).toEqual([0]);
    await reopened.close();
  });

  it('keeps the seq high-water after everything was acknowledged and the segments deleted', async () => {
    const dir = tempDir();
    const queue = await open(dir, { maxBytes: 64 * 1024, segmentBytes: 1024 });
    for (let seq = 0; seq < 40; seq++) {
      queue.append(record(seq));
    }
    await queue.flush();
    expect(takeAll(queue)).toHaveLength(40);
    queue.ack(39, 40);
    await queue.close();
    expect(segmentFiles(dir)).toHaveLength(1); // only the active segment is kept

    const reopened = await open(dir);
    expect(reopened.durableHighSeq).toBe(39);
    expect(takeAll(reopened)).toEqual([]);
    expect(() => reopened.append(record(39))).toThrow(RangeError);
    await reopened.close();
  });

  it('past its byte bound evicts the oldest readings, counts every one, and still delivers the rest in order', async () => {
    const dir = tempDir();
    const queue = await open(dir, { maxBytes: 16 * 1024, segmentBytes: 2 * 1024, memoryTailBytes: 1024 });
    const evictions: number[] = [];
    queue.onEvict((event) => evictions.push(event.readings));
    for (let seq = 0; seq < 500; seq += 5) {
      queue.append(record(seq, 5, 200)); // 100 records of 5 readings, ~228 bytes each: ~22.8 KiB
      await queue.flush();
    }
    const stats = queue.stats();
    expect(stats.diskBytes).toBeLessThanOrEqual(16 * 1024);
    expect(stats.evictedReadings).toBeGreaterThan(0);
    expect(evictions.reduce((a, b) => a + b, 0)).toBe(stats.evictedReadings);
    const remaining = takeAll(queue);
    const remainingReadings = remaining.length * 5;
    expect(remainingReadings + stats.evictedReadings).toBe(500);
    expect(remaining[0]).toBe(stats.doneThrough + 1); // the evicted ones are the oldest
    expect(remaining).toEqual([...remaining].sort((a, b) => a - b));
    expect(remaining[remaining.length - 1]).toBe(495);
    await queue.close();
  });

  it('reads a long backlog back from disk once it no longer fits in memory', async () => {
    const dir = tempDir();
    const queue = await open(dir, { memoryTailBytes: 2048, segmentBytes: 4096 });
    for (let seq = 0; seq < 200; seq++) {
      queue.append(record(seq, 1, 300));
    }
    await queue.flush();
    expect(takeAll(queue)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    queue.append(record(200));
    await queue.flush();
    expect(queue.take(10).map((r) => r.firstSeq)).toEqual([200]);
    await queue.close();
  });

  it('refuses a second owner of the same directory', async () => {
    const dir = tempDir();
    const queue = await open(dir);
    await expect(open(dir)).rejects.toMatchObject({ code: 'QUEUE_LOCKED' });
    await queue.close();
    const again = await open(dir);
    await again.close();
  });
});
