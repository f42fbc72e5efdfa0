import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { exportMetrics, parseDatasetQuery, queryToJson, type FrozenQuery } from './core/dataset-query.js';
import { RowCodec } from './core/export-row.js';
import { MarketError } from './core/market-error.js';
import { NetworkKey } from './core/network-key.js';
import { priceOf } from './core/pricing.js';
import { orderMemo, signQuote, type SignedQuote } from './core/quote.js';
import { CatalogueRepository, type KindOverview } from './db/catalogue.repository.js';
import { OrdersRepository } from './db/orders.repository.js';
import { QualityRepository } from './db/quality.repository.js';
import { streamDatasetRows } from './export/readings.source.js';
import { Clock, Database, MarketLogger, MarketSettings } from './market.deps.js';
import { MarketMetrics } from './market.metrics.js';

export interface DatasetDescription {
  readonly query: Record<string, unknown>;
  readonly columns: readonly string[];
  readonly rows: number;
  readonly devices: number;
  readonly timeRange: { readonly first: number; readonly last: number } | null;
  /** what a quote for it would cost now, in base units (decimal string) */
  readonly price: { readonly unitPrice: string; readonly multiplierBps: number; readonly amount: string };
  /** the first rows, free, with their provenance (the same shape as JSONL export lines) */
  readonly samples: readonly Record<string, unknown>[];
}

/** The catalogue (what is there, what it costs, a few free rows) and signed quotes. */
@Injectable()
export class CatalogueService {
  constructor(
    private readonly catalogue: CatalogueRepository,
    private readonly quality: QualityRepository,
    private readonly orders: OrdersRepository,
    private readonly database: Database,
    private readonly settings: MarketSettings,
    private readonly key: NetworkKey,
    private readonly clock: Clock,
    private readonly metrics: MarketMetrics,
    private readonly log: MarketLogger,
  ) {}

  networkKey(): { publicKey: string; algorithm: 'ed25519'; encoding: 'base58' } {
    return { publicKey: this.key.publicKey, algorithm: 'ed25519', encoding: 'base58' };
  }

  overview(): Promise<KindOverview[]> {
    return this.catalogue.overview();
  }

  async describe(raw: unknown): Promise<DatasetDescription> {
    const query = parseDatasetQuery(raw);
    const qualityClause = await this.quality.clause(query.minQuality);
    const stats = await this.catalogue.stats(query, qualityClause);
    const price = priceOf(this.settings.prices, stats.rows, query.minQuality);
    const codec = new RowCodec(exportMetrics(query));
    const samples: Record<string, unknown>[] = [];
    if (this.settings.sampleRows > 0 && stats.rows > 0) {
      for await (const batch of streamDatasetRows(this.database.pool, query, {
        ...(qualityClause === undefined ? {} : { qualityClause }),
        limit: this.settings.sampleRows,
        copy: this.settings.copy,
      })) {
        samples.push(...batch.map((row) => codec.toJson(row)));
      }
    }
    return {
      query: queryToJson(query),
      columns: codec.columns,
      rows: stats.rows,
      devices: stats.devices,
      timeRange: stats.first === null || stats.last === null ? null : { first: stats.first, last: stats.last },
      price: {
        unitPrice: price.unitPrice.toString(),
        multiplierBps: price.multiplierBps,
        amount: price.amount.toString(),
      },
      samples: samples.slice(0, this.settings.sampleRows),
    };
  }

  /**
   * Freezes the query at now (rows stored later are not part of it), counts it, prices it and signs the
   * quote. The order exists from here on; it becomes downloadable once paid.
   */
  async quote(raw: unknown): Promise<SignedQuote> {
    const now = this.clock.now();
    const query: FrozenQuery = { ...parseDatasetQuery(raw), asOf: now };
    const stats = await this.catalogue.stats(query, await this.quality.clause(query.minQuality));
    if (stats.rows === 0) {
      throw new MarketError('EMPTY_DATASET', 'no rows match this query', { kind: query.kind });
    }
    const price = priceOf(this.settings.prices, stats.rows, query.minQuality);
    const orderId = randomBytes(16).toString('hex');
    const quote = signQuote(
      {
        v: 1,
        type: 'groundtruth.quote',
        orderId,
        query: queryToJson(query),
        rows: stats.rows,
        devices: stats.devices,
        unitPrice: price.unitPrice.toString(),
        multiplierBps: price.multiplierBps,
        amount: price.amount.toString(),
        mint: this.settings.mint,
        treasury: this.settings.treasury,
        memo: orderMemo(orderId),
        expiresAt: now + this.settings.quoteTtlMs,
      },
      this.key,
    );
    await this.orders.insert(quote, query);
    this.metrics.quotes.inc({ kind: query.kind });
    this.log.info('market_quote', {
      orderId,
      kind: query.kind,
      rows: stats.rows,
      devices: stats.devices,
      amount: quote.amount,
    });
    return quote;
  }
}
