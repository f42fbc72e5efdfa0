import type { Logger } from '@groundtruth/service-kit';
import type { Env, RunningService } from './launchers.js';

export async function launchScoring(_env: Env, _logger?: Logger): Promise<RunningService> {
  throw new Error('DEV: scoring launcher pending');
}
