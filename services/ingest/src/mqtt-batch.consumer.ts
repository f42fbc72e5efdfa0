import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@groundtruth/service-kit';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { BatchCollector, type BatchLimits } from './batch.collector.js';
import { installDeferredAcks, sendPubacks, type ReceivedPublish } from './deferred-ack.js';
import type { IncomingMessage } from './envelope.checks.js';
import type { IngestMetrics } from './ingest.metrics.js';

/** What the transport hands to the ingest: messages received, none acknowledged yet. */
export interface MessageBatch {
  readonly id: number;
  readonly messages: readonly IncomingMessage[];
}

/** Resolves once the batch is committed; rejecting leaves it unacknowledged and it is tried again. */
export type BatchHandler = (batch: MessageBatch) => Promise<void>;

export interface ConsumerOptions extends BatchLimits {
  readonly url: string;
  readonly clientId: string;
  /** full subscription, e.g. `$share/ingest/gt/v1/+/readings` */
  readonly subscription: string;
  readonly sessionExpiryS: number;
  /** 5 (default), or 4 (MQTT 3.1.1: no session expiry or Receive Maximum; the session persists) */
  readonly protocolVersion?: 4 | 5;
  /** first retry delay after a failed batch (ms); doubles up to {@link maxRetryDelayMs} */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly keepaliveS?: number;
}

/** Counts for status displays and /health. */
export interface ConsumerHealth {
  readonly connected: boolean;
  readonly received: number;
  readonly acked: number;
  /** acknowledgements not sent because the connection they belonged to was gone (redelivery follows) */
  readonly acksDropped: number;
  readonly inFlightMessages: number;
  readonly openBatch: number;
  readonly waitingBatches: number;
  readonly batchesInFlight: number;
  readonly paused: boolean;
  readonly batchesCommitted: number;
  readonly retries: number;
  readonly lastCommitAt: number | undefined;
}

interface Pending {
  readonly message: IncomingMessage;
  readonly messageId: number | undefined;
  readonly connection: number;
}

/**
 * An MQTT 5 consumer that acknowledges each message only after the batch holding it was handled (committed):
 * persistent session (clean: false, session expiry), shared subscription, Receive Maximum sized to the batches,
 * batching by count, bytes and age, retry with backoff of a failed batch, and backpressure (stops reading
 * from the socket while the handler is behind). See deferred-ack.ts for the mqtt.js behaviour it builds on.
 */
export class MqttBatchConsumer {
  private client: MqttClient | undefined;
  private readonly collector: BatchCollector<Pending>;
  private connection = 0;
  private nextBatchId = 1;
  private stopping = false;
  private readonly abort = new AbortController();
  private counts = { received: 0, acked: 0, acksDropped: 0, batchesCommitted: 0, retries: 0 };
  private lastCommitAt: number | undefined;

  constructor(
    private readonly options: ConsumerOptions,
    private readonly handler: BatchHandler,
    private readonly logger: Logger,
    private readonly metrics?: IngestMetrics,
  ) {
    this.collector = new BatchCollector<Pending>(options, (items) => this.run(items), {
      onPause: () => {
        metrics?.paused.set(1);
        metrics?.pauses.inc();
      },
      onResume: () => metrics?.paused.set(0),
      onDispatchError: (error) => logger.error('ingest_batch_dispatch_failed', { error }),
    });
  }

