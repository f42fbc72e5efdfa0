import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair, NodeCryptoSigner } from '@groundtruth/protocol';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { restartMosquitto } from '../../test/setup/services.js';
import { DeviceBridge } from '../src/core/device-bridge.js';
import { PushAdapter, ReadingsSubscriber, waitFor, weatherSample } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

async function startBridge(mode: 'single' | 'batch') {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gt-bridge-'));
  const adapter = new PushAdapter();
  const bridge = await DeviceBridge.start({
    adapter,
    signer: new NodeCryptoSigner(generateKeyPair()), // same signatures as tweetnacl, faster on a loaded CI machine
    dataDir,
    mode,
    batch: { maxReadings: 10, maxAgeMs: 20 },
    queue: { commitIntervalMs: 5 },
    maxInflight: 20,
    mqtt: { url: inject('mqttUrl'), backoff: { initialMs: 100, maxMs: 400 } },
  });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => bridge.stop({ drainMs: 0 }));
  return { bridge, adapter };
}

describe('bridge ↔ broker restart (real Mosquitto)', () => {
  const control = inject('mosquittoControl');

  it.skipIf(control === null).each(['single', 'batch'] as const)(
    '%s mode: the broker is stopped mid-stream and restarted; every seq arrives, none is lost, none differs',
    async (mode) => {
      // Given a bridge publishing steadily and a persistent-session subscriber
      const { bridge, adapter } = await startBridge(mode);
      const subscriber = new ReadingsSubscriber(inject('mqttUrl'), bridge.device);
      await subscriber.start();
      cleanups.push(() => subscriber.stop());
      await waitFor(() => bridge.link!.connected, 10_000);
      const total = 1500;
      let produced = 0;
      const produce = async (until: number) => {
        for (; produced < until; produced++) {
          adapter.push(weatherSample(produced));
          if (produced % 10 === 0) {
            await sleep(10); // ~1,000 readings/s: the stream spans the broker's downtime
          }
        }
      };

      // When the broker goes away mid-stream (clean stop), readings keep coming, and it comes back
      await produce(500);
      const restart = restartMosquitto(control!, { downtimeMs: 1500 });
      await produce(1000);
      await restart;
      await produce(total);

      // Then every seq 0..total-1 reaches the subscriber
      await subscriber.waitForAll(0, total - 1);
      await waitFor(
        () => bridge.queue.stats().queuedReadings === 0,
        20_000,
        () => `backlog ${bridge.queue.stats().queuedReadings}`,
      );
      await sleep(300); // let late duplicates (if any) arrive before counting them
      const counts = bridge.counters.counts;
      console.info(
        `[broker restart, ${mode}] readings=${total} envelopes=${subscriber.envelopes} duplicates=${subscriber.duplicates} ` +
          `(broker redeliveries to the subscriber=${subscriber.brokerRedeliveries}, bridge resends=${subscriber.republished}) ` +
          `bridge: published=${counts.published} republished=${counts.republished} acked=${counts.acked} reconnects=${counts.connects}`,
      );
      expect(subscriber.missing(0, total - 1)).toEqual([]);
      expect(subscriber.seqs.size).toBe(total);
      expect(subscriber.undecodable).toBe(0);
      // A duplicate can only be the same signed reading again (QoS 1 redelivery), never a different one.
      expect(subscriber.differingDuplicates).toBe(0);
      // A bridge resend happens only for a publish whose PUBACK was lost with the connection: at most a window.
      expect(subscriber.republished).toBeLessThanOrEqual(20 * (mode === 'batch' ? 10 : 1));
      expect(counts.acked).toBe(total);
      expect(counts.connects).toBeGreaterThanOrEqual(2);
      expect(bridge.nextSeq).toBe(total);
    },
  );
});
