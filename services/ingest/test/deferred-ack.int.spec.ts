import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { installDeferredAcks, sendPuback, sendPubacks, type ReceivedPublish } from '../src/deferred-ack.js';
import { publishAll, until } from './support.js';

/**
 * The mqtt.js behaviour the ingest transport relies on (deferred-ack.ts), held against the real broker.
 * If an mqtt.js upgrade changes any of it, these fail before the ingest loses or duplicates anything.
 */
describe('mqtt.js deferred PUBACK reliance', () => {
  const clients: MqttClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  });

  const topicBase = () => `gt/test/deferred/${randomUUID().slice(0, 8)}`;

  async function subscriber(
    clientId: string,
    topic: string,
    onPublish: (p: ReceivedPublish) => void,
    receiveMaximum = 65_535,
  ) {
    const options: IClientOptions = {
      clientId,
      clean: false,
      protocolVersion: 5,
      reconnectPeriod: 0,
      properties: { sessionExpiryInterval: 60, receiveMaximum },
    };
    const client = mqtt.connect(inject('mqttUrl'), options);
    clients.push(client);
    installDeferredAcks(client, onPublish);
    const sentPubacks: number[] = [];
    client.on('packetsend', (packet) => {
      if (packet.cmd === 'puback') {
        sentPubacks.push(packet.messageId!);
      }
    });
    await new Promise((resolve) => client.once('connect', resolve));
    await client.subscribeAsync(topic, { qos: 1 });
    return { client, sentPubacks };
  }

  it('is pinned at mqtt 5.16.0', () => {
    const require = createRequire(import.meta.url);
    const pkg = JSON.parse(readFileSync(require.resolve('mqtt/package.json'), 'utf8')) as { version: string };
    const ours = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.version).toBe('5.16.0');
    expect(ours.dependencies.mqtt).toBe('5.16.0');
  });

  it('keeps delivering while every PUBACK is withheld, and sends none by itself', async () => {
    // Given a subscriber that defers the acknowledgement of everything it receives
    const topic = topicBase();
    const received: ReceivedPublish[] = [];
    const { sentPubacks } = await subscriber(`gt-defer-${randomUUID().slice(0, 8)}`, `${topic}/+`, (p) => {
      received.push(p);
      p.resume();
    });

    // When 500 QoS 1 messages arrive
    await publishAll(Array.from({ length: 500 }, (_, i) => ({ topic: `${topic}/x`, payload: Buffer.from(String(i)) })));

    // Then all 500 are handed over, each with its id, and no PUBACK went out
    await until('500 messages were received', () => received.length === 500, 10_000);
    expect(new Set(received.map((p) => p.messageId)).size).toBe(500);
    await sleep(200);
    expect(sentPubacks).toEqual([]);
  });

  it('gets unacknowledged messages again after a reconnect, and acknowledged ones not', async () => {
    // Given a persistent session that received 300 messages and acknowledged only the first 100
    const topic = topicBase();
    const clientId = `gt-defer-${randomUUID().slice(0, 8)}`;
    const first: ReceivedPublish[] = [];
    const { client, sentPubacks } = await subscriber(clientId, `${topic}/+`, (p) => {
      first.push(p);
      p.resume();
    });
    await publishAll(Array.from({ length: 300 }, (_, i) => ({ topic: `${topic}/x`, payload: Buffer.from(String(i)) })));
    await until('300 messages were received', () => first.length === 300, 10_000);
    for (const p of first.slice(0, 50)) {
      expect(sendPuback(client, p.messageId!)).toBe(true);
    }
    expect(
      sendPubacks(
        client,
        first.slice(50, 100).map((p) => p.messageId!),
      ),
    ).toBe(50); // one corked write
    await until('100 PUBACKs were written', () => sentPubacks.length === 100, 5_000);
    await sleep(300); // let them leave the socket: a forced end drops unflushed writes

    // When the client goes away without acknowledging the rest, and comes back on the same session
    await client.endAsync(true);
    expect(sendPuback(client, first[150]!.messageId!)).toBe(false); // disconnected: nothing is queued for later
    expect(sendPubacks(client, [first[151]!.messageId!])).toBe(0);
    const again: ReceivedPublish[] = [];
    await subscriber(clientId, `${topic}/+`, (p) => {
      again.push(p);
      p.resume();
    });

    // Then exactly the 200 unacknowledged messages come again
    await until('200 redeliveries arrived', () => again.length >= 200, 10_000);
    await sleep(300);
    const payloads = again.map((p) => Number(p.packet.payload.toString())).sort((a, b) => a - b);
    expect(payloads).toEqual(Array.from({ length: 200 }, (_, i) => i + 100));
  });

  it('stops reading from the socket while resume is withheld, and reads on when it is called', async () => {
    // Given a subscriber that holds the 50th message
    const topic = topicBase();
    const received: ReceivedPublish[] = [];
    let held: ReceivedPublish | undefined;
    const { client } = await subscriber(`gt-defer-${randomUUID().slice(0, 8)}`, `${topic}/+`, (p) => {
      received.push(p);
      if (received.length === 50) {
        held = p;
      } else {
        p.resume();
      }
    });

    // When 5,000 messages of 1 KiB are published (5 MiB)
    const payload = Buffer.alloc(1024, 0x61);
    await publishAll(Array.from({ length: 5000 }, () => ({ topic: `${topic}/x`, payload })));
    await sleep(500);

    // Then nothing after the held message was handed over, and the socket stopped being read long before 5 MiB
    expect(received).toHaveLength(50);
    const stream = client.stream as unknown as { bytesRead: number };
    expect(stream.bytesRead).toBeLessThan(2 * 1024 * 1024);

    // When it is resumed, everything else follows
    held!.resume();
    await until('all 5000 messages arrived', () => received.length === 5000, 15_000);
  });
});