  /** Connects and subscribes; resolves at the first CONNACK. Messages flow to the handler from then on. */
  async start(): Promise<void> {
    const { options } = this;
    const v5 = (options.protocolVersion ?? 5) === 5;
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      protocolVersion: v5 ? 5 : 4,
      clean: false,
      keepalive: options.keepaliveS ?? 30,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      resubscribe: false,
      ...(v5
        ? {
            properties: {
              sessionExpiryInterval: options.sessionExpiryS,
              // Mosquitto 2.0.11 honours this only until the first PUBACK (measured); the collector's pause is
              // what bounds memory. It still keeps the first burst after a reconnect in proportion.
              receiveMaximum: Math.min(65_535, options.maxMessages * (options.maxInFlight + 1)),
            },
          }
        : {}),
    };
    const client = mqtt.connect(options.url, clientOptions);
    this.client = client;
    installDeferredAcks(client, (publish) => this.receive(publish));
    client.on('error', (error) => this.logger.warn('ingest_mqtt_error', { error }));
    client.on('offline', () => this.logger.warn('ingest_mqtt_offline', {}));
    client.on('connect', (connack) => {
      this.connection++;
      this.logger.info('ingest_mqtt_connected', { clientId: options.clientId, sessionPresent: connack.sessionPresent });
      if (!connack.sessionPresent) {
        client.subscribe(options.subscription, { qos: 1 }, (error) => {
          if (error) {
            this.logger.error('ingest_mqtt_subscribe_failed', { error, subscription: options.subscription });
          }
        });
      }
    });
    // Network errors are retried by mqtt.js (the broker may start after us); a CONNACK refusal is fatal.
    await new Promise<void>((resolve, reject) => {
      const onConnect = () => {
        client.off('error', onError);
        resolve();
      };
      const onError = (error: Error & { code?: unknown }) => {
        if (typeof error.code === 'number') {
          client.off('connect', onConnect);
          client.off('error', onError);
          client.end(true);
          reject(error);
        }
      };
      client.once('connect', onConnect);
      client.on('error', onError);
    });
  }

  /**
   * Stops reading, lets batches in flight finish for up to `graceMs`, then disconnects. Messages not
   * acknowledged by then stay in the broker session and are delivered again after a restart.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopping) {
      return;
    }
    this.stopping = true;
    this.collector.seal();
    const drained = await Promise.race([
      this.collector.whenIdle().then(() => true),
      sleep(graceMs, false, { ref: false }),
    ]);
    this.abort.abort();
    if (!drained) {
      this.logger.warn('ingest_stop_unfinished', { ...this.collector.stats });
    }
    await this.client?.endAsync();
  }

  health(): ConsumerHealth {
    const stats = this.collector.stats;
    return {
      connected: this.client?.connected ?? false,
      ...this.counts,
      inFlightMessages: this.counts.received - this.counts.acked - this.counts.acksDropped,
      openBatch: stats.open,
      waitingBatches: stats.waiting,
      batchesInFlight: stats.inFlight,
      paused: stats.paused,
      lastCommitAt: this.lastCommitAt,
    };
  }

  /** The mqtt.js client (for tests and status). */
  unwrap(): MqttClient | undefined {
    return this.client;
  }

  private receive({ packet, messageId, resume }: ReceivedPublish): void {
    if (this.stopping) {
      return; // never resumed: nothing more is read; the message stays unacknowledged in the session
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const message: IncomingMessage = { topic: packet.topic, payload, receivedAt: Date.now() };
    this.counts.received++;
    this.metrics?.inFlightMessages.inc();
    this.collector.add({ message, messageId, connection: this.connection }, payload.length, resume);
  }

  private async run(items: Pending[]): Promise<void> {
    const batch: MessageBatch = { id: this.nextBatchId++, messages: items.map((item) => item.message) };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.handler(batch);
        break;
      } catch (error) {
        if (this.abort.signal.aborted) {
          this.logger.warn('ingest_batch_abandoned', { batch: batch.id, messages: items.length, error });
          return;
        }
        this.counts.retries++;
        this.metrics?.writeRetries.inc();
        const delay = Math.min((this.options.retryDelayMs ?? 100) * 2 ** attempt, this.options.maxRetryDelayMs ?? 5000);
        this.logger.error('ingest_batch_failed', {
          batch: batch.id,
          messages: items.length,
          attempt,
          retryInMs: delay,
          error,
        });
        try {
          await sleep(delay, undefined, { signal: this.abort.signal });
        } catch {
          this.logger.warn('ingest_batch_abandoned', { batch: batch.id, messages: items.length });
          return;
        }
      }
    }
    this.acknowledge(items);
  }

  private acknowledge(items: readonly Pending[]): void {
    const ids: number[] = [];
    for (const item of items) {
      if (item.messageId === undefined) {
        this.counts.acked++; // QoS 0: nothing to send
      } else if (item.connection === this.connection) {
        ids.push(item.messageId);
      } else {
        this.counts.acksDropped++; // received on a connection that is gone: the broker delivers it again
      }
    }
    const sent = sendPubacks(this.client!, ids);
    this.counts.acked += sent;
    this.counts.acksDropped += ids.length - sent;
    this.metrics?.inFlightMessages.dec(items.length);
    this.counts.batchesCommitted++;
    this.lastCommitAt = Date.now();
  }
}
