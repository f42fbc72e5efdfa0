import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import {
  fleetStatuses,
  serveBridgeMetrics,
  type BridgeMetricsServer,
  type NetworkFleet,
} from '@groundtruth/firmware-bridge';
import { startJsonRpcServer } from '@groundtruth/programs';
import { createLogger, migrate, type Logger } from '@groundtruth/service-kit';
import { address } from '@solana/kit';
import pg from 'pg';
import type { NetworkConfig } from '../network.config.js';
import {
  launchService,
  SERVICE_NAMES,
  type Env,
  type RunningService,
  type ServiceName,
} from '../services/launchers.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import { openEmbeddedChain, type EmbeddedChain } from './chain.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './database.js';
import { removeEndpointsFile, writeEndpointsFile } from './endpoints-file.js';
import { startDemoFleet } from './fleet.js';
import { StatusReader, type NetworkStatus } from './status.js';

/** Where each part of a running network can be reached. */
export interface NetworkEndpoints {
  readonly mqttUrl: string;
  readonly databaseUrl: string;
  readonly chain: string;
  /** Solana JSON-RPC: the cluster's, or LiteSVM's own endpoint in the embedded mode */
  readonly solanaRpcUrl: string;
  readonly mint: string;
  readonly services: Readonly<Partial<Record<ServiceName, string>>>;
  /** Prometheus `/metrics` of the simulated fleet's bridges (none without simulation) */
  readonly bridgeMetrics?: string;
  readonly dataDir: string;
  readonly logFile: string;
}

export interface StartOptions {
  /** run no simulated fleet (real bridges publish to the broker) */
  readonly simulate?: boolean;
  /** called with a progress line while the network starts */
  readonly onProgress?: (step: string) => void;
}

/** SOL a demo owner wallet gets on the embedded chain: fees for buying datasets with its rewards. */
const OWNER_AIRDROP_LAMPORTS = 10n * 1_000_000_000n;

/** At stop, how long the ingest may take to store what the embedded broker still holds for it. */
const INGEST_DRAIN_MS = 20_000;

/** How often the LiteSVM state is written to the data directory while the network runs. */
const CHAIN_SAVE_MS = 10_000;

/**
 * The whole network in one process: broker, database, chain, every service and a simulated fleet, with state in
 * one data directory. Each part switches to real infrastructure when its URL is configured (`MQTT_URL`,
 * `DATABASE_URL`, `SOLANA_RPC_URL`). `stop()` flushes the fleet's queues, lets the ingest commit what it holds,
 * saves the chain and closes everything, so a restart resumes without loss.
 */
