import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BridgeError } from './bridge-error.js';
import { CursorFile } from './cursor-file.js';
import { encodeFrame, MAX_RECORD_DATA_BYTES, type QueueRecord } from './frame-codec.js';
import { silentBridgeLogger, type BridgeLogger } from './logger.js';
import { lockQueueDir } from './queue-lock.js';
import { QueueReader } from './queue-reader.js';
import { QueueIoError, SegmentWriter, type PendingFrame } from './segment-writer.js';
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
  /** after a failed write or fsync, try again this long later (default 1 s); the records wait in memory, in order */
  readonly retryMs?: number;
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
  /** readings accepted but not written yet (waiting for the group commit, or for a retry after a failure) */
  readonly unwrittenReadings: number;
  /** failed writes, fsyncs and cursor updates since the queue was opened */
  readonly writeFailures: number;
  /** the current failure (`QUEUE_WRITE_FAILED`), undefined while the disk works */
  readonly failure: BridgeError | undefined;
}

/** A failed write, fsync or cursor update (`failure`), or the first success after one (`failure` undefined). */
export type QueueHealthListener = (failure: BridgeError | undefined) => void;

/**
 * A file-based store-and-forward queue: append-only segment files of CRC-framed records, a separate cursor file,
 * group commit, a byte bound with counted eviction of the oldest records, and crash recovery. A record becomes
 * visible to `take()` only once it is durable, so nothing that was never persisted can have been published.
 *
 * I/O failures are never swallowed: a failed write or fdatasync keeps the records in memory, in order, and
 * retries them (`retryMs`); meanwhile `failure` holds a `QUEUE_WRITE_FAILED` error, `flush()` rejects with it,
 * health listeners hear of each failure and of the recovery, and `close()` rejects naming the readings it
 * could not write.
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
  private readonly healthListeners: QueueHealthListener[] = [];
  private readonly retryMs: number;
  private writeFailure: BridgeError | undefined;
  private cursorFailure: BridgeError | undefined;
  private unwrittenReadings = 0;
  writeFailures = 0;
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
    this.retryMs = options.retryMs ?? 1000;
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

  /** Hears of every failed write, fsync or cursor update, and of the first success after them. */
  onHealth(listener: QueueHealthListener): void {
    this.healthListeners.push(listener);
  }

  /** Why the queue cannot make records durable right now (`QUEUE_WRITE_FAILED`); undefined while it can. */
  get failure(): BridgeError | undefined {
    return this.writeFailure ?? this.cursorFailure;
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
    this.unwrittenReadings += record.count;
    this.makeRoom(frame.length);
    this.waiting.push({ record, frame });
    this.waitingBytes += frame.length;
    if (this.writeFailure !== undefined) {
      return; // the retry timer writes it, after the records that failed before it
    }
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
      setImmediate(() => {
        try {
          this.writeCursor();
        } catch (error) {
          this.failed('cursor', error); // the sync below tries again
        }
      });
    }
    this.cursorTimer ??= setTimeout(() => {
      this.cursorTimer = undefined;
      this.background(() => this.syncCursor());
    }, this.cursorSyncMs);
  }

  /**
   * Commits everything appended so far and fsyncs the cursor; resolves when durable. Rejects with the
   * `QUEUE_WRITE_FAILED` error when the disk refused (the records stay queued in memory and are retried).
   */
  async flush(): Promise<void> {
    const results = await Promise.allSettled([
      this.enqueue(() => this.commit()),
      this.enqueue(() => this.syncCursor()),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      throw failed.reason;
    }
  }

  /**
   * Flushes and releases the directory. If the records could not be written even now, it still releases
   * everything, then rejects with `QUEUE_WRITE_FAILED` naming how many accepted readings were not written
   * (they are lost with this process: never silently).
   */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    let failure: unknown;
    await this.flush().catch((error: unknown) => (failure = error));
    this.closed = true;
    clearTimeout(this.commitTimer);
    clearTimeout(this.cursorTimer);
    await this.writer.close().catch(() => undefined);
    this.cursor.close();
    this.unlock();
    if (failure !== undefined && this.unwrittenReadings > 0) {
      const lost = this.unwrittenReadings;
      this.logger.error('queue.closed_with_unwritten', { dir: this.dir, readings: lost, error: failure });
      throw new BridgeError(
        'QUEUE_WRITE_FAILED',
        `closed ${this.dir} with ${lost} accepted readings that could not be written (${(failure as Error).message})`,
        { dir: this.dir, unwritten: lost },
      );
    }
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
      unwrittenReadings: this.unwrittenReadings,
      writeFailures: this.writeFailures,
      failure: this.failure,
    };
  }

  /** Runs I/O tasks one after another; each caller gets its own task's outcome, and a failure never stops the chain. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** A task nobody awaits: its failure is already recorded, counted and logged by `failed()`. */
  private background(task: () => Promise<void>): void {
    this.enqueue(task).catch(() => undefined);
  }

  /** Records a failed write, fsync or cursor update: counted, logged, told to the health listeners. */
  private failed(stage: 'open' | 'write' | 'fsync' | 'cursor', error: unknown): BridgeError {
    this.writeFailures++;
    const errno = error instanceof QueueIoError ? error.errno : ((error as NodeJS.ErrnoException).code ?? 'EIO');
    const failure = new BridgeError(
      'QUEUE_WRITE_FAILED',
      `cannot ${stage === 'cursor' ? 'update the cursor of' : stage} the queue in ${this.dir}: ${(error as Error).message}`,
      { dir: this.dir, stage, errno, unwritten: this.unwrittenReadings },
    );
    if (stage === 'cursor') {
      this.cursorFailure = failure;
    } else {
      this.writeFailure = failure;
    }
    this.logger.error('queue.write_failed', {
      stage,
      errno,
      unwritten: this.unwrittenReadings,
      failures: this.writeFailures,
      dir: this.dir,
    });
    for (const listener of this.healthListeners) {
      listener(failure);
    }
    return failure;
  }

  private succeeded(stage: 'write' | 'cursor'): void {
    const wasFailing = this.failure !== undefined;
    if (stage === 'cursor') {
      this.cursorFailure = undefined;
    } else {
      this.writeFailure = undefined;
    }
    if (wasFailing && this.failure === undefined) {
      this.logger.info('queue.write_recovered', { dir: this.dir, failures: this.writeFailures });
      for (const listener of this.healthListeners) {
        listener(undefined);
      }
    }
  }

  private queueCommit(): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (!this.commitQueued) {
      this.commitQueued = true;
      this.background(() => this.commit());
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
        for (const record of written) {
          this.unwrittenReadings -= record.count;
        }
        this.markDurable(written);
      }
    } catch (error) {
      // Not lost: what was not written waits for the retry, in order, ahead of newer records; nothing of it was
      // handed to the publisher. The caller (flush) gets the typed error.
      this.waiting = [...batch.slice(index), ...this.waiting];
      this.waitingBytes = this.waiting.reduce((sum, w) => sum + w.frame.length, 0);
      const failure = this.failed(error instanceof QueueIoError ? error.stage : 'write', error);
      clearTimeout(this.commitTimer);
      this.commitTimer = this.closed ? undefined : setTimeout(() => this.queueCommit(), this.retryMs);
      throw failure;
    }
    this.succeeded('write');
  }

  private markDurable(records: StoredRecord[]): void {
    const present = records.filter((record) => this.segments.some((s) => s.id === record.segment)); // else evicted meanwhile
    for (const record of records) {
      this.durableSeq = Math.max(this.durableSeq, record.lastSeq);
    }
    this.reader.durable(present);
    for (const listener of this.durableListeners) {
      try {
        listener();
      } catch (error) {
        // A listener's fault (the publisher) must not pass for a write failure: the records are on disk.
        this.logger.error('queue.durable_listener_failed', { error });
      }
    }
  }

  /** Writes the cursor slot if acks moved it (throws the fs error; it stays dirty then). */
  private writeCursor(): void {
    if (this.cursorDirty && !this.closed) {
      this.cursor.write({ doneThrough: this.doneThrough, highSeq: Math.max(this.durableHighSeq, this.doneThrough) });
      this.cursorDirty = false;
    }
  }

  /** fsyncs the cursor, then deletes the segments it has fully passed (never before: see durableHighSeq). */
  private async syncCursor(): Promise<void> {
    const done = this.doneThrough;
    try {
      this.writeCursor();
      if (this.fsync) {
        await this.cursor.syncAsync();
      }
    } catch (error) {
      this.cursorDirty = true; // write it again, in full, next time
      throw this.failed('cursor', error);
    }
    this.succeeded('cursor');
    this.syncedDone = Math.min(done, this.cursor.state.doneThrough);
    try {
      let removed = false;
      while (this.segments.length > 1 && this.segments[0]!.lastSeq <= this.syncedDone) {
        const done = this.segments.shift()!;
        removed = true;
        rmSync(done.path, { force: true });
      }
      if (removed && this.fsync) {
        syncDirectory(this.dir);
      }
    } catch (error) {
      // Only disk space is at stake: the cursor is past these segments, so recovery deletes what is left.
      this.logger.warn('queue.segment_delete_failed', { error, dir: this.dir });
    }
  }

  /** Evicts the oldest segments (never the one being appended to) until `incoming` more bytes fit the bound. */
  private makeRoom(incoming: number): void {
    let total = this.segments.reduce((sum, s) => sum + s.bytes, 0) + this.waitingBytes + incoming;
    while (total > this.maxBytes && this.segments.length > 1) {
      const victim = this.segments[0]!;
      const readings =
        victim.lastSeq > this.doneThrough ? victim.lastSeq - Math.max(victim.firstSeq - 1, this.doneThrough) : 0;
      const doneThrough = Math.max(this.doneThrough, victim.lastSeq);
      try {
        // The cursor must pass the victim durably before its file goes, or the seq high-water could be lost.
        this.cursor.write({ doneThrough, highSeq: Math.max(this.durableHighSeq, doneThrough) });
        if (this.fsync) {
          this.cursor.sync();
        }
      } catch (error) {
        // Nothing evicted: the bound is exceeded until the disk takes writes again (and the cursor is rewritten).
        this.cursorDirty = true;
        this.failed('cursor', error);
        return;
      }
      this.segments.shift();
      total -= victim.bytes;
      this.doneThrough = doneThrough;
      this.evictedReadings += readings;
      this.queuedReadings = Math.max(0, this.queuedReadings - readings);
      try {
        rmSync(victim.path, { force: true });
      } catch (error) {
        this.logger.warn('queue.evict_unlink_failed', { segment: victim.id, error }); // recovery deletes it
      }
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
