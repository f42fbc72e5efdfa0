import { createLogger, parseConfig } from '@groundtruth/service-kit';
import { createRewardsApp } from './rewards.app.js';
import { rewardsConfigSchema } from './rewards.config.js';

/** Runs the rewards service as its own process: `node services/rewards/dist/main.js` (DATABASE_URL, SOLANA_RPC_URL, keys). */
async function main(): Promise<void> {
  const config = parseConfig(rewardsConfigSchema, process.env);
  const logger = createLogger({ level: config.logLevel, base: { service: 'rewards' } });
  const rewards = await createRewardsApp(config, { logger });
  const stop = (): void => {
    void rewards.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  rewards.start();
  await rewards.http.listen(config.port, config.host);
  logger.info('rewards_listening', {
    host: config.host,
    port: config.port,
    mint: rewards.chain.mint,
    gateway: rewards.chain.gateway.kind,
    wallets_per_tx: rewards.walletsPerTransaction,
  });
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'error', event: 'rewards_start_failed', message: (error as Error).message }));
  process.exitCode = 1;
});
