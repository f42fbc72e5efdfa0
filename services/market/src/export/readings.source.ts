import { StringDecoder } from 'node:string_decoder';
import type pg from 'pg';
import pgCopy from 'pg-copy-streams';
import { exportMetrics, type DatasetQuery } from '../core/dataset-query.js';
import { cellMatcher } from './cell-matcher.js';
import { RowEncoding } from './row-encoder.js';

export { cellMatcher } from './cell-matcher.js';
import { splitCopyLine } from '../core/copy-text.js';
import { rowFromCopyFields } from '../core/copy-row.js';
import type { ExportRow } from '../core/export-row.js';
import { datasetSql, encodedExportSelect, EXPORT_ORDER, exportOrderAfter, exportSelect } from '../db/dataset-sql.js';
import type { EncodedBlock, TextFormat } from '../core/export-bytes.js';
import type { RowCodec } from '../core/export-row.js';

export interface StreamOptions {
  /** SQL condition for the minimum quality (see QualityRepository); required when query.minQuality > 0 */
  readonly qualityClause?: string;
  readonly limit?: number;
  /** only this device's rows */
  readonly device?: string;
  /**
   * read with `COPY … TO STDOUT` (default, fastest); false reads keyset pages with plain SELECTs, which never
   * hold a connection between pages nor buffer more than one page (PGlite over its socket, poolers)
   */
  readonly copy?: boolean;
  /** rows per page when `copy` is false (default 5,000) */
  readonly pageSize?: number;
}

/**
 * Streams a dataset's rows in export order, in batches, never holding the dataset in memory: the consumer's
 * pace drives the reads. By default with `COPY (SELECT …) TO STDOUT` (one batch per network chunk; stopping
 * early discards the connection rather than returning it mid-COPY); with `copy: false`, in keyset pages.
 */
export function streamDatasetRows(
  pool: pg.Pool,
  query: DatasetQuery,
  options: StreamOptions = {},
): AsyncGenerator<ExportRow[]> {
  return options.copy === false ? pagedDatasetRows(pool, query, options) : copyDatasetRows(pool, query, options);
}

/** Keeps a row when the query has H3 cells and the row's location (the last two fields) lies in one. */
function cellFilter(query: DatasetQuery): ((fields: readonly (string | null)[]) => boolean) | undefined {
  if (query.region === undefined || !('cells' in query.region)) {
    return undefined;
  }
  const matches = cellMatcher(query.region.cells);
  return (fields) => {
    const n = fields.length;
    const lat = fields[n - 2];
    const lon = fields[n - 1];
    return matches(
      lat === null || lat === undefined ? null : Number(lat),
      lon === null || lon === undefined ? null : Number(lon),
    );
  };
}

const sqlText = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * The same rows as {@link copyDatasetRows}, in pages of plain SELECTs that resume after the last row seen
 * (keyset on the export order: ts, device, seq), so no connection or transaction is held between pages.
 */
async function* pagedDatasetRows(
  pool: pg.Pool,
  query: DatasetQuery,
  options: StreamOptions,
): AsyncGenerator<ExportRow[]> {
  const sql = datasetSql(query, options.qualityClause, options.device);
  const select = exportSelect(query, sql);
  const metricCount = exportMetrics(query).length;
  const keep = cellFilter(query);
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? 5_000));
  let remaining = options.limit === undefined ? Infinity : Math.max(0, Math.floor(options.limit));
  let after = '';
  while (remaining > 0) {
    const size = Math.min(pageSize, remaining);
    const result = await pool.query<unknown[]>({
      text: `SELECT ${select} ${sql.fromWhere}${after} ${EXPORT_ORDER} LIMIT ${size}`,
      rowMode: 'array',
    });
    const batch: ExportRow[] = [];
    for (const raw of result.rows) {
      const fields = raw.map((value) => (value === null ? null : String(value)));
      if (keep === undefined || keep(fields)) {
        batch.push(rowFromCopyFields(fields, metricCount));
      }
    }
    if (batch.length > 0) {
      yield batch;
    }
    if (result.rows.length < size) {
      return;
    }
    remaining -= result.rows.length;
    const last = result.rows[result.rows.length - 1]!;
    const ts = `'${new Date(Number(last[2])).toISOString()}'::timestamptz`;
    // The ts bound alone lets the planner use the time index; the row comparison makes the resume exact.
    after = exportOrderAfter(ts, sqlText(String(last[0])), BigInt(String(last[1])).toString());
  }
}

