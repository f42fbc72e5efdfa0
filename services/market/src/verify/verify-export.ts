import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isHardwareKind, leafHash, NodeCryptoVerifier } from '@groundtruth/protocol';
import { RowCodec } from '../core/export-row.js';
import { verifyManifestSignature, type ExportFormat, type SignedManifest } from '../core/manifest.js';
import { manifestMetrics, parseManifest } from '../core/manifest-schema.js';
import { MarketError } from '../core/market-error.js';
import { RowTree } from '../core/row-tree.js';
import { isRowFailure, prepareRowCheck, type RowFailureCode } from '../core/row-check.js';
import { readExportFile } from './export-readers.js';

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

export interface BadRow {
  /** 1-based line of the file (CSV: the header is line 1; JSONL) or 1-based row number (Parquet) */
  readonly line: number;
  readonly code: RowFailureCode;
  readonly detail: string;
}

export interface VerifyExportOptions {
  /** default: manifest.json in the data file's directory (or in `path` when it is a directory) */
  readonly manifestPath?: string;
  /** the network key the buyer trusts (GET /network-key); without it, the manifest's own key is checked */
  readonly networkKey?: string;
  /** how many bad rows to name (the first ones, by line); default 10 */
  readonly maxReported?: number;
  /** ed25519 verifications in flight on libuv's thread pool; default 256 */
  readonly concurrency?: number;
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
 * manifest, the row count and file digest, and the manifest's network signature. Signatures are checked on
 * libuv's thread pool (every core), one check per batch signature. Never throws for a bad export: the
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
  const verifier = new NodeCryptoVerifier();
  const batchVerdicts = new Map<string, Promise<boolean>>();
  const concurrency = options.concurrency ?? 256;
  let inflight: Promise<void>[] = [];
  const tree = new RowTree(manifest.merkle.chunkSize);
  /** first and last file line of each chunk of rows, to name the lines of a chunk that differs */
  const chunkLines: [number, number][] = [];
  try {
    for await (const batch of readExportFile(dataPath, manifest.format, codec)) {
      for (const item of batch) {
        if (rows % tree.chunkSize === 0) {
          chunkLines.push([item.line, item.line]);
        }
        chunkLines[chunkLines.length - 1]![1] = item.line;
        rows++;
        if (item.row === undefined) {
          bad.add({ line: item.line, code: 'MALFORMED_ROW', detail: item.error ?? 'unreadable row' });
          tree.push(leafHash(Buffer.from(`unreadable row ${item.line}`)));
          continue;
        }
        tree.push(codec.hash(item.row));
        const prepared = prepareRowCheck(codec, item.row, kind);
        if (isRowFailure(prepared)) {
          bad.add({ line: item.line, ...prepared });
          continue;
        }
        let verdict: Promise<boolean> | undefined;
        if (prepared.batchKey !== undefined) {
          verdict = batchVerdicts.get(prepared.batchKey);
          if (verdict === undefined) {
            if (batchVerdicts.size >= 100_000) {
              batchVerdicts.clear();
            }
            verdict = verifier.verifyAsync(prepared.device, prepared.message, prepared.signature);
            batchVerdicts.set(prepared.batchKey, verdict);
          }
        } else {
          verdict = verifier.verifyAsync(prepared.device, prepared.message, prepared.signature);
        }
        const line = item.line;
        inflight.push(
          verdict.then((valid) => {
            if (!valid) {
              bad.add({ line, code: 'BAD_SIGNATURE', detail: 'signature does not verify against the device key' });
            }
          }),
        );
        if (inflight.length >= concurrency) {
          const settled = inflight;
          inflight = [];
          await Promise.all(settled);
        }
      }
      options.onProgress?.(rows);
    }
    await Promise.all(inflight);
  } catch (error) {
    await Promise.allSettled(inflight);
    const detail =
      error instanceof MarketError ? error.message : `cannot read ${dataPath}: ${(error as Error).message}`;
    failures.push({ code: 'BAD_EXPORT_FILE', detail });
    return report();
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
