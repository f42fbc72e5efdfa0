import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { availableParallelism } from 'node:os';
import { isHardwareKind } from '@groundtruth/protocol';
import { RowCodec } from '../core/export-row.js';
import { verifyManifestSignature, type ExportFormat, type SignedManifest } from '../core/manifest.js';
import { manifestMetrics, parseManifest } from '../core/manifest-schema.js';
import { MarketError } from '../core/market-error.js';
import { RowTree } from '../core/row-tree.js';
import type { RowFailureCode } from '../core/row-check.js';
import type { BadRow, BlockVerdict } from './block-checker.js';
import { RAW_FORMATS, readExportFile } from './export-readers.js';
import { defaultWorkers } from '../worker-support.js';
import { createRowChecker } from './verify-pool.js';

export type { BadRow } from './block-checker.js';

/** File-level failures of an export, next to the per-row ones (stable codes). */
export const EXPORT_FAILURES = [
  'BAD_MANIFEST',
  'BAD_EXPORT_FILE',
  'BAD_NETWORK_SIGNATURE',
  'NETWORK_KEY_MISMATCH',
  'MANIFEST_ROOT_MISMATCH',
  'COUNT_MISMATCH',
  'FILE_DIGEST_MISMATCH',
  'CHUNK_MISMATCH',
] as const;
export type ExportFailureCode = (typeof EXPORT_FAILURES)[number];

/** One thing wrong with an export, readable on its own: `message` names the row (line) or the file part. */
export interface VerifyProblem {
  /** MORE_BAD_ROWS: more bad rows than `maxReported` were found; the others are named */
  readonly code: ExportFailureCode | RowFailureCode | 'MORE_BAD_ROWS';
  /** the row's 1-based line (CSV, JSONL) or row number (Parquet); null for file-level problems */
  readonly line: number | null;
  readonly message: string;
}

export interface VerifyExportOptions {
  /** default: manifest.json in the data file's directory (or in `path` when it is a directory) */
  readonly manifestPath?: string;
  /** the network key the buyer trusts (GET /network-key); without it, the manifest's own key is checked */
  readonly networkKey?: string;
  /** how many bad rows to name (the first ones, by line); default 10 */
  readonly maxReported?: number;
  /**
   * worker threads that parse and check rows (signatures included) in parallel; default one per core from
   * the build, 0 (this thread) from the TypeScript sources
   */
  readonly workers?: number;
  /** Node options of the worker threads (a TypeScript loader when running from the sources) */
  readonly workerExecArgv?: readonly string[];
  readonly onProgress?: (rows: number) => void;
}

