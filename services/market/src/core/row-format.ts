import type { ExportRow, RowCodec } from './export-row.js';

/** Why a row of an export file could not even be read as a row. */
export class RowFormatError extends Error {
  override readonly name = 'RowFormatError';
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parseNumber(text: string, column: string, nullable: boolean): number | null {
  if (text === '') {
    if (nullable) {
      return null;
    }
    throw new RowFormatError(`${column} is empty`);
  }
  if (!NUMBER.test(text)) {
    throw new RowFormatError(`${column} is not a number`);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new RowFormatError(`${column} is not finite`);
  }
  return value;
}

function parseInteger(text: string, column: string, nullable: boolean): number | null {
  const value = parseNumber(text, column, nullable);
  if (value !== null && !Number.isSafeInteger(value)) {
    throw new RowFormatError(`${column} is not an integer`);
  }
  return value;
}

function base64(text: string, column: string, nullable: boolean): string | null {
  if (text === '' && nullable) {
    return null;
  }
  if (!BASE64.test(text) || text.length % 4 !== 0) {
    throw new RowFormatError(`${column} is not base64`);
  }
  return text;
}

/**
 * A batch of one reading has an empty audit path: its proof is "" where a single envelope's is null. CSV
 * cannot tell the two apart, so the proof of a row with a batch root is always a string.
 */
export const normalizeProof = (batchRoot: string | null, proof: string | null): string | null =>
  batchRoot === null ? (proof === '' ? null : proof) : (proof ?? '');

const csvField = (text: string): string => (/[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text);

const csvNumber = (value: number | null): string => (value === null ? '' : String(value));

/** The CSV header line (with its newline). */
export function csvHeader(codec: RowCodec): string {
  return codec.columns.map(csvField).join(',') + '\n';
}

/** One CSV record (RFC 4180, with its newline); nulls are empty fields. */
export function csvLine(codec: RowCodec, row: ExportRow): string {
  let out = row.device + ',' + row.seq + ',' + row.ts + ',' + csvNumber(row.lat) + ',' + csvNumber(row.lon) + ',';
  out += csvNumber(row.alt);
  for (let i = 0; i < codec.metrics.length; i++) {
    out += ',' + csvNumber(row.values[i] ?? null);
  }
  return (
    out +
    ',' +
    row.qflags +
    ',"' +
    row.body.replace(/"/g, '""') +
    '",' +
    row.sig +
    ',' +
    (row.batchRoot ?? '') +
    ',' +
    csvNumber(row.batchIndex) +
    ',' +
    csvNumber(row.batchSize) +
    ',' +
    (row.proof ?? '') +
    '\n'
  );
}

/** Reads the fields of one CSV record (already split, unquoted) back into a row; throws RowFormatError. */
export function rowFromFields(codec: RowCodec, fields: readonly string[]): ExportRow {
  const width = codec.columns.length;
  if (fields.length !== width) {
    throw new RowFormatError(`expected ${width} fields, found ${fields.length}`);
  }
  const m = codec.metrics.length;
  const values: (number | null)[] = [];
  for (let i = 0; i < m; i++) {
    values.push(parseNumber(fields[6 + i]!, codec.metrics[i]!, true));
  }
  const at = (offset: number) => fields[6 + m + offset]!;
  const batchRoot = base64(at(3), 'batch_root', true);
  return {
    device: fields[0]!,
    seq: parseInteger(fields[1]!, 'seq', false)!,
    ts: parseInteger(fields[2]!, 'ts', false)!,
    lat: parseNumber(fields[3]!, 'lat', true),
    lon: parseNumber(fields[4]!, 'lon', true),
    alt: parseNumber(fields[5]!, 'alt', true),
    values,
    qflags: parseInteger(at(0), 'qflags', false)!,
    body: at(1),
    sig: base64(at(2), 'sig', false)!,
    batchRoot,
    batchIndex: parseInteger(at(4), 'batch_index', true),
    batchSize: parseInteger(at(5), 'batch_size', true),
    proof: normalizeProof(batchRoot, base64(at(6), 'proof', true)),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonNumber(value: unknown, column: string, nullable: boolean, integer = false): number | null {
  if (value === null && nullable) {
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw new RowFormatError(`${column} is not ${integer ? 'an integer' : 'a number'}`);
  }
  return value;
}

function jsonString(value: unknown, column: string, nullable: boolean): string | null {
  if (value === null && nullable) {
    return null;
  }
  if (typeof value !== 'string') {
    throw new RowFormatError(`${column} is not a string`);
  }
  return value;
}

/** Reads a parsed JSONL object (or a Parquet record with a `metrics` object) back into a row. */
export function rowFromJson(codec: RowCodec, raw: unknown): ExportRow {
  if (!isRecord(raw) || !isRecord(raw.metrics)) {
    throw new RowFormatError('a row is an object with a metrics object');
  }
  const metrics = raw.metrics;
  if (Object.keys(metrics).length !== codec.metrics.length) {
    throw new RowFormatError(`expected metrics ${codec.metrics.join(',')}`);
  }
  const values = codec.metrics.map((name) => {
    if (!(name in metrics)) {
      throw new RowFormatError(`metric ${name} is missing`);
    }
    return jsonNumber(metrics[name], name, true);
  });
  const batchRoot = base64(jsonString(raw.batch_root, 'batch_root', true) ?? '', 'batch_root', true);
  const proof = jsonString(raw.proof, 'proof', true);
  return {
    device: jsonString(raw.device, 'device', false)!,
    seq: jsonNumber(raw.seq, 'seq', false, true)!,
    ts: jsonNumber(raw.ts, 'ts', false, true)!,
    lat: jsonNumber(raw.lat, 'lat', true),
    lon: jsonNumber(raw.lon, 'lon', true),
    alt: jsonNumber(raw.alt, 'alt', true),
    values,
    qflags: jsonNumber(raw.qflags, 'qflags', false, true)!,
    body: jsonString(raw.body, 'body', false)!,
    sig: base64(jsonString(raw.sig, 'sig', false)!, 'sig', false)!,
    batchRoot,
    batchIndex: jsonNumber(raw.batch_index, 'batch_index', true, true),
    batchSize: jsonNumber(raw.batch_size, 'batch_size', true, true),
    proof: normalizeProof(batchRoot, proof === null ? null : base64(proof, 'proof', true)),
  };
}
