import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, StreamableFile, type OnApplicationShutdown } from '@nestjs/common';
import { canonicalQuery, exportMetrics } from './core/dataset-query.js';
import { RowCodec } from './core/export-row.js';
import type { ExportFormat, SignedManifest } from './core/manifest.js';
import { MarketError } from './core/market-error.js';
import { NetworkKey } from './core/network-key.js';
import { ExportsRepository, type ExportRecord } from './db/exports.repository.js';
import type { OrderRecord } from './db/orders.repository.js';
import { QualityRepository } from './db/quality.repository.js';
import { buildManifest, DATA_FILE_NAMES, exportDataset } from './export/dataset-exporter.js';
import { Clock, Database, MarketLogger, MarketSettings } from './market.deps.js';
import { MarketMetrics } from './market.metrics.js';
import { PaymentsService } from './payments.service.js';

export interface ExportView {
  readonly exportId: string;
  readonly orderId: string;
  readonly format: ExportFormat;
  readonly state: ExportRecord['state'];
  readonly rowsExpected: number;
  readonly rowsWritten: number;
  readonly bytesWritten: number;
  /** 0..1 */
  readonly progress: number;
  readonly error: string | null;
  readonly manifest: SignedManifest | null;
  readonly files: { readonly data: string; readonly manifest: string } | null;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson',
  parquet: 'application/vnd.apache.parquet',
};

const PROGRESS_WRITE_MS = 1000;

function view(record: ExportRecord): ExportView {
  const done = record.state === 'done';
  return {
    exportId: record.exportId,
    orderId: record.orderId,
    format: record.format,
    state: record.state,
    rowsExpected: record.rowsExpected,
    rowsWritten: record.rowsWritten,
    bytesWritten: record.bytesWritten,
    progress: done ? 1 : record.rowsExpected > 0 ? Math.min(1, record.rowsWritten / record.rowsExpected) : 0,
    error: record.error,
    manifest: record.manifest,
    files: done
      ? { data: `/exports/${record.exportId}/data`, manifest: `/exports/${record.exportId}/manifest.json` }
      : null,
  };
}

/**
 * Export jobs of paid orders: rows streamed from the database into a file (CSV, JSONL or Parquet) with the
 * Merkle root computed on the way, then the signed manifest.json beside it. Progress is stored as it runs.
 */
@Injectable()
export class ExportsService implements OnApplicationShutdown {
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly payments: PaymentsService,
    private readonly exports: ExportsRepository,
    private readonly quality: QualityRepository,
    private readonly database: Database,
    private readonly settings: MarketSettings,
    private readonly key: NetworkKey,
    private readonly clock: Clock,
    private readonly metrics: MarketMetrics,
    private readonly log: MarketLogger,
  ) {}

  /** Starts an export of a paid order; NOT_PAID otherwise. Resolves at once with the running job. */
  async start(orderId: string, format: ExportFormat): Promise<ExportView> {
    const order = await this.payments.require(orderId);
    if (order.status !== 'paid') {
      throw new MarketError('NOT_PAID', 'the order is not paid: submit the payment transaction first', { orderId });
    }
    const exportId = randomBytes(16).toString('hex');
    const record = await this.exports.create(exportId, orderId, format, order.rows);
    const job = this.run(exportId, order, format).finally(() => this.running.delete(job));
    this.running.add(job);
    return view(record);
  }

  async status(exportId: string): Promise<ExportView> {
    return view(await this.require(exportId));
  }

  /** Resolves when every running export has ended (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  async dataFile(exportId: string): Promise<StreamableFile> {
    const record = await this.ready(exportId);
    const name = DATA_FILE_NAMES[record.format];
    return new StreamableFile(createReadStream(join(this.settings.exportDir, exportId, name)), {
      type: CONTENT_TYPES[record.format],
      disposition: `attachment; filename="${name}"`,
      length: record.bytesWritten,
    });
  }

  async manifest(exportId: string): Promise<SignedManifest> {
    return (await this.ready(exportId)).manifest!;
  }

  private async require(exportId: string): Promise<ExportRecord> {
    const record = await this.exports.get(exportId);
    if (record === undefined) {
      throw new MarketError('EXPORT_NOT_FOUND', `no export ${exportId}`, { exportId });
    }
    return record;
  }

  private async ready(exportId: string): Promise<ExportRecord> {
    const record = await this.require(exportId);
    if (record.state !== 'done' || record.manifest === null) {
      throw new MarketError('EXPORT_NOT_READY', `export ${exportId} is ${record.state}`, {
        exportId,
        state: record.state,
      });
    }
    return record;
  }

  private async run(exportId: string, order: OrderRecord, format: ExportFormat): Promise<void> {
    const started = performance.now();
    const dir = join(this.settings.exportDir, exportId);
    let progressWrite: Promise<void> = Promise.resolve();
    let lastWrite = 0;
    let out: WriteStream | undefined;
    try {
      await mkdir(dir, { recursive: true });
      const codec = new RowCodec(exportMetrics(order.query));
      const qualityClause = await this.quality.clause(order.query.minQuality);
      out = createWriteStream(join(dir, DATA_FILE_NAMES[format]));
      const summary = await exportDataset(this.database.pool, order.query, codec, format, out, {
        ...(qualityClause === undefined ? {} : { qualityClause }),
        copy: this.settings.copy,
        signal: this.abort.signal,
        kvMetadata: [{ key: 'groundtruth.query', value: canonicalQuery(order.query) }],
        onProgress: ({ rows: written, bytes }) => {
          const now = performance.now();
          if (now - lastWrite >= PROGRESS_WRITE_MS) {
            lastWrite = now;
            progressWrite = progressWrite
              .then(() => this.exports.progress(exportId, written, bytes))
              .catch(() => undefined);
          }
        },
      });
      await progressWrite;
      const manifest = buildManifest(
        {
          orderId: order.orderId,
          query: order.query,
          format,
          codec,
          summary,
          license: this.settings.license,
          createdAt: this.clock.now(),
        },
        this.key,
      );
      const temp = join(dir, `manifest.json.${process.pid}.tmp`);
      await writeFile(temp, JSON.stringify(manifest, null, 2) + '\n');
      await rename(temp, join(dir, 'manifest.json'));
      await this.exports.finish(exportId, manifest);
      this.metrics.exports.inc({ format, outcome: 'done' });
      this.metrics.exportRows.inc({ format }, summary.rows);
      this.metrics.exportBytes.inc({ format }, summary.bytes);
      const seconds = (performance.now() - started) / 1000;
      this.log.info('market_export_done', {
        exportId,
        orderId: order.orderId,
        format,
        rows: summary.rows,
        bytes: summary.bytes,
        seconds,
        root: summary.root,
      });
    } catch (error) {
      out?.destroy();
      await progressWrite;
      const message = error instanceof Error ? error.message : String(error);
      await this.exports.fail(exportId, message).catch(() => undefined);
      this.metrics.exports.inc({ format, outcome: 'failed' });
      this.log.error('market_export_failed', { exportId, orderId: order.orderId, format, error });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.abort(new Error('the market is shutting down'));
    await this.settle();
  }
}
