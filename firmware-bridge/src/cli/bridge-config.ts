import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BridgeError } from '../core/bridge-error.js';
import { adapterConfigSchema } from './adapter-config.js';

const positiveInt = z.number().int().positive();

/** The MQTT section, shared by `run` and `simulate`. */
export const mqttConfigSchema = z.strictObject({
  url: z.string().regex(/^(mqtts?|wss?):\/\//, 'must start with mqtt://, mqtts://, ws:// or wss://'),
  /** 5 (default) or 4 (MQTT 3.1.1, for brokers without MQTT 5) */
  protocolVersion: z.union([z.literal(4), z.literal(5)]).optional(),
  clientId: z.string().min(1).max(128).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  tls: z
    .strictObject({
      ca: z.string().optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
      rejectUnauthorized: z.boolean().optional(),
    })
    .optional(),
  keepaliveS: z.number().int().min(0).max(65535).optional(),
  sessionExpiryS: z.number().int().min(0).max(0xffffffff).optional(),
  maxInflight: positiveInt.max(65535).optional(),
  backoff: z.strictObject({ initialMs: positiveInt.optional(), maxMs: positiveInt.optional() }).optional(),
});

/** The durable queue section: bound, fsync policy (see README "Durability"). */
export const queueConfigSchema = z.strictObject({
  maxBytes: positiveInt.min(64 * 1024).optional(),
  segmentBytes: positiveInt.min(4096).optional(),
  fsync: z.boolean().optional(),
  commitIntervalMs: z.number().int().min(0).max(60_000).optional(),
  commitMaxRecords: positiveInt.max(100_000).optional(),
  cursorSyncMs: positiveInt.max(600_000).optional(),
});

/** `gt-bridge run --config <file>`: one device. Paths are relative to the config file. */
export const bridgeConfigSchema = z.strictObject({
  keyFile: z.string().min(1),
  dataDir: z.string().min(1),
  adapter: adapterConfigSchema,
  mqtt: mqttConfigSchema.optional(),
  mode: z.enum(['batch', 'single']).default('batch'),
  batch: z
    .strictObject({
      maxReadings: positiveInt.max(1000).optional(),
      maxAgeMs: z.number().int().min(0).max(3_600_000).optional(),
    })
    .optional(),
  queue: queueConfigSchema.optional(),
  signer: z.enum(['tweetnacl', 'node']).default('tweetnacl'),
  statusIntervalMs: positiveInt.optional(),
  /** Prometheus `GET /metrics` of this bridge (off unless set; host defaults to loopback) */
  metrics: z
    .strictObject({
      listen: z.strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535),
      }),
    })
    .optional(),
  drainMs: z.number().int().min(0).default(5000),
  log: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }).optional(),
});

export type BridgeConfig = z.infer<typeof bridgeConfigSchema>;

/** Reads and validates a config file, failing with every problem named by its path (`BAD_CONFIG`). */
export function loadBridgeConfig(file: string): BridgeConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BridgeError('BAD_CONFIG', `cannot read ${file} as JSON: ${(error as Error).message}`, { file });
  }
  const result = bridgeConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new BridgeError('BAD_CONFIG', `${file} is not a valid bridge config:\n  ${issues.join('\n  ')}`, { file });
  }
  const base = path.dirname(path.resolve(file));
  const resolve = (p: string) => path.resolve(base, p);
  const config = result.data;
  return {
    ...config,
    keyFile: resolve(config.keyFile),
    dataDir: resolve(config.dataDir),
    ...(config.mqtt?.tls === undefined
      ? {}
      : {
          mqtt: {
            ...config.mqtt,
            tls: {
              ...config.mqtt.tls,
              ...(config.mqtt.tls.ca === undefined ? {} : { ca: resolve(config.mqtt.tls.ca) }),
              ...(config.mqtt.tls.cert === undefined ? {} : { cert: resolve(config.mqtt.tls.cert) }),
              ...(config.mqtt.tls.key === undefined ? {} : { key: resolve(config.mqtt.tls.key) }),
            },
          },
        }),
  };
}
