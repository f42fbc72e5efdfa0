import type { Writable } from 'node:stream';
import { leafHash } from '@groundtruth/protocol';
import { queryToJson, type FrozenQuery } from '../core/dataset-query.js';
import type { ExportRow, RowCodec } from '../core/export-row.js';
import { signManifest, type ExportFormat, type License, type SignedManifest } from '../core/manifest.js';
import { RowTree } from '../core/row-tree.js';
import type { NetworkKey } from '../core/network-key.js';
import { ByteSink } from './byte-sink.js';
import { createRowWriter, type RowWriterOptions } from './row-writers.js';

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
  const writer = createRowWriter(format, codec, sink, options);
  const tree = new RowTree(options.chunkSize);
  const devices = new Set<string>();
  const every = options.progressEvery ?? 10_000;
  let first: number | null = null;
  let last: number | null = null;
  let nextProgress = every;
  for await (const batch of rows) {
    options.signal?.throwIfAborted();
    for (const row of batch) {
      const canonical = codec.canonical(row);
      tree.push(leafHash(Buffer.from(canonical, 'utf8')));
      writer.add(row, canonical);
      devices.add(row.device);
      if (first === null || row.ts < first) {
        first = row.ts;
      }
      if (last === null || row.ts > last) {
        last = row.ts;
      }
    }
    await writer.flush();
    if (options.onProgress && tree.size >= nextProgress) {
      options.onProgress({ rows: tree.size, bytes: sink.bytes });
      nextProgress = tree.size + every;
    }
  }
  await writer.finish();
  await sink.end();
  options.onProgress?.({ rows: tree.size, bytes: sink.bytes });
  const { root, chunkRoots } = tree.finish();
  return {
    rows: tree.size,
    devices: devices.size,
    first,
    last,
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
