import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair, NodeCryptoSigner } from '@groundtruth/protocol';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { readStatusFile } from '../src/core/bridge-counters.js';
import { DeviceBridge } from '../src/core/device-bridge.js';
import { DurableQueue } from '../src/core/durable-queue.js';
import type { QueueRecord } from '../src/core/frame-codec.js';
import { segmentPath } from '../src/core/segment-files.js';
import { PushAdapter, ReadingsSubscriber, waitFor, weatherSample } from './helpers.js';

// A real write failure, no mock: the next segment file is a symlink to /dev/full, where every write fails with
// ENOSPC (a full disk). Removing the link is the disk getting space back.
const FULL_DISK = '/dev/full';
const dirs: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-qfail-'));
  dirs.push(dir);
  return dir;
}

const record = (seq: number): QueueRecord => ({
  type: 'single',
  count: 1,
  firstSeq: seq,
  lastSeq: seq,
  payload: Buffer.alloc(100, seq % 251),
});

function takeAll(queue: DurableQueue): number[] {
  const seqs: number[] = [];
  for (let batch = queue.take(1000); batch.length > 0; batch = queue.take(1000)) {
    seqs.push(...batch.map((r) => r.firstSeq));
  }
  return seqs;
}

/** Makes the segment after the newest one unwritable; returns the function that gives the disk back. */
function fillDiskAtNextSegment(queueDir: string): () => void {
  const ids = readdirSync(queueDir)
    .map((name) => /^seg-(\d+)\.log$/.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number);
  const next = segmentPath(queueDir, Math.max(0, ...ids) + 1);
  symlinkSync(FULL_DISK, next);
  return () => unlinkSync(next);
}

