import { createLogger, createMetricsRegistry, createPool, type Logger } from '@groundtruth/service-kit';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { Clock, Database, RegistryLogger, RegistrySettings } from './registry.deps.js';
import { RegistryMetrics } from './registry.metrics.js';
import { RegistryModule } from './registry.module.js';
import type { RegistryConfig } from './registry.config.js';

/** What the embedding process may share with the registry; anything left out is created from the config. */
export interface RegistryAppDeps {
  /** shared pool (the caller ends it); default: a new pool on `config.databaseUrl`, ended with the app */
  readonly pool?: pg.Pool;
  readonly logger?: Logger;
  /** the process's Prometheus registry (`createMetricsRegistry()`) */
  readonly metricsRegistry?: Registry;
  /** ms since the epoch; default `Date.now` */
  readonly now?: () => number;
}

/** Largest accepted request body: signed requests are well under 2 KiB. */
const BODY_LIMIT = '16kb';

/**
 * Builds the registry's HTTP app (initialised, not yet listening), with OpenAPI at `/docs` (JSON at
 * `/docs-json`) and Prometheus metrics at `/metrics`. Call `app.listen(port, host)` to serve it, or mount
 * `app.getHttpAdapter().getInstance()` in another Express app. `app.close()` releases what it created.
 *
 * @example
 * const app = await createRegistryApp(parseConfig(registryConfigSchema, process.env));
 * await app.listen(config.port, config.host);
 */
export async function createRegistryApp(config: RegistryConfig, deps: RegistryAppDeps = {}): Promise<INestApplication> {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, base: { service: 'registry' } });
  const pool =
    deps.pool ??
    createPool(config.databaseUrl, {
      applicationName: 'registry',
      onError: (error) => logger.warn('pg_pool_error', { error }),
    });
  const module = RegistryModule.forRoot({
    database: new Database(pool, deps.pool === undefined),
    clock: { now: deps.now ?? Date.now } satisfies Clock,
    logger: logger satisfies RegistryLogger,
    settings: new RegistrySettings(config.operatorTokens, config.maxRequestValidityMs, config.requireMakerAttestation),
    metrics: new RegistryMetrics(deps.metricsRegistry ?? createMetricsRegistry({ service: 'registry' })),
  });
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: false,
    bodyParser: false,
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: BODY_LIMIT });
  const document = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('GroundTruth device registry')
        .setDescription(
          'Device registration, ownership, suspension and maker attestations. Errors: `{ error: { code, message, details } }`.',
        )
        .setVersion('1')
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'operator token' })
        .build(),
    );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.init();
  return app;
}
