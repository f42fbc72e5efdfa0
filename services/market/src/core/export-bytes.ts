import type { RowCodec } from './export-row.js';
import { sha256Into } from './fast-hash.js';

/**
 * Builds export rows as bytes straight from the fields of a binary COPY tuple (see copy-binary.ts and
 * `encodedExportSelect` in db/dataset-sql.ts), without making a JavaScript object or string per row: the CSV
 * record or JSONL line goes into the block's output buffer, the row's canonical encoding into a scratch buffer
 * behind the RFC 9162 leaf prefix, and its leaf hash into the block's hash list. The bytes are the same as
 * `csvLine` and `RowCodec.canonical` make from the same row (tests hold them equal on every number form).
 *
 * Field layout of a tuple (`encodedExportSelect`): 0 device, 1 seq (text), 2 ts (timestamptz, binary),
 * 3 lat, 4 lon, 5 alt, then the metrics (text, PostgreSQL's float8 output), then the fields of {@link TAIL},
 * then the location used by an H3 filter when there is one (float8, binary).
 */

/**
 * The fields after the metrics, by offset: qflags (text), the body as a JSON string (`to_json`, which escapes
 * exactly as `JSON.stringify` does) and as CSV field content (quotes doubled), sig and batch_root (base64),
 * batch_index and batch_size (text), proof (base64).
 */
export const TAIL = {
  qflags: 0,
  bodyJson: 1,
  bodyCsv: 2,
  sig: 3,
  root: 4,
  index: 5,
  size: 6,
  proof: 7,
  width: 8,
} as const;

/** A block of encoded rows: file bytes, 32-byte leaf hashes in row order, and what the manifest counts. */
export interface EncodedBlock {
  readonly rows: number;
  readonly bytes: Uint8Array;
  readonly hashes: Uint8Array;
  readonly devices: ReadonlySet<string>;
  /** smallest and largest device timestamp (ms) of the block's rows; null when empty */
  readonly first: number | null;
  readonly last: number | null;
}

export type TextFormat = 'csv' | 'jsonl';

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const HEX = ascii('0123456789abcdef');
const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72 };

/** ms since the Unix epoch of a binary timestamptz, rounded as `(extract(epoch from ts) * 1000)::int8` rounds. */
export function timestampMs(buffer: Buffer, at: number): number {
  const us = buffer.readInt32BE(at) * 4_294_967_296 + buffer.readUInt32BE(at + 4) + PG_EPOCH_US;
  const whole = Math.trunc(us / 1000);
  const rest = us - whole * 1000;
  return rest >= 500 ? whole + 1 : rest <= -500 ? whole - 1 : whole;
}

export class ExportRowAssembler {
  private out: Buffer;
  private at = 0;
  private scratch = Buffer.allocUnsafeSlow(4096);
  private hashes: Uint8Array;
  private rows = 0;
  private devices = new Set<string>();
  private first: number | null = null;
  private last: number | null = null;
  private readonly metricCount: number;
  /** positions of the metric fields in the canonical (sorted) order, with their `,"name":` keys */
  private readonly sortedMetrics: readonly { readonly field: number; readonly key: Uint8Array }[];
  private readonly p: number;

