import { crc32 } from 'node:zlib';

/**
 * Framing of the durable queue's segment files (pure, no I/O).
 *
 * frame  = length u32 LE ‖ crc32(data) u32 LE ‖ data
 * data   = format u8 (=1) ‖ type u8 ‖ count u16 LE ‖ firstSeq f64 LE ‖ lastSeq f64 LE ‖ payload
 *
 * The payload is the exact MQTT payload (a signed single or batch envelope), so a resend is byte-identical.
 * A frame whose length runs past the end of the file or whose CRC does not match is a torn write: the scan
 * stops there and everything from that offset on is cut off.
 */
export const FRAME_HEADER_BYTES = 8;
export const RECORD_HEADER_BYTES = 20;
const FORMAT = 1;
/** Above any envelope the protocol allows (512 KiB batch), so a garbage length is recognised as such. */
export const MAX_RECORD_DATA_BYTES = 1024 * 1024;

export type RecordType = 'single' | 'batch';
const TYPE_CODE: Record<RecordType, number> = { single: 1, batch: 2 };

export interface QueueRecord {
  readonly type: RecordType;
  /** readings carried: 1 for a single envelope, the body count for a batch */
  readonly count: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly payload: Buffer;
}

export function encodeFrame(record: QueueRecord): Buffer {
  const payloadBytes = record.payload.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + RECORD_HEADER_BYTES + payloadBytes);
  const data = frame.subarray(FRAME_HEADER_BYTES);
  data.writeUInt8(FORMAT, 0);
  data.writeUInt8(TYPE_CODE[record.type], 1);
  data.writeUInt16LE(record.count, 2);
  data.writeDoubleLE(record.firstSeq, 4);
  data.writeDoubleLE(record.lastSeq, 12);
  record.payload.copy(data, RECORD_HEADER_BYTES);
  frame.writeUInt32LE(data.length, 0);
  frame.writeUInt32LE(crc32(data), 4);
  return frame;
}

export type TornReason = 'short_header' | 'short_data' | 'bad_length' | 'bad_crc' | 'bad_header';

export interface ScannedFrame {
  /** offset of the frame in the scanned buffer */
  readonly offset: number;
  readonly frameBytes: number;
  readonly record: QueueRecord;
}

export interface ScanResult {
  readonly frames: ScannedFrame[];
  /** offset just past the last valid frame: where a torn tail starts, or the buffer's length */
  readonly validEnd: number;
  /** why scanning stopped before the end of the buffer */
  readonly torn?: TornReason;
}

function decodeData(data: Buffer): QueueRecord | undefined {
  if (data.length < RECORD_HEADER_BYTES || data.readUInt8(0) !== FORMAT) {
    return undefined;
  }
  const code = data.readUInt8(1);
  const type: RecordType | undefined = code === 1 ? 'single' : code === 2 ? 'batch' : undefined;
  const count = data.readUInt16LE(2);
  const firstSeq = data.readDoubleLE(4);
  const lastSeq = data.readDoubleLE(12);
  if (
    type === undefined ||
    count === 0 ||
    !Number.isSafeInteger(firstSeq) ||
    !Number.isSafeInteger(lastSeq) ||
    lastSeq < firstSeq
  ) {
    return undefined;
  }
  return { type, count, firstSeq, lastSeq, payload: data.subarray(RECORD_HEADER_BYTES) };
}

/**
 * Reads frames from `buffer` starting at `start` until the end or the first invalid frame. With `maxFrames`,
 * stops early (validEnd then is the end of the last frame returned).
 */
export function scanFrames(buffer: Buffer, start = 0, maxFrames = Number.POSITIVE_INFINITY): ScanResult {
  const frames: ScannedFrame[] = [];
  let offset = start;
  while (offset < buffer.length && frames.length < maxFrames) {
    if (buffer.length - offset < FRAME_HEADER_BYTES) {
      return { frames, validEnd: offset, torn: 'short_header' };
    }
    const length = buffer.readUInt32LE(offset);
    if (length < RECORD_HEADER_BYTES || length > MAX_RECORD_DATA_BYTES) {
      return { frames, validEnd: offset, torn: 'bad_length' };
    }
    const end = offset + FRAME_HEADER_BYTES + length;
    if (end > buffer.length) {
      return { frames, validEnd: offset, torn: 'short_data' };
    }
    const data = buffer.subarray(offset + FRAME_HEADER_BYTES, end);
    if (crc32(data) !== buffer.readUInt32LE(offset + 4)) {
      return { frames, validEnd: offset, torn: 'bad_crc' };
    }
    const record = decodeData(data);
    if (record === undefined) {
      return { frames, validEnd: offset, torn: 'bad_header' };
    }
    frames.push({ offset, frameBytes: end - offset, record });
    offset = end;
  }
  return { frames, validEnd: offset };
}

/**
 * Whether a scan that stopped at `torn` may simply need more bytes (the frame continues past the buffer) rather
 * than being damaged: used when reading a file in chunks.
 */
export function needsMoreBytes(result: ScanResult): boolean {
  return result.torn === 'short_header' || result.torn === 'short_data';
}
