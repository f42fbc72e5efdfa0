import { createLogger, parseConfig } from '@groundtruth/service-kit';
import { createMarketApp } from './market.app.js';
import { marketConfigSchema } from './market.config.js';

/** Runs the market as its own process: `node services/market/dist/main.js` (DATABASE_URL, SOLANA_RPC_URL). */
async function main(): Promise<void> {
  const config = parseConfig(marketConfigSchema, process.env);
  const logger = createLogger({ level: config.logLevel, base: { service: 'market' } });
  const app = await createMarketApp(config, { logger });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  logger.info('market_listening', { host: config.host, port: config.port });
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'error', event: 'market_start_failed', message: (error as Error).message }));
  process.exitCode = 1;
});
