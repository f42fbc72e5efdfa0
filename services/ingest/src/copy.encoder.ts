import { writeInclusionProof, type MerkleTree, type ReadingBody } from '@groundtruth/protocol';
import { HEAD_COLUMNS, metricColumns, TAIL_COLUMNS } from './reading.columns.js';
import { READING, RowReading, type StoredReading } from './stored.reading.js';

/** What a row is encoded from. */
export interface RowInput {
  readonly body: ReadingBody;
  readonly canonical: Uint8Array;
  readonly receivedAt: number;
  readonly sig: Uint8Array;
  readonly batch?: { readonly root: Uint8Array; readonly index: number; readonly size: number };
  readonly proof?: readonly Uint8Array[];
  /** the batch's tree: when set, the proof is cut from it (no list of hashes per reading) instead of `proof` */
  readonly tree?: MerkleTree;
  readonly qflags: number;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** signature, flags, header extension length */
const COPY_HEADER = Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
const COPY_TRAILER = Buffer.from([0xff, 0xff]);
/** PostgreSQL timestamps count microseconds from 2000-01-01T00:00:00Z. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 4_294_967_296;

/**
 * Encodes readings as binary COPY tuples into one growing buffer (no text round trip: floats, timestamps
 * and byte strings go over as they are). {@link copyChunks} frames chosen rows as a COPY stream.
 */
export class CopyRowWriter {
  private buf: Buffer;
  private at = 0;

  constructor(sizeHint = 64 * 1024) {
    // A buffer of its own (never a slice of Node's shared pool): it may be transferred to another thread.
    this.buf = Buffer.from(new ArrayBuffer(Math.max(1024, sizeHint)));
  }

  /** Copies bytes in as they are (not a field); returns where they start. */
  append(bytes: Uint8Array): number {
    this.room(bytes.length);
    return this.copyIn(bytes);
  }

  /**
   * Encodes one reading's tuple with the columns of `readingColumns(kind)`, and notes where it and its byte
   * fields lie in the reading's slot of `table` (see READING).
   */
  row(input: RowInput, table: Float64Array, slot: number): void {
    const { body, batch, canonical, sig, tree } = input;
    const metrics = metricColumns(body.kind);
    const proof = tree === undefined ? (input.proof ?? []) : undefined;
    let proofRoom = 0;
    if (batch !== undefined) {
      proofRoom = proof === undefined ? PROOF_HASH * proofDepth(tree!.size) : proof.reduce((n, p) => n + p.length, 0);
    }
    // Room for the whole tuple at once: the field writers below do not check.
    this.room(
      ROW_FIXED_BYTES +
        body.device.length * 3 +
        metrics.length * 12 +
        canonical.length +
        sig.length +
        proofRoom +
        (batch === undefined ? 0 : batch.root.length),
    );
    const start = this.at;
    this.int16(HEAD_COLUMNS.length + metrics.length + TAIL_COLUMNS.length);
    this.textField(body.device);
    this.int64Field(body.seq);
    this.int64Field((body.ts - PG_EPOCH_MS) * 1000);
    this.int64Field((input.receivedAt - PG_EPOCH_MS) * 1000);
    const loc = body.loc;
    if (loc === undefined) {
      for (let i = 0; i < 5; i++) {
        this.int32(-1);
      }
    } else {
      this.float64Field(loc.lat);
      this.float64Field(loc.lon);
      this.float64Field(loc.alt);
      this.float32Field(loc.hdop);
      if (loc.sats === undefined) {
        this.int32(-1);
      } else {
        this.at = this.buf.writeInt32BE(2, this.at);
        this.at = this.buf.writeInt16BE(loc.sats, this.at);
      }
    }
    for (const name of metrics) {
      this.float64Field(body.metrics[name]);
    }
    // text's binary form is its UTF-8 bytes
    this.int32(canonical.length);
    const canonicalAt = this.copyIn(canonical);
    this.int32(sig.length);
    const sigAt = this.copyIn(sig);
    let rootAt = -1;
    let proofAt = -1;
    let proofLength = 0;
    if (batch === undefined) {
      for (let i = 0; i < 4; i++) {
        this.int32(-1);
      }
    } else {
      this.int32(batch.root.length);
      rootAt = this.copyIn(batch.root);
      this.int32Field(batch.index);
      this.int32Field(batch.size);
      proofAt = this.at + 4;
      if (proof === undefined) {
        proofLength = writeInclusionProof(tree!, batch.index, this.buf, proofAt);
      } else {
        this.at = proofAt;
        for (const hash of proof) {
          this.copyIn(hash);
        }
        proofLength = this.at - proofAt;
      }
      this.buf.writeInt32BE(proofLength, proofAt - 4);
      this.at = proofAt + proofLength;
    }
    this.int32Field(input.qflags);
    table[slot + READING.start] = start;
    table[slot + READING.end] = this.at;
    table[slot + READING.canonicalAt] = canonicalAt;
    table[slot + READING.canonicalLength] = canonical.length;
    table[slot + READING.sigAt] = sigAt;
    table[slot + READING.sigLength] = sig.length;
    table[slot + READING.rootAt] = rootAt;
    table[slot + READING.proofAt] = proofAt;
    table[slot + READING.proofLength] = proofLength;
  }

