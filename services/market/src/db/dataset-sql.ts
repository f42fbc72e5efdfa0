import { isDeviceId } from '@groundtruth/protocol';
import { cellToBoundary } from 'h3-js';
import type { DatasetQuery, FrozenQuery } from '../core/dataset-query.js';
import { exportMetrics } from '../core/dataset-query.js';

/**
 * SQL text for a dataset query. COPY takes no bind parameters, so values are written as literals; every one
 * is a validated number, an enum, a metric name from the catalogue or an ISO timestamp built here, never raw
 * user text. H3 cells are pre-filtered by their bounding box here and matched exactly in JS.
 */
export interface DatasetSql {
  /** `FROM … WHERE …` (no ORDER BY) */
  readonly fromWhere: string;
  /** the row location used for region filters (reading's own, else the device's declared one) */
  readonly locLat: string;
  readonly locLon: string;
  /** whether rows still need the exact H3 match in JS */
  readonly needsCellFilter: boolean;
}

const TABLES = { weather: 'readings_weather', vehicle: 'readings_vehicle', energy: 'readings_energy' } as const;

const ident = (name: string): string => {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new RangeError(`unsafe identifier ${name}`);
  }
  return `"${name}"`;
};

const lit = (value: number): string => {
  if (!Number.isFinite(value)) {
    throw new RangeError(`non-finite SQL literal ${value}`);
  }
  return String(value);
};

const tsLit = (ms: number): string => `'${new Date(ms).toISOString()}'::timestamptz`;

/** Bounding box [minLon, minLat, maxLon, maxLat] of a set of H3 cells; lon spans > 180° are left open. */
export function cellsBoundingBox(cells: readonly string[]): [number, number, number, number] {
  let minLat = 90;
  let maxLat = -90;
  let minLon = 180;
  let maxLon = -180;
  for (const cell of cells) {
    for (const [lat, lon] of cellToBoundary(cell)) {
      minLat = Math.min(minLat, lat);
      maxLat = Math.max(maxLat, lat);
      minLon = Math.min(minLon, lon);
      maxLon = Math.max(maxLon, lon);
    }
  }
  // A small margin: cell edges are geodesic arcs, the vertices' box can miss a sliver of the cell.
  const margin = 0.01;
  const open = maxLon - minLon > 180;
  return [
    open ? -180 : Math.max(-180, minLon - margin),
    Math.max(-90, minLat - margin),
    open ? 180 : Math.min(180, maxLon + margin),
    Math.min(90, maxLat + margin),
  ];
}

function bboxClause(lat: string, lon: string, [minLon, minLat, maxLon, maxLat]: readonly number[]): string {
  const lonClause =
    minLon! <= maxLon!
      ? `${lon} BETWEEN ${lit(minLon!)} AND ${lit(maxLon!)}`
      : `(${lon} >= ${lit(minLon!)} OR ${lon} <= ${lit(maxLon!)})`; // crosses the antimeridian
  return `${lat} BETWEEN ${lit(minLat!)} AND ${lit(maxLat!)} AND ${lonClause}`;
}

/**
 * @param qualityClause SQL condition on `r` for the minimum quality (from the scoring tables), when > 0
 * @param device only this device's rows (an owner's own download)
 */
export function datasetSql(query: DatasetQuery | FrozenQuery, qualityClause?: string, device?: string): DatasetSql {
  const table = TABLES[query.kind];
  const conditions = [`r.ts >= ${tsLit(query.from)}`, `r.ts < ${tsLit(query.to)}`];
  if (device !== undefined) {
    if (!isDeviceId(device)) {
      throw new RangeError('not a device id');
    }
    conditions.push(`r.device_id = '${device}'`);
  }
  if ('asOf' in query) {
    conditions.push(`r.received_at <= ${tsLit(query.asOf)}`);
  }
  for (const metric of query.metrics) {
    conditions.push(`r.${ident(metric)} IS NOT NULL`);
  }
  if (query.excludeFlagged) {
    conditions.push('r.qflags = 0');
  }
  if (query.minQuality > 0) {
    if (qualityClause === undefined) {
      throw new RangeError('a minimum quality needs the quality clause');
    }
    conditions.push(qualityClause);
  }
  const region = query.region;
  let join = '';
  const locLat = region === undefined ? 'r.lat' : 'coalesce(r.lat, d.declared_lat)';
  const locLon = region === undefined ? 'r.lon' : 'coalesce(r.lon, d.declared_lon)';
  if (region !== undefined) {
    join = ' LEFT JOIN devices d ON d.device_id = r.device_id';
    const box = 'bbox' in region ? region.bbox : cellsBoundingBox(region.cells);
    conditions.push(bboxClause(locLat, locLon, box));
  }
  return {
    fromWhere: `FROM ${table} r${join} WHERE ${conditions.join(' AND ')}`,
    locLat,
    locLon,
    needsCellFilter: region !== undefined && 'cells' in region,
  };
}

/** Binary columns leave the database as base64 (what the rows carry); PostgreSQL breaks its lines at 76. */
const base64 = (column: string): string => `replace(encode(${column}, 'base64'), E'\\n', '')`;

/** The export's column list: what RowCodec rows are made of (see readings.source.ts), then the location. */
export function exportSelect(query: DatasetQuery, sql: DatasetSql): string {
  const metrics = exportMetrics(query).map((m) => `r.${ident(m)}`);
  return [
    'r.device_id',
    'r.seq',
    '(extract(epoch from r.ts) * 1000)::int8',
    'r.lat',
    'r.lon',
    'r.alt',
    ...metrics,
    'r.qflags',
    'r.body',
    base64('r.sig'),
    base64('r.batch_root'),
    'r.batch_index',
    'r.batch_size',
    base64('r.proof'),
    ...(sql.needsCellFilter ? [sql.locLat, sql.locLon] : []),
  ].join(', ');
}

/**
 * The columns of an export read with binary COPY and turned into file bytes without a row object (see
 * core/export-bytes.ts for the layout): numbers as PostgreSQL's text output (JavaScript's digits), the body
 * JSON-escaped and CSV-escaped, the timestamp binary, binary columns as base64, then the location when an H3
 * filter needs it.
 */
export function encodedExportSelect(query: DatasetQuery, sql: DatasetSql): string {
  const text = (column: string) => `${column}::text`;
  return [
    'r.device_id',
    text('r.seq'),
    'r.ts',
    text('r.lat'),
    text('r.lon'),
    text('r.alt'),
    ...exportMetrics(query).map((m) => text(`r.${ident(m)}`)),
    text('r.qflags'),
    'to_json(r.body)::text',
    `replace(r.body, '"', '""')`,
    base64('r.sig'),
    base64('r.batch_root'),
    text('r.batch_index'),
    text('r.batch_size'),
    base64('r.proof'),
    ...(sql.needsCellFilter ? [`(${sql.locLat})::float8`, `(${sql.locLon})::float8`] : []),
  ].join(', ');
}

/**
 * Deterministic row order of every export: by time, then device, then seq (the primary key). Device ids
 * compare byte-wise (COLLATE "C"), so the order is the same on every server whatever its default collation.
 */
export const EXPORT_ORDER = 'ORDER BY r.ts, r.device_id COLLATE "C", r.seq';

/** The keyset condition that resumes the export order after the row (ts, device, seq); values are SQL literals. */
export const exportOrderAfter = (ts: string, device: string, seq: string): string =>
  ` AND r.ts >= ${ts} AND (r.ts, r.device_id COLLATE "C", r.seq) > (${ts}, ${device}, ${seq})`;
