import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';

/** Provenance of a reading that travelled in a batch envelope: the batch signature covers `root`. */
export interface BatchProvenance {
  readonly root: Buffer;
  readonly index: number;
  readonly size: number;
  /** the inclusion proof's hashes (32 bytes each, bottom-up), concatenated */
  readonly proof: Buffer;
}

/**
 * One reading as the ingest stores it. `row` is its tuple in PostgreSQL's binary COPY format, encoded when
 * the envelope was opened (possibly on a worker thread); `canonical`, `sig` and `batch` lie inside it.
 */
export interface StoredReading {
  readonly device: string;
  readonly kind: HardwareKind;
  readonly seq: number;
  /** device timestamp (ms) */
  readonly ts: number;
  /** when the ingest received the message (ms) */
  readonly receivedAt: number;
  readonly qflags: number;
  /** the binary COPY tuple; its last 4 bytes hold `qflags` */
  readonly row: Buffer;
  /** RFC 8785 bytes of the body: the signed bytes (single) or the Merkle leaf data (batch) */
  readonly canonical: Buffer;
  /** the reading's signature, or the batch signature */
  readonly sig: Buffer;
  readonly batch?: BatchProvenance;
}

/**
 * The numbers kept per reading of an opened batch, one {@link READING_WIDTH}-wide slot each in a Float64Array
 * (plain numbers cross threads far cheaper than an object per reading). Offsets point into the batch's bytes.
 */
export const READING = {
  seq: 0,
  ts: 1,
  /** index into HARDWARE_KINDS */
  kind: 2,
  qflags: 3,
  /** 0 row encoded, 1 refused (`canonicalAt` holds its body), 2 not checked (signature not verified) */
  status: 4,
  start: 5,
  end: 6,
  canonicalAt: 7,
  canonicalLength: 8,
  sigAt: 9,
  sigLength: 10,
  /** -1 for a single reading */
  rootAt: 11,
  proofAt: 12,
  proofLength: 13,
  /** index in its envelope, and the envelope's size */
  index: 14,
  size: 15,
} as const;
export const READING_WIDTH = 16;

/** A growing table of reading slots (see {@link READING}). */
export class ReadingTable {
  private data = new Float64Array(READING_WIDTH * 256);
  private count = 0;

  /** Adds a slot; returns its base offset. */
  add(): number {
    if ((this.count + 1) * READING_WIDTH > this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    return this.count++ * READING_WIDTH;
  }

  get slots(): Float64Array {
    return this.data;
  }

  /** The used part, in a buffer of its own (transferable). */
  done(): Float64Array {
    return this.data.slice(0, this.count * READING_WIDTH);
  }
}

/**
 * A stored reading read from its slot: byte fields are views made only when asked for. It is also the opened
 * reading that carries it (`stored` is itself): one object per reading where a batch holds thousands.
 */
export class RowReading implements StoredReading {
  constructor(
    /** the opened batch's bytes, which hold this reading's row */
    readonly bytes: Buffer,
    private readonly table: Float64Array,
    private readonly base: number,
    readonly device: string,
    readonly receivedAt: number,
  ) {}

  get kind(): HardwareKind {
    return HARDWARE_KINDS[this.table[this.base + READING.kind]!]!;
  }
  get seq(): number {
    return this.table[this.base + READING.seq]!;
  }
  get ts(): number {
    return this.table[this.base + READING.ts]!;
  }
  get qflags(): number {
    return this.table[this.base + READING.qflags]!;
  }
  /** index in its envelope */
  get index(): number {
    return this.table[this.base + READING.index]!;
  }
  get stored(): StoredReading {
    return this;
  }
  /** where the row lies in {@link bytes} */
  get rowStart(): number {
    return this.table[this.base + READING.start]!;
  }
  get rowEnd(): number {
    return this.table[this.base + READING.end]!;
  }
  get row(): Buffer {
    return this.bytes.subarray(this.rowStart, this.rowEnd);
  }
  get canonical(): Buffer {
    return this.view(READING.canonicalAt, this.table[this.base + READING.canonicalLength]!);
  }
  get sig(): Buffer {
    return this.view(READING.sigAt, this.table[this.base + READING.sigLength]!);
  }
  get batch(): BatchProvenance | undefined {
    const t = this.table;
    const b = this.base;
    if (t[b + READING.rootAt]! < 0) {
      return undefined;
    }
    return {
      root: this.view(READING.rootAt, 32),
      index: t[b + READING.index]!,
      size: t[b + READING.size]!,
      proof: this.view(READING.proofAt, t[b + READING.proofLength]!),
    };
  }

  private view(field: number, length: number): Buffer {
    const at = this.table[this.base + field]!;
    return this.bytes.subarray(at, at + length);
  }
}

/** The reading with other quality flags: a copy of its row with the flags patched in (the original is shared). */
export function withQflags(reading: StoredReading, qflags: number): StoredReading {
  const row = Buffer.from(reading.row);
  row.writeInt32BE(qflags, row.length - 4);
  const { device, kind, seq, ts, receivedAt, canonical, sig, batch } = reading;
  return { device, kind, seq, ts, receivedAt, qflags, row, canonical, sig, ...(batch ? { batch } : {}) };
}
