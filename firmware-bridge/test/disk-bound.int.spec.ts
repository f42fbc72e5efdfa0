import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPair, NodeCryptoSigner } from '@groundtruth/protocol';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readStatusFile } from '../src/core/bridge-counters.js';
import { DeviceBridge } from '../src/core/device-bridge.js';
import { PushAdapter, ReadingsSubscriber, waitFor, weatherSample } from './helpers.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gt-bound-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const queueBytes = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.startsWith('seg-'))
    .reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0);

describe('offline past the disk bound (real Mosquitto)', () => {
  it('evicts the oldest readings, counts every one, and delivers all the others in order once online', async () => {
    const signer = new NodeCryptoSigner(generateKeyPair());
    const queue = { maxBytes: 64 * 1024, segmentBytes: 4 * 1024, commitIntervalMs: 5 };
    const total = 1200; // single envelopes of ~330 bytes: ~400 KB, six times the bound

    // Given a bridge whose broker is unreachable (nothing listens on port 1)
    const adapter = new PushAdapter();
    const offline = await DeviceBridge.start({
      adapter,
      signer,
      dataDir,
      mode: 'single',
      queue,
      mqtt: { url: 'mqtt://127.0.0.1:1', backoff: { initialMs: 50, maxMs: 200 } },
    });
    for (let i = 0; i < total; i++) {
      adapter.push(weatherSample(i));
      if (i % 50 === 0) {
        await offline.queue.flush();
      }
    }
    await offline.stop({ drainMs: 0 });
    const evicted = offline.counters.counts.evicted;
    expect(evicted).toBeGreaterThan(0);
    expect(queueBytes(path.join(dataDir, 'queue'))).toBeLessThanOrEqual(queue.maxBytes);
    expect(readStatusFile(path.join(dataDir, 'status.json'))!.counters.evicted).toBe(evicted);

    // When it comes back with a broker and a subscriber listening
    const subscriber = new ReadingsSubscriber(inject('mqttUrl'), signer.deviceId);
    await subscriber.start();
    const online = await DeviceBridge.start({
      adapter: new PushAdapter(),
      signer,
      dataDir,
      mode: 'single',
      queue,
      mqtt: { url: inject('mqttUrl') },
    });
    await waitFor(
      () => online.queue.stats().queuedReadings === 0 && subscriber.seqs.size >= total - evicted,
      30_000,
      () => `${subscriber.seqs.size} received`,
    );
    await online.stop();
    await subscriber.stop();

    // Then exactly the oldest `evicted` readings are missing, all later ones arrived, and the counts add up
    const missing = subscriber.missing(0, total - 1);
    expect(missing).toEqual(Array.from({ length: evicted }, (_, i) => i));
    expect(subscriber.seqs.size).toBe(total - evicted);
    const status = readStatusFile(path.join(dataDir, 'status.json'))!;
    expect(status.counters.evicted).toBe(evicted);
    expect(status.counters.acked).toBe(total - evicted);
    expect(status.counters.queued).toBe(total);
    expect(status.counters.acked + status.counters.evicted).toBe(status.counters.read);
    console.info(`[disk bound] ${total} readings, ${evicted} evicted (oldest), ${total - evicted} delivered`);
  });
});
