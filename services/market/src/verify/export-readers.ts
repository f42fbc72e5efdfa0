import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { ExportRow, RowCodec } from '../core/export-row.js';
import type { ExportFormat } from '../core/manifest.js';
import { MarketError } from '../core/market-error.js';
import { CsvRecordSplitter } from '../core/csv-records.js';
import { RowFormatError, rowFromFields, rowFromJson } from '../core/row-format.js';

/** One data row as read from a file: where it is (line, or row number for Parquet) and the row or why not. */
export interface ReadItem {
  /** 1-based line of the file (CSV, JSONL) or 1-based row number (Parquet) */
  readonly line: number;
  readonly row?: ExportRow;
  readonly error?: string;
}

const BATCH = 1000;

function attempt(line: number, read: () => ExportRow): ReadItem {
  try {
    return { line, row: read() };
  } catch (error) {
    if (error instanceof RowFormatError) {
      return { line, error: error.message };
    }
    throw error;
  }
}

async function* lines(path: string): AsyncGenerator<string> {
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    yield* reader;
  } finally {
    reader.close();
    input.destroy();
  }
}

async function* readCsv(path: string, codec: RowCodec): AsyncGenerator<ReadItem[]> {
  const splitter = new CsvRecordSplitter();
  let header = true;
  let batch: ReadItem[] = [];
  for await (const text of lines(path)) {
    const fields = splitter.push(text);
    if (fields === undefined) {
      continue;
    }
    if (header) {
      header = false;
      if (fields.join(',') !== codec.columns.join(',')) {
        throw new MarketError(
          'BAD_EXPORT_FILE',
          `the CSV header is not the manifest's columns (${codec.columns.join(',')})`,
        );
      }
      continue;
    }
    batch.push(attempt(splitter.recordLine, () => rowFromFields(codec, fields)));
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (splitter.incomplete) {
    batch.push({ line: splitter.recordLine, error: 'the file ends inside a quoted field' });
  }
  if (header) {
    throw new MarketError('BAD_EXPORT_FILE', 'the CSV file has no header line');
  }
  if (batch.length > 0) {
    yield batch;
  }
}

async function* readJsonl(path: string, codec: RowCodec): AsyncGenerator<ReadItem[]> {
  let line = 0;
  let batch: ReadItem[] = [];
  for await (const text of lines(path)) {
    line++;
    if (text === '') {
      batch.push({ line, error: 'empty line' });
      continue;
    }
    batch.push(
      attempt(line, () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new RowFormatError('not JSON');
        }
        return rowFromJson(codec, parsed);
      }),
    );
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) {
    yield batch;
  }
}

/** A Parquet record (flat metric columns, bigint seq, Date ts) in the shape rowFromJson reads. */
function parquetRecordToJson(codec: RowCodec, record: Record<string, unknown>): Record<string, unknown> {
  const metrics: Record<string, unknown> = {};
  for (const name of codec.metrics) {
    metrics[name] = record[name] ?? null;
  }
  const ts = record.ts;
  const seq = record.seq;
  return {
    ...record,
    metrics,
    seq: typeof seq === 'bigint' ? Number(seq) : seq,
    ts: ts instanceof Date ? ts.getTime() : ts,
  };
}

async function* readParquet(path: string, codec: RowCodec): AsyncGenerator<ReadItem[]> {
  let file;
  let metadata;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new MarketError('BAD_EXPORT_FILE', `not a readable Parquet file (${(error as Error).message})`);
  }
  const names = parquetSchema(metadata).children.map((child) => child.element.name);
  if (names.join(',') !== codec.columns.join(',')) {
    throw new MarketError(
      'BAD_EXPORT_FILE',
      `the Parquet columns are not the manifest's columns (${codec.columns.join(',')})`,
    );
  }
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += BATCH * 10) {
    const end = Math.min(total, start + BATCH * 10);
    const records = (await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end })) as Record<
      string,
      unknown
    >[];
    yield records.map((record, i) =>
      attempt(start + i + 1, () => rowFromJson(codec, parquetRecordToJson(codec, record))),
    );
  }
}

/** The rows of an export file, in batches, with their positions; unreadable rows come back as errors. */
export function readExportFile(path: string, format: ExportFormat, codec: RowCodec): AsyncGenerator<ReadItem[]> {
  switch (format) {
    case 'csv':
      return readCsv(path, codec);
    case 'jsonl':
      return readJsonl(path, codec);
    case 'parquet':
      return readParquet(path, codec);
  }
}
