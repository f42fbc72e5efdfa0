import { NodeCryptoVerifier, READINGS_TOPIC_FILTER, sharedReadingsSubscription } from '@groundtruth/protocol';
import { createLogger, createMetricsRegistry, type Logger } from '@groundtruth/service-kit';
import pg from 'pg';
import type { Registry } from 'prom-client';
import { DeviceRegistry } from './device.registry.js';
import type { IngestConfig } from './ingest.config.js';
import { IngestMetrics } from './ingest.metrics.js';
import { IngestService } from './ingest.service.js';
import type { AsyncVerifier } from './envelope.opener.js';
import { InlineOpener, WorkerOpener, type EnvelopeOpener } from './envelope.pool.js';
import type { ConsumerOptions, MessageBatch } from './mqtt-batch.consumer.js';
import { DeviceRateLimiter } from './rate.limiter.js';
import { ReadingsRepository, type WriteOutcome } from './readings.repository.js';

export interface IngestCoreOptions {
  readonly logger?: Logger;
  /** the process's Prometheus registry; a new one (with process metrics) by default */
  readonly metricsRegistry?: Registry;
  /** signature verifier of inline opening (`decodeWorkers: 0`); NodeCryptoVerifier by default */
  readonly verifier?: AsyncVerifier;
  /**
   * `execArgv` of the envelope worker threads (default: this process's). Running from TypeScript sources
   * needs a loader there; the tests pass one.
   */
  readonly workerExecArgv?: string[];
  /** called after each commit, before the PUBACKs are sent */
  readonly onCommit?: (outcome: WriteOutcome, batch: MessageBatch) => void;
}

/** The ingest's parts behind the transport: what both the Nest microservice and the plain runner use. */
export interface IngestCore {
  readonly config: IngestConfig;
  readonly service: IngestService;
  readonly registry: DeviceRegistry;
  readonly limiter: DeviceRateLimiter;
  readonly metrics: IngestMetrics;
  readonly metricsRegistry: Registry;
  readonly logger: Logger;
  close(): Promise<void>;
}

/** Connects the registry cache (LISTEN unless configured off) and the writer, and builds the service. */
export async function createIngestCore(config: IngestConfig, options: IngestCoreOptions = {}): Promise<IngestCore> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, base: { service: 'ingest' } });
  const metricsRegistry = options.metricsRegistry ?? createMetricsRegistry({ service: 'ingest' });
  const metrics = new IngestMetrics(metricsRegistry);
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: 2,
    application_name: 'gt-ingest',
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  pool.on('error', (error) => logger.warn('ingest_pool_error', { error }));
  const registry = new DeviceRegistry(
    pool,
    config.databaseUrl,
    logger,
    config.registryNotify
      ? {}
      : { listen: false, maxAgeMs: config.registryPollMs, unknownTtlMs: config.registryPollMs },
  );
  const writer = new ReadingsRepository(
    config.databaseUrl,
    {
      lateWindowMs: config.lateWindowMs,
      replayAfterMs: config.replayAfterMs,
      copy: config.copy,
      connections: config.writerConnections,
    },
    logger,
  );
  const rules = {
    maxFutureMs: config.maxFutureMs,
    maxAgeMs: config.maxAgeMs,
    clockAheadFlagMs: config.clockAheadFlagMs,
    delayedFlagMs: config.delayedFlagMs,
  };
  let opener: EnvelopeOpener | undefined;
  try {
    await registry.start();
    // Fail at start-up, not on the first batch, when the database is unreachable or its tables do not fit.
    await writer.check();
    opener =
      config.decodeWorkers > 0
        ? await WorkerOpener.start(config.decodeWorkers, rules, logger, options.workerExecArgv)
        : new InlineOpener(rules, options.verifier ?? new NodeCryptoVerifier());
  } catch (error) {
    await registry.stop();
    await writer.close();
    await pool.end();
    throw error;
  }
  const limiter = new DeviceRateLimiter({ ratePerS: config.ratePerS, burst: config.rateBurst });
  const service = new IngestService({
    registry,
    writer,
    opener,
    limiter,
    rules: config,
    logger,
    metrics,
    ...(options.onCommit ? { onCommit: options.onCommit } : {}),
  });
  return {
    config,
    service,
    registry,
    limiter,
    metrics,
    metricsRegistry,
    logger,
    async close() {
      await registry.stop();
      await writer.close();
      await opener.close();
      await pool.end();
    },
  };
}

/** The MQTT consumer settings of a config. */
export function consumerOptions(config: IngestConfig): ConsumerOptions {
  return {
    url: config.mqttUrl,
    clientId: config.clientId,
    subscription: config.shareGroup === '' ? READINGS_TOPIC_FILTER : sharedReadingsSubscription(config.shareGroup),
    protocolVersion: config.mqttProtocol,
    sessionExpiryS: config.sessionExpiryS,
    maxMessages: config.batchMaxMessages,
    maxBytes: config.batchMaxBytes,
    maxAgeMs: config.batchMaxAgeMs,
    maxInFlight: config.maxBatchesInFlight,
  };
}