export class EmbeddedNetwork {
  private chainTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly config: NetworkConfig,
    readonly endpoints: NetworkEndpoints,
    private readonly parts: {
      readonly log: WriteStream;
      readonly logger: Logger;
      readonly database: EmbeddedDatabase | undefined;
      readonly broker: EmbeddedBroker | undefined;
      readonly chain: EmbeddedChain;
      readonly rpc: { close(): Promise<void> } | undefined;
      readonly services: RunningService[];
      /** the simulated fleet, unless the network runs without simulation */
      readonly fleet: NetworkFleet | undefined;
      readonly bridgeMetrics: BridgeMetricsServer | undefined;
      readonly statusPool: pg.Pool;
    },
    private readonly statusReader: StatusReader,
  ) {}

  static async start(config: NetworkConfig, options: StartOptions = {}): Promise<EmbeddedNetwork> {
    const progress = options.onProgress ?? (() => undefined);
    const dataDir = path.resolve(config.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const logFile = path.join(dataDir, 'network.log');
    const log = createWriteStream(logFile, { flags: 'a' });
    const write = (line: string) => void log.write(line + '\n');
    const logger = createLogger({ level: config.logLevel, base: { service: 'network' }, write });
    const serviceLogger = (service: string) => createLogger({ level: config.logLevel, base: { service }, write });
    const opened: { close(): Promise<void> }[] = [];
    const closeOpened = async () => {
      for (const part of opened.reverse()) {
        await part.close().catch((error: unknown) => logger.error('network_stop_failed', { error }));
      }
      await new Promise<void>((resolve) => log.end(resolve));
    };
    try {
      progress(config.databaseUrl === undefined ? 'starting PGlite' : 'connecting to PostgreSQL');
      const database =
        config.databaseUrl === undefined ? await startEmbeddedDatabase(dataDir, { host: config.host }) : undefined;
      if (database) {
        opened.push(database);
      }
      const databaseUrl = database?.url ?? config.databaseUrl!;
      progress('migrating the database');
      await migrate(databaseUrl, { log: (message) => logger.info('db_migrate', { message: message.trim() }) });

      progress(config.mqttUrl === undefined ? 'starting the MQTT broker' : 'using the MQTT broker');
      const broker = config.mqttUrl === undefined ? await startEmbeddedBroker({ host: config.host }) : undefined;
      if (broker) {
        opened.push(broker);
      }
      const mqttUrl = broker?.url ?? config.mqttUrl!;

      progress(config.solanaRpcUrl === undefined ? 'opening LiteSVM' : 'connecting to the Solana RPC');
      const chain = await openEmbeddedChain(dataDir, config.solanaRpcUrl, config.solanaKeypairPath);
      opened.push({ close: () => chain.save() });
      if (chain.created) {
        logger.info('reward_mint_created', { mint: chain.deployment.mint });
      }
      // LiteSVM behind a Solana JSON-RPC endpoint: wallets, the CLI and `epoch verify` talk to it as to a cluster.
      const rpc = chain.litesvm
        ? await startJsonRpcServer(chain.litesvm, { host: config.host, port: config.ports.solana })
        : undefined;
      if (rpc) {
        opened.push(rpc);
      }
      const solanaRpcUrl = rpc?.url ?? config.solanaRpcUrl!;

      const envs = serviceEnvs(config, {
        dataDir,
        databaseUrl,
        mqttUrl,
        embeddedBroker: broker !== undefined,
        embeddedDatabase: database !== undefined,
        chain,
      });
      const services: RunningService[] = [];
      for (const name of SERVICE_NAMES) {
        progress(`starting ${name}`);
        const service = await launchService(name, envs[name], {
          logger: serviceLogger,
          ...(chain.litesvm ? { gateway: chain.litesvm, checkpointChain: () => chain.save() } : {}),
        });
        services.push(service);
        opened.push(service);
      }
      const urls = Object.fromEntries(services.map((s) => [s.name, s.url])) as Partial<Record<ServiceName, string>>;

      let fleet: NetworkFleet | undefined;
      let bridgeMetrics: BridgeMetricsServer | undefined;
      if ((options.simulate ?? true) && config.fleet.perKind > 0) {
        progress(`registering and starting ${config.fleet.perKind * 3} simulated devices`);
        fleet = await startDemoFleet({
          dataDir,
          perKind: config.fleet.perKind,
          faulty: config.fleet.faulty,
          seed: config.fleet.seed,
          readingsPerMinute: config.fleet.readingsPerMinute,
          mqtt: { url: mqttUrl, protocolVersion: broker ? 4 : 5 },
          registryUrl: urls.registry!,
          ...(chain.litesvm
            ? { fundOwner: async (wallet: string) => chain.litesvm!.airdrop(address(wallet), OWNER_AIRDROP_LAMPORTS) }
            : {}),
          logger: serviceLogger('fleet'),
        });
        // Stopped first on the way down: its queues flush while the ingest still runs.
        const started = fleet;
        opened.push({ close: () => started.stop() });
        bridgeMetrics = await serveBridgeMetrics({ host: config.host, port: config.ports.bridgeMetrics }, () =>
          fleetStatuses(started.devices),
        );
        opened.push(bridgeMetrics);
      }
      const statusPool = new pg.Pool({ connectionString: databaseUrl, max: 1, application_name: 'network-status' });
      statusPool.on('error', (error) => logger.warn('status_pool_error', { error }));
      const network = new EmbeddedNetwork(
        config,
        {
          mqttUrl,
          databaseUrl,
          solanaRpcUrl,
          chain: config.solanaRpcUrl === undefined ? `LiteSVM, state in ${chain.files.dir}` : 'Solana RPC',
          mint: chain.deployment.mint,
          services: urls,
          ...(bridgeMetrics ? { bridgeMetrics: bridgeMetrics.url } : {}),
          dataDir,
          logFile,
        },
        { log, logger, database, broker, chain, rpc, services, fleet, bridgeMetrics, statusPool },
        new StatusReader(statusPool),
      );
      network.chainTimer = setInterval(() => {
        chain.save().catch((error: unknown) => logger.error('chain_save_failed', { error }));
      }, CHAIN_SAVE_MS);
      network.chainTimer.unref();
      writeEndpointsFile(network.endpoints, process.pid);
      logger.info('network_started', { ...network.endpoints });
      return network;
    } catch (error) {
      logger.error('network_start_failed', { error });
      await closeOpened();
      throw error;
    }
  }

  get fleet(): NetworkFleet | undefined {
    return this.parts.fleet;
  }

  status(): Promise<NetworkStatus> {
    return this.statusReader.read();
  }

  /** Stops in the order that loses nothing: fleet (flush queues) → services (ingest commits) → chain → infra. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /**
   * Resolves once every reading the broker acknowledged to a simulated device is stored (or quarantined), i.e. the
   * ingest holds nothing more of the fleet's; logs the devices still behind after `timeoutMs`.
   */
  private async waitForIngest(timeoutMs: number): Promise<void> {
    const acked = new Map<string, number>();
    for (const device of this.parts.fleet?.devices ?? []) {
      acked.set(device.device, device.bridge.status().queue.doneThrough);
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await this.parts.statusPool.query<{ device_id: string; seen: string }>(
        `SELECT d AS device_id,
                greatest(coalesce((SELECT high_seq FROM device_state s WHERE s.device_id = d), -1),
                         coalesce((SELECT max(seq) FROM quarantine q WHERE q.device_id = d), -1))::text AS seen
           FROM unnest($1::text[]) AS d`,
        [[...acked.keys()]],
      );
      const behind = rows.filter((row) => Number(row.seen) < acked.get(row.device_id)!);
      if (behind.length === 0) {
        return;
      }
      if (Date.now() > deadline) {
        this.parts.logger.warn('ingest_drain_incomplete', {
          devices: behind.map((row) => ({
            device: row.device_id,
            stored: Number(row.seen),
            acked: acked.get(row.device_id),
          })),
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private async shutdown(): Promise<void> {
    const { logger, fleet, bridgeMetrics, services, chain, rpc, broker, database, statusPool, log } = this.parts;
    clearInterval(this.chainTimer);
    removeEndpointsFile(this.endpoints.dataDir);
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        logger.error('network_stop_failed', { part: what, error });
      }
    };
    await step('bridge-metrics', async () => bridgeMetrics?.close());
    await step('fleet', async () => fleet?.stop());
    if (broker) {
      // Aedes acknowledged what the fleet published but keeps undelivered messages only in memory: let the ingest
      // commit all of it before the broker goes.
      await step('ingest-drain', () => this.waitForIngest(INGEST_DRAIN_MS));
    }
    await step('status', () => statusPool.end());
    for (const service of [...services].reverse()) {
      await step(service.name, () => service.close());
    }
    await step('chain', () => chain.save());
    if (rpc) {
      await step('solana-rpc', () => rpc.close());
    }
    if (broker) {
      await step('broker', () => broker.close());
    }
    if (database) {
      await step('database', () => database.close());
    }
    logger.info('network_stopped', {});
    await new Promise<void>((resolve) => log.end(resolve));
  }
}

interface EnvInputs {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly mqttUrl: string;
  readonly embeddedBroker: boolean;
  readonly embeddedDatabase: boolean;
  readonly chain: EmbeddedChain;
}

/** The environment each service would get as its own process: the embedded mode is that, composed. */
export function serviceEnvs(config: NetworkConfig, inputs: EnvInputs): Record<ServiceName, Env> {
  const { dataDir, databaseUrl, mqttUrl, chain } = inputs;
  const common = {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: config.logLevel,
    ...(config.solanaRpcUrl === undefined ? {} : { SOLANA_RPC_URL: config.solanaRpcUrl }),
  };
  return {
    registry: {
      ...common,
      REGISTRY_HOST: config.host,
      REGISTRY_PORT: String(config.ports.registry),
      REGISTRY_OPERATOR_TOKENS: `operator=${config.operatorToken}`,
    },
    ingest: {
      ...common,
      MQTT_URL: mqttUrl,
      INGEST_CLIENT_ID: 'gt-ingest-embedded',
      INGEST_METRICS_PORT: String(config.ports.metrics),
      ...(inputs.embeddedBroker ? { INGEST_MQTT_PROTOCOL: '4', INGEST_SHARE_GROUP: '' } : {}),
      ...(inputs.embeddedDatabase
        ? { INGEST_COPY: 'false', INGEST_REGISTRY_NOTIFY: 'false', INGEST_DECODE_WORKERS: '0' }
        : {}),
    },
    scoring: {
      ...common,
      SCORING_HOST: config.host,
      SCORING_PORT: String(config.ports.scoring),
      SCORING_EPOCH_SECONDS: String(config.epoch.seconds),
      SCORING_GRACE_SECONDS: String(config.epoch.graceSeconds),
      SCORING_OPERATOR_TOKENS: `operator=${config.operatorToken}`,
      ...(inputs.embeddedDatabase ? { SCORING_COPY: 'false', SCORING_DB_CONNECTIONS: '3' } : {}),
    },
    rewards: {
      ...common,
      REWARDS_HOST: config.host,
      REWARDS_PORT: String(config.ports.rewards),
      REWARDS_EPOCH_SECONDS: String(config.epoch.seconds),
      REWARDS_GRACE_SECONDS: String(config.epoch.graceSeconds),
      REWARDS_RUN_INTERVAL_SECONDS: '5',
      REWARDS_DEPLOYMENT_FILE: chain.files.deployment,
      REWARDS_MINT_AUTHORITY_KEYPAIR: chain.files.mintAuthority,
      REWARDS_PAYER_KEYPAIR: chain.files.payer,
    },
    market: {
      ...common,
      MARKET_HOST: config.host,
      MARKET_PORT: String(config.ports.market),
      MARKET_NETWORK_KEY_PATH: path.join(dataDir, 'market', 'network-key.json'),
      MARKET_CREATE_NETWORK_KEY: 'true',
      MARKET_EXPORT_DIR: path.join(dataDir, 'market', 'exports'),
      SOLANA_DEPLOYMENT_PATH: chain.files.deployment,
      ...(inputs.embeddedDatabase ? { MARKET_EXPORT_COPY: 'false' } : {}),
    },
  };
}
