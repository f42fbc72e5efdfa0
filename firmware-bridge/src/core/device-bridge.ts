import path from 'node:path';
import { readingsTopic, type DeviceId, type Signer } from '@groundtruth/protocol';
import type { HardwareAdapter, SensorSample } from '../adapters/adapter.js';
import { MqttLink, type MqttLinkOptions } from '../mqtt/mqtt-link.js';
import { QueuePublisher } from '../mqtt/queue-publisher.js';
import { Batcher } from './batcher.js';
import { BridgeCounters, readStatusFile, writeStatusFile, type BridgeStatus } from './bridge-counters.js';
import { DurableQueue, type DurableQueueOptions } from './durable-queue.js';
import { sealBodies, type EnvelopeMode, type PayloadTransform } from './envelope-sealer.js';
import { silentBridgeLogger, type BridgeLogger } from './logger.js';
import { ReadingAssembler } from './reading-assembler.js';
import type { ReadingBody } from '@groundtruth/protocol';

export interface DeviceBridgeOptions {
  readonly adapter: HardwareAdapter;
  readonly signer: Signer;
  /** this device's state: `queue/` (segments, cursor) and `status.json` */
  readonly dataDir: string;
  /** broker connection; omit to run offline (everything is stored until a broker is configured) */
  readonly mqtt?: Omit<MqttLinkOptions, 'device' | 'logger'>;
  /** batch envelopes (default) or one envelope per reading */
  readonly mode?: EnvelopeMode;
  readonly batch?: { readonly maxReadings?: number; readonly maxAgeMs?: number };
  readonly queue?: Omit<DurableQueueOptions, 'dir' | 'logger'>;
  readonly maxInflight?: number;
  /** how often status.json is rewritten (default 5 s; also on stop) */
  readonly statusIntervalMs?: number;
  readonly logger?: BridgeLogger;
  /** simulator hooks: change a sample before it is signed (clock skew), or a signed payload (bad signature) */
  readonly transformSample?: (sample: SensorSample) => SensorSample;
  readonly transformPayload?: PayloadTransform;
  /** number readings from at least this seq (a cloned key picking up where the original is) */
  readonly firstSeq?: number;
}

/**
 * The bridge of one device: adapter samples → reading bodies with the next seq → (batch) → signed envelope →
 * durable queue (group commit) → MQTT publisher → PUBACK → cursor. A reading is published only after the queue
 * record holding it is durable, and the next seq after a restart is one past the durable high-water, so a crash
 * leaves no gap and reuses no seq the network has seen.
 */
export class DeviceBridge {
  readonly device: DeviceId;
  readonly counters: BridgeCounters;
  private readonly logger: BridgeLogger;
  private readonly batcher: Batcher<ReadingBody>;
  private readonly startedAt = new Date().toISOString();
  private statusTimer: NodeJS.Timeout | undefined;
  private running = true;

  private constructor(
    private readonly options: DeviceBridgeOptions,
    readonly queue: DurableQueue,
    readonly publisher: QueuePublisher,
    readonly link: MqttLink | undefined,
    private readonly assembler: ReadingAssembler,
    counters: BridgeCounters,
    logger: BridgeLogger,
  ) {
    this.device = options.signer.deviceId;
    this.counters = counters;
    this.logger = logger;
    const mode = options.mode ?? 'batch';
    this.batcher = new Batcher<ReadingBody>(
      {
        maxItems: mode === 'single' ? 1 : (options.batch?.maxReadings ?? 50),
        maxAgeMs: options.batch?.maxAgeMs ?? 1000,
      },
      (bodies) => this.seal(bodies, mode),
    );
  }

  /** Opens the queue (recovering from a crash), connects, and starts the adapter. */
  static async start(options: DeviceBridgeOptions): Promise<DeviceBridge> {
    const device = options.signer.deviceId;
    const logger = (options.logger ?? silentBridgeLogger).child({ device });
    const queue = await DurableQueue.open({ ...options.queue, dir: path.join(options.dataDir, 'queue'), logger });
    const previous = readStatusFile(path.join(options.dataDir, 'status.json'));
    const counters = new BridgeCounters(previous?.device === device ? previous.counters : undefined);
    const recovery = queue.recovery;
    logger.info('bridge.recovered', {
      highSeq: queue.durableHighSeq,
      backlog: recovery.pendingReadings,
      truncatedBytes: recovery.truncatedBytes,
      damagedSegments: recovery.damagedSegments,
    });
    // First reading = seq 0 (empty queue: durableHighSeq -1); the network counts seqs below the first seen as a gap.
    const assembler = new ReadingAssembler(
      device,
      options.adapter.kind,
      Math.max(queue.durableHighSeq + 1, options.firstSeq ?? 0),
    );
    queue.onHealth((failure) => {
      if (failure !== undefined) {
        counters.add('writeFailures');
      }
    });
    const publisher = new QueuePublisher(queue, counters, {
      topic: readingsTopic(device),
      ...(options.maxInflight === undefined ? {} : { maxInflight: options.maxInflight }),
      logger,
    });
    const link = options.mqtt === undefined ? undefined : new MqttLink({ ...options.mqtt, device, logger }, publisher);
    const bridge = new DeviceBridge(options, queue, publisher, link, assembler, counters, logger);
    try {
      if (link !== undefined) {
        publisher.attach(link);
        link.start();
      }
      await options.adapter.start({
        sample: (sample) => bridge.onSample(sample),
        reject: (reason, detail) => bridge.onReject(reason, detail),
      });
    } catch (error) {
      await bridge.stop({ drainMs: 0 });
      throw error;
    }
    bridge.statusTimer = setInterval(() => bridge.writeStatus(), options.statusIntervalMs ?? 5000);
    bridge.statusTimer.unref();
    bridge.writeStatus();
    return bridge;
  }

