import 'reflect-metadata';
import { parseConfig } from '@groundtruth/service-kit';
import { ingestConfigSchema } from './ingest.config.js';
import { createIngestMicroservice } from './ingest.microservice.js';
import { startMetricsServer } from './metrics.server.js';

/**
 * `node services/ingest/dist/main.js`: the ingest microservice, configured from the environment
 * (see ingest.config.ts). SIGTERM/SIGINT stop it cleanly: reading stops, batches in flight commit and are
 * acknowledged, the rest stays in the broker session for the next start.
 */
async function main(): Promise<void> {
  const config = parseConfig(ingestConfigSchema, process.env);
  const { app, transport, core } = await createIngestMicroservice(config);
  await app.listen();
  const health = () => {
    const state = transport.health();
    return { healthy: state?.connected ?? false, transport: state, cachedDevices: core.registry.cachedDevices };
  };
  const metrics =
    config.metricsPort > 0 ? await startMetricsServer(config.metricsPort, core.metricsRegistry, health) : undefined;
  core.logger.info('ingest_started', { clientId: config.clientId, metricsPort: metrics?.port });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    core.logger.info('ingest_stopping', { signal });
    Promise.all([app.close(), metrics?.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        core.logger.error('ingest_stop_failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(
    JSON.stringify({ time: new Date().toISOString(), level: 'error', event: 'ingest_failed', message: String(error) }),
  );
  process.exit(1);
});
