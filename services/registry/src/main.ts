import { createLogger, parseConfig } from '@groundtruth/service-kit';
import { createRegistryApp } from './registry.app.js';
import { registryConfigSchema } from './registry.config.js';

/** Runs the registry as its own process: `node services/registry/dist/main.js` (DATABASE_URL required). */
async function main(): Promise<void> {
  const config = parseConfig(registryConfigSchema, process.env);
  const logger = createLogger({ level: config.logLevel, base: { service: 'registry' } });
  const app = await createRegistryApp(config, { logger });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  logger.info('registry_listening', { host: config.host, port: config.port, operators: config.operatorTokens.length });
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'error', event: 'registry_start_failed', message: (error as Error).message }));
  process.exitCode = 1;
});
