import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BridgeError } from './bridge-error.js';
import { CursorFile } from './cursor-file.js';
import { encodeFrame, MAX_RECORD_DATA_BYTES, type QueueRecord } from './frame-codec.js';
import { silentBridgeLogger, type BridgeLogger } from './logger.js';
import { lockQueueDir } from './queue-lock.js';
import { QueueReader } from './queue-reader.js';
import { SegmentWriter, type PendingFrame } from './segment-writer.js';
import {
  emptySegment,
  recoverSegments,
  syncDirectory,
  type QueuePosition,
  type RecoveryReport,
  type Segment,
  type StoredRecord,
} from './segment-files.js';

export interface DurableQueueOptions {
  readonly dir: string;
  /** bound on the queue's bytes on disk (plus records waiting to be written); the oldest are evicted past it */
  readonly maxBytes?: number;
  /** segment size; default maxBytes/16 within [64 KiB, 16 MiB], so one eviction frees a sixteenth */
  readonly segmentBytes?: number;
  /** fdatasync every group commit (default true); false survives a process kill but not a power loss */
  readonly fsync?: boolean;
  /** group commit: write + fsync at most this long after the first waiting record (default 100 ms) */
  readonly commitIntervalMs?: number;
  /** ... or as soon as this many records wait (default 256) */
  readonly commitMaxRecords?: number;
  /** fsync the ack cursor (and delete acknowledged segments) at least this often while acks come (default 1 s) */
  readonly cursorSyncMs?: number;
  /** durable records kept in memory for the publisher before it has to read them back from disk (default 4 MiB) */
  readonly memoryTailBytes?: number;
  readonly logger?: BridgeLogger;
}

export interface EvictionEvent {
  /** every reading with seq ≤ throughSeq is now done (acknowledged earlier, or evicted now) */
  readonly throughSeq: number;
  readonly readings: number;
  readonly bytes: number;
}

export interface QueueStats {
  readonly segments: number;
  readonly diskBytes: number;
  readonly waitingBytes: number;
  /** readings appended and neither acknowledged nor evicted */
  readonly queuedReadings: number;
  readonly doneThrough: number;
  readonly durableHighSeq: number;
  readonly evictedReadings: number;
}

/**
 * A file-based store-and-forward queue: append-only segment files of CRC-framed records, a separate cursor file,
 * group commit, a byte bound with counted eviction of the oldest records, and crash recovery. A record becomes
 * visible to `take()` only once it is durable, so nothing that was never persisted can have been published.
 */
export class DurableQueue {
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly fsync: boolean;
  private readonly commitIntervalMs: number;
  private readonly commitMaxRecords: number;
  private readonly cursorSyncMs: number;
  private readonly logger: BridgeLogger;
  private readonly durableListeners: (() => void)[] = [];
  private readonly evictListeners: ((event: EvictionEvent) => void)[] = [];
  private waiting: PendingFrame[] = [];
  private waitingBytes = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  private cursorTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private commitQueued = false;
  private readonly writer: SegmentWriter;
  private durableSeq: number;
  private readonly reader: QueueReader;
  private doneThrough: number;
  private syncedDone: number;
  private cursorDirty = false;
  private appendedHighSeq: number;
  private closed = false;
  queuedReadings: number;
  evictedReadings = 0;

