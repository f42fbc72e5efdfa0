import type { Writable } from 'node:stream';
import type pg from 'pg';
import type { EncodedBlock, TextFormat } from '../core/export-bytes.js';
import type { DatasetQuery } from '../core/dataset-query.js';
import { streamDatasetRows, streamEncodedRows, type StreamOptions } from './readings.source.js';
import { queryToJson, type FrozenQuery } from '../core/dataset-query.js';
import type { ExportRow, RowCodec } from '../core/export-row.js';
import { signManifest, type ExportFormat, type License, type SignedManifest } from '../core/manifest.js';
import { fastLeafHash } from '../core/fast-hash.js';
import { RowTree } from '../core/row-tree.js';
import type { NetworkKey } from '../core/network-key.js';
import { ByteSink } from './byte-sink.js';
import { csvHeader } from '../core/row-format.js';
import { encodeBlock } from './block-encoder.js';
import { createParquetWriter, type RowWriterOptions } from './row-writers.js';

export interface ExportProgress {
  readonly rows: number;
  readonly bytes: number;
}

export interface ExportSummary {
  readonly rows: number;
  readonly devices: number;
  readonly first: number | null;
  readonly last: number | null;
  /** hex RFC 9162 root over the rows' canonical encodings; null for an empty export */
  readonly root: string | null;
  readonly chunkSize: number;
  readonly chunkRoots: readonly string[];
  readonly bytes: number;
  readonly sha256: string;
}

export interface WriteExportOptions extends RowWriterOptions {
  /** called every `progressEvery` rows (default 10,000) and at the end */
  readonly onProgress?: (progress: ExportProgress) => void;
  readonly progressEvery?: number;
  /** stops the export between batches (the promise rejects with the signal's reason) */
  readonly signal?: AbortSignal;
  /** rows per manifest chunk root (a power of two, default 1024) */
  readonly chunkSize?: number;
}

/** Devices and time range of the rows, gathered as they pass. */
class RowStats {
  readonly devices = new Set<string>();
  first: number | null = null;
  last: number | null = null;
  add(row: ExportRow): void {
    this.devices.add(row.device);
    this.range(row.ts, row.ts);
  }
  addBlock(block: EncodedBlock): void {
    for (const device of block.devices) {
      this.devices.add(device);
    }
    if (block.first !== null && block.last !== null) {
      this.range(block.first, block.last);
    }
  }
  private range(first: number, last: number): void {
    if (this.first === null || first < this.first) {
      this.first = first;
    }
    if (this.last === null || last > this.last) {
      this.last = last;
    }
  }
}

/** The manifest's figures of what was written, and the sink's end. */
async function summarise(sink: ByteSink, tree: RowTree, stats: RowStats, options: WriteExportOptions) {
  await sink.end();
  options.onProgress?.({ rows: tree.size, bytes: sink.bytes });
  const { root, chunkRoots } = tree.finish();
  return {
    rows: tree.size,
    devices: stats.devices.size,
    first: stats.first,
    last: stats.last,
    root,
    chunkSize: tree.chunkSize,
    chunkRoots,
    bytes: sink.bytes,
    sha256: sink.sha256(),
  };
}

function progressReporter(tree: RowTree, sink: ByteSink, options: WriteExportOptions): () => void {
  const every = options.progressEvery ?? 10_000;
  let next = every;
  return () => {
    if (options.onProgress && tree.size >= next) {
      options.onProgress({ rows: tree.size, bytes: sink.bytes });
      next = tree.size + every;
    }
  };
}

/**
 * Writes blocks of encoded rows (CSV records or JSONL lines with their leaf hashes) into `out` while adding
 * the hashes to an incremental Merkle tree, so the manifest root is known when the last byte is written.
 * Memory stays bounded by one block. Ends `out`.
 */
