import { createLogger, createMetricsRegistry, createPool, type Logger } from '@groundtruth/service-kit';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { ALGORITHMS } from './core/algorithms.js';
import type { ScoringParams } from './core/params.js';
import { compareVersions } from './core/version.js';
import { HoursRepository } from './db/hours.repository.js';
import { ScoresRepository } from './db/scores.repository.js';
import { ScoringJob } from './job/scoring.job.js';
import { ScoringMetrics } from './metrics.js';
import { assertCalendar } from './schedule/epoch-calendar.js';
import { ScheduleRepository } from './schedule/schedule.repository.js';
import type { ScoringConfig } from './scoring.config.js';
import { ScoringSettings, type Clock } from './scoring.deps.js';
import { ScoringModule } from './scoring.module.js';
import { ScoringRunner } from './scoring.runner.js';
import { QualityRepository } from './service/quality.repository.js';
import { ServiceMetrics } from './service.metrics.js';

/** What an embedding process (or a test) may share; anything left out is built from the config. */
export interface ScoringAppDeps {
  /** shared pool (the caller ends it); default a new pool on `config.databaseUrl`, ended by `close()` */
  readonly pool?: pg.Pool;
  readonly logger?: Logger;
  /** the process's Prometheus registry (`createMetricsRegistry()`); one scoring app per registry */
  readonly metricsRegistry?: Registry;
  /** ms since the Unix epoch; default `Date.now` */
  readonly now?: () => number;
  /** the algorithm versions this app may score with; default the built-in ones */
  readonly algorithms?: ReadonlyMap<string, ScoringParams>;
}

export interface ScoringApp {
  /** the HTTP app, initialised, not listening: `await app.http.listen(port, host)` */
  readonly http: INestApplication;
  readonly runner: ScoringRunner;
  readonly job: ScoringJob;
  readonly metrics: ScoringMetrics;
  /** starts the scoring loop (closed hours, then every due epoch) */
  start(): void;
  /** stops the loop (waiting for a pass), the HTTP app, and the pool if it made it */
  close(): Promise<void>;
}

/** Largest accepted request body: appeals and rescore requests are well under 2 KiB. */
const BODY_LIMIT = '16kb';

/**
 * Builds the scoring service: the scheduled job and its runner, and the HTTP API (quality explanations, score
 * listings, runs, operator rescore, owner appeals) with OpenAPI at `/docs` (`/docs-json`), `/metrics` and
 * `/health`.
 *
 * @example
 * const config = parseConfig(scoringConfigSchema, process.env);
 * const app = await createScoringApp(config);
 * await app.http.listen(config.port, config.host);
 * app.start();
 */
export async function createScoringApp(config: ScoringConfig, deps: ScoringAppDeps = {}): Promise<ScoringApp> {
  const calendar = assertCalendar(config.calendar);
  const logger = deps.logger ?? createLogger({ level: config.logLevel, base: { service: 'scoring' } });
  const now = deps.now ?? Date.now;
  const pool =
    deps.pool ??
    createPool(config.databaseUrl, {
      max: config.dbConnections,
      applicationName: 'scoring',
      onError: (error) => logger.warn('pg_pool_error', { error }),
    });
  const ownsPool = deps.pool === undefined;
  try {
    const registry = deps.metricsRegistry ?? createMetricsRegistry({ service: 'scoring' });
    const metrics = new ScoringMetrics(registry);
    const serviceMetrics = new ServiceMetrics(registry);
    const algorithms = deps.algorithms ?? ALGORITHMS;
    const scores = new ScoresRepository(pool);
    const job = new ScoringJob(pool, new HoursRepository(pool, { copy: config.copy }), scores, {
      algorithms,
      ...(config.version === undefined ? {} : { version: config.version }),
      ...config.job,
      read: { mode: config.copy ? 'copy' : 'cursor' },
      logger,
      metrics,
    });
    const runner = new ScoringRunner({
      job,
      schedule: new ScheduleRepository(pool),
      calendar,
      backfillEpochs: config.backfillEpochs,
      maxEpochsPerPass: config.maxEpochsPerPass,
      logger,
      metrics: serviceMetrics,
      now,
      ...(config.firstEpoch === undefined ? {} : { firstEpoch: config.firstEpoch }),
    });
    const http = await NestFactory.create<NestExpressApplication>(
      ScoringModule.forRoot({
        job,
        runner,
        scores,
        quality: new QualityRepository(pool),
        settings: new ScoringSettings(
          calendar,
          config.operatorTokens,
          config.appealMaxValidityMs,
          config.rescoreWaitMs,
          [...algorithms.keys()].sort(compareVersions),
        ),
        clock: { now } satisfies Clock,
        logger,
        metrics: serviceMetrics,
      }),
      { logger: false, bodyParser: false, abortOnError: false },
    );
    http.useBodyParser('json', { limit: BODY_LIMIT });
    const document = () =>
      SwaggerModule.createDocument(
        http,
        new DocumentBuilder()
          .setTitle('GroundTruth quality scoring')
          .setDescription(
            'Per-device epoch scores with their version, per-check breakdown, reason codes and example readings ' +
              '("why did my device score 0.62?"), the run ledger, operator re-scoring and owner appeals. ' +
              'Errors: `{ error: { code, message, details } }`.',
          )
          .setVersion('1')
          .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'operator token' })
          .build(),
      );
    SwaggerModule.setup('docs', http, document, { jsonDocumentUrl: 'docs-json' });
    await http.init();
    logger.info('scoring_ready', {
      version: job.version,
      epoch_seconds: calendar.durationMs / 1000,
      grace_seconds: calendar.graceMs / 1000,
      copy: config.copy,
    });
    return {
      http,
      runner,
      job,
      metrics,
      start: () => runner.start(config.runIntervalMs),
      close: async () => {
        await runner.stop();
        await http.close();
        if (ownsPool) {
          await pool.end();
        }
      },
    };
  } catch (error) {
    if (ownsPool) {
      await pool.end();
    }
    throw error;
  }
}