  constructor(
    codec: RowCodec,
    private readonly format: TextFormat,
    private readonly blockRows = 256,
  ) {
    this.metricCount = codec.metrics.length;
    this.p = 6 + this.metricCount;
    this.sortedMetrics = codec.metrics
      .map((name, i) => ({ name, field: 6 + i }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(({ name, field }, k) => ({ field, key: ascii((k === 0 ? '' : ',') + JSON.stringify(name) + ':') }));
    this.out = Buffer.allocUnsafeSlow(blockRows * 2048);
    this.hashes = new Uint8Array(blockRows * 32);
    this.scratch[0] = 0x00; // RFC 9162 leaf prefix
  }

  /** Fields a tuple of this layout has (without the H3 location). */
  get width(): number {
    return this.p + TAIL.width;
  }

  get pending(): number {
    return this.rows;
  }

  /** Appends one row; true when the block is full (take it). */
  add(buffer: Buffer, fields: Int32Array): boolean {
    const p = this.p;
    let bound = 512;
    for (let i = 0; i < p + TAIL.width; i++) {
      bound += fields[2 * i + 1]! - fields[2 * i]!;
    }
    bound *= 2;
    this.room(bound);
    if (this.scratch.length < bound + 1) {
      this.scratch = Buffer.allocUnsafeSlow(2 * bound);
      this.scratch[0] = 0x00;
    }
    const ts = timestampMs(buffer, fields[4]!);
    const length = this.canonical(buffer, fields, ts);
    sha256Into(this.scratch.subarray(0, length + 1), this.hashes, this.rows * 32);
    if (this.format === 'csv') {
      this.csv(buffer, fields, ts);
    } else {
      this.at += this.scratch.copy(this.out, this.at, 1, length + 1);
      this.out[this.at++] = NEWLINE;
    }
    this.devices.add(buffer.toString('utf8', fields[0]!, fields[1]!));
    if (this.first === null || ts < this.first) {
      this.first = ts;
    }
    if (this.last === null || ts > this.last) {
      this.last = ts;
    }
    this.rows++;
    return this.rows >= this.blockRows;
  }

  /** The rows added since the last take, as a block (its buffers are the caller's from now on). */
  take(): EncodedBlock {
    const block: EncodedBlock = {
      rows: this.rows,
      bytes: this.out.subarray(0, this.at),
      hashes: this.hashes.subarray(0, this.rows * 32),
      devices: this.devices,
      first: this.first,
      last: this.last,
    };
    this.out = Buffer.allocUnsafeSlow(this.out.length);
    this.hashes = new Uint8Array(this.blockRows * 32);
    this.at = 0;
    this.rows = 0;
    this.devices = new Set();
    this.first = null;
    this.last = null;
    return block;
  }

  private room(bytes: number): void {
    if (this.at + bytes > this.out.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(2 * this.out.length, this.at + bytes));
      this.out.copy(bigger, 0, 0, this.at);
      this.out = bigger;
    }
  }

  /** The canonical encoding into the scratch buffer after the leaf prefix; returns its length. */
  private canonical(b: Buffer, f: Int32Array, ts: number): number {
    const s = this.scratch;
    const p = this.p;
    let at = 1;
    at = put(s, at, K.alt);
    at = number(s, at, b, f, 5, K.null);
    at = put(s, at, K.batchIndex);
    at = number(s, at, b, f, p + TAIL.index, K.null, true);
    at = put(s, at, K.batchRoot);
    at = quoted(s, at, b, f, p + TAIL.root);
    at = put(s, at, K.batchSize);
    at = number(s, at, b, f, p + TAIL.size, K.null, true);
    at = put(s, at, K.body);
    at = copy(s, at, b, f[2 * (p + TAIL.bodyJson)]!, f[2 * (p + TAIL.bodyJson) + 1]!);
    at = put(s, at, K.device);
    at = jsonString(s, at, b, f[0]!, f[1]!);
    at = put(s, at, K.lat);
    at = number(s, at, b, f, 3, K.null);
    at = put(s, at, K.lon);
    at = number(s, at, b, f, 4, K.null);
    at = put(s, at, K.metrics);
    for (const { field, key } of this.sortedMetrics) {
      at = put(s, at, key);
      at = number(s, at, b, f, field, K.null);
    }
    at = put(s, at, K.proof);
    at = this.proof(s, at, b, f, true);
    at = put(s, at, K.qflags);
    at = number(s, at, b, f, p + TAIL.qflags, K.null, true);
    at = put(s, at, K.seq);
    at = number(s, at, b, f, 1, K.null, true);
    at = put(s, at, K.sig);
    at = quoted(s, at, b, f, p + TAIL.sig);
    at = put(s, at, K.ts);
    at = s.write(String(ts), at, 'latin1') + at;
    s[at++] = 0x7d; // }
    return at - 1;
  }

  /** RFC 4180 record as `csvLine` writes it: nulls empty, the body always quoted. */
  private csv(b: Buffer, f: Int32Array, ts: number): void {
    const o = this.out;
    const p = this.p;
    let at = this.at;
    at = copy(o, at, b, f[0]!, f[1]!);
    o[at++] = COMMA;
    at = number(o, at, b, f, 1, K.empty, true);
    o[at++] = COMMA;
    at = o.write(String(ts), at, 'latin1') + at;
    for (let i = 3; i < p; i++) {
      o[at++] = COMMA;
      at = number(o, at, b, f, i, K.empty);
    }
    o[at++] = COMMA;
    at = number(o, at, b, f, p + TAIL.qflags, K.empty, true);
    o[at++] = COMMA;
    o[at++] = QUOTE;
    at = copy(o, at, b, f[2 * (p + TAIL.bodyCsv)]!, f[2 * (p + TAIL.bodyCsv) + 1]!);
    o[at++] = QUOTE;
    o[at++] = COMMA;
    at = copy(o, at, b, f[2 * (p + TAIL.sig)]!, f[2 * (p + TAIL.sig) + 1]!);
    o[at++] = COMMA;
    at = copy(o, at, b, f[2 * (p + TAIL.root)]!, f[2 * (p + TAIL.root) + 1]!);
    o[at++] = COMMA;
    at = number(o, at, b, f, p + TAIL.index, K.empty, true);
    o[at++] = COMMA;
    at = number(o, at, b, f, p + TAIL.size, K.empty, true);
    o[at++] = COMMA;
    at = this.proof(o, at, b, f, false);
    o[at++] = NEWLINE;
    this.at = at;
  }

  /**
   * The proof as `normalizeProof` leaves it: a single envelope's is null (an empty one too), a batch's is a
   * string (an absent one is ""). In CSV both null and "" are an empty field.
   */
  private proof(t: Buffer, at: number, b: Buffer, f: Int32Array, json: boolean): number {
    const p = this.p;
    const start = f[2 * (p + TAIL.proof)]!;
    const end = f[2 * (p + TAIL.proof) + 1]!;
    const hasRoot = f[2 * (p + TAIL.root)]! >= 0;
    if (!json) {
      return copy(t, at, b, start, end);
    }
    if (start < 0 || start === end) {
      return hasRoot ? put(t, at, K.emptyString) : put(t, at, K.null);
    }
    t[at++] = QUOTE;
    at = copy(t, at, b, start, end);
    t[at++] = QUOTE;
    return at;
  }
}

const K = {
  null: ascii('null'),
  empty: ascii(''),
  emptyString: ascii('""'),
  alt: ascii('{"alt":'),
  batchIndex: ascii(',"batch_index":'),
  batchRoot: ascii(',"batch_root":'),
  batchSize: ascii(',"batch_size":'),
  body: ascii(',"body":'),
  device: ascii(',"device":'),
  lat: ascii(',"lat":'),
  lon: ascii(',"lon":'),
  metrics: ascii(',"metrics":{'),
  proof: ascii('},"proof":'),
  qflags: ascii(',"qflags":'),
  seq: ascii(',"seq":'),
  sig: ascii(',"sig":'),
  ts: ascii(',"ts":'),
};

function put(target: Buffer, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    target[at++] = bytes[i]!;
  }
  return at;
}

