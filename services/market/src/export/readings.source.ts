import { StringDecoder } from 'node:string_decoder';
import { latLngToCell } from 'h3-js';
import type pg from 'pg';
import pgCopy from 'pg-copy-streams';
import { cellResolutions, exportMetrics, type DatasetQuery } from '../core/dataset-query.js';
import { splitCopyLine } from '../core/copy-text.js';
import { rowFromCopyFields } from '../core/copy-row.js';
import type { ExportRow } from '../core/export-row.js';
import { datasetSql, EXPORT_ORDER, exportSelect } from '../db/dataset-sql.js';

export interface StreamOptions {
  /** SQL condition for the minimum quality (see QualityRepository); required when query.minQuality > 0 */
  readonly qualityClause?: string;
  readonly limit?: number;
  /** only this device's rows */
  readonly device?: string;
}

/** Exact H3 membership of a location, for cell sets of mixed resolutions. */
export function cellMatcher(cells: readonly string[]): (lat: number | null, lon: number | null) => boolean {
  const set = new Set(cells);
  const resolutions = cellResolutions(cells);
  return (lat, lon) => {
    if (lat === null || lon === null) {
      return false;
    }
    for (const resolution of resolutions) {
      if (set.has(latLngToCell(lat, lon, resolution))) {
        return true;
      }
    }
    return false;
  };
}

/**
 * Streams a dataset's rows in export order with `COPY (SELECT …) TO STDOUT`, in batches (one per network
 * chunk), never holding the dataset in memory: the consumer's pace drives the reads (stream backpressure).
 * Stopping early (break, error) discards the connection rather than returning it mid-COPY.
 */
export async function* streamDatasetRows(
  pool: pg.Pool,
  query: DatasetQuery,
  options: StreamOptions = {},
): AsyncGenerator<ExportRow[]> {
  const sql = datasetSql(query, options.qualityClause, options.device);
  const metricCount = exportMetrics(query).length;
  const limit = options.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(options.limit))}`;
  const text = `COPY (SELECT ${exportSelect(query, sql)} ${sql.fromWhere} ${EXPORT_ORDER}${limit}) TO STDOUT`;
  const matches = query.region !== undefined && 'cells' in query.region ? cellMatcher(query.region.cells) : undefined;
  const client = await pool.connect();
  const stream = client.query(pgCopy.to(text));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let finished = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const textChunk = rest + decoder.write(chunk);
      const lines = textChunk.split('\n');
      rest = lines.pop()!;
      const batch: ExportRow[] = [];
      for (const line of lines) {
        const fields = splitCopyLine(line);
        if (matches !== undefined) {
          const n = fields.length;
          if (
            !matches(
              fields[n - 2] === null ? null : Number(fields[n - 2]),
              fields[n - 1] === null ? null : Number(fields[n - 1]),
            )
          ) {
            continue;
          }
        }
        batch.push(rowFromCopyFields(fields, metricCount));
      }
      if (batch.length > 0) {
        yield batch;
      }
    }
    if ((rest + decoder.end()).length > 0) {
      throw new Error('COPY output ended inside a row');
    }
    finished = true;
  } finally {
    if (finished) {
      client.release();
    } else {
      stream.destroy();
      client.release(true);
    }
  }
}
