import { fastLeafHash } from './fast-hash.js';

/**
 * One row of a dataset export: the reading's fields for tabular use, and what proves it came from its device
 * (the exact signed body, the signature, and for batch envelopes the root, position and audit path).
 * Binary values are base64 (`proof` = the 32-byte audit-path hashes concatenated, bottom-up).
 */
export interface ExportRow {
  readonly device: string;
  readonly seq: number;
  /** device timestamp, ms UTC */
  readonly ts: number;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly alt: number | null;
  /** values aligned with the codec's metric columns; null where the reading lacks the metric */
  readonly values: readonly (number | null)[];
  readonly qflags: number;
  /** RFC 8785 body exactly as signed (single) or as Merkle leaf data (batch) */
  readonly body: string;
  readonly sig: string;
  readonly batchRoot: string | null;
  readonly batchIndex: number | null;
  readonly batchSize: number | null;
  readonly proof: string | null;
}

/** Column names of an export, in file order, for the given metric columns. */
export function exportColumnNames(metrics: readonly string[]): string[] {
  return [
    'device',
    'seq',
    'ts',
    'lat',
    'lon',
    'alt',
    ...metrics,
    'qflags',
    'body',
    'sig',
    'batch_root',
    'batch_index',
    'batch_size',
    'proof',
  ];
}

const RESERVED = new Set(exportColumnNames([]));

// ECMAScript Number-to-String is RFC 8785's number form for finite numbers (rows hold no others; -0 gives "0").
const num = (value: number | null): string => (value === null ? 'null' : '' + value);
/** What JSON.stringify would escape: quote, backslash, controls, and (lone) surrogates. */
// eslint-disable-next-line no-control-regex -- the control characters are exactly what must be found
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const text = (value: string): string => (NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : '"' + value + '"');
/** base64 needs no JSON escaping (every reader checks these columns are base64 before building a row) */
const b64 = (value: string | null): string => (value === null ? 'null' : '"' + value + '"');

/**
 * The canonical encoding of an export row, the same for CSV, JSONL and Parquet: the RFC 8785 text of
 * `{alt, batch_index, batch_root, batch_size, body, device, lat, lon, metrics: {…}, proof, qflags, seq, sig, ts}`
 * (nulls kept), built in that fixed member order. It is also the JSONL line. The row hash, a Merkle leaf of
 * the manifest root, is `leafHash` of its UTF-8 bytes.
 */
export class RowCodec {
  readonly metrics: readonly string[];
  readonly columns: readonly string[];
  /** metric column names, JSON-quoted, sorted as RFC 8785 orders them, with their index in `values` */
  private readonly sortedMetrics: readonly { readonly key: string; readonly index: number }[];

  constructor(metrics: readonly string[]) {
    for (const name of metrics) {
      if (RESERVED.has(name)) {
        throw new RangeError(`metric column "${name}" collides with a provenance column`);
      }
    }
    this.metrics = [...metrics];
    this.columns = exportColumnNames(metrics);
    this.sortedMetrics = this.metrics
      .map((name, index) => ({ name, index }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(({ name, index }) => ({ key: JSON.stringify(name), index }));
  }

  canonical(row: ExportRow): string {
    let metrics = '{';
    for (let i = 0; i < this.sortedMetrics.length; i++) {
      const { key, index } = this.sortedMetrics[i]!;
      metrics += (i === 0 ? '' : ',') + key + ':' + num(row.values[index] ?? null);
    }
    metrics += '}';
    return (
      '{"alt":' +
      num(row.alt) +
      ',"batch_index":' +
      num(row.batchIndex) +
      ',"batch_root":' +
      b64(row.batchRoot) +
      ',"batch_size":' +
      num(row.batchSize) +
      ',"body":' +
      JSON.stringify(row.body) +
      ',"device":' +
      text(row.device) +
      ',"lat":' +
      num(row.lat) +
      ',"lon":' +
      num(row.lon) +
      ',"metrics":' +
      metrics +
      ',"proof":' +
      b64(row.proof) +
      ',"qflags":' +
      num(row.qflags) +
      ',"seq":' +
      num(row.seq) +
      ',"sig":' +
      b64(row.sig) +
      ',"ts":' +
      num(row.ts) +
      '}'
    );
  }

  /** The row's Merkle leaf hash (RFC 9162 leaf of its canonical bytes). */
  hash(row: ExportRow): Buffer {
    return fastLeafHash(this.canonical(row));
  }

  /** A plain object with the same members as the canonical text, for tests and JSON APIs (sample rows). */
  toJson(row: ExportRow): Record<string, unknown> {
    const metrics: Record<string, number | null> = {};
    this.metrics.forEach((name, i) => (metrics[name] = row.values[i] ?? null));
    return {
      alt: row.alt,
      batch_index: row.batchIndex,
      batch_root: row.batchRoot,
      batch_size: row.batchSize,
      body: row.body,
      device: row.device,
      lat: row.lat,
      lon: row.lon,
      metrics,
      proof: row.proof,
      qflags: row.qflags,
      seq: row.seq,
      sig: row.sig,
      ts: row.ts,
    };
  }
}
