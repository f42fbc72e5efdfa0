import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type MqttClient } from 'mqtt';
import { decodeEnvelope, readingsTopic, type DeviceId, type HardwareKind } from '@groundtruth/protocol';
import type { AdapterSink, HardwareAdapter, SensorSample } from '../src/adapters/adapter.js';

/** A sample source the test drives directly: stands in for the sensor, never for the broker or the disk. */
export class PushAdapter implements HardwareAdapter {
  private sink: AdapterSink | undefined;
  constructor(readonly kind: HardwareKind = 'weather') {}
  async start(sink: AdapterSink): Promise<void> {
    this.sink = sink;
  }
  async stop(): Promise<void> {
    this.sink = undefined;
  }
  /** false when the bridge refused the sample (its queue cannot write), like a push device would be told */
  push(sample: SensorSample): boolean {
    return this.sink?.sample(sample) !== false;
  }
}

export const weatherSample = (i: number): SensorSample => ({
  ts: Date.UTC(2025, 5, 1) + i * 1000,
  metrics: { temperature: 15 + (i % 100) / 10, humidity: 50 + (i % 40) },
});

/**
 * A persistent-session QoS 1 subscriber to one device's readings that counts everything it gets: every reading
 * by seq, with the envelope bytes it came in, and duplicates (split by the MQTT DUP flag: a redelivery by the
 * broker to us, or a second publish by the bridge).
 */
export class ReadingsSubscriber {
  readonly seqs = new Map<number, string>();
  duplicates = 0;
  brokerRedeliveries = 0;
  republished = 0;
  differingDuplicates = 0;
  envelopes = 0;
  undecodable = 0;
  private client: MqttClient | undefined;
  private readonly clientId = `gt-test-sub-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly url: string,
    readonly device: DeviceId,
  ) {}

  async start(): Promise<void> {
    this.client = await connectAsync(this.url, {
      clientId: this.clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 200,
    });
    this.client.on('message', (_topic, payload, packet) => this.onMessage(payload, packet.dup));
    await this.client.subscribeAsync(readingsTopic(this.device), { qos: 1 });
  }

  private onMessage(payload: Buffer, dup: boolean): void {
    this.envelopes++;
    const decoded = decodeEnvelope(payload);
    if (!decoded.ok) {
      this.undecodable++;
      return;
    }
    for (const reading of decoded.value.readings) {
      const canonical = reading.canonical.toString('utf8');
      const seen = this.seqs.get(reading.body.seq);
      if (seen === undefined) {
        this.seqs.set(reading.body.seq, canonical);
        continue;
      }
      this.duplicates++;
      if (dup) {
        this.brokerRedeliveries++;
      } else {
        this.republished++;
      }
      if (seen !== canonical) {
        this.differingDuplicates++;
      }
    }
  }

  /** Seqs in [from, to] never received. */
  missing(from: number, to: number): number[] {
    const out: number[] = [];
    for (let seq = from; seq <= to; seq++) {
      if (!this.seqs.has(seq)) {
        out.push(seq);
      }
    }
    return out;
  }

  async waitForAll(from: number, to: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      () => this.missing(from, to).length === 0,
      timeoutMs,
      () => `missing ${this.missing(from, to).length} of ${to - from + 1}`,
    );
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }
}

/**
 * A QoS 1 subscriber to every device's readings (`gt/v1/+/readings`), MQTT 3.1.1 or 5: per device, every seq
 * with the canonical body it came with, and the duplicates whose content differed (must never happen).
 */
export class FleetSubscriber {
  readonly byDevice = new Map<string, Map<number, string>>();
  differingDuplicates = 0;
  undecodable = 0;
  private client: MqttClient | undefined;

  constructor(
    private readonly url: string,
    private readonly protocolVersion: 4 | 5 = 5,
  ) {}

  async start(): Promise<void> {
    this.client = await connectAsync(this.url, {
      clientId: `gt-test-fleet-${randomUUID().slice(0, 8)}`,
      protocolVersion: this.protocolVersion,
      clean: true,
      reconnectPeriod: 200,
    });
    this.client.on('message', (_topic, payload) => {
      const decoded = decodeEnvelope(payload);
      if (!decoded.ok) {
        this.undecodable++;
        return;
      }
      for (const reading of decoded.value.readings) {
        const seqs = this.byDevice.get(reading.body.device) ?? new Map<number, string>();
        this.byDevice.set(reading.body.device, seqs);
        const canonical = reading.canonical.toString('utf8');
        const seen = seqs.get(reading.body.seq);
        if (seen !== undefined && seen !== canonical) {
          this.differingDuplicates++;
        }
        seqs.set(reading.body.seq, seen ?? canonical);
      }
    });
    await this.client.subscribeAsync('gt/v1/+/readings', { qos: 1 });
  }

  seqsOf(device: string): number[] {
    return [...(this.byDevice.get(device)?.keys() ?? [])].sort((a, b) => a - b);
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }
}

export async function waitFor(
  check: () => boolean,
  timeoutMs: number,
  describe: () => string = () => 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    }
    await sleep(25);
  }
}
