import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { restartMosquitto, startMosquitto, stopMosquitto, type MosquittoInstance } from '../setup/services.js';
import { runQueueScenario } from './mqtt-queue.js';

const TOTAL = 20_000;

describe('the integration broker never drops QoS 1 messages queued for a persistent session', () => {
  it('delivers all 20,000 messages published while the consumer was offline', async () => {
    const outcome = await runQueueScenario({ url: inject('mqttUrl'), total: TOTAL, consumer: 'offline' });
    expect(outcome.missing).toBe(0);
    expect(outcome.distinct).toBe(TOTAL);
  });

  it('delivers all 20,000 messages published while the consumer stopped reading', async () => {
    const outcome = await runQueueScenario({ url: inject('mqttUrl'), total: TOTAL, consumer: 'slow' });
    expect(outcome.distinct).toBe(TOTAL);
  });

  it('keeps the queue of an offline consumer across a broker restart', async ({ skip }) => {
    const control = inject('mosquittoControl');
    if (!control) {
      skip('MQTT_URL points at an external broker');
      return;
    }
    const outcome = await runQueueScenario({
      url: inject('mqttUrl'),
      total: 5_000,
      consumer: 'offline',
      whileBehind: () => restartMosquitto(control), // SIGTERM: mosquitto saves its persistence file
    });
    expect(outcome.distinct).toBe(5_000);
  });
});

describe('a broker with mosquitto default queue limits (proves the checks above can fail)', () => {
  let broker: MosquittoInstance;
  beforeAll(async () => {
    broker = await startMosquitto({ queueLimits: 'mosquitto-defaults' });
  });
  afterAll(() => stopMosquitto(broker, { removeFiles: true }));

  it.each(['offline', 'slow'] as const)(
    'silently drops most of the messages queued for the %s consumer',
    async (consumer) => {
      const outcome = await runQueueScenario({ url: broker.url, total: TOTAL, consumer, idleMs: 1_000 });
      // max_queued_messages defaults to 1000 per client (plus 20 in flight): the rest is gone, and the
      // publisher got a PUBACK for every one of them.
      expect(outcome.distinct).toBeGreaterThan(0);
      expect(outcome.distinct).toBeLessThan(TOTAL);
    },
  );
});