export interface VerifyExportReport {
  readonly ok: boolean;
  readonly dataPath: string;
  readonly manifestPath: string;
  readonly format: ExportFormat | null;
  readonly rows: number;
  readonly expectedRows: number | null;
  readonly network: string | null;
  readonly badRowCount: number;
  readonly badRows: readonly BadRow[];
  readonly failures: readonly { readonly code: ExportFailureCode; readonly detail: string }[];
  /** every failure, then the named bad rows by line, as readable sentences */
  readonly problems: readonly VerifyProblem[];
  readonly elapsedMs: number;
  readonly rowsPerSecond: number;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

async function locate(path: string, manifestPath?: string): Promise<{ dataPath?: string; manifestPath: string }> {
  if ((await stat(path)).isDirectory()) {
    return { manifestPath: manifestPath ?? join(path, 'manifest.json') };
  }
  return { dataPath: path, manifestPath: manifestPath ?? join(dirname(path), 'manifest.json') };
}

/** Keeps the `max` bad rows with the smallest line numbers (verdicts arrive out of order). */
class FirstBadRows {
  readonly rows: BadRow[] = [];
  count = 0;
  constructor(private readonly max: number) {}
  add(row: BadRow): void {
    this.count++;
    this.rows.push(row);
    this.rows.sort((a, b) => a.line - b.line);
    if (this.rows.length > this.max) {
      this.rows.pop();
    }
  }
}

/**
 * Verifies a dataset export offline: every row against its device key (single signature, or batch root +
 * audit path + batch signature) and against its own columns, the Merkle root over all rows against the
 * manifest, the row count and file digest, and the manifest's network signature. Rows are parsed and checked
 * in blocks by worker threads (every core), one ed25519 check per batch signature and worker. Never throws for a bad export: the
 * report says what is wrong and names the first bad rows.
 */
export async function verifyExport(path: string, options: VerifyExportOptions = {}): Promise<VerifyExportReport> {
  const started = performance.now();
  const located = await locate(path, options.manifestPath);
  const failures: { code: ExportFailureCode; detail: string }[] = [];
  const bad = new FirstBadRows(options.maxReported ?? 10);
  let manifest: SignedManifest | undefined;
  let dataPath = located.dataPath ?? '';
  let rows = 0;
  const report = (): VerifyExportReport => {
    const elapsedMs = performance.now() - started;
    const unit = manifest?.format === 'parquet' ? 'row' : 'line';
    const problems: VerifyProblem[] = [
      ...failures.map((f) => ({ code: f.code, line: null, message: `${f.code}: ${f.detail}` })),
      ...bad.rows.map((r) => ({ code: r.code, line: r.line, message: `${unit} ${r.line}: ${r.code} (${r.detail})` })),
    ];
    if (bad.count > bad.rows.length) {
      problems.push({
        code: 'MORE_BAD_ROWS',
        line: null,
        message: `… and ${bad.count - bad.rows.length} more bad rows (raise maxReported to name them)`,
      });
    }
    return {
      ok: failures.length === 0 && bad.count === 0,
      dataPath,
      manifestPath: located.manifestPath,
      format: manifest?.format ?? null,
      rows,
      expectedRows: manifest?.rows ?? null,
      network: manifest?.network ?? null,
      badRowCount: bad.count,
      badRows: bad.rows,
      failures,
      problems,
      elapsedMs,
      rowsPerSecond: elapsedMs > 0 ? (rows * 1000) / elapsedMs : 0,
    };
  };
  try {
    manifest = parseManifest(await readFile(located.manifestPath, 'utf8'));
  } catch (error) {
    failures.push({
      code: 'BAD_MANIFEST',
      detail: error instanceof MarketError ? error.message : `cannot read ${located.manifestPath}`,
    });
    return report();
  }
  dataPath = located.dataPath ?? join(dirname(located.manifestPath), basename(manifest.file.name));
  if (options.networkKey !== undefined && manifest.network !== options.networkKey) {
    failures.push({
      code: 'NETWORK_KEY_MISMATCH',
      detail: `the manifest is signed by ${manifest.network}, not ${options.networkKey}`,
    });
  }
  if (!verifyManifestSignature(manifest)) {
    failures.push({
      code: 'BAD_NETWORK_SIGNATURE',
      detail: 'the manifest signature does not verify against its network key',
    });
  }
  const kind = manifest.query.kind;
  if (!isHardwareKind(kind)) {
    failures.push({ code: 'BAD_MANIFEST', detail: 'the manifest query names no hardware kind' });
    return report();
  }
  let codec: RowCodec;
  try {
    codec = new RowCodec(manifestMetrics(manifest));
  } catch (error) {
    failures.push({ code: 'BAD_MANIFEST', detail: (error as Error).message });
    return report();
  }
  const digest = sha256File(dataPath).catch(() => undefined);
  const tree = new RowTree(manifest.merkle.chunkSize);
  /** first and last file line of each chunk of rows, to name the lines of a chunk that differs */
  const chunkLines: [number, number][] = [];
  const workers = options.workers ?? defaultWorkers(availableParallelism());
  const checker = createRowChecker(
    { metrics: codec.metrics, kind, format: RAW_FORMATS[manifest.format] },
    { workers, ...(options.workerExecArgv === undefined ? {} : { execArgv: options.workerExecArgv }) },
  );
  // Blocks are checked in parallel and consumed in file order (the row tree needs the order).
  const pending: Promise<BlockVerdict>[] = [];
  const consume = (verdict: BlockVerdict) => {
    for (let offset = 0; offset < verdict.hashes.length; offset += 32) {
      tree.push(Buffer.from(verdict.hashes.buffer, verdict.hashes.byteOffset + offset, 32));
    }
    verdict.bad.forEach((row) => bad.add(row));
  };
  try {
    for await (const block of readExportFile(dataPath, manifest.format, codec)) {
      for (const item of block) {
        if (rows % tree.chunkSize === 0) {
          chunkLines.push([item.line, item.line]);
        }
        chunkLines[chunkLines.length - 1]![1] = item.line;
        rows++;
      }
      pending.push(checker.check(block));
      if (pending.length >= 2 * Math.max(1, workers)) {
        consume(await pending.shift()!);
      }
      options.onProgress?.(rows);
    }
    while (pending.length > 0) {
      consume(await pending.shift()!);
    }
  } catch (error) {
    await Promise.allSettled(pending);
    const detail =
      error instanceof MarketError ? error.message : `cannot read ${dataPath}: ${(error as Error).message}`;
    failures.push({ code: 'BAD_EXPORT_FILE', detail });
    return report();
  } finally {
    await checker.close();
  }
  if (rows !== manifest.rows) {
    failures.push({
      code: 'COUNT_MISMATCH',
      detail: `the file holds ${rows} rows, the manifest says ${manifest.rows}`,
    });
  }
  const { root, chunkRoots } = tree.finish();
  if (root !== manifest.merkle.root) {
    failures.push({
      code: 'MANIFEST_ROOT_MISMATCH',
      detail: `the rows hash to ${root}, the manifest says ${manifest.merkle.root}`,
    });
    const unit = manifest.format === 'parquet' ? 'rows' : 'lines';
    let named = 0;
    for (let i = 0; i < Math.max(chunkRoots.length, manifest.merkle.chunkRoots.length); i++) {
      if (chunkRoots[i] === manifest.merkle.chunkRoots[i]) {
        continue;
      }
      if (named++ >= (options.maxReported ?? 10)) {
        break;
      }
      const first = i * tree.chunkSize + 1;
      const span =
        chunkLines[i] === undefined ? 'missing from the file' : `${unit} ${chunkLines[i]![0]}–${chunkLines[i]![1]}`;
      failures.push({
        code: 'CHUNK_MISMATCH',
        detail: `rows ${first}–${first + tree.chunkSize - 1} (${span}) differ from what the manifest signed`,
      });
    }
  }
  const sha256 = await digest;
  if (sha256 !== manifest.file.sha256) {
    failures.push({
      code: 'FILE_DIGEST_MISMATCH',
      detail: `the file's SHA-256 is ${sha256}, the manifest says ${manifest.file.sha256}`,
    });
  }
  return report();
}
