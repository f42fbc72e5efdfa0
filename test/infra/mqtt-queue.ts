import { randomUUID } from 'node:crypto';
import { connect, connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

/**
 * Drives one "consumer falls behind" story against a broker and reports which sequence numbers the
 * consumer finally received: a persistent-session (MQTT 5, clean: false) QoS 1 subscriber either goes
 * offline or stops reading, a publisher sends `total` QoS 1 messages, then the consumer catches up.
 */
export interface QueueScenario {
  url: string;
  total: number;
  consumer: 'offline' | 'slow';
  /** Runs while the consumer is behind and everything is published (e.g. restart the broker). */
  whileBehind?: () => Promise<void>;
  /** Give up once no message arrived for this long (default 3 s). */
  idleMs?: number;
}

export interface QueueOutcome {
  distinct: number;
  received: number;
  missing: number;
}

const PAYLOAD_BYTES = 256; // about a signed reading: makes byte-based queue limits matter too

export async function runQueueScenario(scenario: QueueScenario): Promise<QueueOutcome> {
  const topic = `gt/test/queue/${randomUUID()}`;
  const session: IClientOptions = {
    clientId: `gt-queue-${randomUUID().slice(0, 8)}`,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 0,
  };
  const seqs = new Set<number>();
  let received = 0;
  let lastMessageAt = Date.now();
  let release: () => void = () => {};
  const caughtUp = new Promise<void>((resolve) => (release = resolve));
  const onMessage = (_topic: string, payload: Buffer) => {
    seqs.add(payload.readUInt32BE(0));
    received++;
    lastMessageAt = Date.now();
  };

  // The consumer subscribes, then falls behind.
  const first = await connectAsync(scenario.url, session);
  await first.subscribeAsync(topic, { qos: 1 });
  let reader: MqttClient;
  if (scenario.consumer === 'offline') {
    await first.endAsync();
  } else {
    // Stops acknowledging (and so reading) at the first message until everything is published.
    const handle = first.handleMessage.bind(first);
    first.handleMessage = (packet, done) => void caughtUp.then(() => handle(packet, done));
    first.on('message', onMessage);
  }

  const publisher = await connectAsync(scenario.url, { protocolVersion: 5, reconnectPeriod: 0 });
  await publishSequence(publisher, topic, scenario.total);
  await publisher.endAsync();
  await scenario.whileBehind?.();

  // The consumer catches up.
  if (scenario.consumer === 'offline') {
    reader = connect(scenario.url, session);
    reader.on('message', onMessage); // attached before CONNACK: queued messages follow it immediately
    reader.on('error', () => {});
  } else {
    reader = first;
    release();
  }
  lastMessageAt = Date.now();
  const idleMs = scenario.idleMs ?? 3_000;
  while (seqs.size < scenario.total && Date.now() - lastMessageAt < idleMs) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await reader.endAsync();
  // Leave no session (and no queue) behind on the broker.
  await (
    await connectAsync(scenario.url, { ...session, clean: true, properties: { sessionExpiryInterval: 0 } })
  ).endAsync();
  return { distinct: seqs.size, received, missing: scenario.total - seqs.size };
}

/** Publishes seq 0..total-1 at QoS 1 with a window of unacknowledged messages, like a device's queue drain. */
async function publishSequence(client: MqttClient, topic: string, total: number, window = 100): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const payload = Buffer.alloc(PAYLOAD_BYTES, 0x2a);
      payload.writeUInt32BE(next++, 0);
      await client.publishAsync(topic, payload, { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
}
