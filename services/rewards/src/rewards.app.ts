import { maxWalletsPerTransaction, type SolanaGateway } from '@groundtruth/programs';
import { createLogger, createMetricsRegistry, type Logger } from '@groundtruth/service-kit';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import type { Registry } from 'prom-client';
import { payoutChainFromConfig } from './chain/payout-chain.js';
import { PayoutService, type PayoutChain, type PayoutHooks } from './chain/payout.service.js';
import { assertCalendar } from './core/epoch-calendar.js';
import { RewardsError } from './core/errors.js';
import { assertRewardParams } from './core/params.js';
import { Database } from './db/database.js';
import { EpochsRepository } from './db/epochs.repository.js';
import { InputsRepository } from './db/inputs.repository.js';
import { PayoutsRepository } from './db/payouts.repository.js';
import { PgEpochScoreSource, type EpochScoreSource } from './db/score-source.js';
import { EpochCloser } from './epochs/epoch-closer.service.js';
import { EpochsQueryService } from './http/epochs-query.service.js';
import type { RewardsConfig } from './rewards.config.js';
import { RewardsMetrics } from './rewards.metrics.js';
import { RewardsModule } from './rewards.module.js';
import { RewardsRunner } from './rewards.runner.js';
import { PgEpochData } from './verify/epoch-data.js';
import { verifyEpoch, type VerifyReport } from './verify/verify-epoch.js';
import type { EpochScore } from './core/types.js';

/** What an embedding process (or a test) may provide; anything left out is built from the config. */
export interface RewardsAppDeps {
  /** shared pool (the caller ends it); default a new pool on `config.databaseUrl`, ended by `close()` */
  readonly pool?: pg.Pool;
  readonly logger?: Logger;
  readonly metricsRegistry?: Registry;
  /** the chain: a LiteSvmGateway in embedded mode; default an RpcGateway on SOLANA_RPC_URL */
  readonly gateway?: SolanaGateway;
  /** a complete payout chain (gateway, mint, authority, payer); default built from the config's key files */
  readonly chain?: PayoutChain;
  /** default the scoring service's device_epoch_scores table */
  readonly scores?: EpochScoreSource;
  /** scores recomputed by the scoring service, for `verify` */
  readonly recomputeScores?: (epoch: number) => Promise<readonly EpochScore[]>;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly hooks?: PayoutHooks;
  /**
   * Called before payouts are recorded as confirmed: make the chain durable here. Embedded mode:
   * `() => saveLiteSvmSnapshot(litesvm, dir)`. Not needed against an RPC node (the cluster is durable).
   */
  readonly checkpoint?: () => Promise<void>;
}

export interface RewardsApp {
  /** the HTTP app, initialised, not listening: `await app.http.listen(port, host)` */
  readonly http: INestApplication;
  readonly runner: RewardsRunner;
  readonly closer: EpochCloser;
  readonly payouts: PayoutService;
  readonly metrics: RewardsMetrics;
  readonly chain: PayoutChain;
  readonly walletsPerTransaction: number;
  /** list/show closed epochs (what `GET /epochs` serves) */
  readonly query: EpochsQueryService;
  verify(epoch: number): Promise<VerifyReport>;
  /** starts the close-and-pay loop every `config.runIntervalMs` */
  start(): void;
  /** stops the loop, the HTTP app, and the pool if it made it */
  close(): Promise<void>;
}

/**
 * Builds the rewards service: epoch engine, exactly-once payouts, the epochs API (`/epochs/:n`, `/manifest`,
 * `/proof/:device`, `/payouts`), `/metrics` and `verify`. Checks the mint authority on chain before returning.
 *
 * @example
 * const rewards = await createRewardsApp(parseConfig(rewardsConfigSchema, process.env));
 * rewards.start();
 * await rewards.http.listen(config.port, config.host);
 */
export async function createRewardsApp(config: RewardsConfig, deps: RewardsAppDeps = {}): Promise<RewardsApp> {
  assertRewardParams(config.params);
  assertCalendar(config.calendar);
  const logger = deps.logger ?? createLogger({ level: config.logLevel, base: { service: 'rewards' } });
  const pool =
    deps.pool ??
    new pg.Pool({
      connectionString: config.databaseUrl,
      max: 5,
      application_name: 'rewards',
      connectionTimeoutMillis: 10_000,
    });
  if (!deps.pool) {
    pool.on('error', (error) => logger.warn('pg_pool_error', { error }));
  }
  const db = new Database(pool, deps.pool === undefined);
  try {
    const metrics = new RewardsMetrics(deps.metricsRegistry ?? createMetricsRegistry({ service: 'rewards' }));
    const chain = deps.chain ?? (await payoutChainFromConfig(config.chain, deps.gateway));
    const fits = await maxWalletsPerTransaction({ payer: chain.payer, mint: chain.mint, authority: chain.authority });
    if (config.walletsPerTransaction !== undefined && config.walletsPerTransaction > fits) {
      throw new RewardsError(
        'BAD_PARAMS',
        `REWARDS_WALLETS_PER_TX=${config.walletsPerTransaction}, but at most ${fits} wallets fit in a transaction with this authority`,
      );
    }
    const walletsPerTransaction = config.walletsPerTransaction ?? fits;
    const now = deps.now ?? Date.now;
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const epochs = new EpochsRepository();
    const inputs = new InputsRepository();
    const payoutsRepo = new PayoutsRepository();
    metrics.readPayoutStatesFrom(() => payoutsRepo.stateCounts(db));
    const closer = new EpochCloser({
      db,
      epochs,
      inputs,
      payouts: payoutsRepo,
      scores: deps.scores ?? new PgEpochScoreSource(db),
      calendar: config.calendar,
      params: config.params,
      walletsPerTransaction,
      ...(config.scoresMaxWaitMs === undefined ? {} : { scoresMaxWaitMs: config.scoresMaxWaitMs }),
      metrics,
      logger,
      now,
    });
    const payouts = new PayoutService({
      db,
      epochs,
      payouts: payoutsRepo,
      chain,
      metrics,
      logger,
      now,
      sleep,
      options: {
        commitment: config.chain.commitment,
        pollMs: config.pollMs,
        retryBaseMs: config.retryBaseMs,
        retryMaxMs: config.retryMaxMs,
        window: 16,
      },
      ...(deps.hooks ? { hooks: deps.hooks } : {}),
      ...(deps.checkpoint ? { checkpoint: deps.checkpoint } : {}),
    });
    const runner = new RewardsRunner({
      db,
      epochs,
      closer,
      payouts,
      calendar: config.calendar,
      payBudgetMs: config.payBudgetMs,
      logger,
      now,
      ...(config.firstEpoch === undefined ? {} : { firstEpoch: config.firstEpoch }),
    });
    const query = new EpochsQueryService(db, epochs, payoutsRepo);
    const http = await NestFactory.create<NestExpressApplication>(RewardsModule.forRoot({ query, metrics, logger }), {
      logger: false,
      abortOnError: false,
    });
    await http.init();
    const data = new PgEpochData(db, { epochs, inputs, payouts: payoutsRepo });
    return {
      http,
      runner,
      closer,
      payouts,
      metrics,
      chain,
      walletsPerTransaction,
      query,
      verify: (epoch) =>
        verifyEpoch(epoch, {
          data,
          gateway: chain.gateway,
          mint: chain.mint,
          ...(deps.recomputeScores ? { recomputeScores: deps.recomputeScores } : {}),
        }),
      start: () => runner.start(config.runIntervalMs),
      close: async () => {
        await runner.stop();
        await http.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
