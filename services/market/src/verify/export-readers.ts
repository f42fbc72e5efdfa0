import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { RowCodec } from '../core/export-row.js';
import type { ExportFormat } from '../core/manifest.js';
import { MarketError } from '../core/market-error.js';
import { CsvRecordSplitter, splitRecord } from '../core/csv-records.js';
import type { RawFormat, RawRow } from './block-checker.js';

/** Rows per block handed to a checker. */
export const BLOCK_ROWS = 512;

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

async function* readCsv(path: string, codec: RowCodec): AsyncGenerator<RawRow[]> {
  const records = new CsvRecordSplitter();
  let header = true;
  let block: RawRow[] = [];
  for await (const text of lines(path)) {
    const record = records.pushRecord(text);
    if (record === undefined) {
      continue;
    }
    if (header) {
      header = false;
      if ((splitRecord(record) ?? []).join(',') !== codec.columns.join(',')) {
        throw new MarketError(
          'BAD_EXPORT_FILE',
          `the CSV header is not the manifest's columns (${codec.columns.join(',')})`,
        );
      }
      continue;
    }
    block.push({ line: records.recordLine, text: record });
    if (block.length >= BLOCK_ROWS) {
      yield block;
      block = [];
    }
  }
  if (header) {
    throw new MarketError('BAD_EXPORT_FILE', 'the CSV file has no header line');
  }
  const open = records.pendingRecord;
  if (open !== undefined) {
    // the checker refuses it: the file ends inside a quoted field
    block.push({ line: records.recordLine, text: open });
  }
  if (block.length > 0) {
    yield block;
  }
}

async function* readJsonl(path: string): AsyncGenerator<RawRow[]> {
  let line = 0;
  let block: RawRow[] = [];
  for await (const text of lines(path)) {
    block.push({ line: ++line, text });
    if (block.length >= BLOCK_ROWS) {
      yield block;
      block = [];
    }
  }
  if (block.length > 0) {
    yield block;
  }
}

/** A Parquet record (flat metric columns, bigint seq, Date ts) as the JSON object a JSONL line holds. */
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

async function* readParquet(path: string, codec: RowCodec): AsyncGenerator<RawRow[]> {
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
  for (let start = 0; start < total; start += BLOCK_ROWS * 8) {
    const end = Math.min(total, start + BLOCK_ROWS * 8);
    const records = (await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end })) as Record<
      string,
      unknown
    >[];
    const rows = records.map((record, i) => ({
      line: start + i + 1,
      text: JSON.stringify(parquetRecordToJson(codec, record), (_key, value: unknown) =>
        typeof value === 'bigint' ? Number(value) : value,
      ),
    }));
    for (let i = 0; i < rows.length; i += BLOCK_ROWS) {
      yield rows.slice(i, i + BLOCK_ROWS);
    }
  }
}

/** How the raw rows of a format are parsed by the checker. */
export const RAW_FORMATS: Record<ExportFormat, RawFormat> = { csv: 'csv', jsonl: 'json', parquet: 'json' };

/** The rows of an export file, unparsed, in blocks, with their positions. */
export function readExportFile(path: string, format: ExportFormat, codec: RowCodec): AsyncGenerator<RawRow[]> {
  switch (format) {
    case 'csv':
      return readCsv(path, codec);
    case 'jsonl':
      return readJsonl(path);
    case 'parquet':
      return readParquet(path, codec);
  }
}
