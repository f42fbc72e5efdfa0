import { availableParallelism, hostname } from 'node:os';
import { env } from '@groundtruth/service-kit';
import { z } from 'zod';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The ingest's environment, parsed once at start-up with `parseConfig(ingestConfigSchema, process.env)`.
 * The embedded runner and the bench build the same object with {@link ingestConfig}.
 */
export const ingestConfigSchema = z
  .object({
    MQTT_URL: z
      .string()
      .regex(/^(mqtts?|wss?|tcp):\/\/\S+$/, 'must be an mqtt:// URL')
      .default('mqtt://127.0.0.1:1883'),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// connection URL'),
    /** MQTT client id: stable per instance, it names the persistent session that survives a crash */
    INGEST_CLIENT_ID: env.string(`gt-ingest-${hostname()}`),
    /** shared-subscription group: instances of one group split the readings between them; '' = no $share */
    INGEST_SHARE_GROUP: z.string().default('ingest'),
    /** 5 (default) or 4 = MQTT 3.1.1, for brokers without MQTT 5 (the embedded Aedes) */
    INGEST_MQTT_PROTOCOL: z.enum(['4', '5']).default('5').transform(Number),
    INGEST_SESSION_EXPIRY_S: env.int(7 * 24 * 3600, 1),
    INGEST_BATCH_MAX_MESSAGES: env.int(1000, 1),
    INGEST_BATCH_MAX_BYTES: env.int(1024 * 1024, 1024),
    INGEST_BATCH_MAX_AGE_MS: env.int(25, 1),
    /** batches being verified or written at once; more waiting stops reading from the socket */
    INGEST_MAX_BATCHES_IN_FLIGHT: env.int(3, 1),
    /** worker threads that decode and verify envelopes (0: on the event loop, signatures on libuv's pool) */
    INGEST_DECODE_WORKERS: env.int(Math.min(4, availableParallelism()), 0),
    /**
     * write transactions open at once: with 2 (default) the next batch's transaction begins and queues for
     * the devices' row locks while the current one copies and commits; 1 writes strictly one after another
     */
    INGEST_WRITER_CONNECTIONS: env.int(2, 1),
    /** COPY into the staging tables (false: one INSERT from JSON, for servers without COPY FROM STDIN) */
    INGEST_COPY: env.bool(true),
    /** LISTEN for registry changes (false: re-read each device at most every INGEST_REGISTRY_POLL_MS) */
    INGEST_REGISTRY_NOTIFY: env.bool(true),
    INGEST_REGISTRY_POLL_MS: env.int(2000, 1),
    INGEST_MAX_FUTURE_MS: env.int(5 * MINUTE, 0),
    INGEST_MAX_AGE_MS: env.int(7 * DAY, 1),
    INGEST_CLOCK_AHEAD_FLAG_MS: env.int(30_000, 0),
    INGEST_DELAYED_FLAG_MS: env.int(10 * MINUTE, 0),
    /** how long a detected seq gap stays open for late (reordered) readings */
    INGEST_LATE_WINDOW_MS: env.int(10 * MINUTE, 0),
    /**
     * a verbatim copy of a stored reading arriving more than this after it is refused as a replay
     * (NON_INCREASING_SEQ); sooner, it is a redelivery, acknowledged and not stored again
     */
    INGEST_REPLAY_AFTER_MS: env.int(10 * MINUTE, 0),
    INGEST_RATE_PER_S: env.number(10),
    INGEST_RATE_BURST: env.int(10_000, 1),
    INGEST_QUARANTINE_PAYLOAD_BYTES: env.int(4096, 0),
    /** HTTP port of /metrics and /health; 0 = none */
    INGEST_METRICS_PORT: env.port(9464),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .transform((e) => ({
    mqttUrl: e.MQTT_URL,
    databaseUrl: e.DATABASE_URL,
    clientId: e.INGEST_CLIENT_ID,
    shareGroup: e.INGEST_SHARE_GROUP,
    mqttProtocol: e.INGEST_MQTT_PROTOCOL as 4 | 5,
    sessionExpiryS: e.INGEST_SESSION_EXPIRY_S,
    batchMaxMessages: e.INGEST_BATCH_MAX_MESSAGES,
    batchMaxBytes: e.INGEST_BATCH_MAX_BYTES,
    batchMaxAgeMs: e.INGEST_BATCH_MAX_AGE_MS,
    maxBatchesInFlight: e.INGEST_MAX_BATCHES_IN_FLIGHT,
    decodeWorkers: e.INGEST_DECODE_WORKERS,
    writerConnections: e.INGEST_WRITER_CONNECTIONS,
    copy: e.INGEST_COPY,
    registryNotify: e.INGEST_REGISTRY_NOTIFY,
    registryPollMs: e.INGEST_REGISTRY_POLL_MS,
    maxFutureMs: e.INGEST_MAX_FUTURE_MS,
    maxAgeMs: e.INGEST_MAX_AGE_MS,
    clockAheadFlagMs: e.INGEST_CLOCK_AHEAD_FLAG_MS,
    delayedFlagMs: e.INGEST_DELAYED_FLAG_MS,
    lateWindowMs: e.INGEST_LATE_WINDOW_MS,
    replayAfterMs: e.INGEST_REPLAY_AFTER_MS,
    ratePerS: e.INGEST_RATE_PER_S,
    rateBurst: e.INGEST_RATE_BURST,
    quarantinePayloadBytes: e.INGEST_QUARANTINE_PAYLOAD_BYTES,
    metricsPort: e.INGEST_METRICS_PORT,
    logLevel: e.LOG_LEVEL,
  }));

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

/** The config with every default, for in-process use: `ingestConfig({ mqttUrl, databaseUrl, clientId })`. */
export function ingestConfig(values: Partial<IngestConfig> & Pick<IngestConfig, 'databaseUrl'>): IngestConfig {
  const defaults = ingestConfigSchema.parse({ DATABASE_URL: values.databaseUrl });
  return { ...defaults, ...values };
}

/**
 * The ingest for the embedded network, in-process: an Aedes broker (MQTT 3.1.1, no shared subscriptions) and
 * PGlite served over its socket (no `COPY FROM STDIN`, NOTIFY never delivered, one backend behind every
 * connection). Chosen by the caller, never guessed: MQTT 3.1.1 with a plain subscription, rows inserted from
 * JSON instead of COPY on one writer connection, the registry polled every `registryPollMs` instead of
 * LISTENed to, envelopes opened on the event loop (no worker threads).
 *
 * @example
 * const ingest = await IngestRunner.start(embeddedIngestConfig({ databaseUrl: db.url, mqttUrl: broker.url }));
 */
export function embeddedIngestConfig(
  values: Partial<IngestConfig> & Pick<IngestConfig, 'databaseUrl' | 'mqttUrl'>,
): IngestConfig {
  return ingestConfig({
    mqttProtocol: 4,
    shareGroup: '',
    copy: false,
    registryNotify: false,
    decodeWorkers: 0,
    writerConnections: 1,
    ...values,
  });
}
