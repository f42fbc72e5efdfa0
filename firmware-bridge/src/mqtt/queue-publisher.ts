import type { BridgeCounters } from '../core/bridge-counters.js';
import type { DurableQueue } from '../core/durable-queue.js';
import { silentBridgeLogger, type BridgeLogger } from '../core/logger.js';
import type { StoredRecord } from '../core/segment-files.js';
import { InflightWindow } from './inflight-window.js';
import type { ConnectionInfo, LinkListener, PublishCallback } from './mqtt-link.js';

/** The part of a connection the publisher uses (an MqttLink, or a test double of the transport). */
export interface PublishTransport {
  readonly connected: boolean;
  publish(topic: string, payload: Buffer, done: PublishCallback): void;
}

export interface QueuePublisherOptions {
  readonly topic: string;
  /** most publishes in flight at once; the broker's Receive Maximum lowers it (default 100) */
  readonly maxInflight?: number;
  /** wait before resending a publish the broker refused with a retryable reason (default 5 s) */
  readonly retryRefusedMs?: number;
  readonly logger?: BridgeLogger;
}

/** PUBACK reason codes that a resend cannot cure: the reading is counted as refused and the queue moves on. */
const PERMANENT_REFUSALS = new Set([
  0x90 /* topic name invalid */, 0x95 /* packet too large */, 0x99 /* payload format invalid */,
]);

/**
 * Moves durable records to the broker in order: never more in flight than the window allows, the durable
 * cursor advanced only on PUBACKs over a contiguous prefix, and after a reconnect every unacknowledged record
 * sent again (byte-identical: it is the stored payload) before anything newer.
 */
export class QueuePublisher implements LinkListener {
  private readonly window: InflightWindow<StoredRecord>;
  private readonly logger: BridgeLogger;
  private transport: PublishTransport | undefined;
  private pumping = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private maximumPacketSize: number | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly queue: DurableQueue,
    private readonly counters: BridgeCounters,
    private readonly options: QueuePublisherOptions,
  ) {
    this.window = new InflightWindow(options.maxInflight ?? 100);
    this.logger = options.logger ?? silentBridgeLogger;
    queue.onDurable(() => this.pump());
    queue.onEvict((event) => {
      this.window.dropThrough(event.throughSeq);
      this.counters.add('evicted', event.readings);
      this.pump();
    });
  }

  /** Attaches the transport (before it connects). */
  attach(transport: PublishTransport): void {
    this.transport = transport;
  }

  get inFlight(): number {
    return this.window.inFlight;
  }

  get windowLimit(): number {
    return this.window.limit;
  }

  connected(info: ConnectionInfo): void {
    this.window.connected(info.receiveMaximum);
    this.maximumPacketSize = info.maximumPacketSize;
    this.counters.add('connects');
    this.pump();
  }

  disconnected(reason: string): void {
    this.window.disconnected();
    this.counters.add('disconnects');
    this.logger.info('publisher.disconnected', { reason, held: this.window.held });
  }

  /** Resolves once everything durable so far is acknowledged (or `timeoutMs` passed: resolves false). */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.idle) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.transport = undefined;
  }

  private get idle(): boolean {
    return this.window.held === 0 && !this.queue.hasUnread;
  }

  /** Sends while connected and the window has room: resends first, then the queue's next records. */
  pump(): void {
    const transport = this.transport;
    if (this.pumping || transport === undefined || this.retryTimer !== undefined) {
      return; // a refusal pauses sending until its retry time: the broker asked us to back off
    }
    this.pumping = true;
    try {
      while (transport.connected && this.window.hasRoom) {
        const resend = this.window.nextResend();
        if (resend !== undefined) {
          this.send(transport, resend);
          continue;
        }
        const batch = this.queue.take(this.window.limit - this.window.inFlight);
        if (batch.length === 0) {
          break;
        }
        for (const record of batch) {
          this.send(transport, record);
        }
      }
    } finally {
      this.pumping = false;
    }
    this.notifyIdle();
  }

  private send(transport: PublishTransport, record: StoredRecord): void {
    if (this.maximumPacketSize !== undefined && record.payload.length + 200 > this.maximumPacketSize) {
      this.logger.warn('publisher.packet_too_large', { bytes: record.payload.length, max: this.maximumPacketSize });
    }
    const { generation, resend } = this.window.sent(record);
    this.counters.add(resend ? 'republished' : 'published', record.count);
    transport.publish(this.options.topic, record.payload, (error) => this.answered(record, generation, error));
  }

  private answered(record: StoredRecord, generation: number, error: (Error & { code?: number }) | undefined): void {
    if (error !== undefined && typeof error.code === 'number' && !PERMANENT_REFUSALS.has(error.code)) {
      // Refused for now (not authorized yet, quota, server busy): keep it, in order, and try again later.
      if (this.window.retryLater(record, generation)) {
        this.logger.warn('publisher.refused_retry', { code: error.code, firstSeq: record.firstSeq });
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = undefined;
          this.pump();
        }, this.options.retryRefusedMs ?? 5000);
      }
      return;
    }
    if (error !== undefined && typeof error.code !== 'number') {
      this.window.retryLater(record, generation); // not sent after all: the connection is going away
      return;
    }
    const answer = this.window.acked(record, generation);
    if (answer === undefined) {
      return; // stale: from a connection that is gone
    }
    if (error === undefined) {
      this.counters.add('acked', record.count);
    } else {
      this.counters.refuse(`0x${error.code!.toString(16)}`, record.count);
      this.logger.error('publisher.refused', { code: error.code, firstSeq: record.firstSeq, lastSeq: record.lastSeq });
    }
    if (answer.advance !== undefined) {
      this.queue.ack(answer.advance.throughSeq, answer.advance.readings);
    }
    if (!this.pumping && this.retryTimer === undefined) {
      this.pump();
    }
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length > 0 && this.idle) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const waiter of waiters) {
        waiter();
      }
    }
  }
}
