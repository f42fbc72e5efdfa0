import { PassThrough } from 'node:stream';
import { isDeviceId, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from '@groundtruth/protocol';
import { Injectable, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import { exportMetrics, type DatasetQuery } from './core/dataset-query.js';
import { RowCodec } from './core/export-row.js';
import { MarketError } from './core/market-error.js';
import { checkOwnerRequest } from './core/owner-auth.js';
import { OrdersRepository, type RevenueShareRow } from './db/orders.repository.js';
import { OwnersRepository } from './db/owners.repository.js';
import { exportDataset } from './export/dataset-exporter.js';
import { Clock, Database, MarketLogger, MarketSettings } from './market.deps.js';
import { MarketMetrics } from './market.metrics.js';

/** The query string of an owner's signed download: the request's fields and the wallet's signature. */
export const ownerDownloadSchema = z
  .object({
    from: z.coerce.number().int().describe('ms UTC, inclusive'),
    to: z.coerce.number().int().describe('ms UTC, exclusive'),
    expiresAt: z.coerce.number().int().describe('ms UTC; at most 15 minutes ahead'),
    nonce: z.string().describe('32 lowercase hex characters, single use'),
    signature: z
      .string()
      .describe(
        'base64 ed25519 signature by the owner wallet over `gt:v1:owner-export:` ‖ RFC 8785 of {device, from, to, expiresAt, nonce}',
      ),
  })
  .strict();
export type OwnerDownloadQuery = z.infer<typeof ownerDownloadSchema>;

export interface RevenueView {
  readonly total: string;
  readonly shares: readonly {
    orderId: string;
    device: string;
    ownerWallet: string | null;
    rows: number;
    amount: string;
    createdAt: number;
  }[];
}

const revenueView = (rows: readonly RevenueShareRow[]): RevenueView => ({
  total: rows.reduce((sum, r) => sum + r.amount, 0n).toString(),
  shares: rows.map((r) => ({ ...r, amount: r.amount.toString() })),
});

/** What owners get for free: their devices' readings (signed request) and what their devices earned. */
@Injectable()
export class OwnersService {
  constructor(
    private readonly owners: OwnersRepository,
    private readonly orders: OrdersRepository,
    private readonly database: Database,
    private readonly settings: MarketSettings,
    private readonly clock: Clock,
    private readonly metrics: MarketMetrics,
    private readonly log: MarketLogger,
  ) {}

  /**
   * Streams every reading of the device in [from, to) as CSV with provenance, for free, once the owner
   * wallet's signature over the request holds and its nonce has not been used.
   */
  async download(device: string, request: OwnerDownloadQuery): Promise<StreamableFile> {
    if (!isDeviceId(device)) {
      throw new MarketError('BAD_QUERY', 'not a device id', { path: 'device' });
    }
    const ownership = await this.owners.device(device);
    if (ownership === undefined) {
      throw new MarketError('UNKNOWN_DEVICE', `no device ${device}`, { device });
    }
    if (ownership.ownerWallet === null) {
      throw new MarketError('BAD_OWNER_SIGNATURE', 'the device has no owner wallet on record', { device });
    }
    if (!(request.from < request.to && request.from >= MIN_TIMESTAMP_MS && request.to <= MAX_TIMESTAMP_MS)) {
      throw new MarketError('BAD_QUERY', 'from must be before to, both between 2020 and 2100', { path: 'from' });
    }
    const { signature, ...signed } = request;
    const now = this.clock.now();
    checkOwnerRequest({ device, ...signed }, signature, ownership.ownerWallet, now);
    await this.owners.consumeNonce(device, request.nonce, request.expiresAt, now);
    const query: DatasetQuery = {
      kind: ownership.kind,
      metrics: [],
      from: request.from,
      to: request.to,
      minQuality: 0,
      excludeFlagged: false,
    };
    const codec = new RowCodec(exportMetrics(query));
    const out = new PassThrough();
    exportDataset(this.database.pool, query, codec, 'csv', out, { device, copy: this.settings.copy })
      .then((summary) => {
        this.metrics.ownerDownloads.inc();
        this.log.info('market_owner_download', { device, rows: summary.rows, bytes: summary.bytes });
      })
      .catch((error: unknown) => {
        this.log.error('market_owner_download_failed', { device, error });
        out.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    return new StreamableFile(out, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${device}.csv"`,
    });
  }

  async revenueOfDevice(device: string): Promise<RevenueView> {
    return revenueView(await this.orders.sharesOfDevice(device));
  }

  async revenueOfOwner(wallet: string): Promise<RevenueView> {
    return revenueView(await this.orders.sharesOfOwner(wallet));
  }
}