  private constructor(
    readonly dir: string,
    private readonly cursor: CursorFile,
    private readonly segments: Segment[],
    readStart: QueuePosition | undefined,
    readonly recovery: RecoveryReport,
    private readonly unlock: () => void,
    options: DurableQueueOptions,
  ) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.segmentBytes = options.segmentBytes ?? Math.min(16 << 20, Math.max(64 << 10, Math.floor(this.maxBytes / 16)));
    this.fsync = options.fsync ?? true;
    this.commitIntervalMs = options.commitIntervalMs ?? 100;
    this.commitMaxRecords = options.commitMaxRecords ?? 256;
    this.cursorSyncMs = options.cursorSyncMs ?? 1000;
    this.logger = options.logger ?? silentBridgeLogger;
    this.writer = new SegmentWriter(dir, segments, this.segmentBytes, this.fsync);
    const last = segments[segments.length - 1]!;
    const durableEnd = { segment: last.id, offset: last.bytes };
    this.reader = new QueueReader(
      segments,
      readStart ?? durableEnd,
      durableEnd,
      options.memoryTailBytes ?? 4 * 1024 * 1024,
    );
    this.doneThrough = cursor.state.doneThrough;
    this.syncedDone = this.doneThrough;
    this.durableSeq = Math.max(recovery.highSeq, cursor.state.highSeq, cursor.state.doneThrough);
    this.appendedHighSeq = this.durableSeq;
    this.queuedReadings = recovery.pendingReadings;
  }

  /** Opens (creating) the queue in `dir`: takes the lock, recovers from a crash, and is ready to append. */
  static async open(options: DurableQueueOptions): Promise<DurableQueue> {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const unlock = lockQueueDir(options.dir);
    try {
      const cursor = new CursorFile(path.join(options.dir, 'cursor'));
      const logger = options.logger ?? silentBridgeLogger;
      const { segments, readStart, report } = recoverSegments(options.dir, cursor.state.doneThrough, logger);
      if (segments.length === 0) {
        segments.push(emptySegment(options.dir, 1));
      }
      const queue = new DurableQueue(options.dir, cursor, segments, readStart, report, unlock, options);
      await queue.writer.open();
      return queue;
    } catch (error) {
      unlock();
      throw error;
    }
  }

  /** Highest seq durably reserved: the next reading must get a larger one (no gap, no reuse after a crash). */
  get durableHighSeq(): number {
    return this.durableSeq;
  }

  get highSeq(): number {
    return this.appendedHighSeq;
  }

  onDurable(listener: () => void): void {
    this.durableListeners.push(listener);
  }

  onEvict(listener: (event: EvictionEvent) => void): void {
    this.evictListeners.push(listener);
  }

  /** Queues a record for the next group commit. Seqs must increase across records. */
  append(record: QueueRecord): void {
    if (this.closed) {
      throw new BridgeError('QUEUE_CLOSED', 'the queue is closed');
    }
    if (record.firstSeq <= this.appendedHighSeq) {
      throw new RangeError(`seq ${record.firstSeq} does not follow ${this.appendedHighSeq}`);
    }
    const frame = encodeFrame(record);
    if (frame.length > MAX_RECORD_DATA_BYTES) {
      throw new BridgeError('RECORD_TOO_LARGE', `a record of ${frame.length} bytes exceeds the frame limit`);
    }
    this.appendedHighSeq = record.lastSeq;
    this.queuedReadings += record.count;
    this.makeRoom(frame.length);
    this.waiting.push({ record, frame });
    this.waitingBytes += frame.length;
    if (this.waiting.length >= this.commitMaxRecords) {
      this.queueCommit();
    } else {
      this.commitTimer ??= setTimeout(() => this.queueCommit(), this.commitIntervalMs);
    }
  }

  /** Up to `max` durable records not handed out yet, oldest first. */
  take(max: number): StoredRecord[] {
    return this.reader.take(max);
  }

  /** Whether take() would return something now. */
  get hasUnread(): boolean {
    return this.reader.hasUnread;
  }

  /** Marks every reading through `throughSeq` as delivered (`readings` of them newly so). */
  ack(throughSeq: number, readings: number): void {
    if (throughSeq <= this.doneThrough) {
      return;
    }
    this.doneThrough = throughSeq;
    this.queuedReadings = Math.max(0, this.queuedReadings - readings);
    if (!this.cursorDirty) {
      this.cursorDirty = true;
      setImmediate(() => this.writeCursor());
    }
    this.cursorTimer ??= setTimeout(() => {
      this.cursorTimer = undefined;
      void this.enqueue(() => this.syncCursor());
    }, this.cursorSyncMs);
  }

  /** Commits everything appended so far and fsyncs the cursor; resolves when durable. */
  flush(): Promise<void> {
    this.writeCursor();
    void this.enqueue(() => this.commit());
    return this.enqueue(() => this.syncCursor());
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    await this.flush();
    this.closed = true;
    clearTimeout(this.commitTimer);
    clearTimeout(this.cursorTimer);
    await this.writer.close();
    this.cursor.close();
    this.unlock();
  }

  stats(): QueueStats {
    const diskBytes = this.segments.reduce((sum, s) => sum + s.bytes, 0);
    return {
      segments: this.segments.length,
      diskBytes,
      waitingBytes: this.waitingBytes,
      queuedReadings: this.queuedReadings,
      doneThrough: this.doneThrough,
      durableHighSeq: this.durableHighSeq,
      evictedReadings: this.evictedReadings,
    };
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task).catch((error: unknown) => {
      this.logger.error('queue.io_failed', { error, dir: this.dir });
    });
    return this.chain;
  }

  private queueCommit(): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (!this.commitQueued) {
      this.commitQueued = true;
      void this.enqueue(() => this.commit());
    }
  }

  private async commit(): Promise<void> {
    this.commitQueued = false;
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    let index = 0;
    try {
      while (index < batch.length) {
        const written = await this.writer.writeSome(batch, index);
        index += written.length;
        this.markDurable(written);
      }
    } catch (error) {
      // Nothing is lost: what was not written waits for the next attempt, in order, ahead of newer records.
      this.waiting = [...batch.slice(index), ...this.waiting];
      this.waitingBytes = this.waiting.reduce((sum, w) => sum + w.frame.length, 0);
      this.logger.error('queue.write_failed', { error, dir: this.dir, waiting: this.waiting.length });
      this.commitTimer ??= setTimeout(() => this.queueCommit(), 1000);
    }
  }

  private markDurable(records: StoredRecord[]): void {
    const present = records.filter((record) => this.segments.some((s) => s.id === record.segment)); // else evicted meanwhile
    for (const record of records) {
      this.durableSeq = Math.max(this.durableSeq, record.lastSeq);
    }
    this.reader.durable(present);
    for (const listener of this.durableListeners) {
      listener();
    }
  }

  private writeCursor(): void {
    if (this.cursorDirty && !this.closed) {
      this.cursorDirty = false;
      this.cursor.write({ doneThrough: this.doneThrough, highSeq: Math.max(this.durableHighSeq, this.doneThrough) });
    }
  }

  /** fsyncs the cursor, then deletes the segments it has fully passed (never before: see durableHighSeq). */
  private async syncCursor(): Promise<void> {
    this.writeCursor();
    const done = this.cursor.state.doneThrough;
    if (this.fsync) {
      await this.cursor.syncAsync();
    }
    this.syncedDone = done;
    let removed = false;
    while (this.segments.length > 1 && this.segments[0]!.lastSeq <= this.syncedDone) {
      rmSync(this.segments.shift()!.path, { force: true });
      removed = true;
    }
    if (removed && this.fsync) {
      syncDirectory(this.dir);
    }
  }

  /** Evicts the oldest segments (never the one being appended to) until `incoming` more bytes fit the bound. */
  private makeRoom(incoming: number): void {
    let total = this.segments.reduce((sum, s) => sum + s.bytes, 0) + this.waitingBytes + incoming;
    while (total > this.maxBytes && this.segments.length > 1) {
      const victim = this.segments.shift()!;
      total -= victim.bytes;
      const readings =
        victim.lastSeq > this.doneThrough ? victim.lastSeq - Math.max(victim.firstSeq - 1, this.doneThrough) : 0;
      this.doneThrough = Math.max(this.doneThrough, victim.lastSeq);
      this.evictedReadings += readings;
      this.queuedReadings = Math.max(0, this.queuedReadings - readings);
      // The cursor must pass the victim durably before its file goes, or the seq high-water could be lost.
      this.cursor.write({ doneThrough: this.doneThrough, highSeq: Math.max(this.durableHighSeq, this.doneThrough) });
      if (this.fsync) {
        this.cursor.sync();
      }
      rmSync(victim.path, { force: true });
      this.reader.evicted(victim.id);
      this.logger.warn('queue.evicted', {
        segment: victim.id,
        readings,
        bytes: victim.bytes,
        throughSeq: victim.lastSeq,
      });
      for (const listener of this.evictListeners) {
        listener({ throughSeq: victim.lastSeq, readings, bytes: victim.bytes });
      }
    }
  }
}
