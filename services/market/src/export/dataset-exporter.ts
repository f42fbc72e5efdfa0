import type { Writable } from 'node:stream';
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
    if (this.first === null || row.ts < this.first) {
      this.first = row.ts;
    }
    if (this.last === null || row.ts > this.last) {
      this.last = row.ts;
    }
  }
}

/**
 * Streams rows into `out` in the given format while hashing each row's canonical encoding into an
 * incremental Merkle tree, so the manifest root is known when the last byte is written. Memory stays
 * bounded by one source batch (and one Parquet row group). Ends `out`.
 */
export async function writeExport(
  rows: AsyncIterable<readonly ExportRow[]>,
  codec: RowCodec,
  format: ExportFormat,
  out: Writable,
  options: WriteExportOptions = {},
): Promise<ExportSummary> {
  const sink = new ByteSink(out);
  const tree = new RowTree(options.chunkSize);
  const stats = new RowStats();
  const every = options.progressEvery ?? 10_000;
  let nextProgress = every;
  const progress = () => {
    if (options.onProgress && tree.size >= nextProgress) {
      options.onProgress({ rows: tree.size, bytes: sink.bytes });
      nextProgress = tree.size + every;
    }
  };
  if (format === 'parquet') {
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
  } else {
    if (format === 'csv') {
      await sink.write(csvHeader(codec));
    }
    for await (const batch of rows) {
      options.signal?.throwIfAborted();
      batch.forEach((row) => stats.add(row));
      const block = encodeBlock(codec, format, batch);
      for (let offset = 0; offset < block.hashes.length; offset += 32) {
        tree.push(Buffer.from(block.hashes.buffer, block.hashes.byteOffset + offset, 32));
      }
      await sink.write(block.bytes);
      progress();
    }
  }
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
