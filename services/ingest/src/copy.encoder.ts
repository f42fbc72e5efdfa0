import type { ReadingBody } from '@groundtruth/protocol';
import { HEAD_COLUMNS, metricColumns, TAIL_COLUMNS } from './reading.columns.js';
import { READING, type StoredReading } from './stored.reading.js';

/** What a row is encoded from. */
export interface RowInput {
  readonly body: ReadingBody;
  readonly canonical: Uint8Array;
  readonly receivedAt: number;
  readonly sig: Uint8Array;
  readonly batch?: { readonly root: Uint8Array; readonly index: number; readonly size: number };
  readonly proof?: readonly Uint8Array[];
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
 * and byte strings go over as they are). {@link copyData} frames chosen rows as a COPY stream.
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
    const start = this.at;
    this.raw(bytes);
    return start;
  }

  /**
   * Encodes one reading's tuple with the columns of `readingColumns(kind)`, and notes where it and its byte
   * fields lie in the reading's slot of `table` (see READING).
   */
  row(input: RowInput, table: Float64Array, slot: number): void {
    const { body, batch } = input;
    const metrics = metricColumns(body.kind);
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
        this.room(6);
        this.at = this.buf.writeInt32BE(2, this.at);
        this.at = this.buf.writeInt16BE(loc.sats, this.at);
      }
    }
    for (const name of metrics) {
      this.float64Field(body.metrics[name]);
    }
    // text's binary form is its UTF-8 bytes
    this.int32(input.canonical.length);
    const canonicalAt = this.append(input.canonical);
    this.int32(input.sig.length);
    const sigAt = this.append(input.sig);
    let rootAt = -1;
    let proofAt = -1;
    let proofLength = 0;
    if (batch === undefined) {
      for (let i = 0; i < 4; i++) {
        this.int32(-1);
      }
    } else {
      this.int32(batch.root.length);
      rootAt = this.append(batch.root);
      this.int32Field(batch.index);
      this.int32Field(batch.size);
      const proof = input.proof ?? [];
      proofLength = proof.reduce((n, p) => n + p.length, 0);
      this.int32(proofLength);
      proofAt = this.at;
      for (const hash of proof) {
        this.raw(hash);
      }
    }
    this.int32Field(input.qflags);
    table[slot + READING.start] = start;
    table[slot + READING.end] = this.at;
    table[slot + READING.canonicalAt] = canonicalAt;
    table[slot + READING.canonicalLength] = input.canonical.length;
    table[slot + READING.sigAt] = sigAt;
    table[slot + READING.sigLength] = input.sig.length;
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

  private raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  private int16(value: number): void {
    this.room(2);
    this.at = this.buf.writeInt16BE(value, this.at);
  }

  private int32(value: number): void {
    this.room(4);
    this.at = this.buf.writeInt32BE(value, this.at);
  }

  /** int8 from a safe integer (two's complement for negatives) */
  private int64Field(value: number): void {
    this.room(12);
    const hi = Math.floor(value / TWO_32);
    this.at = this.buf.writeInt32BE(8, this.at);
    this.at = this.buf.writeInt32BE(hi, this.at);
    this.at = this.buf.writeUInt32BE(value - hi * TWO_32, this.at);
  }

  private int32Field(value: number): void {
    this.room(8);
    this.at = this.buf.writeInt32BE(4, this.at);
    this.at = this.buf.writeInt32BE(value, this.at);
  }

  private float64Field(value: number | undefined): void {
    if (value === undefined) {
      this.int32(-1);
      return;
    }
    this.room(12);
    this.at = this.buf.writeInt32BE(8, this.at);
    this.at = this.buf.writeDoubleBE(value, this.at);
  }

  private float32Field(value: number | undefined): void {
    if (value === undefined) {
      this.int32(-1);
      return;
    }
    this.room(8);
    this.at = this.buf.writeInt32BE(4, this.at);
    this.at = this.buf.writeFloatBE(value, this.at);
  }

  private textField(value: string): void {
    this.room(4 + value.length * 3);
    const length = this.buf.write(value, this.at + 4, 'utf8');
    this.buf.writeInt32BE(length, this.at);
    this.at += 4 + length;
  }
}

/** A complete binary COPY stream of the given readings' rows (all of one kind). */
export function copyData(readings: readonly StoredReading[]): Buffer {
  return Buffer.concat([COPY_HEADER, ...readings.map((r) => r.row), COPY_TRAILER]);
}
