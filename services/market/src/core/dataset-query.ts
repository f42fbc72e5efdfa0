import {
  canonicalize,
  HARDWARE_KINDS,
  metricNames,
  metricSpec,
  MIN_TIMESTAMP_MS,
  MAX_TIMESTAMP_MS,
} from '@groundtruth/protocol';
import type { HardwareKind } from '@groundtruth/protocol';
import { getResolution, isValidCell } from 'h3-js';
import { z } from 'zod';
import { MarketError } from './market-error.js';

/** [minLon, minLat, maxLon, maxLat] in degrees; minLon > maxLon means the box crosses the antimeridian. */
export type BBox = readonly [number, number, number, number];

export type Region = { readonly bbox: BBox } | { readonly cells: readonly string[] };

/**
 * What a buyer asks for: one hardware kind, some of its metrics (a row has every one of them), a region, a
 * time range [from, to) in ms UTC, a minimum device quality score and whether flagged rows are left out.
 */
export interface DatasetQuery {
  readonly kind: HardwareKind;
  /** sorted; every row of the dataset has all of them */
  readonly metrics: readonly string[];
  readonly region?: Region;
  readonly from: number;
  readonly to: number;
  /** 0 = no quality filter; otherwise the device's score for the reading's epoch must reach it */
  readonly minQuality: number;
  readonly excludeFlagged: boolean;
}

/** A query pinned to what was stored at `asOf` (ms): what a quote prices and an export delivers. */
export interface FrozenQuery extends DatasetQuery {
  readonly asOf: number;
}

export const MAX_H3_CELLS = 2000;

const csv = (value: unknown): unknown =>
  typeof value === 'string' ? (value.trim() === '' ? [] : value.split(',').map((part) => part.trim())) : value;

const time = z.union([
  z.number().int(),
  z.string().trim().regex(/^\d+$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((text) => Date.parse(text)),
]);

const number = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

/** Untrusted input (query string or JSON body). Lists may be arrays or comma-separated strings. */
export const datasetQueryInput = z
  .object({
    kind: z.enum(HARDWARE_KINDS),
    metrics: z.preprocess(csv, z.array(z.string().min(1)).max(64)).optional(),
    bbox: z.preprocess(csv, z.array(number).length(4)).optional(),
    cells: z
      .preprocess(
        csv,
        z
          .array(z.string().regex(/^[0-9a-f]{15}$/))
          .min(1)
          .max(MAX_H3_CELLS),
      )
      .optional(),
    from: time,
    to: time,
    minQuality: number.pipe(z.number().min(0).max(1)).optional(),
    excludeFlagged: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
  })
  .strict();

export type DatasetQueryInput = z.input<typeof datasetQueryInput>;

/** Validates untrusted input into a {@link DatasetQuery}; throws `MarketError('BAD_QUERY' | 'UNKNOWN_METRIC')`. */
export function parseDatasetQuery(raw: unknown): DatasetQuery {
  const parsed = datasetQueryInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.') || '(query)';
    throw new MarketError('BAD_QUERY', `${path}: ${issue.message}`, { path });
  }
  const input = parsed.data;
  const metrics = [...new Set(input.metrics ?? [])].sort();
  for (const name of metrics) {
    if (metricSpec(input.kind, name) === undefined) {
      throw new MarketError('UNKNOWN_METRIC', `"${name}" is not a ${input.kind} metric`, { metric: name });
    }
  }
  if (!(input.from >= MIN_TIMESTAMP_MS && input.to <= MAX_TIMESTAMP_MS && input.from < input.to)) {
    throw new MarketError('BAD_QUERY', 'from must be before to, both between 2020 and 2100', { path: 'from' });
  }
  if (input.bbox !== undefined && input.cells !== undefined) {
    throw new MarketError('BAD_QUERY', 'give a bbox or H3 cells, not both', { path: 'bbox' });
  }
  let region: Region | undefined;
  if (input.bbox !== undefined) {
    const [minLon, minLat, maxLon, maxLat] = input.bbox as [number, number, number, number];
    const lonOk = (v: number) => v >= -180 && v <= 180;
    if (!lonOk(minLon) || !lonOk(maxLon) || !(minLat >= -90 && maxLat <= 90 && minLat <= maxLat)) {
      throw new MarketError('BAD_QUERY', 'bbox is minLon,minLat,maxLon,maxLat within [-180,180] × [-90,90]', {
        path: 'bbox',
      });
    }
    region = { bbox: [minLon, minLat, maxLon, maxLat] };
  } else if (input.cells !== undefined) {
    const cells = [...new Set(input.cells)].sort();
    const bad = cells.find((cell) => !isValidCell(cell));
    if (bad !== undefined) {
      throw new MarketError('BAD_QUERY', `${bad} is not a valid H3 cell`, { path: 'cells' });
    }
    region = { cells };
  }
  return {
    kind: input.kind,
    metrics,
    ...(region === undefined ? {} : { region }),
    from: input.from,
    to: input.to,
    minQuality: input.minQuality ?? 0,
    excludeFlagged: input.excludeFlagged ?? false,
  };
}

/** The metric columns an export of this query carries: the asked-for metrics, or all of the kind's. */
export function exportMetrics(query: DatasetQuery): readonly string[] {
  return query.metrics.length > 0 ? query.metrics : [...metricNames(query.kind)].sort();
}

/** The resolutions of the query's H3 cells (a cell set may mix resolutions). */
export function cellResolutions(cells: readonly string[]): number[] {
  return [...new Set(cells.map((cell) => getResolution(cell)))].sort((a, b) => a - b);
}

/** A JSON-safe plain object of the query, in a stable shape, for quotes and manifests. */
export function queryToJson(query: FrozenQuery | DatasetQuery): Record<string, unknown> {
  const out: Record<string, unknown> = {
    kind: query.kind,
    metrics: [...query.metrics],
    from: query.from,
    to: query.to,
    minQuality: query.minQuality,
    excludeFlagged: query.excludeFlagged,
  };
  if (query.region !== undefined) {
    out.region = 'bbox' in query.region ? { bbox: [...query.region.bbox] } : { cells: [...query.region.cells] };
  }
  if ('asOf' in query) {
    out.asOf = query.asOf;
  }
  return out;
}

/** Reads back a query stored or signed earlier (from {@link queryToJson}). */
export function frozenQueryFromJson(json: unknown): FrozenQuery {
  const record = json as Record<string, unknown>;
  const region = record.region as { bbox?: number[]; cells?: string[] } | undefined;
  const query = parseDatasetQuery({
    kind: record.kind,
    metrics: record.metrics,
    from: record.from,
    to: record.to,
    minQuality: record.minQuality,
    excludeFlagged: record.excludeFlagged,
    ...(region?.bbox ? { bbox: region.bbox } : {}),
    ...(region?.cells ? { cells: region.cells } : {}),
  });
  if (typeof record.asOf !== 'number' || !Number.isInteger(record.asOf)) {
    throw new MarketError('BAD_QUERY', 'a frozen query carries an integer asOf', { path: 'asOf' });
  }
  return { ...query, asOf: record.asOf };
}

export function canonicalQuery(query: FrozenQuery | DatasetQuery): string {
  return canonicalize(queryToJson(query));
}