export async function writeEncodedExport(
  blocks: AsyncIterable<EncodedBlock>,
  codec: RowCodec,
  format: TextFormat,
  out: Writable,
  options: WriteExportOptions = {},
): Promise<ExportSummary> {
  const sink = new ByteSink(out);
  const tree = new RowTree(options.chunkSize);
  const stats = new RowStats();
  const progress = progressReporter(tree, sink, options);
  if (format === 'csv') {
    await sink.write(csvHeader(codec));
  }
  for await (const block of blocks) {
    options.signal?.throwIfAborted();
    stats.addBlock(block);
    const { hashes } = block;
    for (let offset = 0; offset < hashes.length; offset += 32) {
      tree.push(Buffer.from(hashes.buffer, hashes.byteOffset + offset, 32));
    }
    await sink.write(block.bytes);
    progress();
  }
  return summarise(sink, tree, stats, options);
}

/**
 * Streams rows into `out` in the given format while hashing each row's canonical encoding into an
 * incremental Merkle tree (see {@link writeEncodedExport}). Memory stays bounded by one source batch (and one
 * Parquet row group). Ends `out`.
 */
export async function writeExport(
  rows: AsyncIterable<readonly ExportRow[]>,
  codec: RowCodec,
  format: ExportFormat,
  out: Writable,
  options: WriteExportOptions = {},
): Promise<ExportSummary> {
  if (format !== 'parquet') {
    return writeEncodedExport(encodeBatches(rows, codec, format), codec, format, out, options);
  }
  const sink = new ByteSink(out);
  const tree = new RowTree(options.chunkSize);
  const stats = new RowStats();
  const progress = progressReporter(tree, sink, options);
  const writer = createParquetWriter(codec, sink, options);
  for await (const batch of rows) {
    options.signal?.throwIfAborted();
    for (const row of batch) {
      const canonical = codec.canonical(row);
      tree.push(fastLeafHash(canonical));
      writer.add(row, canonical);
      stats.add(row);
    }
    await writer.flush();
    progress();
  }
  await writer.finish();
  return summarise(sink, tree, stats, options);
}

async function* encodeBatches(
  rows: AsyncIterable<readonly ExportRow[]>,
  codec: RowCodec,
  format: TextFormat,
): AsyncGenerator<EncodedBlock> {
  for await (const batch of rows) {
    yield encodeBlock(codec, format, batch);
  }
}

/**
 * Exports a dataset from the database: CSV and JSONL built from binary COPY fields (the fast path), Parquet
 * and every read without COPY (`copy: false`, PGlite's socket) from row objects. Same bytes either way.
 */
export function exportDataset(
  pool: pg.Pool,
  query: DatasetQuery,
  codec: RowCodec,
  format: ExportFormat,
  out: Writable,
  options: StreamOptions & WriteExportOptions = {},
): Promise<ExportSummary> {
  if (format !== 'parquet' && options.copy !== false) {
    return writeEncodedExport(streamEncodedRows(pool, query, codec, format, options), codec, format, out, options);
  }
  return writeExport(streamDatasetRows(pool, query, options), codec, format, out, options);
}

export const DATA_FILE_NAMES: Record<ExportFormat, string> = {
  csv: 'data.csv',
  jsonl: 'data.jsonl',
  parquet: 'data.parquet',
};

export interface ManifestInput {
  readonly orderId: string;
  readonly query: FrozenQuery;
  readonly format: ExportFormat;
  readonly codec: RowCodec;
  readonly summary: ExportSummary;
  readonly license: License;
  readonly createdAt: number;
}

/** The signed manifest.json of a finished export. */
export function buildManifest(input: ManifestInput, key: NetworkKey): SignedManifest {
  const { summary } = input;
  return signManifest(
    {
      v: 1,
      type: 'groundtruth.dataset-export',
      orderId: input.orderId,
      query: queryToJson(input.query),
      format: input.format,
      columns: [...input.codec.columns],
      file: { name: DATA_FILE_NAMES[input.format], bytes: summary.bytes, sha256: summary.sha256 },
      rows: summary.rows,
      devices: summary.devices,
      timeRange: summary.first === null || summary.last === null ? null : { first: summary.first, last: summary.last },
      merkle: {
        algorithm: 'rfc9162-sha256',
        leaves: 'export-row-rfc8785',
        root: summary.root,
        chunkSize: summary.chunkSize,
        chunkRoots: [...summary.chunkRoots],
      },
      license: input.license,
      createdAt: new Date(input.createdAt).toISOString(),
    },
    key,
  );
}