function copy(target: Buffer, at: number, source: Buffer, start: number, end: number): number {
  if (start < 0) {
    return at;
  }
  if (end - start > 64) {
    return at + source.copy(target, at, start, end);
  }
  for (let i = start; i < end; i++) {
    target[at++] = source[i]!;
  }
  return at;
}

/** A base64 field as a JSON string, or null. */
function quoted(target: Buffer, at: number, b: Buffer, f: Int32Array, field: number): number {
  const start = f[2 * field]!;
  if (start < 0) {
    return put(target, at, K.null);
  }
  target[at++] = QUOTE;
  at = copy(target, at, b, start, f[2 * field + 1]!);
  target[at++] = QUOTE;
  return at;
}

/**
 * A number field in ECMAScript's Number-to-String form (RFC 8785's). PostgreSQL's shortest float8 output has
 * the same digits; it differs only in its exponent forms (1e-05, 1e+15 where JavaScript writes 0.00001,
 * 1000000000000000; 1e-07 for 1e-7) and in "-0", which such fields take the slow way, as do integer fields of
 * 16 characters or more (JavaScript rounds those beyond 2^53, as the other paths do).
 */
function number(
  target: Buffer,
  at: number,
  b: Buffer,
  f: Int32Array,
  field: number,
  ifNull: Uint8Array,
  integer = false,
): number {
  const start = f[2 * field]!;
  if (start < 0) {
    return put(target, at, ifNull);
  }
  const end = f[2 * field + 1]!;
  let plain = integer ? end - start < 16 : !(end - start === 2 && b[start] === 0x2d && b[start + 1] === 0x30);
  for (let i = start; plain && i < end; i++) {
    if (b[i] === 0x65) {
      plain = false;
    }
  }
  if (plain) {
    for (let i = start; i < end; i++) {
      target[at++] = b[i]!;
    }
    return at;
  }
  return at + target.write(String(Number(b.toString('latin1', start, end))), at, 'latin1');
}

/** A UTF-8 text as a JSON string, escaped as `JSON.stringify` escapes it. */
function jsonString(target: Buffer, at: number, b: Buffer, start: number, end: number): number {
  target[at++] = QUOTE;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) {
      target[at++] = c;
    } else if (c === QUOTE || c === BACKSLASH) {
      target[at++] = BACKSLASH;
      target[at++] = c;
    } else {
      target[at++] = BACKSLASH;
      const short = SHORT_ESCAPES[c];
      if (short !== undefined) {
        target[at++] = short;
      } else {
        target[at++] = 0x75; // u00XX
        target[at++] = 0x30;
        target[at++] = 0x30;
        target[at++] = HEX[c >> 4]!;
        target[at++] = HEX[c & 15]!;
      }
    }
  }
  target[at++] = QUOTE;
  return at;
}
