import { createIngestCore, consumerOptions, type IngestCore, type IngestCoreOptions } from './ingest.core.js';
import type { IngestConfig } from './ingest.config.js';
import { startMetricsServer, type MetricsServer } from './metrics.server.js';
import { MqttBatchConsumer, type ConsumerHealth } from './mqtt-batch.consumer.js';

export interface IngestHealth {
  readonly healthy: boolean;
  readonly transport: ConsumerHealth;
  readonly cachedDevices: number;
  readonly rateLimitedDevicesTracked: number;
}

export interface IngestRunnerOptions extends IngestCoreOptions {
  /** serve /metrics and /health on `config.metricsPort` (default true when the port is not 0) */
  readonly serveMetrics?: boolean;
}

/**
 * The ingest without Nest: what the embedded runner (services/network) and the bench start in-process.
 * Same parts and same behaviour as the microservice of main.ts. The database must be migrated already.
 *
 * @example
 * // against Mosquitto + TimescaleDB
 * const ingest = await IngestRunner.start(ingestConfig({ databaseUrl, mqttUrl, clientId: 'ingest-1' }));
 * // against the embedded Aedes + PGlite (MQTT 3.1.1, no $share, no COPY, no NOTIFY, no worker threads)
 * const embedded = await IngestRunner.start(embeddedIngestConfig({ databaseUrl, mqttUrl }), { logger });
 * console.log(ingest.health().transport.acked);
 * await ingest.stop(); // stops reading, lets batches in flight commit (up to 5 s), disconnects, closes the pools
 */
export class IngestRunner {
  private constructor(
    readonly core: IngestCore,
    private readonly consumer: MqttBatchConsumer,
    private readonly metricsServer: MetricsServer | undefined,
  ) {}

  static async start(config: IngestConfig, options: IngestRunnerOptions = {}): Promise<IngestRunner> {
    const core = await createIngestCore(config, options);
    const consumer = new MqttBatchConsumer(
      consumerOptions(config),
      async (batch) => {
        await core.service.process(batch);
      },
      core.logger,
      core.metrics,
    );
    let metricsServer: MetricsServer | undefined;
    try {
      await consumer.start();
      if ((options.serveMetrics ?? true) && config.metricsPort > 0) {
        metricsServer = await startMetricsServer(config.metricsPort, core.metricsRegistry, () => runner.health());
      }
    } catch (error) {
      await consumer.stop(0).catch(() => undefined);
      await core.close();
      throw error;
    }
    const runner = new IngestRunner(core, consumer, metricsServer);
    core.logger.info('ingest_started', { clientId: config.clientId, metricsPort: metricsServer?.port });
    return runner;
  }

  health(): IngestHealth {
    const transport = this.consumer.health();
    return {
      healthy: transport.connected,
      transport,
      cachedDevices: this.core.registry.cachedDevices,
      rateLimitedDevicesTracked: this.core.limiter.trackedDevices,
    };
  }

  get metricsPort(): number | undefined {
    return this.metricsServer?.port;
  }

  /** Stops reading, lets batches in flight commit (up to `graceMs`), disconnects, closes the database. */
  async stop(graceMs = 5000): Promise<void> {
    await this.consumer.stop(graceMs);
    await this.metricsServer?.close();
    await this.core.close();
    this.core.logger.info('ingest_stopped', { ...this.consumer.health() });
  }
}
