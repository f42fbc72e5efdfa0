import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { QueueRecord } from './frame-codec.js';
import { emptySegment, syncDirectory, type Segment, type StoredRecord } from './segment-files.js';

/** A failed write or fdatasync of the queue, saying which (the cause is the fs error, with its errno code). */
export class QueueIoError extends Error {
  override readonly name = 'QueueIoError';
  constructor(
    readonly stage: 'open' | 'write' | 'fsync',
    override readonly cause: unknown,
  ) {
    super(`${stage}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }

  get errno(): string {
    return (this.cause as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  }
}

export interface PendingFrame {
  readonly record: QueueRecord;
  readonly frame: Buffer;
}

/**
 * Appends frames to the last segment of the queue, rolling to a new segment file past `segmentBytes`, with
 * an fdatasync per write when `fsync` (and a directory fsync when a segment file is created).
 */
export class SegmentWriter {
  private active: FileHandle | undefined;

  constructor(
    private readonly dir: string,
    private readonly segments: Segment[],
    private readonly segmentBytes: number,
    private readonly fsync: boolean,
  ) {}

  private get last(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  async open(): Promise<void> {
    try {
      // Not O_APPEND: Linux would ignore the explicit write positions.
      this.active = await open(this.last.path, constants.O_RDWR | constants.O_CREAT, 0o600);
      if (this.fsync) {
        syncDirectory(this.dir); // a new segment's name must survive a power loss like its content
      }
    } catch (error) {
      await this.active?.close().catch(() => undefined);
      this.active = undefined;
      throw new QueueIoError('open', error);
    }
  }

  /**
   * Writes `frames` from `start` on, as many as fit the current segment (at least one), and makes them durable.
   * Returns the records written, with their places. On an error nothing of this call counts as written.
   */
  async writeSome(frames: readonly PendingFrame[], start: number): Promise<StoredRecord[]> {
    if (this.last.bytes > 0 && this.last.bytes + frames[start]!.frame.length > this.segmentBytes) {
      await this.active?.close().catch(() => undefined);
      this.active = undefined;
      this.segments.push(emptySegment(this.dir, this.last.id + 1));
    }
    if (this.active === undefined) {
      await this.open(); // a new segment, or the same one again after a failure
    }
    const segment = this.last;
    const buffers: Buffer[] = [];
    const records: StoredRecord[] = [];
    let size = 0;
    for (let i = start; i < frames.length; i++) {
      const { record, frame } = frames[i]!;
      if (buffers.length > 0 && segment.bytes + size + frame.length > this.segmentBytes) {
        break;
      }
      records.push({ ...record, segment: segment.id, offset: segment.bytes + size, frameBytes: frame.length });
      buffers.push(frame);
      size += frame.length;
    }
    const data = buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers, size);
    let stage: 'write' | 'fsync' = 'write';
    try {
      for (let done = 0; done < size;) {
        // Explicit positions: after a failed write the retry overwrites whatever part of it reached the file.
        const { bytesWritten } = await this.active!.write(data, done, size - done, segment.bytes + done);
        done += bytesWritten;
      }
      if (this.fsync) {
        stage = 'fsync';
        await this.active!.datasync();
      }
    } catch (error) {
      // After a failed fdatasync the kernel may have dropped the dirty pages: the retry writes the same bytes
      // again (same offsets) through a fresh handle before it syncs, rather than trusting a second fsync alone.
      await this.active?.close().catch(() => undefined);
      this.active = undefined;
      throw new QueueIoError(stage, error);
    }
    segment.bytes += size;
    for (const record of records) {
      segment.firstSeq = segment.firstSeq < 0 ? record.firstSeq : segment.firstSeq;
      segment.lastSeq = record.lastSeq;
      segment.readings += record.count;
    }
    return records;
  }

  async close(): Promise<void> {
    await this.active?.close();
    this.active = undefined;
  }
}
