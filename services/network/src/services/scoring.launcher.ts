import { createScoringApp, scoringConfigSchema } from '@groundtruth/scoring';
import { parseConfig, type Logger } from '@groundtruth/service-kit';
import type { Env, RunningService } from './launchers.js';

const baseUrl = (host: string, port: number) => `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

/** `groundtruth serve scoring` and the embedded network: the scoring API, then its loop (closed hours, due epochs). */
export async function launchScoring(env: Env, logger?: Logger): Promise<RunningService> {
  const config = parseConfig(scoringConfigSchema, env);
  const app = await createScoringApp(config, logger ? { logger } : {});
  try {
    await app.http.listen(config.port, config.host);
  } catch (error) {
    await app.close();
    throw error;
  }
  app.start();
  return { name: 'scoring', url: baseUrl(config.host, config.port), close: () => app.close() };
}
