import { mkdir } from 'node:fs/promises';
import { readDeployment, RpcGateway, type SolanaGateway } from '@groundtruth/programs';
import { createLogger, createMetricsRegistry, type Logger } from '@groundtruth/service-kit';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import pg from 'pg';
import type { Registry } from 'prom-client';
import type { NetworkKey } from './core/network-key.js';
import { ExportsRepository } from './db/exports.repository.js';
import type { RevenueShareSink } from './db/orders.repository.js';
import type { MarketConfig } from './market.config.js';
import { Database, MarketSettings } from './market.deps.js';
import { MarketMetrics } from './market.metrics.js';
import { MarketModule } from './market.module.js';
import { loadNetworkKey } from './network-key.file.js';
import { GatewayPaymentObserver } from './payments/chain-payments.js';

/** What the embedding process may share with the market; anything left out is created from the config. */
export interface MarketAppDeps {
  /** shared pool (the caller ends it); default: a new pool on `config.databaseUrl`, ended with the app */
  readonly pool?: pg.Pool;
  readonly logger?: Logger;
  readonly metricsRegistry?: Registry;
  readonly now?: () => number;
  /** the chain (LiteSVM in embedded mode and tests); default an RPC gateway on `config.rpcUrl` */
  readonly gateway?: SolanaGateway;
  /** default: loaded from `config.networkKeyPath` */
  readonly networkKey?: NetworkKey;
  /** the reward mint and treasury token account; default: read from `config.deploymentPath` */
  readonly token?: { readonly mint: string; readonly treasury: string };
  readonly revenueShareSink?: RevenueShareSink;
}

/**
 * Builds the market's HTTP app (initialised, not yet listening), with OpenAPI at `/docs` (JSON at
 * `/docs-json`) and Prometheus metrics at `/metrics`. `app.close()` releases what it created and stops
 * running exports.
 *
 * @example
 * const app = await createMarketApp(parseConfig(marketConfigSchema, process.env));
 * await app.listen(config.port, config.host);
 */
export async function createMarketApp(config: MarketConfig, deps: MarketAppDeps = {}): Promise<INestApplication> {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, base: { service: 'market' } });
  let gateway = deps.gateway;
  if (gateway === undefined) {
    if (config.rpcUrl === undefined) {
      throw new Error('the market needs SOLANA_RPC_URL (or a gateway from the embedding process)');
    }
    gateway = new RpcGateway({ url: config.rpcUrl });
  }
  const token: { readonly mint: string; readonly treasury: string } =
    deps.token ??
    (await readDeployment(config.deploymentPath).then((d) => ({ mint: d.mint, treasury: d.treasury.tokenAccount })));
  const networkKey = deps.networkKey ?? (await loadNetworkKey(config.networkKeyPath, config.createNetworkKey));
  await mkdir(config.exportDir, { recursive: true });
  const pool =
    deps.pool ??
    new pg.Pool({
      connectionString: config.databaseUrl,
      max: 10,
      connectionTimeoutMillis: 10_000,
      application_name: 'market',
    });
  if (!deps.pool) {
    pool.on('error', (error) => logger.warn('pg_pool_error', { error }));
  }
  const abandoned = await new ExportsRepository(pool).failAbandoned(
    'the market stopped while the export ran: start it again',
  );
  if (abandoned > 0) {
    logger.warn('market_exports_abandoned', { count: abandoned });
  }
  const module = MarketModule.forRoot({
    database: new Database(pool, deps.pool === undefined),
    clock: { now: deps.now ?? Date.now },
    logger,
    settings: new MarketSettings(
      config.prices,
      config.quoteTtlMs,
      config.revenueShareBps,
      config.requiredCommitment,
      token.mint,
      token.treasury,
      config.license,
      config.sampleRows,
      config.exportDir,
      config.copy,
    ),
    metrics: new MarketMetrics(deps.metricsRegistry ?? createMetricsRegistry({ service: 'market' })),
    networkKey,
    payments: new GatewayPaymentObserver(gateway),
    ...(deps.revenueShareSink === undefined ? {} : { revenueShareSink: deps.revenueShareSink }),
  });
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: false,
    bodyParser: false,
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: '64kb' });
  const document = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('GroundTruth dataset market')
        .setDescription(
          'Catalogue, signed quotes, on-chain payment in the reward token, verifiable exports (CSV, JSONL, Parquet) ' +
            "with per-row provenance and a network-signed manifest, owners' free downloads. Errors: `{ error: { code, message, details } }`.",
        )
        .setVersion('1')
        .build(),
    );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.init();
  return app;
}
