import { HARDWARE_KINDS, metricNames, type HardwareKind, type ReadingBody } from '@groundtruth/protocol';
import type { StoredReading } from './stored.reading.js';

/** PostgreSQL types of the columns the ingest writes, as `format_type` names them (binary COPY needs exactly these). */
export type ColumnType =
  'text' | 'bigint' | 'integer' | 'smallint' | 'real' | 'double precision' | 'timestamp with time zone' | 'bytea';

export const HEAD_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ['device_id', 'text'],
  ['seq', 'bigint'],
  ['ts', 'timestamp with time zone'],
  ['received_at', 'timestamp with time zone'],
  ['lat', 'double precision'],
  ['lon', 'double precision'],
  ['alt', 'double precision'],
  ['hdop', 'real'],
  ['sats', 'smallint'],
];
export const TAIL_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ['body', 'text'],
  ['sig', 'bytea'],
  ['batch_root', 'bytea'],
  ['batch_index', 'integer'],
  ['batch_size', 'integer'],
  ['proof', 'bytea'],
  ['qflags', 'integer'],
];

const METRICS = Object.fromEntries(HARDWARE_KINDS.map((kind) => [kind, metricNames(kind)])) as Record<
  HardwareKind,
  readonly string[]
>;

/** The catalogue's metric names of a kind (computed once): one `double precision` column each. */
export function metricColumns(kind: HardwareKind): readonly string[] {
  return METRICS[kind];
}

/** The columns of `readings_<kind>` the ingest writes, in COPY order, with their types. */
export function readingColumnTypes(kind: HardwareKind): ReadonlyMap<string, ColumnType> {
  return new Map([
    ...HEAD_COLUMNS,
    ...metricColumns(kind).map((name) => [name, 'double precision'] as const),
    ...TAIL_COLUMNS,
  ]);
}

/** The columns of `readings_<kind>` the ingest writes, in COPY order. Metric columns are named as the catalogue. */
export function readingColumns(kind: HardwareKind): readonly string[] {
  return [...readingColumnTypes(kind).keys()];
}

/**
 * The same rows as JSON records (column → value), for servers that cannot take COPY FROM STDIN (PGlite over
 * its socket): `INSERT … SELECT … FROM json_populate_recordset(NULL::readings_<kind>, $1)`. The typed columns
 * come from the canonical body (RFC 8785 numbers parse back to the very same doubles).
 */
export function readingRecords(kind: HardwareKind, readings: readonly StoredReading[]): Record<string, unknown>[] {
  const metrics = metricColumns(kind);
  return readings.map((reading) => {
    if (reading.kind !== kind) {
      throw new RangeError(`a ${reading.kind} reading cannot go into readings_${kind}`);
    }
    const body = JSON.parse(reading.canonical.toString('utf8')) as ReadingBody;
    const { batch } = reading;
    const record: Record<string, unknown> = {
      device_id: reading.device,
      seq: reading.seq,
      ts: new Date(reading.ts).toISOString(),
      received_at: new Date(reading.receivedAt).toISOString(),
      lat: body.loc?.lat ?? null,
      lon: body.loc?.lon ?? null,
      alt: body.loc?.alt ?? null,
      hdop: body.loc?.hdop ?? null,
      sats: body.loc?.sats ?? null,
      body: reading.canonical.toString('utf8'),
      sig: '\\x' + reading.sig.toString('hex'),
      batch_root: batch ? '\\x' + batch.root.toString('hex') : null,
      batch_index: batch?.index ?? null,
      batch_size: batch?.size ?? null,
      proof: batch ? '\\x' + batch.proof.toString('hex') : null,
      qflags: reading.qflags,
    };
    for (const name of metrics) {
      record[name] = body.metrics[name] ?? null;
    }
    return record;
  });
}