  /** Everything written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  private room(n: number): void {
    if (this.at + n > this.buf.length) {
      const bigger = Buffer.from(new ArrayBuffer(Math.max(this.buf.length * 2, this.at + n)));
      this.buf.copy(bigger, 0, 0, this.at);
      this.buf = bigger;
    }
  }

  // The writers below assume room was made.

  private copyIn(bytes: Uint8Array): number {
    const start = this.at;
    this.buf.set(bytes, start);
    this.at = start + bytes.length;
    return start;
  }

  private int16(value: number): void {
    this.at = this.buf.writeInt16BE(value, this.at);
  }

  private int32(value: number): void {
    this.at = this.buf.writeInt32BE(value, this.at);
  }

  /** int8 from a safe integer (two's complement for negatives) */
  private int64Field(value: number): void {
    const hi = Math.floor(value / TWO_32);
    this.at = this.buf.writeInt32BE(8, this.at);
    this.at = this.buf.writeInt32BE(hi, this.at);
    this.at = this.buf.writeUInt32BE(value - hi * TWO_32, this.at);
  }

  private int32Field(value: number): void {
    this.at = this.buf.writeInt32BE(4, this.at);
    this.at = this.buf.writeInt32BE(value, this.at);
  }

  private float64Field(value: number | undefined): void {
    if (value === undefined) {
      this.int32(-1);
      return;
    }
    this.at = this.buf.writeInt32BE(8, this.at);
    this.at = this.buf.writeDoubleBE(value, this.at);
  }

  private float32Field(value: number | undefined): void {
    if (value === undefined) {
      this.int32(-1);
      return;
    }
    this.at = this.buf.writeInt32BE(4, this.at);
    this.at = this.buf.writeFloatBE(value, this.at);
  }

  private textField(value: string): void {
    const length = this.buf.write(value, this.at + 4, 'utf8');
    this.buf.writeInt32BE(length, this.at);
    this.at += 4 + length;
  }
}

const PROOF_HASH = 32;
/**
 * A tuple's bytes besides the device id, metrics and byte strings: field count, length words, seq, ts,
 * received_at, location, batch index and size, qflags.
 */
const ROW_FIXED_BYTES = 2 + 4 + 3 * 12 + 50 + 4 + 4 + 4 + 2 * 8 + 4 + 8;

/** Hashes in the longest inclusion proof of a tree of `size` leaves. */
function proofDepth(size: number): number {
  let depth = 0;
  for (let n = size; n > 1; n = (n + 1) >> 1) {
    depth++;
  }
  return depth;
}

/** Runs of rows shorter than this are copied together rather than sent as chunks of their own. */
const MIN_CHUNK_BYTES = 16 * 1024;

/**
 * A complete binary COPY stream of the given readings' rows (all of one kind), in chunks to send one after
 * the other: rows that lie next to each other in an opened batch's bytes (the usual case) go as one view of
 * them, not copied; short runs are joined.
 */
export function copyChunks(readings: readonly StoredReading[]): Buffer[] {
  const chunks: Buffer[] = [];
  let short: Buffer[] = [COPY_HEADER];
  let shortBytes = COPY_HEADER.length;
  const flushShort = () => {
    if (short.length > 0) {
      chunks.push(short.length === 1 ? short[0]! : Buffer.concat(short, shortBytes));
      short = [];
      shortBytes = 0;
    }
  };
  const add = (run: Buffer) => {
    if (run.length >= MIN_CHUNK_BYTES) {
      flushShort();
      chunks.push(run);
      return;
    }
    short.push(run);
    shortBytes += run.length;
    if (shortBytes >= MIN_CHUNK_BYTES) {
      flushShort();
    }
  };
  let bytes: Buffer | undefined;
  let start = 0;
  let end = 0;
  for (const reading of readings) {
    if (reading instanceof RowReading && reading.bytes === bytes && reading.rowStart === end) {
      end = reading.rowEnd;
      continue;
    }
    if (bytes !== undefined) {
      add(bytes.subarray(start, end));
      bytes = undefined;
    }
    if (reading instanceof RowReading) {
      bytes = reading.bytes;
      start = reading.rowStart;
      end = reading.rowEnd;
    } else {
      add(reading.row);
    }
  }
  if (bytes !== undefined) {
    add(bytes.subarray(start, end));
  }
  short.push(COPY_TRAILER);
  shortBytes += COPY_TRAILER.length;
  flushShort();
  return chunks;
}
