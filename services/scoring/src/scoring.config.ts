import { env, operatorTokensEnv } from '@groundtruth/service-kit';
import { z } from 'zod';
import { isAlgorithmVersion } from './core/version.js';

/**
 * The scoring service's environment, parsed once at start-up with `parseConfig(scoringConfigSchema, process.env)`.
 * The epoch calendar (SCORING_GENESIS, SCORING_EPOCH_SECONDS, SCORING_GRACE_SECONDS) must equal the rewards
 * service's (REWARDS_GENESIS, REWARDS_EPOCH_SECONDS, REWARDS_GRACE_SECONDS), and the defaults are the same: UTC
 * days from 2025-01-01, one hour's grace. Defaults otherwise suit TimescaleDB; the embedded mode (PGlite over
 * pglite-socket) sets SCORING_COPY=false.
 */
export const scoringConfigSchema = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// connection URL'),
    SCORING_HOST: env.string('0.0.0.0'),
    SCORING_PORT: env.port(8082),
    SCORING_GENESIS: z.iso.datetime({ offset: true }).default('2025-01-01T00:00:00Z'),
    SCORING_EPOCH_SECONDS: env.int(86_400, 1),
    SCORING_GRACE_SECONDS: env.int(3_600, 0),
    /** first epoch to score on a fresh database (default: the newest closable ones, see SCORING_BACKFILL_EPOCHS) */
    SCORING_FIRST_EPOCH: z.coerce.number().int().min(0).optional(),
    /** fresh database: how many of the newest closable epochs to score (none closable before it was set up, but one) */
    SCORING_BACKFILL_EPOCHS: env.int(7, 1),
    /** most epochs one runner pass scores before the next pass (started at once) goes on */
    SCORING_MAX_EPOCHS_PER_PASS: env.int(50, 1),
    /** longest time between runner passes; a pass also starts just after each epoch's grace period */
    SCORING_RUN_INTERVAL_SECONDS: env.int(60, 1),
    /** algorithm version of scheduled runs (default the newest this build has); newer ones serve rescores/appeals */
    SCORING_VERSION: z.string().refine(isAlgorithmVersion, 'must look like qod-<major>.<minor>.<patch>').optional(),
    /** an hour is rolled up this long after its end (late readings) */
    SCORING_HOUR_CLOSE_DELAY_SECONDS: env.int(600, 0),
    /** with no rollups yet, how far back the hourly job starts */
    SCORING_BACKFILL_HOURS: env.int(48, 0),
    /** hours rolled up per step of the hourly job */
    SCORING_CHUNK_HOURS: env.int(6, 1),
    /** devices written per transaction */
    SCORING_WRITE_CHUNK_DEVICES: env.int(2000, 1),
    /** read readings with binary COPY and write rollups with COPY FROM STDIN (false on PGlite over pglite-socket) */
    SCORING_COPY: env.bool(true),
    /** connections of the pool: one holds the runner lock during a pass, copy reads use two, writes one, the API the rest */
    SCORING_DB_CONNECTIONS: env.int(6, 2),
    /** `name=token,...` bearer tokens for POST /epochs/:epoch/rescore; empty = nobody may rescore */
    SCORING_OPERATOR_TOKENS: operatorTokensEnv(),
    /** longest validity an owner may give a signed appeal */
    SCORING_APPEAL_MAX_VALIDITY_SECONDS: env.int(900, 1),
    /** a rescore/appeal request waits this long for its run before answering 202 (it goes on) */
    SCORING_RESCORE_WAIT_SECONDS: env.int(30, 0),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .transform((e) => ({
    databaseUrl: e.DATABASE_URL,
    host: e.SCORING_HOST,
    port: e.SCORING_PORT,
    calendar: {
      genesisMs: Date.parse(e.SCORING_GENESIS),
      durationMs: e.SCORING_EPOCH_SECONDS * 1000,
      graceMs: e.SCORING_GRACE_SECONDS * 1000,
    },
    firstEpoch: e.SCORING_FIRST_EPOCH,
    backfillEpochs: e.SCORING_BACKFILL_EPOCHS,
    maxEpochsPerPass: e.SCORING_MAX_EPOCHS_PER_PASS,
    runIntervalMs: e.SCORING_RUN_INTERVAL_SECONDS * 1000,
    version: e.SCORING_VERSION,
    job: {
      closeDelayMs: e.SCORING_HOUR_CLOSE_DELAY_SECONDS * 1000,
      backfillHours: e.SCORING_BACKFILL_HOURS,
      chunkHours: e.SCORING_CHUNK_HOURS,
      writeChunkDevices: e.SCORING_WRITE_CHUNK_DEVICES,
    },
    copy: e.SCORING_COPY,
    dbConnections: e.SCORING_DB_CONNECTIONS,
    operatorTokens: e.SCORING_OPERATOR_TOKENS,
    appealMaxValidityMs: e.SCORING_APPEAL_MAX_VALIDITY_SECONDS * 1000,
    rescoreWaitMs: e.SCORING_RESCORE_WAIT_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
  }));

export type ScoringConfig = z.infer<typeof scoringConfigSchema>;