/**
 * The chunks of `COPY (<select>) TO STDOUT` on a connection of its own, with the session set up for
 * exports: explicit sorts discouraged, so the planner streams the export order (the time index's order,
 * refined within each timestamp: index scan + incremental sort) instead of sorting the whole dataset, wide rows
 * and all, on disk; no parallel workers (a Gather Merge of ~1 KiB rows through shared-memory queues made the
 * backend wait on its workers more than it worked: 70k rows/s against 150k read alone, measured on the bench
 * machine); float8 output in its shortest exact form (PostgreSQL 12+'s default, which a server may have
 * changed). Reset before the connection goes back to the pool; stopping early discards the connection rather
 * than returning it mid-COPY.
 */
async function* copyOut(pool: pg.Pool, text: string): AsyncGenerator<Buffer> {
  const client = await pool.connect();
  try {
    await client.query('SET enable_sort = off; SET max_parallel_workers_per_gather = 0; SET extra_float_digits = 1');
  } catch (error) {
    client.release(true);
    throw error;
  }
  const stream = client.query(pgCopy.to(text));
  let finished = false;
  try {
    yield* stream as AsyncIterable<Buffer>;
    await client.query('RESET enable_sort; RESET max_parallel_workers_per_gather; RESET extra_float_digits');
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

async function* copyDatasetRows(
  pool: pg.Pool,
  query: DatasetQuery,
  options: StreamOptions,
): AsyncGenerator<ExportRow[]> {
  const sql = datasetSql(query, options.qualityClause, options.device);
  const metricCount = exportMetrics(query).length;
  const text = `COPY (SELECT ${exportSelect(query, sql)} ${sql.fromWhere} ${EXPORT_ORDER}${limitOf(options)}) TO STDOUT`;
  const keep = cellFilter(query);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of copyOut(pool, text)) {
    const textChunk = rest + decoder.write(chunk);
    const lines = textChunk.split('\n');
    rest = lines.pop()!;
    const batch: ExportRow[] = [];
    for (const line of lines) {
      const fields = splitCopyLine(line);
      if (keep !== undefined && !keep(fields)) {
        continue;
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
}

const limitOf = (options: StreamOptions): string =>
  options.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(options.limit))}`;

/**
 * A dataset's rows as CSV records or JSONL lines with their leaf hashes, in blocks, built from binary COPY
 * fields with no row object in between (core/export-bytes.ts): the same bytes as encoding the rows of
 * {@link streamDatasetRows} with the RowCodec, at a fraction of the CPU. Needs COPY (not PGlite's socket).
 */
export async function* streamEncodedRows(
  pool: pg.Pool,
  query: DatasetQuery,
  codec: RowCodec,
  format: TextFormat,
  options: Omit<StreamOptions, 'copy' | 'pageSize'> = {},
): AsyncGenerator<EncodedBlock> {
  const sql = datasetSql(query, options.qualityClause, options.device);
  const text = `COPY (SELECT ${encodedExportSelect(query, sql)} ${sql.fromWhere} ${EXPORT_ORDER}${limitOf(options)}) TO STDOUT (FORMAT binary)`;
  const cells = query.region !== undefined && 'cells' in query.region ? query.region.cells : undefined;
  const encoding = new RowEncoding({ metrics: codec.metrics, format, ...(cells === undefined ? {} : { cells }) });
  for await (const chunk of copyOut(pool, text)) {
    yield* encoding.push(chunk);
  }
  yield* encoding.finish();
}
