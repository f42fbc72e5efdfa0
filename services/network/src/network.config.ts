import { env } from '@groundtruth/service-kit';
import { z } from 'zod';

/**
 * The `groundtruth` process's configuration, parsed once from the environment (and CLI flags, which the CLI
 * turns into the same variables). Defaults give the embedded mode; `MQTT_URL`, `DATABASE_URL` and
 * `SOLANA_RPC_URL` switch each part to real infrastructure.
 */
export const networkConfigSchema = z
  .object({
    GT_DATA_DIR: env.string('.data'),
    MQTT_URL: z
      .string()
      .regex(/^mqtts?:\/\/\S+$/, 'must be an mqtt:// or mqtts:// URL')
      .optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// connection URL')
      .optional(),
    SOLANA_RPC_URL: z.string().url().optional(),
    /** fee payer keypair (Solana CLI JSON file); default `<dataDir>/solana/payer.json`, made (and funded on LiteSVM) on first run */
    SOLANA_KEYPAIR: z.string().optional(),
    GT_HOST: env.string('127.0.0.1'),
    /**
     * first of the consecutive ports: registry, scoring, rewards, market, ingest metrics, Solana JSON-RPC (LiteSVM),
     * the simulated bridges' metrics
     */
    GT_PORT_BASE: env.port(8081),
    /** devices per kind in the simulated fleet; 0 disables simulation */
    GT_FLEET_PER_KIND: env.int(4),
    /** how many of the simulated devices carry an injected fault */
    GT_FAULTY: env.int(3),
    GT_SEED: env.int(42),
    /** demo epoch length; production epochs are UTC days */
    GT_EPOCH_SECONDS: env.int(300, 10),
    /** seconds after an epoch ends before it closes (late data) */
    GT_EPOCH_GRACE_SECONDS: env.int(20),
    /** simulated readings per device per minute */
    GT_READINGS_PER_MINUTE: env.int(6, 1),
    GT_OPERATOR_TOKEN: env.string('embedded-operator'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
  })
  .transform((e) => ({
    dataDir: e.GT_DATA_DIR,
    mqttUrl: e.MQTT_URL,
    databaseUrl: e.DATABASE_URL,
    solanaRpcUrl: e.SOLANA_RPC_URL,
    solanaKeypairPath: e.SOLANA_KEYPAIR,
    host: e.GT_HOST,
    ports: {
      registry: e.GT_PORT_BASE,
      scoring: e.GT_PORT_BASE + 1,
      rewards: e.GT_PORT_BASE + 2,
      market: e.GT_PORT_BASE + 3,
      metrics: e.GT_PORT_BASE + 4,
      solana: e.GT_PORT_BASE + 5,
      bridgeMetrics: e.GT_PORT_BASE + 6,
    },
    fleet: {
      perKind: e.GT_FLEET_PER_KIND,
      faulty: e.GT_FAULTY,
      seed: e.GT_SEED,
      readingsPerMinute: e.GT_READINGS_PER_MINUTE,
    },
    epoch: { seconds: e.GT_EPOCH_SECONDS, graceSeconds: e.GT_EPOCH_GRACE_SECONDS },
    operatorToken: e.GT_OPERATOR_TOKEN,
    logLevel: e.LOG_LEVEL,
  }));

export type NetworkConfig = z.infer<typeof networkConfigSchema>;
