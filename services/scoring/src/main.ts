import { createLogger, parseConfig } from '@groundtruth/service-kit';
import { createScoringApp } from './scoring.app.js';
import { scoringConfigSchema } from './scoring.config.js';

/** Runs the scoring service as its own process: `node services/scoring/dist/main.js` (DATABASE_URL required). */
async function main(): Promise<void> {
  const config = parseConfig(scoringConfigSchema, process.env);
  const logger = createLogger({ level: config.logLevel, base: { service: 'scoring' } });
  const scoring = await createScoringApp(config, { logger });
  const stop = (): void => {
    void scoring.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  scoring.start();
  await scoring.http.listen(config.port, config.host);
  logger.info('scoring_listening', {
    host: config.host,
    port: config.port,
    version: scoring.job.version,
    epoch_seconds: config.calendar.durationMs / 1000,
    copy: config.copy,
  });
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'error', event: 'scoring_start_failed', message: (error as Error).message }));
  process.exitCode = 1;
});