  /** The next seq a reading will get. */
  get nextSeq(): number {
    return this.assembler.nextSeq;
  }

  /**
   * Feeds one sample as if the adapter had delivered it (the adapter's sink calls this). Returns false when
   * the sample is refused because the queue cannot write to disk (counted as `queue_unavailable`): the bridge
   * takes no reading it could not store, and a push adapter tells its device so.
   */
  onSample(sample: SensorSample): boolean {
    if (!this.running) {
      return false;
    }
    this.counters.add('read');
    if (this.queue.failure !== undefined) {
      this.counters.reject('queue_unavailable');
      return false;
    }
    const result = this.assembler.assemble(
      this.options.transformSample ? this.options.transformSample(sample) : sample,
    );
    if (!result.ok) {
      this.counters.reject(`body:${result.error.code}`);
      this.logger.warn('bridge.sample_refused', { code: result.error.code, path: result.error.context.path });
      return true; // handled (counted): sending it again would not make it valid
    }
    this.batcher.add(result.value);
    return true;
  }

  onReject(reason: string, detail: string): void {
    this.counters.reject(reason);
    this.logger.debug('bridge.frame_rejected', { reason, detail });
  }

  private seal(bodies: ReadingBody[], mode: EnvelopeMode): void {
    const { records, tooLarge } = sealBodies(bodies, this.options.signer, mode, this.options.transformPayload);
    if (tooLarge.length > 0) {
      this.counters.reject('too_large', tooLarge.length);
      this.logger.error('bridge.reading_too_large', { seqs: tooLarge.map((b) => b.seq) });
    }
    for (const record of records) {
      this.queue.append(record);
      this.counters.add('queued', record.count);
    }
  }

  status(): BridgeStatus {
    const stats = this.queue.stats();
    return {
      v: 1,
      device: this.device,
      kind: this.options.adapter.kind,
      pid: process.pid,
      startedAt: this.startedAt,
      updatedAt: new Date().toISOString(),
      running: this.running,
      connected: this.link?.connected ?? false,
      counters: this.counters.counts,
      queue: {
        backlog: stats.queuedReadings,
        diskBytes: stats.diskBytes,
        doneThrough: stats.doneThrough,
        highSeq: stats.durableHighSeq,
        truncatedBytes: this.queue.recovery.truncatedBytes,
        damagedSegments: this.queue.recovery.damagedSegments,
        unwritten: stats.unwrittenReadings,
        failure: stats.failure?.message ?? null,
      },
    };
  }

  writeStatus(): void {
    try {
      writeStatusFile(path.join(this.options.dataDir, 'status.json'), this.status());
    } catch (error) {
      this.logger.warn('bridge.status_write_failed', { error });
    }
  }

  /**
   * Stops reading, persists what was read, waits up to `drainMs` for the broker to acknowledge the backlog,
   * then disconnects (retained "offline") and closes the queue. What is not acknowledged stays on disk. If the
   * disk refused the last readings even now, everything is still released and stop() rejects with
   * `QUEUE_WRITE_FAILED` naming how many readings were not written.
   */
  async stop(options: { drainMs?: number } = {}): Promise<void> {
    if (!this.running) {
      return;
    }
    await this.options.adapter
      .stop()
      .catch((error: unknown) => this.logger.warn('bridge.adapter_stop_failed', { error }));
    this.batcher.flush();
    this.running = false;
    clearInterval(this.statusTimer);
    const durable = await this.queue.flush().then(
      () => true,
      () => false, // close() below tries once more and reports what is lost
    );
    if (durable && this.link?.connected && (options.drainMs ?? 5000) > 0) {
      await this.publisher.whenIdle(options.drainMs ?? 5000);
    }
    await this.link?.stop();
    this.publisher.stop();
    let failure: unknown;
    await this.queue.close().catch((error: unknown) => (failure = error));
    this.writeStatus();
    this.logger.info('bridge.stopped', { nextSeq: this.nextSeq, backlog: this.queue.stats().queuedReadings });
    if (failure !== undefined) {
      throw failure;
    }
  }
}
