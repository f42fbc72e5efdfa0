import { closeSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BridgeLogger } from './logger.js';
import { needsMoreBytes, scanFrames, type QueueRecord, type TornReason } from './frame-codec.js';

/** One append-only segment file `seg-<id>.log` of the durable queue. */
export interface Segment {
  readonly id: number;
  readonly path: string;
  /** bytes of valid frames written so far */
  bytes: number;
  /** seq range of the readings inside, -1 while empty */
  firstSeq: number;
  lastSeq: number;
  readings: number;
}

/** A place in the queue: a segment and a byte offset in it. */
export interface QueuePosition {
  readonly segment: number;
  readonly offset: number;
}

/** A record read back from a segment, with where it sits. */
export interface StoredRecord extends QueueRecord {
  readonly segment: number;
  readonly offset: number;
  readonly frameBytes: number;
}

export interface RecoveryReport {
  readonly segments: number;
  /** records and readings not yet done (after the cursor) */
  readonly pendingRecords: number;
  readonly pendingReadings: number;
  /** bytes cut off torn tails (an interrupted write) */
  readonly truncatedBytes: number;
  /** segments other than the last that held damaged frames (cut off there; counted, never silent) */
  readonly damagedSegments: number;
  readonly tornReasons: readonly TornReason[];
  /** highest seq found in the segments, -1 if none */
  readonly highSeq: number;
}

const SEGMENT_NAME = /^seg-(\d{12})\.log$/;

export const segmentPath = (dir: string, id: number): string =>
  path.join(dir, `seg-${String(id).padStart(12, '0')}.log`);

export function emptySegment(dir: string, id: number): Segment {
  return { id, path: segmentPath(dir, id), bytes: 0, firstSeq: -1, lastSeq: -1, readings: 0 };
}

/** fsync of a directory, so a file created or removed in it stays so after a power loss. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Scans every segment of `dir` in order, cuts off torn or damaged tails (ftruncate + fsync), drops segments the
 * cursor has fully passed, and finds where unsent records start.
 */
export function recoverSegments(
  dir: string,
  doneThrough: number,
  logger: BridgeLogger,
): { segments: Segment[]; readStart: QueuePosition | undefined; report: RecoveryReport } {
  const ids = readdirSync(dir)
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const segments: Segment[] = [];
  let readStart: QueuePosition | undefined;
  let pendingRecords = 0;
  let pendingReadings = 0;
  let truncatedBytes = 0;
  let damagedSegments = 0;
  let highSeq = -1;
  const tornReasons: TornReason[] = [];
  for (let i = 0; i < ids.length; i++) {
    const segment = emptySegment(dir, ids[i]!);
    const bytes = readFileSync(segment.path);
    const scan = scanFrames(bytes);
    let validEnd = scan.validEnd;
    for (const frame of scan.frames) {
      const { record } = frame;
      if (record.firstSeq <= highSeq) {
        // Sequence going backwards can only be damage: keep what came before it.
        validEnd = frame.offset;
        tornReasons.push('bad_header');
        break;
      }
      highSeq = record.lastSeq;
      segment.firstSeq = segment.firstSeq < 0 ? record.firstSeq : segment.firstSeq;
      segment.lastSeq = record.lastSeq;
      segment.readings += record.count;
      if (record.lastSeq > doneThrough) {
        readStart ??= { segment: segment.id, offset: frame.offset };
        pendingRecords++;
        pendingReadings += record.lastSeq - Math.max(record.firstSeq - 1, doneThrough);
      }
    }
    if (scan.torn !== undefined && validEnd === scan.validEnd) {
      tornReasons.push(scan.torn);
    }
    if (validEnd < bytes.length) {
      const isLast = i === ids.length - 1;
      truncatedBytes += bytes.length - validEnd;
      if (!isLast) {
        damagedSegments++;
      }
      logger.warn('queue.recovery.truncated', {
        segment: segment.id,
        at: validEnd,
        cut: bytes.length - validEnd,
        last: isLast,
      });
      const fd = openSync(segment.path, 'r+');
      try {
        ftruncateSync(fd, validEnd);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    segment.bytes = validEnd;
    if (segment.lastSeq >= 0 && segment.lastSeq <= doneThrough && i < ids.length - 1) {
      rmSync(segment.path, { force: true }); // fully acknowledged: only kept because the delete did not happen yet
      continue;
    }
    segments.push(segment);
  }
  const report: RecoveryReport = {
    segments: segments.length,
    pendingRecords,
    pendingReadings,
    truncatedBytes,
    damagedSegments,
    tornReasons,
    highSeq,
  };
  return { segments, readStart, report };
}

/**
 * Reads up to `maxRecords` whole frames of a segment from `offset`, never past `limit` (the durable end). Reads
 * in chunks of at least `chunkBytes`, growing the chunk when one frame is larger.
 */
export function readSegment(
  segment: Segment,
  offset: number,
  limit: number,
  maxRecords: number,
  chunkBytes = 256 * 1024,
): { records: StoredRecord[]; nextOffset: number } {
  const records: StoredRecord[] = [];
  let position = offset;
  const fd = openSync(segment.path, 'r');
  try {
    let size = chunkBytes;
    while (position < limit && records.length < maxRecords) {
      const length = Math.min(size, limit - position);
      const chunk = Buffer.allocUnsafe(length);
      const read = readSync(fd, chunk, 0, length, position);
      const scan = scanFrames(chunk.subarray(0, read), 0, maxRecords - records.length);
      for (const frame of scan.frames) {
        records.push({
          ...frame.record,
          segment: segment.id,
          offset: position + frame.offset,
          frameBytes: frame.frameBytes,
        });
      }
      if (scan.frames.length === 0) {
        if (!needsMoreBytes(scan) || read < length) {
          throw new Error(`segment ${segment.id} is damaged at offset ${position} (${scan.torn ?? 'short read'})`);
        }
        size *= 2; // one frame larger than the chunk
        continue;
      }
      position += scan.validEnd;
    }
  } finally {
    closeSync(fd);
  }
  return { records, nextOffset: position };
}