describe.skipIf(!existsSync(FULL_DISK))('queue write failures (ENOSPC through /dev/full)', () => {
  it('flush() rejects with QUEUE_WRITE_FAILED, nothing unwritten is handed out, and a retry writes it all in order', async () => {
    // Given a queue with 10 durable records, whose next segment file cannot be written
    const dir = tempDir();
    const queue = await DurableQueue.open({ dir, commitIntervalMs: 5, segmentBytes: 4096, retryMs: 50 });
    const health: string[] = [];
    queue.onHealth((failure) => health.push(failure === undefined ? 'recovered' : failure.code));
    for (let seq = 0; seq < 10; seq++) {
      queue.append(record(seq));
    }
    await queue.flush();
    expect(takeAll(queue)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    const giveBack = fillDiskAtNextSegment(dir);

    // When 50 more records (more than the current segment holds) are appended and flushed
    for (let seq = 10; seq < 60; seq++) {
      queue.append(record(seq));
    }
    const flushed = queue.flush();

    // Then flush rejects with the typed error, and the failure is visible and counted
    await expect(flushed).rejects.toMatchObject({
      code: 'QUEUE_WRITE_FAILED',
      context: { errno: 'ENOSPC', stage: 'write' },
    });
    expect(queue.failure?.code).toBe('QUEUE_WRITE_FAILED');
    const failing = queue.stats();
    expect(failing.writeFailures).toBeGreaterThanOrEqual(1);
    expect(failing.unwrittenReadings).toBeGreaterThan(0);
    expect(health[0]).toBe('QUEUE_WRITE_FAILED');
    // Only what reached the disk can be published: the records of the full segment, nothing after them
    const durableNow = takeAll(queue);
    expect(durableNow.length + failing.unwrittenReadings).toBe(50);
    expect(durableNow).toEqual(Array.from({ length: durableNow.length }, (_, i) => 10 + i));
    expect(queue.durableHighSeq).toBe(9 + durableNow.length);

    // When the disk has space again, the retry timer writes the held records by itself
    giveBack();
    await waitFor(
      () => queue.failure === undefined,
      5_000,
      () => `still ${queue.failure?.message}`,
    );
    expect(health.at(-1)).toBe('recovered');
    await queue.flush();
    expect(takeAll(queue)).toEqual(
      Array.from({ length: 50 - durableNow.length }, (_, i) => 10 + durableNow.length + i),
    );
    expect(queue.stats().unwrittenReadings).toBe(0);
    await queue.close();

    // And after a restart every record 0..59 is on disk, in order
    const reopened = await DurableQueue.open({ dir });
    expect(reopened.durableHighSeq).toBe(59);
    expect(takeAll(reopened)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    await reopened.close();
  });

  it('close() on a disk that still refuses rejects, naming the readings it could not write', async () => {
    const dir = tempDir();
    const queue = await DurableQueue.open({ dir, commitIntervalMs: 5, segmentBytes: 4096, retryMs: 50 });
    queue.append(record(0));
    await queue.flush();
    const giveBack = fillDiskAtNextSegment(dir);
    for (let seq = 1; seq < 60; seq++) {
      queue.append(record(seq));
    }
    const unwritten = await queue.flush().then(
      () => -1,
      () => queue.stats().unwrittenReadings,
    );
    expect(unwritten).toBeGreaterThan(0);
    await expect(queue.close()).rejects.toMatchObject({ code: 'QUEUE_WRITE_FAILED', context: { unwritten } });
    giveBack();
    const reopened = await DurableQueue.open({ dir });
    expect(reopened.durableHighSeq).toBe(59 - unwritten); // the lost ones were never published: no gap on the wire
    await reopened.close();
  });

  it('the bridge refuses samples while its disk fails, publishes only durable readings, and resumes without a gap', async () => {
    // Given a bridge publishing to the real broker, with a subscriber
    const dataDir = tempDir();
    const signer = new NodeCryptoSigner(generateKeyPair());
    const adapter = new PushAdapter();
    const bridge = await DeviceBridge.start({
      adapter,
      signer,
      dataDir,
      mode: 'single',
      queue: { commitIntervalMs: 5, segmentBytes: 4096, retryMs: 100 },
      mqtt: { url: inject('mqttUrl') },
    });
    cleanups.push(() => bridge.stop({ drainMs: 0 }).catch(() => undefined));
    const subscriber = new ReadingsSubscriber(inject('mqttUrl'), signer.deviceId);
    await subscriber.start();
    cleanups.push(() => subscriber.stop());
    await waitFor(() => bridge.link!.connected, 10_000);
    let produced = 0;
    let accepted = 0;
    const push = () => (adapter.push(weatherSample(produced++)) ? (accepted++, true) : false);
    for (let i = 0; i < 5; i++) {
      push();
    }
    await subscriber.waitForAll(0, 4);

    // When the disk fills up: samples keep coming
    const giveBack = fillDiskAtNextSegment(path.join(dataDir, 'queue'));
    let refused = 0;
    for (let i = 0; i < 400 && refused < 20; i++) {
      if (!push()) {
        refused++;
      }
      await sleep(2);
    }

    // Then the bridge refuses them (counted), reports the typed failure, and publishes nothing it did not store
    expect(refused).toBe(20);
    const failing = bridge.status();
    expect(failing.queue.failure).toMatch(/^QUEUE_WRITE_FAILED: .*ENOSPC|no space/i);
    expect(failing.counters.writeFailures).toBeGreaterThanOrEqual(1);
    expect(failing.counters.rejected.queue_unavailable).toBe(20);
    expect(failing.queue.unwritten).toBeGreaterThan(0);
    await sleep(300);
    expect(Math.max(...subscriber.seqs.keys())).toBeLessThanOrEqual(bridge.queue.durableHighSeq);

    // When the disk has space again
    giveBack();
    await waitFor(() => bridge.queue.failure === undefined, 5_000);
    for (let i = 0; i < 10; i++) {
      expect(push()).toBe(true);
    }

    // Then every accepted reading arrives, seqs 0..accepted-1 with no gap: a refused sample never took a seq
    await subscriber.waitForAll(0, accepted - 1);
    expect(bridge.nextSeq).toBe(accepted);
    expect(subscriber.seqs.size).toBe(accepted);
    expect(subscriber.differingDuplicates).toBe(0);
    await bridge.stop();
    const status = readStatusFile(path.join(dataDir, 'status.json'))!;
    expect(status.queue.failure).toBeNull();
    expect(status.counters.acked).toBe(accepted);
    expect(status.counters.read).toBe(accepted + refused);
    console.info(
      `[disk full] accepted=${accepted} refused=${refused} writeFailures=${status.counters.writeFailures} (all accepted delivered)`,
    );
  });
});
